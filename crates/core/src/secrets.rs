//! Where the two secrets (Anthropic API key, GitHub token) live: the OS keychain through
//! `keyring` when one answers, else the settings row with a logged warning. Never logs a value.
//!
//! Keychain entries are named per data folder (`com.skillbuilder.app.<8 hex>`), so a second
//! profile or a test data folder never overwrites the secrets of another one.

use keyring::credential::CredentialBuilder;
use keyring::Entry;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The service name used by versions that shared one keychain entry across all data folders;
/// also the prefix of today's per-folder names. It equals the default data folder's name
/// (`paths::APP_ID`), the only folder that may take over a legacy entry.
const LEGACY_SERVICE: &str = "com.skillbuilder.app";

/// Settings-blob keys whose values are secrets.
pub const SECRET_KEYS: [&str; 2] = ["anthropic_api_key", "github_oauth_token"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretBackend {
    Keychain,
    Database,
}

/// Where an app keeps its secrets: the database when its options turn the keychain off
/// (`SKILL_BUILDER_KEYCHAIN=0`: tests and headless servers), else the OS keychain when the
/// probe (run once per process: the machine's keychain does not change) finds it usable.
pub fn backend(keychain: bool) -> SecretBackend {
    static PROBED: OnceLock<SecretBackend> = OnceLock::new();
    if !keychain {
        return SecretBackend::Database;
    }
    *PROBED.get_or_init(|| {
        choose_backend(true, || {
            probe(keyring::default::default_credential_builder().as_ref())
        })
    })
}

/// The backend for the keychain option and a keychain probe (run only when the option does
/// not turn the keychain off). A failed probe is logged once, without values.
pub fn choose_backend(
    keychain: bool,
    probe: impl FnOnce() -> Result<(), ProbeFailure>,
) -> SecretBackend {
    if !keychain {
        return SecretBackend::Database;
    }
    match probe() {
        Ok(()) => SecretBackend::Keychain,
        Err(why) => {
            tracing::warn!(
                "OS keychain unavailable ({why}); secrets are stored in the settings database instead"
            );
            SecretBackend::Database
        }
    }
}

/// Why a keychain was judged unusable (a fixed phrase; never a value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeFailure(pub &'static str);

impl std::fmt::Display for ProbeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// Proves that a credential store keeps what it is given: a random value written through one
/// entry must be read back through a fresh entry and then deleted. An in-memory stand-in
/// (keyring's fallback on a platform built without its backend) keeps values per entry only,
/// so it fails here instead of silently losing the user's key at exit.
pub fn probe(builder: &CredentialBuilder) -> Result<(), ProbeFailure> {
    let user = format!("availability-probe-{}", uuid::Uuid::new_v4());
    let value = uuid::Uuid::new_v4().to_string();
    let entry = || {
        builder
            .build(None, LEGACY_SERVICE, &user)
            .map(Entry::new_with_credential)
            .map_err(|e| ProbeFailure(short_reason(&e)))
    };
    entry()?
        .set_password(&value)
        .map_err(|e| ProbeFailure(short_reason(&e)))?;
    let read_back = entry()?.get_password();
    let deleted = entry()?.delete_credential();
    match read_back {
        Ok(v) if v == value => {}
        Ok(_) => return Err(ProbeFailure("the keychain returned a different value")),
        Err(keyring::Error::NoEntry) => {
            return Err(ProbeFailure("the keychain does not keep what is stored"))
        }
        Err(e) => return Err(ProbeFailure(short_reason(&e))),
    }
    deleted.map_err(|e| ProbeFailure(short_reason(&e)))
}

fn short_reason(e: &keyring::Error) -> &'static str {
    match e {
        keyring::Error::PlatformFailure(_) => "platform failure",
        keyring::Error::NoStorageAccess(_) => "no storage access",
        keyring::Error::NoEntry => "entry missing",
        _ => "unexpected keychain error",
    }
}

/// The keychain service name of one data folder: the legacy name plus 8 hex digits of the
/// SHA-256 of the folder's canonical path, so two spellings of one folder share the name.
pub fn service_name(data_dir: &Path) -> String {
    let canonical = canonical(data_dir);
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{LEGACY_SERVICE}.{hex}")
}

fn canonical(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// Only the default data folder inherits a secret stored under the shared legacy name: any
/// other folder (a test, a second profile) starting empty must not pick up the user's key.
fn inherits_legacy_entry(data_dir: &Path) -> bool {
    dirs::data_dir().is_some_and(|d| canonical(&d.join(LEGACY_SERVICE)) == canonical(data_dir))
}

/// Registers secret values with the log, which scrubs them from every line from then on.
/// Called wherever a secret is read or stored, so no path (mock mode, debug level, an error
/// message quoting a prompt) can write one to the log.
pub fn scrub_in_logs<'a>(values: impl IntoIterator<Item = Option<&'a str>>) {
    for v in values.into_iter().flatten() {
        crate::logging::register_secret(v);
    }
}

