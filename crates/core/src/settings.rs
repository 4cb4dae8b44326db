//! The Settings command group: the `AppSettings` blob (one JSON row), secrets through
//! `secrets`, the skills-folder move, log level and paths. It must never log a secret value.

use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::paths::{normalize_user_path, path_string};
use crate::secrets::{self, SecretBackend, SECRET_KEYS};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

pub const DEFAULT_REGISTRY_NAME: &str = "Anthropic Skills";
pub const DEFAULT_REGISTRY_URL: &str = "https://github.com/anthropics/skills";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketplaceRegistry {
    pub name: String,
    pub source_url: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}
fn default_log_level() -> String {
    "info".into()
}
fn default_max_dimensions() -> u32 {
    5
}

/// The settings blob. Unknown keys are kept in `extra` and written back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppSettings {
    pub anthropic_api_key: Option<String>,
    pub workspace_path: Option<String>,
    pub skills_path: Option<String>,
    pub preferred_model: Option<String>,
    pub debug_mode: bool,
    #[serde(default = "default_log_level")]
    pub log_level: String,
    pub extended_context: bool,
    pub extended_thinking: bool,
    pub splash_shown: bool,
    pub github_oauth_token: Option<String>,
    pub github_user_login: Option<String>,
    pub github_user_avatar: Option<String>,
    pub github_user_email: Option<String>,
    pub marketplace_url: Option<String>,
    pub marketplace_registries: Vec<MarketplaceRegistry>,
    pub marketplace_initialized: bool,
    #[serde(default = "default_max_dimensions")]
    pub max_dimensions: u32,
    pub industry: Option<String>,
    pub function_role: Option<String>,
    pub dashboard_view_mode: Option<String>,
    pub auto_update: bool,
    /// Run agents in mock mode (no API key needed); `SKILL_BUILDER_MOCK_AGENTS=1` forces it.
    pub mock_agents: bool,
    /// ZIP import limits (architecture.md defaults).
    pub zip_max_entries: u64,
    pub zip_max_total_bytes: u64,
    pub zip_max_file_bytes: u64,
    /// Per-step overrides of the workflow defaults, keyed by step id (`"0"`…`"3"`).
    pub step_overrides: std::collections::BTreeMap<String, StepOverride>,
    /// Client id of the GitHub OAuth App used for device-flow sign-in;
    /// `SKILL_BUILDER_GITHUB_CLIENT_ID` overrides it.
    pub github_oauth_client_id: Option<String>,
    /// `owner/repo` receiving feedback issues; `SKILL_BUILDER_FEEDBACK_REPO` overrides it.
    pub feedback_repository: Option<String>,
    /// Sync the installs into agents after a build, refine, restore or import (issue 17).
    pub auto_sync_installs: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for AppSettings {
    fn default() -> Self {
        AppSettings {
            anthropic_api_key: None,
            workspace_path: None,
            skills_path: None,
            preferred_model: None,
            debug_mode: false,
            log_level: default_log_level(),
            extended_context: false,
            extended_thinking: false,
            splash_shown: false,
            github_oauth_token: None,
            github_user_login: None,
            github_user_avatar: None,
            github_user_email: None,
            marketplace_url: None,
            marketplace_registries: Vec::new(),
            marketplace_initialized: false,
            max_dimensions: default_max_dimensions(),
            industry: None,
            function_role: None,
            dashboard_view_mode: None,
            auto_update: false,
            mock_agents: false,
            zip_max_entries: 10_000,
            zip_max_total_bytes: 1 << 30,
            zip_max_file_bytes: 256 << 20,
            step_overrides: Default::default(),
            github_oauth_client_id: None,
            feedback_repository: None,
            auto_sync_installs: false,
            extra: Map::new(),
        }
    }
}

/// A per-step override of model, turn limit or thinking budget.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepOverride {
    pub model: Option<String>,
    pub max_turns: Option<u32>,
    pub thinking_budget: Option<u32>,
}

const SETTINGS_KEY: &str = "app_settings";

/// Fields owned by the GitHub sign-in commands; `save_settings` never changes them, so a
/// stale UI snapshot cannot sign the user out (reference defect 8).
const GITHUB_OWNED: [&str; 4] = [
    "github_oauth_token",
    "github_user_login",
    "github_user_avatar",
    "github_user_email",
];

