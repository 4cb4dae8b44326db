//! What the process environment configures, read once by the shells ([`Options::from_env`])
//! and passed to [`crate::App::open_with`]. Core reads `app.options`, never the environment,
//! so tests pass their options explicitly and many apps can share one process.
//!
//! The variable names and meanings are a stable contract (README › Environment); each field
//! names the variable that fills it. `Options::default()` reads nothing: no keychain, no mock
//! switch, no key, the public API and GitHub URLs, and nothing but the usual folders for Node.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// `SKILL_BUILDER_MOCK_AGENTS`; the sidecar never inherits it (mock travels per request).
pub const MOCK_ENV: &str = "SKILL_BUILDER_MOCK_AGENTS";
pub const MOCK_DELAY_ENV: &str = "SKILL_BUILDER_MOCK_DELAY_MS";
pub const DATA_DIR_ENV: &str = "SKILL_BUILDER_DATA_DIR";
pub const KEYCHAIN_ENV: &str = "SKILL_BUILDER_KEYCHAIN";
pub const API_KEY_ENV: &str = "ANTHROPIC_API_KEY";
pub const BASE_URL_ENV: &str = "ANTHROPIC_BASE_URL";
pub const CLAUDE_CONFIG_DIR_ENV: &str = "CLAUDE_CONFIG_DIR";
/// `SKILL_BUILDER_NODE`: the Node executable to use.
pub const NODE_ENV: &str = "SKILL_BUILDER_NODE";
/// `SKILL_BUILDER_SIDECAR_DIR`: the sidecar folder.
pub const SIDECAR_ENV: &str = "SKILL_BUILDER_SIDECAR_DIR";

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `SKILL_BUILDER_DATA_DIR`: the data folder when the shell is given none (`--data-dir`).
    pub data_dir: Option<PathBuf>,
    /// `SKILL_BUILDER_MOCK_AGENTS` set to an "on" spelling ([`crate::agents::switch_on`]):
    /// mock agents whatever the `mock_agents` setting says.
    pub mock: bool,
    /// `SKILL_BUILDER_MOCK_DELAY_MS`: the mock agents' pause between messages, given to the
    /// sidecar (unset: the sidecar's default).
    pub mock_delay_ms: Option<u64>,
    /// `SKILL_BUILDER_KEYCHAIN`: `0` or `off` turn it off (secrets stay in the settings
    /// database); anything else, or unset, uses the OS keychain when one works.
    pub keychain: bool,
    /// `ANTHROPIC_API_KEY`: the key used when Settings has none; always scrubbed from logs.
    pub anthropic_api_key: Option<Secret>,
    /// `ANTHROPIC_BASE_URL`: the Anthropic API (tests and proxies); the sidecar gets it too.
    pub anthropic_base_url: Option<String>,
    /// `CLAUDE_CONFIG_DIR`: the Claude Code configuration folder given to the sidecar.
    pub claude_config_dir: Option<PathBuf>,
    /// `HOME` (Unix): the user's home for installs into agents, "save as" targets and the
    /// sidecar (unset: the OS profile folder, and the sidecar inherits the process's).
    pub home: Option<PathBuf>,
    /// `PATH`: where `node` is looked for (then `/usr/local/bin`, `/opt/homebrew/bin`,
    /// `/usr/bin`). The sidecar inherits the process's own.
    pub path: Option<OsString>,
    /// `SKILL_BUILDER_NODE`: the only Node executable to use (an explicit choice is not
    /// silently replaced by another Node).
    pub node: Option<PathBuf>,
    /// `SKILL_BUILDER_SIDECAR_DIR`: the sidecar folder (else `<exe dir>/sidecar`, else the
    /// repository's `sidecar/`).
    pub sidecar_dir: Option<PathBuf>,
    /// `SKILL_BUILDER_GITHUB_CLIENT_ID`: overrides the `github_oauth_client_id` setting.
    pub github_client_id: Option<String>,
    /// `SKILL_BUILDER_GITHUB_SCOPES`: the sign-in scopes (default `read:user public_repo`).
    pub github_scopes: Option<String>,
    /// `SKILL_BUILDER_GITHUB_API_URL` (default `https://api.github.com`).
    pub github_api_url: Option<String>,
    /// `SKILL_BUILDER_GITHUB_RAW_URL` (default `https://raw.githubusercontent.com`).
    pub github_raw_url: Option<String>,
    /// `SKILL_BUILDER_GITHUB_OAUTH_URL` (default `https://github.com`).
    pub github_oauth_url: Option<String>,
    /// `SKILL_BUILDER_FEEDBACK_REPO`: overrides the `feedback_repository` setting.
    pub feedback_repo: Option<String>,
}