/// Reads a secret of the data folder from the keychain; `None` when absent or unreadable.
pub fn keychain_get(data_dir: &Path, key: &str) -> Option<String> {
    let v = read_entry(&service_name(data_dir), key)
        .or_else(|| migrate_legacy(data_dir, key))
        .filter(|v| !v.is_empty());
    scrub_in_logs([v.as_deref()]);
    v
}

fn read_entry(service: &str, key: &str) -> Option<String> {
    Entry::new(service, key).ok()?.get_password().ok()
}

/// Moves a secret stored by an earlier version under the shared name to the folder's own
/// name (read old → write new → delete old). The old entry stays when the write fails.
fn migrate_legacy(data_dir: &Path, key: &str) -> Option<String> {
    if !inherits_legacy_entry(data_dir) {
        return None;
    }
    let v = read_entry(LEGACY_SERVICE, key)?;
    scrub_in_logs([Some(v.as_str())]);
    match keychain_set(data_dir, key, Some(&v)) {
        Ok(()) => {
            if let Ok(old) = Entry::new(LEGACY_SERVICE, key) {
                let _ = old.delete_credential();
            }
            tracing::info!("moved {key} to this data folder's keychain entry");
        }
        Err(e) => tracing::warn!("could not move {key} to this data folder's keychain entry: {e}"),
    }
    Some(v)
}

/// Stores (`Some`) or deletes (`None`) a secret of the data folder in the keychain.
pub fn keychain_set(data_dir: &Path, key: &str, value: Option<&str>) -> crate::Result<()> {
    let entry = Entry::new(&service_name(data_dir), key)
        .map_err(|_| crate::Error::io("cannot open the OS keychain entry"))?;
    scrub_in_logs([value]);
    let res = match value {
        Some(v) => entry.set_password(v),
        None => match entry.delete_credential() {
            Err(keyring::Error::NoEntry) => Ok(()),
            other => other,
        },
    };
    res.map_err(|e| crate::Error::io(format!("OS keychain write failed ({})", short_reason(&e))))?;
    if value.is_none() && inherits_legacy_entry(data_dir) {
        // A cleared secret must not come back from an entry an earlier version left behind.
        if let Ok(old) = Entry::new(LEGACY_SERVICE, key) {
            let _ = old.delete_credential();
        }
    }
    Ok(())
}

/// Replaces a secret by a fixed marker, for anything that is logged or displayed.
pub fn redact(value: &str) -> &'static str {
    if value.is_empty() {
        ""
    } else {
        "[REDACTED]"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring::credential::{Credential, CredentialApi, CredentialBuilderApi};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    type Store = Arc<Mutex<HashMap<String, Vec<u8>>>>;

    /// A store that keeps values across entries, like a real keychain.
    struct Persisting(Store);
    struct PersistingCredential(Store, String);

    impl CredentialBuilderApi for Persisting {
        fn build(
            &self,
            _: Option<&str>,
            service: &str,
            user: &str,
        ) -> keyring::Result<Box<Credential>> {
            Ok(Box::new(PersistingCredential(
                self.0.clone(),
                format!("{service}/{user}"),
            )))
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    impl CredentialApi for PersistingCredential {
        fn set_secret(&self, secret: &[u8]) -> keyring::Result<()> {
            self.0
                .lock()
                .unwrap()
                .insert(self.1.clone(), secret.to_vec());
            Ok(())
        }
        fn get_secret(&self) -> keyring::Result<Vec<u8>> {
            self.0
                .lock()
                .unwrap()
                .get(&self.1)
                .cloned()
                .ok_or(keyring::Error::NoEntry)
        }
        fn delete_credential(&self) -> keyring::Result<()> {
            self.0
                .lock()
                .unwrap()
                .remove(&self.1)
                .map(|_| ())
                .ok_or(keyring::Error::NoEntry)
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    /// keyring's mock is what a build without the platform's backend feature silently uses
    /// (macOS and Windows before issue 13): it answers every call, keeps nothing.
    #[test]
    fn probe_rejects_a_keychain_that_does_not_persist() {
        let mock = keyring::mock::default_credential_builder();
        assert_eq!(
            probe(mock.as_ref()),
            Err(ProbeFailure("the keychain does not keep what is stored"))
        );
        assert_eq!(
            choose_backend(true, || probe(mock.as_ref())),
            SecretBackend::Database
        );
    }

    #[test]
    fn probe_accepts_a_keychain_that_persists_and_leaves_nothing_behind() {
        let store = Store::default();
        let builder = Persisting(store.clone());
        assert_eq!(probe(&builder), Ok(()));
        assert!(
            store.lock().unwrap().is_empty(),
            "the probe entry is deleted"
        );
        assert_eq!(
            choose_backend(true, || probe(&builder)),
            SecretBackend::Keychain
        );
    }

    #[test]
    fn keychain_off_skips_the_probe() {
        for v in ["0", "off"] {
            let on = crate::options::keychain_on(Some(v));
            let backend = choose_backend(on, || panic!("probed although turned off"));
            assert_eq!(backend, SecretBackend::Database);
        }
        assert_eq!(backend(false), SecretBackend::Database);
    }
}
