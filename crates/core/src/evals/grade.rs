//! Grading one run's output against its expectations: `regex:` and `contains:` in code, every
//! other expectation by one blind judge call. The judge is shown the task, the expectation and
//! the output (final answer plus the files the run wrote) — never the skill, never which
//! configuration produced the output.

use super::files::{check_of, Check};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Cap of one written file shown to the judge and checked by `contains:` / `regex:`.
pub const MAX_FILE_CHARS: usize = 20_000;
/// Cap of all written files together.
pub const MAX_FILES_CHARS: usize = 60_000;

/// skill-creator's graded expectation (`text`, `passed`, `evidence`; the viewer reads these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Graded {
    pub text: String,
    pub passed: bool,
    pub evidence: String,
}

/// A file the run wrote in its working folder.
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenFile {
    /// `/`-separated, relative to the working folder.
    pub path: String,
    /// The text (cut at [`MAX_FILE_CHARS`]), or `None` for a binary file.
    pub text: Option<String>,
    pub size: u64,
}

/// What a run produced, as graded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOutput {
    pub answer: String,
    pub files: Vec<WrittenFile>,
}

impl RunOutput {
    /// The answer and every written text file, one after the other: what code checks search.
    pub fn searchable(&self) -> String {
        let mut s = self.answer.clone();
        for f in &self.files {
            if let Some(t) = &f.text {
                s.push('\n');
                s.push_str(t);
            }
        }
        s
    }

    /// The output as the judge reads it.
    pub fn for_judge(&self) -> String {
        let mut s = format!("### Final answer\n\n{}\n", self.answer.trim());
        if self.files.is_empty() {
            s.push_str("\n### Files written\n\n(none)\n");
        }
        for f in &self.files {
            match &f.text {
                Some(t) => s.push_str(&format!("\n### File `{}`\n\n```\n{t}\n```\n", f.path)),
                None => s.push_str(&format!(
                    "\n### File `{}`\n\n(binary, {} bytes)\n",
                    f.path, f.size
                )),
            }
        }
        s
    }
}

/// Compiles a `regex:` pattern (the engine of the `regex` crate, already in the build through
/// `regex-automata`), with its default size limits so a hostile pattern cannot eat memory.
pub fn compile(pattern: &str) -> std::result::Result<regex_automata::meta::Regex, String> {
    regex_automata::meta::Regex::new(pattern).map_err(|e| e.to_string())
}

fn snippet_around(hay: &str, start: usize, end: usize) -> String {
    let mut from = start.saturating_sub(40);
    while !hay.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + 40).min(hay.len());
    while !hay.is_char_boundary(to) {
        to += 1;
    }
    hay[from..to].replace('\n', " ")
}

/// The verdict of a code check, or `None` when the expectation needs the judge.
pub fn check_in_code(expectation: &str, out: &RunOutput) -> Option<Graded> {
    let hay = out.searchable();
    let (passed, evidence) = match check_of(expectation) {
        Check::Judge(_) => return None,
        Check::Contains(t) => match hay.find(t) {
            Some(at) => (
                true,
                format!("found: “{}”", snippet_around(&hay, at, at + t.len())),
            ),
            None => (false, format!("the output does not contain “{t}”")),
        },
        Check::Regex(p) => match compile(p) {
            Ok(re) => match re.find(hay.as_bytes()) {
                Some(m) => (
                    true,
                    format!("matched: “{}”", snippet_around(&hay, m.start(), m.end())),
                ),
                None => (false, format!("no match for /{p}/ in the output")),
            },
            Err(e) => (false, format!("the pattern /{p}/ is not valid: {e}")),
        },
    };
    Some(Graded {
        text: expectation.to_string(),
        passed,
        evidence,
    })
}

/// The judge's prompt. The marker line lets logs (and scripted test models) tell a judge call.
pub const JUDGE_MARKER: &str = "You are grading one expectation against an output.";

pub fn judge_prompt(task: &str, expectation: &str, out: &RunOutput) -> String {
    format!(
        "{JUDGE_MARKER}\n\n\
         Decide whether the output below meets the expectation, using only the output as evidence. \
         Do not use any tool; answer at once.\n\n\
         ## Task the output answers\n\n{task}\n\n\
         ## Expectation\n\n{expectation}\n\n\
         ## Output\n\n{}\n\n\
         Reply with one JSON object and nothing else: \
         {{\"passed\": true or false, \"evidence\": \"the words of the output that decide it, or what is missing\"}}",
        out.for_judge()
    )
}

/// Reads `{"passed": bool, "evidence": "…"}` from the judge's answer (code fences and words
/// around the object are tolerated). An answer without a verdict fails the expectation and
/// says so, so a confused judge can never pass anything.
pub fn parse_verdict(expectation: &str, answer: &str) -> Graded {
    let verdict = json_objects(answer).into_iter().rev().find_map(|v| {
        let passed = v.get("passed")?.as_bool()?;
        let evidence = v
            .get("evidence")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Some((passed, evidence))
    });
    match verdict {
        Some((passed, evidence)) => Graded {
            text: expectation.to_string(),
            passed,
            evidence,
        },
        None => Graded {
            text: expectation.to_string(),
            passed: false,
            evidence: format!(
                "the judge gave no verdict: “{}”",
                crate::error::shorten(answer.trim(), 200)
            ),
        },
    }
}

/// Every top-level JSON object embedded in `text`, in order.
pub(super) fn json_objects(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let candidate = &rest[start..];
        let mut stream = serde_json::Deserializer::from_str(candidate).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) if v.is_object() => {
                let used = stream.byte_offset();
                out.push(v);
                rest = &candidate[used..];
            }
            _ => rest = &candidate[1..],
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(answer: &str) -> RunOutput {
        RunOutput {
            answer: answer.into(),
            files: vec![WrittenFile {
                path: "report.md".into(),
                text: Some("Total: 42 units".into()),
                size: 15,
            }],
        }
    }

    #[test]
    fn code_checks_search_the_answer_and_the_written_files() {
        let o = out("Summary. BANANA");
        assert!(check_in_code("contains: BANANA", &o).unwrap().passed);
        assert!(check_in_code("contains: 42 units", &o).unwrap().passed);
        assert!(!check_in_code("contains: banana", &o).unwrap().passed);
        assert!(check_in_code(r"regex: Total: \d+", &o).unwrap().passed);
        let miss = check_in_code("regex: ^nothing$", &o).unwrap();
        assert!(!miss.passed && miss.evidence.contains("no match"));
        assert!(check_in_code("The summary is short", &o).is_none());
    }

    #[test]
    fn the_judge_prompt_is_blind() {
        let p = judge_prompt("Summarise", "It is short", &out("Sum."));
        assert!(p.contains("Summarise") && p.contains("It is short") && p.contains("Total: 42"));
        for word in ["with_skill", "without_skill", "skill", "baseline"] {
            assert!(!p.to_lowercase().contains(word), "{word} in {p}");
        }
    }

    #[test]
    fn verdicts_are_read_from_fenced_or_chatty_answers() {
        let v = parse_verdict(
            "e",
            "Here:\n```json\n{\"passed\": true, \"evidence\": \"ok\"}\n```",
        );
        assert_eq!((v.passed, v.evidence.as_str()), (true, "ok"));
        let v = parse_verdict(
            "e",
            "{\"note\": 1} then {\"passed\": false, \"evidence\": \"no\"}",
        );
        assert!(!v.passed);
        let v = parse_verdict("e", "I think it passes.");
        assert!(!v.passed && v.evidence.contains("no verdict"));
    }
}
