//! The application object every command receives: paths, database, instance identity and
//! shared clients. Shells create one `App` per process and call commands through `catalog`.

use crate::db::Db;
use crate::error::{IoContext, Result};
use crate::options::Options;
use crate::paths::DataPaths;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub struct App {
    pub paths: DataPaths,
    /// What the environment configures, read once by the shell (tests pass their own).
    pub options: Options,
    pub db: Db,
    /// UUID v4 made at each start; skill locks are keyed by it and the PID.
    pub instance_id: String,
    pub pid: u32,
    /// This process's start time (`locks::process_start_time`), stored beside `pid` so a lock
    /// whose PID was reused by another program is known to be stale.
    pub pid_started_at: Option<i64>,
    pub http: reqwest::Client,
    /// Backend → UI events; shells subscribe their sink.
    pub events: crate::events::EventBus,
    /// One persistent Node sidecar per skill.
    pub agents: crate::agents::SidecarPool,
    /// Open refine chats of this process.
    pub refine: crate::refine::RefineSessions,
    roots: RwLock<Roots>,
}

#[derive(Clone)]
struct Roots {
    workspace: PathBuf,
    skills: PathBuf,
}

impl App {
    /// Opens the data dir with the options of the process environment (for shells).
    pub fn open(data_dir: Option<PathBuf>) -> Result<Arc<App>> {
        Self::open_with(data_dir, Options::from_env())
    }

    /// Opens the data dir (`data_dir`, else `options.data_dir`, else the OS app-data folder),
    /// creating it, the database and the default folders as needed.
    pub fn open_with(data_dir: Option<PathBuf>, options: Options) -> Result<Arc<App>> {
        if let Some(key) = &options.anthropic_api_key {
            crate::logging::register_secret(key.expose());
        }
        let paths = DataPaths::resolve(data_dir.or_else(|| options.data_dir.clone()))?;
        paths.ensure_dirs()?;
        let db = Db::open(&paths.db_file())?;
        let app = App {
            options,
            roots: RwLock::new(Roots {
                workspace: paths.default_workspace(),
                skills: paths.default_skills(),
            }),
            paths,
            db,
            instance_id: uuid::Uuid::new_v4().to_string(),
            pid: std::process::id(),
            pid_started_at: crate::locks::own_start_time(),
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .user_agent(concat!("skill-builder/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| crate::Error::internal(format!("HTTP client: {e}")))?,
            events: Default::default(),
            agents: Default::default(),
            refine: Default::default(),
        };
        let stored = crate::settings::load(&app)?;
        let resolve = |p: &Option<String>, default: PathBuf| -> Result<PathBuf> {
            match p.as_deref().filter(|s| !s.is_empty()) {
                Some(s) => crate::paths::absolute(Path::new(s)),
                None => Ok(default),
            }
        };
        let workspace = resolve(&stored.workspace_path, app.paths.default_workspace())?;
        let skills = resolve(&stored.skills_path, app.paths.default_skills())?;
        for d in [&workspace, &skills] {
            // Under the (private) data dir the default folders are private too; a folder the
            // user chose elsewhere keeps the permissions folders get there.
            if d.starts_with(&app.paths.data_dir) {
                crate::paths::create_private_dir_all(d).with_path(d)?;
            } else {
                std::fs::create_dir_all(d).with_path(d)?;
            }
        }
        // The skills folder is a git repository from the first start, so the first commit of
        // a skill is its own, not an "initial snapshot".
        if let Err(e) = crate::history::ensure_repo(&skills) {
            tracing::warn!(
                "could not initialise the skills history at {}: {e}",
                skills.display()
            );
        }
        app.set_roots(workspace, skills);
        Ok(Arc::new(app))
    }

    /// The agent workspace root (never unset).
    pub fn workspace_path(&self) -> PathBuf {
        self.roots
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .workspace
            .clone()
    }

    /// The finished-skills root, a git repository (never unset).
    pub fn skills_path(&self) -> PathBuf {
        self.roots
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .skills
            .clone()
    }

    pub(crate) fn set_roots(&self, workspace: PathBuf, skills: PathBuf) {
        *self.roots.write().unwrap_or_else(|p| p.into_inner()) = Roots { workspace, skills };
    }

    /// `SKILL_BUILDER_MOCK_AGENTS=1` ([`Options::mock`]) forces mock agents whatever the
    /// settings say.
    pub fn mock_forced(&self) -> bool {
        self.options.mock
    }

    /// Whether agents run in mock mode (env switch or the `mock_agents` setting).
    pub fn mock_agents(&self) -> bool {
        self.mock_forced() || crate::settings::load(self).is_ok_and(|s| s.mock_agents)
    }

    /// Base URL of the Anthropic API (`ANTHROPIC_BASE_URL`, for tests and proxies).
    pub fn anthropic_base_url(&self) -> String {
        self.options
            .anthropic_base_url
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "https://api.anthropic.com".into())
            .trim_end_matches('/')
            .to_string()
    }

    /// Releases what this instance holds (locks, open sessions). Called on exit by every shell.
    pub fn shutdown(&self) {
        if let Err(e) = crate::locks::release_all(self) {
            tracing::warn!("releasing locks at exit failed: {e}");
        }
        if let Err(e) = crate::workflow::sessions::end_own_sessions(self) {
            tracing::warn!("ending sessions at exit failed: {e}");
        }
        self.agents.kill_all_now();
    }
}
