//! `optimize_description`: skill-creator's description loop. The trigger queries are split
//! 60 % train / 40 % test (per kind, by a hash of the query, so the split is the same every
//! time). Each round an agent proposes a better description from the current best and the
//! train queries it gets wrong; every description is scored on both splits (the share of
//! trigger runs that did what the query says); at most 5 rounds, stopping when train is
//! perfect. The best is chosen on the held-out test split. Nothing is written unless `apply`
//! is set and the best scores better on the test split than the current description; then
//! SKILL.md's description is replaced and committed `{name}: description optimised`.

use super::agent::{Ask, Runner};
use super::benchmark::{round4, Cost};
use super::files::{self, TriggerQuery};
use super::sandbox::{self, Sandbox};
use super::triggers;
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::frontmatter::{parse_skill_md, set_fields, FieldValue};
use crate::ingest::names::validate_skill_name;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const MAX_ROUNDS: u32 = 5;
pub const DEFAULT_RUNS: u32 = 3;
pub const MAX_DESCRIPTION_CHARS: usize = 1024;
/// The first line of the proposer's prompt (logs and scripted test models recognise it).
pub const PROPOSER_MARKER: &str = "You improve the description of an Agent Skill.";
const PROPOSER_TOOLS: [&str; 0] = [];
const PROPOSER_MAX_TURNS: u32 = 2;
const BODY_CHARS: usize = 6000;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptimizeArgs {
    pub skill_name: String,
    /// Runs per query (default 3).
    #[serde(default)]
    pub runs: Option<u32>,
    /// Rounds of proposals (default and at most 5).
    #[serde(default)]
    pub rounds: Option<u32>,
    /// Write the best description into SKILL.md and commit it, when it beats the current one
    /// on the test split.
    #[serde(default)]
    pub apply: Option<bool>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub concurrency: Option<usize>,
}

/// One description and how it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// 0 for the current description, else the round that proposed it.
    pub round: u32,
    pub description: String,
    pub train_score: f64,
    pub test_score: f64,
    /// The train queries it got wrong at least once (what the next proposal works on).
    pub train_failures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptimizeResult {
    pub skill_name: String,
    pub runs_per_query: u32,
    pub train: Vec<TriggerQuery>,
    pub test: Vec<TriggerQuery>,
    /// The description the skill has now.
    pub original: Candidate,
    /// The best on the test split (ties: the better train score, then the earlier one).
    pub best: Candidate,
    pub candidates: Vec<Candidate>,
    /// `best` is a new description with a higher test score than `original`.
    pub improved: bool,
    pub applied: bool,
    pub commit: Option<String>,
    pub cost: Cost,
}

/// Splits per kind (should / should not), ordered by a hash of the query: about 60 % of each
/// kind to train, at least one of each kind on both sides.
pub fn split(queries: &[TriggerQuery]) -> Result<(Vec<TriggerQuery>, Vec<TriggerQuery>)> {
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for should in [true, false] {
        let mut kind: Vec<&TriggerQuery> = queries
            .iter()
            .filter(|q| q.should_trigger == should)
            .collect();
        if kind.len() < 2 {
            return Err(Error::invalid(format!(
                "{}: optimising the description needs at least 2 queries that should{} trigger \
                 the skill (one to learn from, one to check); add some",
                files::TRIGGERS_FILE,
                if should { "" } else { " not" }
            )));
        }
        kind.sort_by_key(|q| crate::hashing::sha256_hex(q.query.as_bytes()));
        let n = kind.len();
        let n_train = ((n as f64) * 0.6).round().clamp(1.0, (n - 1) as f64) as usize;
        train.extend(kind[..n_train].iter().map(|q| (*q).clone()));
        test.extend(kind[n_train..].iter().map(|q| (*q).clone()));
    }
    Ok((train, test))
}

/// What every scoring and proposal of one optimisation shares.
struct Loop {
    runner: Arc<Runner>,
    root: PathBuf,
    /// The skill's deployable files, copied once.
    skill_src: PathBuf,
    runs: u32,
    train: Vec<TriggerQuery>,
    test: Vec<TriggerQuery>,
    cost: std::sync::Mutex<Cost>,
}

impl Loop {
    fn spend(&self, c: &Cost) {
        let mut total = self.cost.lock().unwrap_or_else(|p| p.into_inner());
        total.total_usd += c.total_usd;
        total.agent_runs += c.agent_runs;
    }