/// Reads the stored blob as a raw JSON object (`{}` when no row exists).
fn load_raw(app: &App) -> Result<Map<String, Value>> {
    let conn = app.db.conn();
    let raw: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = ?1",
            [SETTINGS_KEY],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    match raw {
        None => Ok(Map::new()),
        Some(s) => match serde_json::from_str::<Value>(&s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => {
                tracing::warn!("stored settings are not a JSON object; using defaults");
                Ok(Map::new())
            }
        },
    }
}

fn store_raw(app: &App, raw: &Map<String, Value>) -> Result<()> {
    secrets::scrub_in_logs(SECRET_KEYS.map(|k| raw.get(k).and_then(Value::as_str)));
    let text = serde_json::to_string(raw).map_err(|e| Error::internal(e.to_string()))?;
    app.db.conn().execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rusqlite::params![SETTINGS_KEY, text],
    )?;
    Ok(())
}

fn from_raw(raw: Map<String, Value>) -> AppSettings {
    serde_json::from_value(Value::Object(raw)).unwrap_or_else(|e| {
        tracing::warn!("stored settings could not be read ({e}); using defaults");
        AppSettings::default()
    })
}

/// Secrets live in the keychain (under the data folder's own entry) when one exists; the
/// blob then holds null for them.
fn fill_secrets(app: &App, s: &mut AppSettings) {
    if secrets::backend(app.options.keychain) == SecretBackend::Keychain {
        let dir = &app.paths.data_dir;
        if s.anthropic_api_key.is_none() {
            s.anthropic_api_key = secrets::keychain_get(dir, "anthropic_api_key");
        }
        if s.github_oauth_token.is_none() {
            s.github_oauth_token = secrets::keychain_get(dir, "github_oauth_token");
        }
    }
}

/// Moves secret values out of a raw blob into the keychain (when available).
fn stash_secrets(app: &App, raw: &mut Map<String, Value>) -> Result<()> {
    if secrets::backend(app.options.keychain) != SecretBackend::Keychain {
        return Ok(());
    }
    for key in SECRET_KEYS {
        if let Some(v) = raw.get(key) {
            secrets::keychain_set(
                &app.paths.data_dir,
                key,
                v.as_str().filter(|s| !s.is_empty()),
            )?;
            raw.insert(key.to_string(), Value::Null);
        }
    }
    Ok(())
}

/// The settings as stored, with secrets filled in, but without effective-path defaults.
pub fn load(app: &App) -> Result<AppSettings> {
    let mut s = from_raw(load_raw(app)?);
    fill_secrets(app, &mut s);
    secrets::scrub_in_logs([
        s.anthropic_api_key.as_deref(),
        s.github_oauth_token.as_deref(),
    ]);
    Ok(s)
}

/// Applies `change` to the stored settings and writes them back (used by commands that own a
/// few fields, e.g. GitHub sign-in). Secrets go to the keychain when one is available.
pub fn update(app: &App, change: impl FnOnce(&mut AppSettings)) -> Result<()> {
    let mut s = load(app)?;
    change(&mut s);
    let mut raw = match serde_json::to_value(&s)? {
        Value::Object(m) => m,
        _ => unreachable!("AppSettings serialises to an object"),
    };
    stash_secrets(app, &mut raw)?;
    store_raw(app, &raw)
}

/// The effective settings: stored values, paths never null, registries initialised.
pub fn get_settings(app: &App) -> Result<AppSettings> {
    let mut s = load(app)?;
    if !s.marketplace_initialized {
        init_registries(&mut s);
        let copy = s.clone();
        if let Err(e) = update(app, |stored| {
            stored.marketplace_registries = copy.marketplace_registries.clone();
            stored.marketplace_url = None;
            stored.marketplace_initialized = true;
        }) {
            tracing::warn!("could not save the marketplace registry migration: {e}");
        }
    }
    s.workspace_path = Some(path_string(&app.workspace_path())?);
    s.skills_path = Some(path_string(&app.skills_path())?);
    if app.mock_forced() {
        s.mock_agents = true;
    }
    Ok(s)
}

