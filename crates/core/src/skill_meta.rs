//! The metadata a skill carries in its SKILL.md frontmatter and in every row and result that
//! describes it: one struct, embedded with `#[serde(flatten)]` so each embedding serialises
//! exactly the fields it always had, in the same place.
//!
//! `description` and `purpose` are not here: the structs that embed this place them at
//! different positions (or skip them when empty), and their JSON must not change.

use serde::{Deserialize, Serialize};

/// The agent-facing metadata of a skill (snake_case JSON names; see [`camel`] for the
/// results that name them in camelCase).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillMeta {
    pub version: Option<String>,
    pub model: Option<String>,
    /// `argument-hint`
    pub argument_hint: Option<String>,
    /// `user-invocable`
    pub user_invocable: Option<bool>,
    /// `disable-model-invocation`
    pub disable_model_invocation: Option<bool>,
}

/// `#[serde(flatten, with = "crate::skill_meta::camel")]`: the same fields named
/// `argumentHint`, `userInvocable`, `disableModelInvocation` (the library's skill list and
/// the create command, as the reference UI names them).
pub mod camel {
    use super::SkillMeta;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Camel {
        version: Option<String>,
        model: Option<String>,
        argument_hint: Option<String>,
        user_invocable: Option<bool>,
        disable_model_invocation: Option<bool>,
    }

    pub fn serialize<S: Serializer>(m: &SkillMeta, s: S) -> Result<S::Ok, S::Error> {
        let m = m.clone();
        Camel {
            version: m.version,
            model: m.model,
            argument_hint: m.argument_hint,
            user_invocable: m.user_invocable,
            disable_model_invocation: m.disable_model_invocation,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SkillMeta, D::Error> {
        let c = Camel::deserialize(d)?;
        Ok(SkillMeta {
            version: c.version,
            model: c.model,
            argument_hint: c.argument_hint,
            user_invocable: c.user_invocable,
            disable_model_invocation: c.disable_model_invocation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Snake {
        name: String,
        #[serde(flatten)]
        meta: SkillMeta,
        after: u8,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Camel {
        name: String,
        #[serde(flatten, with = "camel")]
        meta: SkillMeta,
        after: u8,
    }

    fn meta() -> SkillMeta {
        SkillMeta {
            version: Some("1.0.0".into()),
            model: None,
            argument_hint: Some("[x]".into()),
            user_invocable: Some(true),
            disable_model_invocation: Some(false),
        }
    }

    #[test]
    fn flattened_fields_keep_their_names_and_place() {
        let s = Snake {
            name: "a".into(),
            meta: meta(),
            after: 1,
        };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(
            j,
            r#"{"name":"a","version":"1.0.0","model":null,"argument_hint":"[x]","user_invocable":true,"disable_model_invocation":false,"after":1}"#
        );
        assert_eq!(serde_json::from_str::<Snake>(&j).unwrap(), s);
        let c = Camel {
            name: "a".into(),
            meta: meta(),
            after: 1,
        };
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(
            j,
            r#"{"name":"a","version":"1.0.0","model":null,"argumentHint":"[x]","userInvocable":true,"disableModelInvocation":false,"after":1}"#
        );
        assert_eq!(serde_json::from_str::<Camel>(&j).unwrap(), c);
    }

    #[test]
    fn missing_fields_are_none() {
        let c: Camel = serde_json::from_str(r#"{"name":"a","after":2}"#).unwrap();
        assert_eq!(c.meta, SkillMeta::default());
    }
}
