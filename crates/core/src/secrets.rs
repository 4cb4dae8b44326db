//! Where the two secrets (Anthropic API key, GitHub token) live: the OS keychain through
//! `keyring` when one answers, else the settings row with a logged warning. Never logs a value.

use std::sync::OnceLock;

const SERVICE: &str = "com.skillbuilder.app";

/// Settings-blob keys whose values are secrets.
pub const SECRET_KEYS: [&str; 2] = ["anthropic_api_key", "github_oauth_token"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretBackend {
    Keychain,
    Database,
}

/// Decides once per process whether the OS keychain is usable. `SKILL_BUILDER_KEYCHAIN=0`
/// forces the database fallback (tests and headless servers use it).
pub fn backend() -> SecretBackend {
    static BACKEND: OnceLock<SecretBackend> = OnceLock::new();
    *BACKEND.get_or_init(|| {
        if std::env::var("SKILL_BUILDER_KEYCHAIN").is_ok_and(|v| v == "0" || v == "off") {
            return SecretBackend::Database;
        }
        let probe = keyring::Entry::new(SERVICE, "availability-probe")
            .and_then(|e| e.get_password().map(|_| ()));
        match probe {
            Ok(()) | Err(keyring::Error::NoEntry) => SecretBackend::Keychain,
            Err(e) => {
                tracing::warn!(
                    "OS keychain unavailable ({}); secrets are stored in the settings database instead",
                    short_reason(&e)
                );
                SecretBackend::Database
            }
        }
    })
}

fn short_reason(e: &keyring::Error) -> &'static str {
    match e {
        keyring::Error::PlatformFailure(_) => "platform failure",
        keyring::Error::NoStorageAccess(_) => "no storage access",
        _ => "unexpected keychain error",
    }
}

/// Registers secret values with the log, which scrubs them from every line from then on.
/// Called wherever a secret is read or stored, so no path (mock mode, debug level, an error
/// message quoting a prompt) can write one to the log.
pub fn scrub_in_logs<'a>(values: impl IntoIterator<Item = Option<&'a str>>) {
    for v in values.into_iter().flatten() {
        crate::logging::register_secret(v);
    }
}

/// Reads a secret from the keychain; `None` when absent or unreadable.
pub fn keychain_get(key: &str) -> Option<String> {
    let v = keyring::Entry::new(SERVICE, key).ok()?.get_password().ok();
    scrub_in_logs([v.as_deref()]);
    v
}

/// Stores (`Some`) or deletes (`None`) a secret in the keychain.
pub fn keychain_set(key: &str, value: Option<&str>) -> crate::Result<()> {
    let entry = keyring::Entry::new(SERVICE, key)
        .map_err(|_| crate::Error::io("cannot open the OS keychain entry"))?;
    scrub_in_logs([value]);
    let res = match value {
        Some(v) => entry.set_password(v),
        None => match entry.delete_credential() {
            Err(keyring::Error::NoEntry) => Ok(()),
            other => other,
        },
    };
    res.map_err(|e| crate::Error::io(format!("OS keychain write failed ({})", short_reason(&e))))
}

/// Replaces a secret by a fixed marker, for anything that is logged or displayed.
pub fn redact(value: &str) -> &'static str {
    if value.is_empty() {
        ""
    } else {
        "[REDACTED]"
    }
}
