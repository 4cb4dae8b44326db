// Skill test: one prompt answered by two agents, with and without the skill (both live, labelled,
// with one Stop), then the evaluator's comparison; past results below.

import { useEffect, useRef, useState, type FormEvent } from "react";
import { invoke } from "../api/transport";
import { useAsync } from "../api/hooks";
import type { AppSettings, SkillFileEntry } from "../api/types";
import { AgentRunView } from "../components/AgentStream";
import { ErrorBox, Notice } from "../components/ErrorBox";
import { MarkdownView } from "../components/Markdown";
import { Link } from "../router";
import { stopAgents, useAgentRuns, type AgentRun } from "../state/agents";

type Result = Record<string, unknown>;

function pick(r: Result, ...keys: string[]): string {
  for (const k of keys) {
    const v = r[k];
    if (typeof v === "string" && v) return v;
  }
  return "";
}

/** Whether the skill has its SKILL.md yet (null while asking). Refine and Test need it. */
export function useHasSkillMd(skill: string, settings: AppSettings): boolean | null {
  const [has, setHas] = useState<boolean | null>(null);
  useEffect(() => {
    let alive = true;
    invoke<SkillFileEntry[]>("list_skill_files", { workspacePath: settings.skills_path ?? "", skillName: skill })
      .then((files) => alive && setHas(files.some((f) => f.relative_path === "SKILL.md" && !f.is_directory)))
      // Unknown: let the action itself report what is wrong.
      .catch(() => alive && setHas(true));
    return () => {
      alive = false;
    };
  }, [skill, settings.skills_path]);
  return has;
}

/** What a skill without SKILL.md needs before it can be refined or tested. */
export function NeedsSkillMd({ skill, what }: { skill: string; what: string }) {
  return (
    <div className="alert alert-info" role="status" aria-label="Build it first">
      <strong>This skill has no SKILL.md yet — build it first.</strong>
      <p>
        What to do next: <Link to={`/skills/${encodeURIComponent(skill)}/build`}>continue the build</Link> until Generate Skill has written SKILL.md, then come back to {what}.
      </p>
    </div>
  );
}

/** The test's three agents share the timestamp at the end of their ids. */
function stampOf(id: string): string {
  return /-(\d+)$/.exec(id)?.[1] ?? "";
}

export function SkillTestPanel({ skill, settings }: { skill: string; settings: AppSettings }) {
  const results = useAsync(() => invoke<Result[]>("list_skill_test_results", { skillName: skill }), [skill]);
  const hasSkillMd = useHasSkillMd(skill, settings);
  const [prompt, setPrompt] = useState("");
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const stopped = useRef(false);

  // The latest test of this skill the app saw: its agent with the skill names the test.
  const live = useAgentRuns((all) => {
    const mine = all.filter((r) => r.kind === "test-with" && r.skill === skill).sort((a, b) => b.startedAt - a.startedAt)[0];
    if (!mine) return null;
    const ts = stampOf(mine.id);
    const of = (kind: AgentRun["kind"]) => all.find((r) => r.kind === kind && stampOf(r.id) === ts) ?? null;
    return { with: mine, without: of("test-without"), eval: of("test-eval") };
  });
  const liveRuns = live ? [live.with, live.without, live.eval].filter((r): r is AgentRun => !!r) : [];
  const running = starting || liveRuns.some((r) => r.status === "running");
  const showLive = live && (running || liveRuns.some((r) => r.status === "stopped" || r.status === "error"));

  // A test that ends (here or while the page was closed) shows up in the results.
  const wasRunning = useRef(running);
  useEffect(() => {
    if (wasRunning.current && !running) results.reload();
    wasRunning.current = running;
  }, [running, results]);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (!prompt.trim()) return;
    setStarting(true);
    setError(null);
    setNotice(null);
    stopped.current = false;
    try {
      await invoke("run_skill_test", { skillName: skill, prompt: prompt.trim(), model: settings.preferred_model || undefined });
      results.reload();
    } catch (err) {
      if (stopped.current) setNotice("Test stopped. Nothing was saved; run it again when you are ready.");
      else setError(err);
    } finally {
      setStarting(false);
    }
  };

  const stop = async () => {
    stopped.current = true;
    setError(null);
    try {
      await stopAgents(skill, true);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="skill-test">
      <p className="muted">Send one task to two agents — one with this skill, one without — and compare their plans.</p>
      {hasSkillMd === false && <NeedsSkillMd skill={skill} what="test it" />}
      <form onSubmit={run} className="chat-form">
        <label className="grow">
          Test prompt
          <textarea rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="A task the skill should help with" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={running || !prompt.trim() || hasSkillMd !== true}>
          {running ? "Running…" : "Run test"}
        </button>
      </form>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {notice && <Notice tone="info">{notice}</Notice>}
      {starting && !live && <p className="muted">Starting the agents…</p>}
      {showLive && live && (
        <section className="live-test" aria-label="Test in progress">
          <div className="side-by-side">
            <AgentRunView run={live.with} title="With the skill" label="Live output with the skill" onStop={stop} />
            {live.without ? (
              <AgentRunView run={live.without} title="Without the skill" label="Live output without the skill" onStop={stop} />
            ) : (
              <p className="muted">Starting the agent without the skill…</p>
            )}
          </div>
          {live.eval && <AgentRunView run={live.eval} title="Evaluator" label="Evaluator output" onStop={stop} />}
        </section>
      )}
      <ErrorBox error={results.error} onRetry={results.reload} />
      {results.data?.length === 0 && <p className="muted">No test results yet.</p>}
      {results.data?.map((r, i) => (
        <article key={pick(r, "id", "test_id") || i} className="test-result">
          <h3>
            {pick(r, "prompt") || "Test"}{" "}
            <span className="muted small">
              {pick(r, "created_at", "timestamp") && new Date(pick(r, "created_at", "timestamp")).toLocaleString()}
              {pick(r, "skill_version", "commit_sha", "sha") && ` · version ${pick(r, "skill_version", "commit_sha", "sha").slice(0, 8)}`}
            </span>
          </h3>
          <div className="side-by-side">
            <section aria-label="With the skill">
              <h4>With the skill</h4>
              <MarkdownView text={pick(r, "with_skill_output", "with_skill", "with_output")} label="Plan with the skill" />
            </section>
            <section aria-label="Without the skill">
              <h4>Without the skill</h4>
              <MarkdownView text={pick(r, "baseline_output", "without_skill_output", "baseline", "without_output")} label="Plan without the skill" />
            </section>
          </div>
          {pick(r, "evaluation", "evaluator_output") && (
            <section aria-label="Evaluation">
              <h4>Evaluation</h4>
              <MarkdownView text={pick(r, "evaluation", "evaluator_output")} label="Evaluator's comparison" />
            </section>
          )}
        </article>
      ))}
    </div>
  );
}
