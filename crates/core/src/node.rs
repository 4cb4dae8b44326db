//! STUB: being written.
use crate::{app::App, catalog::NoArgs, Error, Result};
pub async fn check_node(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub async fn check_startup_deps(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
