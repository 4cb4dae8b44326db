//! Test-only servers on 127.0.0.1 so tests of real code need no network. Never used by
//! release code paths except through configurable base URLs.

pub mod claude_like;
pub mod fake_anthropic;
pub mod fake_github;
pub mod fake_messages;
pub mod http;
