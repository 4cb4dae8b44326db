//! Agent runtime: the Node sidecar pool, transcripts and usage metrics of agent requests.

pub mod commands;
pub mod metrics;
pub mod pool;
pub mod transcript;

pub use pool::{AgentHandle, AgentOutcome, AgentRequest, PoolConfig, RequestKind, SidecarPool};

/// The environment variable that forces mock agents whatever the settings say.
pub use crate::options::MOCK_ENV;

/// The spellings that turn a switch on, shared with the sidecar (`switchOn` in
/// `sidecar/src/protocol.js`; both sides test `sidecar/test-support/switch-spellings.json`):
/// after trimming and lower-casing, `1`, `true`, `yes`, `on`. Anything else is off.
pub const SWITCH_ON: [&str; 4] = ["1", "true", "yes", "on"];

/// Whether a switch value (an environment variable, a config string) means on.
pub fn switch_on(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    SWITCH_ON.contains(&v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same list the sidecar's tests read, so Rust and Node never disagree on a spelling.
    #[test]
    fn switch_spellings_match_the_sidecars_list() {
        let path = std::path::Path::new(crate::node::REPO_SIDECAR_DIR)
            .join("test-support/switch-spellings.json");
        let text = std::fs::read_to_string(&path).expect("switch-spellings.json");
        let list: serde_json::Value = serde_json::from_str(&text).unwrap();
        let on = list["on"].as_array().unwrap();
        let off = list["off"].as_array().unwrap();
        assert!(!on.is_empty() && !off.is_empty());
        for v in on {
            assert!(switch_on(v.as_str().unwrap()), "{v} must be on");
        }
        for v in off {
            assert!(!switch_on(v.as_str().unwrap()), "{v} must be off");
        }
    }
}
