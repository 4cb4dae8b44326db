//! `.claude-plugin/marketplace.json` of the skills repository: Claude Code's marketplace format
//! (`name`, `owner{name,email}`, `metadata`, `plugins[…]`), one plugin listing every library
//! skill as `./<skill>` with `source: "./"` and `strict: false`. `name`, `owner` and `metadata`
//! a team has set in the file are kept; the plugin list is rewritten on every publish.

use serde_json::{json, Map, Value};

/// Marketplace and plugin name when the remote URL gives none.
pub const DEFAULT_NAME: &str = "skill-builder-library";
const DESCRIPTION: &str = "Skills built with Skill Builder";
const PLUGIN_DESCRIPTION: &str = "Every skill of this Skill Builder library";

/// The file's bytes: `existing` (the file as last committed, if any) with its plugin list
/// replaced by one plugin listing `skills` (sorted by the caller).
pub fn render(
    existing: Option<&[u8]>,
    default_name: &str,
    owner: (&str, &str),
    skills: &[String],
) -> Vec<u8> {
    let old: Map<String, Value> = existing
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    let name = old
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| is_kebab(n))
        .unwrap_or(default_name)
        .to_string();
    let owner = old
        .get("owner")
        .filter(|o| {
            o.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| !n.is_empty())
        })
        .cloned()
        .unwrap_or_else(|| json!({"name": owner.0, "email": owner.1}));
    let metadata = old
        .get("metadata")
        .filter(|m| m.is_object())
        .cloned()
        .unwrap_or_else(|| json!({"description": DESCRIPTION}));
    let listed: Vec<String> = skills.iter().map(|s| format!("./{s}")).collect();
    let doc = json!({
        "name": name,
        "owner": owner,
        "metadata": metadata,
        "plugins": [{
            "name": name,
            "description": PLUGIN_DESCRIPTION,
            "source": "./",
            "strict": false,
            "skills": listed,
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// A marketplace name from the remote URL's last path segment (`git@github.com:acme/team-skills.git`
/// → `team-skills`), in kebab case; [`DEFAULT_NAME`] when nothing usable is left.
pub fn name_from_url(url: &str) -> String {
    let last = url
        .trim()
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("");
    let last = last.strip_suffix(".git").unwrap_or(last);
    let mut out = String::new();
    for c in last.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() {
        DEFAULT_NAME.to_string()
    } else {
        out
    }
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_repository() {
        assert_eq!(
            name_from_url("git@github.com:acme/Team_Skills.git"),
            "team-skills"
        );
        assert_eq!(name_from_url("https://github.com/acme/skills/"), "skills");
        assert_eq!(name_from_url("file:///tmp/x/remote.git"), "remote");
        assert_eq!(name_from_url("file:///"), DEFAULT_NAME);
    }

    #[test]
    fn a_teams_name_owner_and_metadata_are_kept_and_the_list_is_rewritten() {
        let old = br#"{"name":"our-skills","owner":{"name":"Team"},"metadata":{"version":"2"},
                       "plugins":[{"name":"x","source":"./","skills":["./gone"]}]}"#;
        let out = render(
            Some(old),
            "remote",
            ("Me", "me@x"),
            &["a".into(), "b".into()],
        );
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["name"], "our-skills");
        assert_eq!(v["owner"], json!({"name": "Team"}));
        assert_eq!(v["metadata"], json!({"version": "2"}));
        assert_eq!(v["plugins"][0]["name"], "our-skills");
        assert_eq!(v["plugins"][0]["skills"], json!(["./a", "./b"]));
        let fresh: Value =
            serde_json::from_slice(&render(Some(b"not json"), "remote", ("Me", "me@x"), &[]))
                .unwrap();
        assert_eq!(fresh["name"], "remote");
        assert_eq!(fresh["owner"], json!({"name": "Me", "email": "me@x"}));
    }
}