fn init_registries(s: &mut AppSettings) {
    let mut regs = vec![MarketplaceRegistry {
        name: DEFAULT_REGISTRY_NAME.into(),
        source_url: DEFAULT_REGISTRY_URL.into(),
        enabled: true,
    }];
    if let Some(url) = s.marketplace_url.take().filter(|u| !u.is_empty()) {
        if url != DEFAULT_REGISTRY_URL {
            regs.push(MarketplaceRegistry {
                name: "Custom".into(),
                source_url: url,
                enabled: true,
            });
        }
    }
    if s.marketplace_registries.is_empty() {
        s.marketplace_registries = regs;
    }
    s.marketplace_initialized = true;
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveSettingsArgs {
    pub settings: Map<String, Value>,
    /// Accept a non-empty `workspace_path` folder the app did not create (e.g. a project).
    /// Nothing of the user's in it is ever removed or overwritten either way.
    #[serde(default)]
    pub adopt_existing: bool,
}

/// Merge-saves the settings: keys present in the input replace stored ones, absent keys keep
/// their value, GitHub sign-in fields are ignored (owned by the sign-in commands) and
/// `marketplace_initialized` never goes back to false. A skills folder change moves the
/// skills first; if that fails nothing is saved. A new workspace folder that already holds
/// files the app did not put there needs `adopt_existing`.
pub fn save_settings(app: &App, args: SaveSettingsArgs) -> Result<()> {
    let mut input = args.settings;
    for k in GITHUB_OWNED {
        input.remove(k);
    }
    // Validate the whole merged object before touching anything.
    let mut merged = load_raw(app)?;
    for (k, v) in input.iter() {
        merged.insert(k.clone(), v.clone());
    }
    let mut new: AppSettings = serde_json::from_value(Value::Object(merged.clone()))
        .map_err(|e| Error::invalid(format!("invalid settings: {e}")))?;
    check_github_settings(&mut new)?;
    let old = load(app)?;
    if old.marketplace_initialized {
        new.marketplace_initialized = true;
    }
    for p in [&mut new.skills_path, &mut new.workspace_path] {
        *p = p
            .as_deref()
            .map(normalize_user_path)
            .filter(|s| !s.is_empty());
    }
    let old_skills = app.skills_path();
    let new_skills = match &new.skills_path {
        Some(p) => crate::paths::absolute(Path::new(p))?,
        None => app.paths.default_skills(),
    };
    let new_workspace = match &new.workspace_path {
        Some(p) => crate::paths::absolute(Path::new(p))?,
        None => app.paths.default_workspace(),
    };
    if new_workspace != app.workspace_path() {
        check_workspace_target(app, &new_workspace, args.adopt_existing)?;
    }
    if new_skills != old_skills {
        move_skills_folder(&old_skills, &new_skills)?;
        tracing::info!(
            "skills folder moved from {} to {}",
            old_skills.display(),
            new_skills.display()
        );
        if let Err(e) = crate::history::commit_all(
            &new_skills,
            &format!(
                "Moved skills from {} to {}",
                old_skills.display(),
                new_skills.display()
            ),
        ) {
            tracing::warn!("could not commit the moved skills folder: {e}");
        }
    }
    std::fs::create_dir_all(&new_workspace).with_path(&new_workspace)?;
    new.skills_path = Some(path_string(&new_skills)?);
    new.workspace_path = Some(path_string(&new_workspace)?);
    let changed: Vec<&str> = changed_fields(&old, &new);
    let mut raw = match serde_json::to_value(&new)? {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    // Keep what the sign-in commands own exactly as stored.
    for k in GITHUB_OWNED {
        raw.insert(k.to_string(), serde_json::to_value(github_field(&old, k))?);
    }
    stash_secrets(app, &mut raw)?;
    store_raw(app, &raw)?;
    app.set_roots(new_workspace, new_skills);
    crate::logging::set_level(&new.log_level);
    if !changed.is_empty() {
        tracing::info!("settings saved; changed: {}", changed.join(", "));
    }
    Ok(())
}

/// A workspace folder is accepted when it is the default one, missing or empty, or already
/// carries the app's deploy manifest; any other folder with content (hidden entries count)
/// belongs to someone else and is used only when the caller says so.
fn check_workspace_target(app: &App, ws: &Path, adopt_existing: bool) -> Result<()> {
    if adopt_existing
        || *ws == app.paths.default_workspace()
        || crate::workflow::deploy::has_manifest(ws)
    {
        return Ok(());
    }
    match folder_entries(ws)? {
        Some(entries) if !entries.is_empty() => Err(Error::conflict(format!(
            "Cannot use {} as the workspace: the folder already has content the app did not \
             create ({}); pick an empty folder, or pass adoptExisting: true to use it as it is \
             (nothing of yours in it is removed or overwritten)",
            ws.display(),
            entries.join(", ")
        ))),
        _ => Ok(()),
    }
}

/// Blank GitHub settings mean "not set"; a feedback repository must be `owner/repo`, refused
/// here rather than when the user first sends feedback.
fn check_github_settings(s: &mut AppSettings) -> Result<()> {
    for v in [&mut s.github_oauth_client_id, &mut s.feedback_repository] {
        *v = v
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
    }
    match s.feedback_repository.as_deref() {
        Some(r) if crate::github::feedback::parse_repository(r).is_none() => {
            Err(Error::invalid(format!(
                "invalid settings: feedback_repository must be owner/repo (e.g. acme/feedback), got '{r}'"
            )))
        }
        _ => Ok(()),
    }
}

fn github_field<'a>(s: &'a AppSettings, key: &str) -> &'a Option<String> {
    match key {
        "github_oauth_token" => &s.github_oauth_token,
        "github_user_login" => &s.github_user_login,
        "github_user_avatar" => &s.github_user_avatar,
        _ => &s.github_user_email,
    }
}

