//! STUB: being written.
use crate::{app::App, catalog::NoArgs, Error, Result};
pub fn save_raw_file(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn list_skill_files(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn read_file(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn write_file(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn copy_file(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn read_file_as_base64(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn write_base64_to_temp_file(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