    /// The skill with `description` in its SKILL.md, as a folder to deploy from.
    fn with_description(&self, k: usize, description: &str) -> Result<PathBuf> {
        let dir = self.root.join(format!("candidate-{k}"));
        sandbox::deploy(&self.skill_src, &dir)?;
        let md = dir.join("SKILL.md");
        let text = std::fs::read_to_string(&md).with_path(&md)?;
        let text = set_fields(
            &text,
            &[("description", FieldValue::Str(description.into()))],
        )?;
        std::fs::write(&md, text).with_path(&md)?;
        Ok(dir)
    }

    /// Share of the runs of `queries` that did what each query says, and the queries wrong
    /// at least once (with what happened).
    async fn score(
        &self,
        src: &Path,
        label: &str,
        queries: &[TriggerQuery],
    ) -> Result<(f64, Vec<String>)> {
        let texts: Vec<String> = queries.iter().map(|q| q.query.clone()).collect();
        let (outcomes, cost) = triggers::run_all(
            self.runner.clone(),
            self.root.clone(),
            src.to_path_buf(),
            label,
            &texts,
            self.runs,
            Arc::new(|_: &str, _: &str| {}),
        )
        .await?;
        self.spend(&cost);
        let (mut right, mut total) = (0usize, 0usize);
        let mut failures = Vec::new();
        for (q, runs) in queries.iter().zip(outcomes) {
            let ok = runs.iter().filter(|t| **t == q.should_trigger).count();
            right += ok;
            total += runs.len();
            if ok < runs.len() {
                let loaded = runs.iter().filter(|t| **t).count();
                failures.push(format!(
                    "\"{}\" — should {}load the skill; loaded it in {loaded} of {} runs",
                    q.query,
                    if q.should_trigger { "" } else { "NOT " },
                    runs.len()
                ));
            }
        }
        let score = if total == 0 {
            0.0
        } else {
            round4(right as f64 / total as f64)
        };
        Ok((score, failures))
    }

    async fn candidate(&self, k: usize, round: u32, description: String) -> Result<Candidate> {
        let src = self.with_description(k, &description)?;
        let (train_score, train_failures) =
            self.score(&src, &format!("o{k}train"), &self.train).await?;
        let (test_score, _) = self.score(&src, &format!("o{k}test"), &self.test).await?;
        Ok(Candidate {
            round,
            description,
            train_score,
            test_score,
            train_failures,
        })
    }

    /// One proposal from the current best, its train failures and what was tried.
    async fn propose(
        &self,
        round: u32,
        body: &str,
        best: &Candidate,
        tried: &[Candidate],
    ) -> Result<Option<String>> {
        let dir = sandbox::workdir(&self.root, &format!("proposer-{round}"), None, &[])?;
        let run = self
            .runner
            .run(Ask {
                label: &format!("propose{round}"),
                cwd: &dir,
                prompt: proposer_prompt(&self.runner.skill, body, best, tried),
                tools: &PROPOSER_TOOLS,
                max_turns: PROPOSER_MAX_TURNS,
            })
            .await?;
        if run.never_ran() {
            return Err(Error::agent(format!(
                "the description proposer could not run: {}",
                run.outcome.error.clone().unwrap_or_default()
            )));
        }
        self.spend(&Cost {
            total_usd: run.cost,
            agent_runs: 1,
        });
        Ok(parse_proposal(&run.answer).filter(|d| !tried.iter().any(|c| &c.description == d)))
    }
}

fn proposer_prompt(skill: &str, body: &str, best: &Candidate, tried: &[Candidate]) -> String {
    let body: String = body.chars().take(BODY_CHARS).collect();
    let failures = best
        .train_failures
        .iter()
        .map(|f| format!("- {f}"))
        .collect::<Vec<_>>()
        .join("\n");
    let attempts = tried
        .iter()
        .map(|c| format!("- {:.2}: \"{}\"", c.train_score, c.description))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "{PROPOSER_MARKER}\n\n\
         An agent decides from a skill's description alone whether to load the skill \"{skill}\" \
         for a user's message. Write a better description: it must make the agent load the skill \
         for the requests it serves and leave it alone for near-misses. Do not use any tool.\n\n\
         ## What the skill does (its SKILL.md)\n\n{body}\n\n\
         ## Current description\n\n{}\n\n\
         ## Messages the current description gets wrong\n\n{failures}\n\n\
         ## Descriptions tried so far (share of right decisions)\n\n{attempts}\n\n\
         Rules: at most {MAX_DESCRIPTION_CHARS} characters, one paragraph; say what the skill does \
         and when to use it, in the words users type; generalise from the messages, do not list \
         them. Reply with one JSON object and nothing else: {{\"description\": \"…\"}}",
        best.description
    )
}