/// A secret value whose `Debug` never shows it, so printing the options logs no key.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(crate::secrets::redact(&self.0))
    }
}

impl From<&str> for Secret {
    fn from(v: &str) -> Secret {
        Secret(v.to_string())
    }
}

impl From<String> for Secret {
    fn from(v: String) -> Secret {
        Secret(v)
    }
}

impl Options {
    /// The options of the process environment: the only place core reads these variables.
    /// An empty variable counts as unset.
    pub fn from_env() -> Options {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// [`Options::from_env`] over any lookup (tests give a map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<OsString>) -> Options {
        let os = |name: &str| get(name).filter(|v| !v.is_empty());
        let text = |name: &str| os(name).and_then(|v| v.into_string().ok());
        let path = |name: &str| os(name).map(PathBuf::from);
        use crate::github::{auth, client, feedback};
        Options {
            data_dir: path(DATA_DIR_ENV),
            mock: text(MOCK_ENV).is_some_and(|v| crate::agents::switch_on(&v)),
            mock_delay_ms: text(MOCK_DELAY_ENV).and_then(|v| v.trim().parse().ok()),
            keychain: keychain_on(text(KEYCHAIN_ENV).as_deref()),
            anthropic_api_key: text(API_KEY_ENV).map(Secret),
            anthropic_base_url: text(BASE_URL_ENV),
            claude_config_dir: path(CLAUDE_CONFIG_DIR_ENV),
            home: if cfg!(unix) { path("HOME") } else { None },
            path: get("PATH"),
            node: path(NODE_ENV),
            sidecar_dir: path(SIDECAR_ENV),
            github_client_id: text(auth::ENV_CLIENT_ID),
            github_scopes: text(auth::ENV_SCOPES),
            github_api_url: text(client::ENV_API_URL),
            github_raw_url: text(client::ENV_RAW_URL),
            github_oauth_url: text(client::ENV_OAUTH_URL),
            feedback_repo: text(feedback::ENV_FEEDBACK_REPO),
        }
    }

    /// The user's home folder: [`Options::home`], else the OS profile folder.
    pub fn home_dir(&self) -> Option<PathBuf> {
        self.home
            .clone()
            .filter(|h| !h.as_os_str().is_empty())
            .or_else(dirs::home_dir)
    }

    /// The variables the sidecar process is started with: `Some` sets one, `None` removes an
    /// inherited one, so the child sees these options and not a stale value of the shell's
    /// environment. HOME and PATH are inherited unless set here.
    pub fn sidecar_env(&self) -> Vec<(&'static str, Option<OsString>)> {
        let os = |v: Option<&str>| v.map(OsString::from);
        let mut env = vec![
            (MOCK_ENV, None),
            (
                API_KEY_ENV,
                os(self.anthropic_api_key.as_ref().map(Secret::expose)),
            ),
            (BASE_URL_ENV, os(self.anthropic_base_url.as_deref())),
            (
                MOCK_DELAY_ENV,
                self.mock_delay_ms.map(|ms| ms.to_string().into()),
            ),
            (
                CLAUDE_CONFIG_DIR_ENV,
                self.claude_config_dir
                    .as_deref()
                    .map(|p| p.as_os_str().to_owned()),
            ),
        ];
        if let Some(home) = &self.home {
            env.push(("HOME", Some(OsStr::new(home).to_owned())));
        }
        env
    }
}

