//! The testkit's integration tests, one binary: the real sidecar and Claude Agent SDK against
//! the fake Messages API, each test on its own port and temp folder.

mod fake_messages;