/// The proposed description: `{"description": …}` (or, failing that, the whole answer), on
/// one line, within the length limit; `None` when there is nothing usable.
pub fn parse_proposal(answer: &str) -> Option<String> {
    let text = super::grade::json_objects(answer)
        .into_iter()
        .rev()
        .find_map(|v| v.get("description")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| answer.trim().trim_matches('"').to_string());
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!one_line.is_empty() && one_line.chars().count() <= MAX_DESCRIPTION_CHARS).then_some(one_line)
}

/// The best on test; ties go to the better train score, then to the earlier candidate (so the
/// current description wins a tie: a change must earn its place).
fn pick_best(candidates: &[Candidate]) -> &Candidate {
    let mut best = &candidates[0];
    for c in &candidates[1..] {
        if (c.test_score, c.train_score) > (best.test_score, best.train_score) {
            best = c;
        }
    }
    best
}

fn current_description(skill_dir: &Path, skill: &str) -> Result<(String, String)> {
    let md = skill_dir.join("SKILL.md");
    let text = crate::safe_fs::read_to_string_inside(skill_dir, Path::new("SKILL.md"))?;
    let parsed = parse_skill_md(&text)?;
    let description = parsed
        .frontmatter
        .description
        .filter(|d| !d.trim().is_empty())
        .ok_or_else(|| {
            Error::invalid(format!(
                "{} has no description to optimise; write one in the frontmatter of '{skill}'",
                md.display()
            ))
        })?;
    Ok((description, parsed.body))
}

/// `optimize_description` (see the module notes).
pub async fn optimize_description(app: &Arc<App>, a: OptimizeArgs) -> Result<OptimizeResult> {
    validate_skill_name(&a.skill_name)?;
    let skill = a.skill_name.clone();
    let runs = a.runs.unwrap_or(DEFAULT_RUNS);
    let rounds = a.rounds.unwrap_or(MAX_ROUNDS);
    if !(1..=super::run::MAX_RUNS).contains(&runs) || !(1..=MAX_ROUNDS).contains(&rounds) {
        return Err(Error::invalid(format!(
            "runs must be between 1 and {} and rounds between 1 and {MAX_ROUNDS}",
            super::run::MAX_RUNS
        )));
    }
    let dir = app.skills_path().join(&skill);
    if !dir.join("SKILL.md").is_file() {
        return Err(Error::not_found(format!(
            "skill '{skill}' has no SKILL.md at {}; build or write it first",
            dir.display()
        )));
    }
    let skill_dir = crate::safe_fs::guarded_dir(&app.skills_path(), &dir)?;
    let queries = files::read_triggers(&skill_dir)?.ok_or_else(|| {
        Error::not_found(format!(
            "skill '{skill}' has no {}; write trigger queries first",
            files::TRIGGERS_FILE
        ))
    })?;
    files::validate_triggers(&queries)?;
    let (train, test) = split(&queries)?;
    let (description, body) = current_description(&skill_dir, &skill)?;
    let runner = Runner::new(
        app,
        &skill,
        a.model.as_deref(),
        a.concurrency.unwrap_or(super::run::DEFAULT_CONCURRENCY),
    )?;
    let sb = Sandbox::new(&runner.run_id)?;
    let pool = runner.pool.clone();
    let skill_src = sb.root.join("skill");
    sandbox::deploy(&skill_dir, &skill_src)?;
    let lp = Loop {
        runner: Arc::new(runner),
        root: sb.root.clone(),
        skill_src,
        runs,
        train,
        test,
        cost: Default::default(),
    };
    let outcome = search(&lp, description, &body, rounds).await;
    app.agents.cleanup_skill(app, &pool).await;
    drop(sb);
    let candidates = outcome?;
    let original = candidates[0].clone();
    let best = pick_best(&candidates).clone();
    let improved = best.round != 0 && best.test_score > original.test_score;
    let commit = if a.apply.unwrap_or(false) && improved {
        apply(app, &skill, &skill_dir, &best.description)?
    } else {
        None
    };
    let cost = lp.cost.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(OptimizeResult {
        skill_name: skill,
        runs_per_query: runs,
        train: lp.train,
        test: lp.test,
        applied: commit.is_some(),
        commit,
        original,
        best,
        candidates,
        improved,
        cost: Cost {
            total_usd: round4(cost.total_usd),
            agent_runs: cost.agent_runs,
        },
    })
}

