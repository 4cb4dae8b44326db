//! The server's integration tests, one binary: each test starts its own server on
//! 127.0.0.1:0 over its own data folder with explicit options ([`common::start`]), so the tests
//! run side by side without sharing a port, an environment variable or a folder.

mod common;

mod api;
mod concurrency;
mod limits;
mod load;
mod routing;
mod security;
