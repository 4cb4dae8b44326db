//! STUB
use crate::{app::App, catalog::NoArgs, Error, Result};
pub fn list_skills(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn list_refinable_skills(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn create_skill(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn delete_skill(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn update_skill_tags(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn update_skill_metadata(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn rename_skill(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_all_tags(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_installed_skill_names(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
pub fn get_workspace_path(_app: &App, _a: NoArgs) -> Result<()> { Err(Error::internal("not implemented")) }