/// The current description, then one proposal per round from the best on train so far.
async fn search(lp: &Loop, description: String, body: &str, rounds: u32) -> Result<Vec<Candidate>> {
    let mut candidates = vec![lp.candidate(0, 0, description).await?];
    let mut best = 0;
    for round in 1..=rounds {
        if candidates[best].train_score >= 1.0 {
            break;
        }
        let Some(proposal) = lp
            .propose(round, body, &candidates[best], &candidates)
            .await?
        else {
            continue;
        };
        let c = lp.candidate(candidates.len(), round, proposal).await?;
        if c.train_score > candidates[best].train_score {
            best = candidates.len();
        }
        candidates.push(c);
    }
    Ok(candidates)
}

/// Writes `description` into SKILL.md (every other line kept), commits it and keeps the
/// library row and auto-synced installs in step. Refused while another instance holds the
/// skill's lock.
fn apply(app: &App, skill: &str, skill_dir: &Path, description: &str) -> Result<Option<String>> {
    crate::locks::ensure_not_locked_by_other(app, skill)?;
    let md = skill_dir.join("SKILL.md");
    crate::safe_fs::refuse_symlink(&md, "write the optimised description")?;
    let text = std::fs::read_to_string(&md).with_path(&md)?;
    let text = set_fields(
        &text,
        &[("description", FieldValue::Str(description.into()))],
    )?;
    std::fs::write(&md, text).with_path(&md)?;
    let sha = crate::history::commit_skill(app, skill, &format!("{skill}: description optimised"));
    let row = crate::skills::UpdateMetadataArgs {
        skill_name: skill.to_string(),
        description: Some(Some(description.to_string())),
        ..Default::default()
    };
    if let Err(e) = crate::skills::update_skill_metadata(app, row) {
        tracing::warn!("the library row of '{skill}' keeps its old description: {e}");
    }
    crate::installs::after_library_change(app, skill);
    Ok(sha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str, should: bool) -> TriggerQuery {
        TriggerQuery {
            query: text.into(),
            should_trigger: should,
            extra: Default::default(),
        }
    }

    #[test]
    fn the_split_is_stratified_stable_and_about_sixty_forty() {
        let qs: Vec<TriggerQuery> = (0..10)
            .map(|i| q(&format!("should {i}"), true))
            .chain((0..10).map(|i| q(&format!("not {i}"), false)))
            .collect();
        let (train, test) = split(&qs).unwrap();
        assert_eq!((train.len(), test.len()), (12, 8));
        for part in [&train, &test] {
            assert_eq!(
                part.iter().filter(|q| q.should_trigger).count() * 2,
                part.len()
            );
        }
        let mut shuffled = qs.clone();
        shuffled.reverse();
        assert_eq!(
            split(&shuffled).unwrap(),
            (train, test),
            "order does not matter"
        );
        let e = split(&qs[..11]).unwrap_err();
        assert!(e.message.contains("should not trigger"), "{}", e.message);
    }

    #[test]
    fn proposals_are_read_from_json_or_plain_text_and_kept_within_the_limit() {
        assert_eq!(
            parse_proposal("Sure:\n{\"description\": \"Does X.\\nUse when Y.\"}").as_deref(),
            Some("Does X. Use when Y.")
        );
        assert_eq!(
            parse_proposal("\"Plain text.\"").as_deref(),
            Some("Plain text.")
        );
        assert_eq!(parse_proposal("   "), None);
        assert_eq!(parse_proposal(&"x".repeat(MAX_DESCRIPTION_CHARS + 1)), None);
    }

    #[test]
    fn the_current_description_wins_ties() {
        let c = |round, train, test| Candidate {
            round,
            description: format!("d{round}"),
            train_score: train,
            test_score: test,
            train_failures: vec![],
        };
        assert_eq!(pick_best(&[c(0, 0.5, 0.5), c(1, 0.5, 0.5)]).round, 0);
        assert_eq!(
            pick_best(&[c(0, 0.5, 0.5), c(1, 0.4, 0.75), c(2, 1.0, 0.75)]).round,
            2
        );
    }
}
