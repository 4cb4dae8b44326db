//! STUB
use crate::{app::App, catalog::NoArgs, Error, Result};
pub fn acquire_lock(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn release_lock(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_locked_skills(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn check_lock(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn release_all(_app: &App) -> Result<()> { Ok(()) }
