//! The agents a skill can be installed into and the folder each one loads skills from.
//! Folders resolve from `$HOME` when the command runs, never when the app starts, so a
//! changed `HOME` (tests, `sudo -u`) is honoured.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A known agent: its name and its skills folder relative to the home folder (user scope)
/// and to a project folder (project scope), from each agent's documentation.
pub struct KnownAgent {
    pub name: &'static str,
    pub user_dir: &'static str,
    pub project_dir: &'static str,
}

pub const KNOWN_AGENTS: [KnownAgent; 3] = [
    KnownAgent {
        name: "claude-code",
        user_dir: ".claude/skills",
        project_dir: ".claude/skills",
    },
    KnownAgent {
        name: "codex",
        user_dir: ".agents/skills",
        project_dir: ".agents/skills",
    },
    KnownAgent {
        name: "copilot",
        user_dir: ".copilot/skills",
        project_dir: ".github/skills",
    },
];

/// The agent label of an install into `--dir` when none is given.
pub const CUSTOM_AGENT: &str = "custom";

/// Where an install lives: the user's home, a project, or a folder named by the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    User,
    Project,
    Dir,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::User => "user",
            Scope::Project => "project",
            Scope::Dir => "dir",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "user" => Some(Scope::User),
            "project" => Some(Scope::Project),
            "dir" => Some(Scope::Dir),
            _ => None,
        }
    }
}

/// The skills folder of one agent in one scope; a skill `x` installs to `root/x`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub agent: String,
    pub scope: Scope,
    pub root: PathBuf,
}

impl Target {
    pub fn folder_of(&self, skill: &str) -> PathBuf {
        self.root.join(skill)
    }
}

/// The user's home folder: `HOME` of the options on Unix (so tests and `sudo -u` can point it
/// elsewhere), the OS profile folder otherwise.
pub fn home_dir(options: &crate::options::Options) -> Result<PathBuf> {
    options.home_dir().ok_or_else(|| {
        Error::io("no home folder found (HOME is not set); pass a folder with --dir instead")
    })
}

fn known(agent: &str) -> Option<&'static KnownAgent> {
    KNOWN_AGENTS.iter().find(|a| a.name == agent)
}

fn known_names() -> String {
    KNOWN_AGENTS
        .iter()
        .map(|a| a.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An agent label for `--dir` installs: short, lowercase, so it reads well in lists.
fn check_label(agent: &str) -> Result<()> {
    let ok = !agent.is_empty()
        && agent.len() <= 64
        && agent
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "agent name '{}' must be 1-64 lowercase letters, digits, '-' or '_'",
        crate::error::shorten(agent, 64)
    )))
}

/// What the user asked for: an agent, and at most one of a project folder or a skills folder.
#[derive(Debug, Clone, Default)]
pub struct Placement<'a> {
    pub agent: Option<&'a str>,
    pub project: Option<&'a Path>,
    pub dir: Option<&'a Path>,
}

/// The skills folder a placement names, with `home` standing for `~`.
///
/// - a known agent alone → its user folder under `home`;
/// - with a project → its project folder under the project (which must exist);
/// - `dir` → that folder itself, for any agent (the label defaults to `custom`).
pub fn resolve(p: &Placement<'_>, home: &Path) -> Result<Target> {
    let agent = p.agent.map(str::trim).filter(|a| !a.is_empty());
    match (p.project, p.dir) {
        (Some(_), Some(_)) => Err(Error::invalid(
            "give either a project folder or --dir, not both: --dir already names the exact skills folder",
        )),
        (_, Some(dir)) => {
            let agent = agent.unwrap_or(CUSTOM_AGENT);
            check_label(agent)?;
            Ok(Target {
                agent: agent.to_string(),
                scope: Scope::Dir,
                root: non_empty_absolute(dir, "--dir")?,
            })
        }
        (project, None) => {
            let name = agent.ok_or_else(|| {
                Error::invalid(format!(
                    "name the agent to install for ({}), or give a skills folder with --dir",
                    known_names()
                ))
            })?;
            let a = known(name).ok_or_else(|| {
                Error::invalid(format!(
                    "unknown agent '{}'; known agents: {}. For another agent, give its skills folder with --dir",
                    crate::error::shorten(name, 64),
                    known_names()
                ))
            })?;
            match project {
                None => Ok(Target {
                    agent: a.name.into(),
                    scope: Scope::User,
                    root: home.join(a.user_dir),
                }),
                Some(project) => {
                    let project = non_empty_absolute(project, "the project folder")?;
                    if !project.is_dir() {
                        return Err(Error::not_found(format!(
                            "the project folder {} does not exist; create it or pick another",
                            project.display()
                        )));
                    }
                    Ok(Target {
                        agent: a.name.into(),
                        scope: Scope::Project,
                        root: project.join(a.project_dir),
                    })
                }
            }
        }
    }
}

fn non_empty_absolute(p: &Path, what: &str) -> Result<PathBuf> {
    if p.as_os_str().is_empty() {
        return Err(Error::invalid(format!("{what} is empty")));
    }
    crate::paths::absolute(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn place<'a>(
        agent: Option<&'a str>,
        project: Option<&'a Path>,
        dir: Option<&'a Path>,
    ) -> Placement<'a> {
        Placement {
            agent,
            project,
            dir,
        }
    }

    #[test]
    fn each_known_agent_resolves_to_its_documented_folders() {
        let home = Path::new("/h");
        let project = tempfile::tempdir().unwrap();
        let p = project.path();
        for (agent, user, proj) in [
            ("claude-code", "/h/.claude/skills", ".claude/skills"),
            ("codex", "/h/.agents/skills", ".agents/skills"),
            ("copilot", "/h/.copilot/skills", ".github/skills"),
        ] {
            let t = resolve(&place(Some(agent), None, None), home).unwrap();
            assert_eq!((t.scope, t.root), (Scope::User, PathBuf::from(user)));
            let t = resolve(&place(Some(agent), Some(p), None), home).unwrap();
            assert_eq!((t.scope, t.root), (Scope::Project, p.join(proj)));
        }
    }

    #[test]
    fn dir_takes_any_agent_label_and_unknown_agents_are_refused_without_it() {
        let home = Path::new("/h");
        let t = resolve(&place(None, None, Some(Path::new("/x/skills"))), home).unwrap();
        assert_eq!(
            (t.agent.as_str(), t.scope, t.root),
            ("custom", Scope::Dir, PathBuf::from("/x/skills"))
        );
        let t = resolve(&place(Some("cursor"), None, Some(Path::new("/x"))), home).unwrap();
        assert_eq!(t.agent, "cursor");
        let e = resolve(&place(Some("cursor"), None, None), home).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        assert!(e.message.contains("--dir"), "{e}");
        let e = resolve(&place(None, None, None), home).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let e = resolve(
            &place(Some("codex"), Some(Path::new("/p")), Some(Path::new("/x"))),
            home,
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
        let e = resolve(&place(Some("../x"), None, Some(Path::new("/x"))), home).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput);
    }

    #[test]
    fn a_missing_project_folder_is_not_found() {
        let e = resolve(
            &place(Some("codex"), Some(Path::new("/no/such/project")), None),
            Path::new("/h"),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
    }
}
