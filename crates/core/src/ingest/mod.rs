//! Ingestion of skills: SKILL.md frontmatter, lint, ZIP import.
//!
//! Pure library code (no DB, no `App`) except [`fix`]: the commands that upload / import /
//! lint skills are built on these pieces.
//!
//! - [`fix`]: `lint --fix` on a folder; commits a Skills Library skill's rewrite.
//! - [`names`]: the one skill-name rule (ingestion.md §1.5).
//! - [`repo_skills`]: skill discovery in a repository tree (GitHub or any git URL, §4.4).
//! - [`frontmatter`]: SKILL.md frontmatter parsing and in-place rewriting (§1.5).
//! - [`lint`]: lint of a skill folder against the Agent Skills specification.
//! - [`zip_extract`]: safe extraction of an uploaded skill package (§2.4).

pub mod fix;
pub mod frontmatter;
pub mod lint;
pub mod names;
pub mod repo_skills;
pub mod zip_extract;

pub use fix::{fix_skill_dir, FixOutcome};
pub use frontmatter::{
    fix_frontmatter, parse_skill_md, set_fields, FieldValue, Frontmatter, FrontmatterFix, SkillMd,
};
pub use lint::{lint_skill_dir, Finding, LintMode, LintReport, Severity};
pub use names::validate_skill_name;
pub use zip_extract::{extract_skill_zip, ExtractedSkill, ZipLayout, ZipLimits};
