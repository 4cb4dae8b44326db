//! Agent runtime: the Node sidecar pool, transcripts and usage metrics of agent requests.

pub mod commands;
pub mod metrics;
pub mod pool;
pub mod transcript;

pub use pool::{AgentHandle, AgentOutcome, AgentRequest, PoolConfig, RequestKind, SidecarPool};
