//! Writes the bundled files (agent definitions, workspace CLAUDE.md, support skills) embedded
//! in the binary into the agent workspace's `.claude/` folder. It never touches user skills.

use crate::app::App;
use crate::error::{IoContext, Result};
use include_dir::{include_dir, Dir};
use std::path::Path;

pub static ASSETS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets");

/// Support skills redeployed before every step, with the workspace-skill purpose that may
/// replace each.
pub const SUPPORT_SKILLS: [(&str, &str); 3] = [
    ("research", "research"),
    ("validate-skill", "validate"),
    ("skill-builder-practices", "skill-building"),
];

const CUSTOM_MARKER: &str = "<!-- custom-skills -->";

/// Writes every file of an embedded folder under `dest` (replacing files of the same name).
pub fn write_dir(dir: &Dir<'_>, dest: &Path) -> Result<()> {
    for f in dir.files() {
        let rel = f.path().strip_prefix(dir.path()).unwrap_or(f.path());
        let target = dest.join(rel);
        if let Some(p) = target.parent() {
            std::fs::create_dir_all(p).with_path(p)?;
        }
        std::fs::write(&target, f.contents()).with_path(&target)?;
    }
    for d in dir.dirs() {
        let rel = d.path().strip_prefix(dir.path()).unwrap_or(d.path());
        write_dir(d, &dest.join(rel))?;
    }
    Ok(())
}

/// `.claude/agents/*.md` from the bundled agents.
pub fn deploy_agents(workspace: &Path) -> Result<()> {
    match ASSETS.get_dir("agents") {
        Some(d) => write_dir(d, &workspace.join(".claude/agents")),
        None => Ok(()),
    }
}

/// Rebuilds `.claude/CLAUDE.md`: bundled base text, the list of active workspace skills, and
/// the user's own `## Customization` section, kept as it was.
pub fn write_claude_md(app: &App) -> Result<()> {
    let path = app.workspace_path().join(".claude/CLAUDE.md");
    let base = ASSETS
        .get_file("workspace/CLAUDE.md")
        .and_then(|f| f.contents_utf8())
        .unwrap_or("# Skill Builder workspace\n\n<!-- custom-skills -->\n\n## Customization\n\nAdd your own instructions here.\n");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let custom = existing
        .find("## Customization")
        .map(|i| existing[i..].to_string());
    let skills: Vec<(String, Option<String>)> = {
        let conn = app.db.conn();
        let mut stmt = conn.prepare(
            "SELECT skill_name, description FROM workspace_skills WHERE is_active = 1 ORDER BY skill_name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut list = String::from("## Custom Skills\n");
    for (name, desc) in &skills {
        list.push_str(&format!(
            "\n### /{name}\n{}\n",
            desc.as_deref().unwrap_or("")
        ));
    }
    let mut text = if base.contains(CUSTOM_MARKER) {
        base.replace(CUSTOM_MARKER, &list)
    } else {
        format!("{base}\n{list}")
    };
    if let Some(c) = custom {
        if let Some(i) = text.find("## Customization") {
            text.truncate(i);
        }
        text.push_str(&c);
    }
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).with_path(p)?;
    }
    std::fs::write(&path, text).with_path(&path)
}

/// Makes sure the three support skills exist in `.claude/skills/`. Seeded bundled skills
/// (rows in `workspace_skills`) are owned by seeding and the Settings→Skills commands, so
/// a user's edits, deactivations and purpose replacements are respected; only a workspace
/// that never saw seeding gets the bundled copies written here.
pub fn deploy_support_skills(app: &App) -> Result<()> {
    let skills_dir = app.workspace_path().join(".claude/skills");
    for (name, _purpose) in SUPPORT_SKILLS {
        let target = skills_dir.join(name);
        let known: bool = app
            .db
            .conn()
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM workspace_skills WHERE skill_name = ?1)",
                [name],
                |r| r.get(0),
            )
            .unwrap_or(false);
        if known || target.exists() {
            continue;
        }
        if let Some(d) = ASSETS.get_dir(format!("skills/{name}")) {
            write_dir(d, &target)?;
        }
    }
    Ok(())
}

/// Everything an agent run needs in the workspace.
pub fn prepare_workspace(app: &App) -> Result<()> {
    let ws = app.workspace_path();
    deploy_agents(&ws)?;
    if !ws.join(".claude/CLAUDE.md").exists() {
        write_claude_md(app)?;
    }
    deploy_support_skills(app)
}
