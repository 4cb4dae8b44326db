//! `user-context.md`: everything the user told us about a skill, rewritten before every agent
//! run so edits made mid-workflow apply. One writer, always the full file.

use crate::app::App;
use crate::error::Result;
use crate::skill_meta::SkillMeta;
use rusqlite::OptionalExtension;
use serde_json::Value;

pub fn purpose_label(p: &str) -> &'static str {
    match p {
        "source" => "Source system customizations",
        "data-engineering" => "Organization specific data engineering standards",
        "platform" => "Organization specific Azure or Fabric standards",
        _ => "Business process knowledge",
    }
}

struct Facts {
    purpose: String,
    description: Option<String>,
    meta: SkillMeta,
    intake: Option<String>,
    tags: Vec<String>,
}

fn facts(app: &App, skill: &str) -> Result<Facts> {
    let conn = app.db.conn();
    let row = conn
        .query_row(
            "SELECT s.purpose, s.description, s.version, s.model, s.argument_hint, s.user_invocable,
                    s.disable_model_invocation, r.intake_json
             FROM skills s LEFT JOIN workflow_runs r ON r.skill_id = s.id WHERE s.name = ?1",
            [skill],
            |r| {
                Ok(Facts {
                    purpose: r.get::<_, Option<String>>(0)?.unwrap_or_else(|| "domain".into()),
                    description: r.get(1)?,
                    meta: SkillMeta {
                        version: r.get(2)?,
                        model: r.get(3)?,
                        argument_hint: r.get(4)?,
                        user_invocable: r.get(5)?,
                        disable_model_invocation: r.get(6)?,
                    },
                    intake: r.get(7)?,
                    tags: Vec::new(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| crate::Error::not_found(format!("Skill '{skill}' not found")))?;
    let mut f = row;
    let mut stmt = conn.prepare("SELECT tag FROM skill_tags WHERE skill_name = ?1 ORDER BY tag")?;
    f.tags = stmt
        .query_map([skill], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(f)
}

fn section(out: &mut String, title: &str, fields: &[(&str, Option<String>)]) {
    let present: Vec<_> = fields
        .iter()
        .filter_map(|(k, v)| v.as_ref().filter(|s| !s.trim().is_empty()).map(|v| (k, v)))
        .collect();
    if present.is_empty() {
        return;
    }
    out.push_str(&format!("\n### {title}\n\n"));
    for (k, v) in present {
        out.push_str(&format!("**{k}**: {v}\n"));
    }
}

/// The full text of `user-context.md` for a skill.
pub fn render(app: &App, skill: &str) -> Result<String> {
    let f = facts(app, skill)?;
    let settings = crate::settings::load(app)?;
    let mut out = String::from("# User Context\n");
    section(
        &mut out,
        "Skill",
        &[
            ("Name", Some(skill.to_string())),
            ("Purpose", Some(purpose_label(&f.purpose).to_string())),
            ("Description", f.description.clone()),
            ("Tags", (!f.tags.is_empty()).then(|| f.tags.join(", "))),
        ],
    );
    section(
        &mut out,
        "About You",
        &[
            ("Industry", settings.industry.clone()),
            ("Function", settings.function_role.clone()),
        ],
    );
    let intake: Value = f
        .intake
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    for (key, title) in [
        ("context", "What Claude Needs to Know"),
        ("unique_setup", "What Makes This Setup Unique"),
        ("claude_mistakes", "What Claude Gets Wrong"),
        ("scope", "Scope"),
        ("challenges", "Key Challenges"),
        ("audience", "Target Audience"),
    ] {
        if let Some(text) = intake[key].as_str().filter(|s| !s.trim().is_empty()) {
            out.push_str(&format!("\n### {title}\n\n{}\n", text.trim()));
        }
    }
    let b = |v: Option<bool>| v.map(|b| b.to_string());
    section(
        &mut out,
        "Configuration",
        &[
            ("Version", f.meta.version.clone()),
            (
                "Preferred Model",
                f.meta.model.clone().filter(|m| m != "inherit"),
            ),
            ("Argument Hint", f.meta.argument_hint.clone()),
            ("User Invocable", b(f.meta.user_invocable)),
            (
                "Disable Model Invocation",
                b(f.meta.disable_model_invocation),
            ),
        ],
    );
    Ok(out)
}

/// Writes `{workspace}/{skill}/user-context.md` (folder created if missing).
pub fn write(app: &App, skill: &str) -> Result<std::path::PathBuf> {
    let dir = app.workspace_path().join(skill);
    std::fs::create_dir_all(&dir).map_err(|e| crate::Error::from(e).context(dir.display()))?;
    let path = dir.join("user-context.md");
    std::fs::write(&path, render(app, skill)?)
        .map_err(|e| crate::Error::from(e).context(path.display()))?;
    Ok(path)
}