/// Names of changed fields, for the log. Secret and personal fields are named, never shown.
fn changed_fields(old: &AppSettings, new: &AppSettings) -> Vec<&'static str> {
    let a = serde_json::to_value(old).unwrap_or_default();
    let b = serde_json::to_value(new).unwrap_or_default();
    const FIELDS: [&str; 25] = [
        "step_overrides",
        "anthropic_api_key",
        "workspace_path",
        "skills_path",
        "preferred_model",
        "debug_mode",
        "log_level",
        "extended_context",
        "extended_thinking",
        "splash_shown",
        "marketplace_url",
        "marketplace_registries",
        "marketplace_initialized",
        "max_dimensions",
        "industry",
        "function_role",
        "dashboard_view_mode",
        "auto_update",
        "mock_agents",
        "zip_max_entries",
        "zip_max_total_bytes",
        "zip_max_file_bytes",
        "github_oauth_client_id",
        "feedback_repository",
        "auto_sync_installs",
    ];
    FIELDS
        .into_iter()
        .filter(|f| a.get(f) != b.get(f))
        .collect()
}

/// Moves the skills folder `old` → `new` without ever losing a file: a rename when possible,
/// else a copy into a staging folder beside `new`, renamed into place, and only then the old
/// folder is removed. Any failure removes the staging copy and leaves `old` untouched.
///
/// The app never deletes what it did not create: a target that already holds anything (hidden
/// entries such as `.git` or `.env` count) or that lies inside someone's git repository is
/// refused. An existing empty folder is accepted; it is removed with `remove_dir`, which fails
/// rather than delete anything that appeared in it meanwhile.
pub fn move_skills_folder(old: &Path, new: &Path) -> Result<()> {
    if new.starts_with(old) || old.starts_with(new) {
        return Err(Error::invalid(format!(
            "Cannot move skills to {}: the new folder must not be inside the old one or contain it",
            new.display()
        )));
    }
    check_skills_target(old, new)?;
    if !old.exists() {
        return std::fs::create_dir_all(new).with_path(new);
    }
    if let Some(parent) = new.parent() {
        std::fs::create_dir_all(parent).with_path(parent)?;
    }
    if new.exists() {
        // Checked empty above; a rename cannot replace a folder on every platform.
        std::fs::remove_dir(new).map_err(|e| {
            Error::conflict(format!(
                "Cannot move skills to {}: the folder could not be replaced ({e}); pick an empty folder",
                new.display()
            ))
        })?;
    }
    if std::fs::rename(old, new).is_ok() {
        return Ok(());
    }
    copy_then_swap(old, new)
}

