//! STUB
use crate::{app::App, catalog::NoArgs, Error, Result};
pub async fn test_api_key(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub async fn list_models(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub async fn generate_suggestions(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
