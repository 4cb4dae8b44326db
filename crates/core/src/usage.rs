//! STUB: being written.
use crate::{app::App, catalog::NoArgs, Error, Result};
pub fn persist_agent_run(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_usage_summary(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_recent_runs(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_usage_by_step(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_usage_by_model(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_usage_by_day(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn reset_usage(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_recent_workflow_sessions(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_session_agent_runs(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_step_agent_runs(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