/// Refuses a skills-folder target that is not empty or is part of a user's git repository
/// (the app's own skills repository, `app_repo`, excepted).
fn check_skills_target(app_repo: &Path, new: &Path) -> Result<()> {
    if let Some(entries) = folder_entries(new)? {
        if !entries.is_empty() {
            return Err(Error::conflict(format!(
                "Cannot move skills to {}: the folder already has content ({}); \
                 pick an empty folder, nothing was moved",
                new.display(),
                entries.join(", ")
            )));
        }
    }
    if let Some(repo) = enclosing_git_repo(new, app_repo) {
        return Err(Error::conflict(format!(
            "Cannot move skills to {}: it is inside the git repository {}; \
             pick an empty folder outside any repository, nothing was moved",
            new.display(),
            repo.display()
        )));
    }
    Ok(())
}

/// The names in a folder (at most a few, sorted, for messages), `None` when it does not
/// exist. Every entry counts, hidden ones included.
pub(crate) fn folder_entries(dir: &Path) -> Result<Option<Vec<String>>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::from(e).context(dir.display())),
    };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if names.len() > 5 {
        let more = names.len() - 4;
        names.truncate(4);
        names.push(format!("and {more} more"));
    }
    Ok(Some(names))
}

/// The nearest folder at or above `path` that holds a `.git` entry (folder, or file for
/// worktrees and submodules), unless it is the app's own skills repository.
fn enclosing_git_repo(path: &Path, app_repo: &Path) -> Option<PathBuf> {
    let own = std::fs::canonicalize(app_repo).unwrap_or_else(|_| app_repo.to_path_buf());
    path.ancestors()
        .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok())
        .filter(|a| {
            let a = std::fs::canonicalize(a).unwrap_or_else(|_| a.to_path_buf());
            a != own
        })
        .map(Path::to_path_buf)
}

/// The slow path of a move (another file system): copy into a staging folder, rename it into
/// place, then remove the old folder. A failed copy removes the staging folder and keeps `old`.
pub fn copy_then_swap(old: &Path, new: &Path) -> Result<()> {
    let staging = staging_path(new);
    if let Err(e) = copy_dir_all(old, &staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e.context(format!(
            "Cannot move skills to {}; nothing was changed",
            new.display()
        )));
    }
    std::fs::rename(&staging, new).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staging);
        Error::from(e).context(new.display())
    })?;
    if let Err(e) = std::fs::remove_dir_all(old) {
        tracing::warn!(
            "skills copied to {} but the old folder {} could not be removed: {e}",
            new.display(),
            old.display()
        );
    }
    Ok(())
}

fn staging_path(new: &Path) -> PathBuf {
    let name = new
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "skills".into());
    new.with_file_name(crate::staging::unique_name(&format!(".{name}.moving-")))
}

/// Recursive copy keeping file permissions; symlinks are recreated as symlinks.
pub fn copy_dir_all(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_path(to)?;
    for entry in std::fs::read_dir(from).with_path(from)? {
        let entry = entry.with_path(from)?;
        let ty = entry.file_type().with_path(&entry.path())?;
        let dest = to.join(entry.file_name());
        if ty.is_dir() {
            copy_dir_all(&entry.path(), &dest)?;
        } else if ty.is_symlink() {
            #[cfg(unix)]
            {
                let target = std::fs::read_link(entry.path()).with_path(&entry.path())?;
                std::os::unix::fs::symlink(target, &dest).with_path(&dest)?;
            }
        } else {
            std::fs::copy(entry.path(), &dest).with_path(&dest)?;
        }
    }
    Ok(())
}

// ---- the small commands of the group ----

pub fn get_data_dir(app: &App, _: crate::args::NoArgs) -> Result<String> {
    std::fs::create_dir_all(&app.paths.data_dir).with_path(&app.paths.data_dir)?;
    path_string(&app.paths.data_dir)
}

pub fn get_default_skills_path(app: &App, _: crate::args::NoArgs) -> Result<String> {
    path_string(&app.paths.default_skills())
}

pub fn get_log_file_path(app: &App, _: crate::args::NoArgs) -> Result<String> {
    path_string(&app.paths.log_file())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetLogLevelArgs {
    pub level: String,
}

/// Changes the running log level (no restart); persistence is `save_settings.log_level`.
pub fn set_log_level(_app: &App, args: SetLogLevelArgs) -> Result<()> {
    let lvl = crate::logging::set_level(&args.level);
    tracing::info!("log level set to {lvl}");
    Ok(())
}

pub fn get_settings_cmd(app: &App, _: crate::args::NoArgs) -> Result<AppSettings> {
    get_settings(app)
}