/// `SKILL_BUILDER_KEYCHAIN`: only `0` and `off` turn the keychain off.
pub fn keychain_on(value: Option<&str>) -> bool {
    !value.is_some_and(|v| v == "0" || v == "off")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Options {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Options::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn every_variable_fills_its_field() {
        let o = from(&[
            ("SKILL_BUILDER_DATA_DIR", "/d"),
            ("SKILL_BUILDER_MOCK_AGENTS", " Yes "),
            ("SKILL_BUILDER_MOCK_DELAY_MS", "25"),
            ("SKILL_BUILDER_KEYCHAIN", "1"),
            ("ANTHROPIC_API_KEY", "sk-ant-env-key-123"),
            ("ANTHROPIC_BASE_URL", "http://127.0.0.1:1"),
            ("CLAUDE_CONFIG_DIR", "/c"),
            ("HOME", "/h"),
            ("PATH", "/p"),
            ("SKILL_BUILDER_NODE", "/n"),
            ("SKILL_BUILDER_SIDECAR_DIR", "/s"),
            ("SKILL_BUILDER_GITHUB_CLIENT_ID", "cid"),
            ("SKILL_BUILDER_GITHUB_SCOPES", "repo"),
            ("SKILL_BUILDER_GITHUB_API_URL", "http://a"),
            ("SKILL_BUILDER_GITHUB_RAW_URL", "http://r"),
            ("SKILL_BUILDER_GITHUB_OAUTH_URL", "http://o"),
            ("SKILL_BUILDER_FEEDBACK_REPO", "acme/fb"),
        ]);
        assert_eq!(o.data_dir, Some("/d".into()));
        assert!(o.mock);
        assert_eq!(o.mock_delay_ms, Some(25));
        assert!(o.keychain);
        assert_eq!(
            o.anthropic_api_key.as_ref().map(Secret::expose),
            Some("sk-ant-env-key-123")
        );
        assert_eq!(o.anthropic_base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(o.claude_config_dir, Some("/c".into()));
        if cfg!(unix) {
            assert_eq!(o.home, Some("/h".into()));
        }
        assert_eq!(o.path, Some("/p".into()));
        assert_eq!(o.node, Some("/n".into()));
        assert_eq!(o.sidecar_dir, Some("/s".into()));
        assert_eq!(o.github_client_id.as_deref(), Some("cid"));
        assert_eq!(o.github_scopes.as_deref(), Some("repo"));
        assert_eq!(o.github_api_url.as_deref(), Some("http://a"));
        assert_eq!(o.github_raw_url.as_deref(), Some("http://r"));
        assert_eq!(o.github_oauth_url.as_deref(), Some("http://o"));
        assert_eq!(o.feedback_repo.as_deref(), Some("acme/fb"));
    }

    #[test]
    fn unset_and_empty_variables_mean_the_defaults() {
        for o in [
            from(&[]),
            from(&[("SKILL_BUILDER_DATA_DIR", ""), ("ANTHROPIC_API_KEY", "")]),
        ] {
            assert!(o.data_dir.is_none() && o.anthropic_api_key.is_none());
            assert!(!o.mock);
            assert!(o.keychain, "unset uses the keychain when one works");
        }
        for off in ["0", "off"] {
            assert!(!from(&[("SKILL_BUILDER_KEYCHAIN", off)]).keychain);
        }
        assert!(!from(&[("SKILL_BUILDER_MOCK_AGENTS", "0")]).mock);
        assert!(
            !Options::default().keychain,
            "the default never touches a keychain"
        );
    }

    #[test]
    fn the_key_is_never_in_debug_output() {
        let o = from(&[("ANTHROPIC_API_KEY", "sk-ant-secret-value-1")]);
        let shown = format!("{o:?}");
        assert!(!shown.contains("sk-ant-secret-value-1"), "{shown}");
        assert!(shown.contains("[REDACTED]"));
    }

    #[test]
    fn the_sidecar_never_inherits_a_stale_switch() {
        let env = Options::default().sidecar_env();
        for name in [MOCK_ENV, API_KEY_ENV, BASE_URL_ENV, MOCK_DELAY_ENV] {
            assert!(
                env.contains(&(name, None)),
                "{name} is removed from the child when the options leave it unset"
            );
        }
        assert!(!env.iter().any(|(n, _)| *n == "HOME"), "HOME is inherited");
        let o = Options {
            mock: true,
            mock_delay_ms: Some(7),
            home: Some("/h".into()),
            ..Options::default()
        };
        let env = o.sidecar_env();
        assert!(env.contains(&(MOCK_ENV, None)), "mock travels per request");
        assert!(env.contains(&(MOCK_DELAY_ENV, Some("7".into()))));
        assert!(env.contains(&("HOME", Some("/h".into()))));
    }
}
