//! Ingestion of skills: SKILL.md frontmatter, lint, ZIP import.
