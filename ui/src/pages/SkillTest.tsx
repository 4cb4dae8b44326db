// Skill test: one prompt answered with and without the skill, side by side, plus the evaluation.

import { useEffect, useState, type FormEvent } from "react";
import { invoke, subscribe } from "../api/transport";
import type { AgentMessageEvent } from "../api/types";
import { AgentStream, streamItems, type StreamItem } from "../components/AgentStream";
import { useAsync } from "../api/hooks";
import type { AppSettings } from "../api/types";
import { ErrorBox, Spinner } from "../components/ErrorBox";

type Result = Record<string, unknown>;

function pick(r: Result, ...keys: string[]): string {
  for (const k of keys) {
    const v = r[k];
    if (typeof v === "string" && v) return v;
  }
  return "";
}

export function SkillTestPanel({ skill, settings }: { skill: string; settings: AppSettings }) {
  const results = useAsync(() => invoke<Result[]>("list_skill_test_results", { skillName: skill }), [skill]);
  const [prompt, setPrompt] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState<{ with: StreamItem[]; without: StreamItem[]; eval: StreamItem[] } | null>(null);

  // While a test runs, show both plan agents (and then the evaluator) live.
  useEffect(() => {
    if (!busy) return;
    const esc = skill.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&");
    const withRe = new RegExp(`^${esc}-test-with-`);
    return subscribe<AgentMessageEvent>("agent-message", (p) => {
      const items = streamItems(p.message);
      if (!items.length) return;
      const key = withRe.test(p.agent_id) ? "with" : /^__test_baseline__-test-without-/.test(p.agent_id) ? "without" : /^__test_baseline__-test-eval-/.test(p.agent_id) ? "eval" : null;
      if (key) setLive((l) => (l ? { ...l, [key]: [...l[key], ...items] } : l));
    });
  }, [busy, skill]);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (!prompt.trim()) return;
    setBusy(true);
    setError(null);
    setLive({ with: [], without: [], eval: [] });
    try {
      await invoke("run_skill_test", { skillName: skill, prompt: prompt.trim(), model: settings.preferred_model || undefined });
      setLive(null);
      results.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="skill-test">
      <p className="muted">Send one task to two agents — one with this skill, one without — and compare their plans.</p>
      <form onSubmit={run} className="chat-form">
        <label className="grow">
          Test prompt
          <textarea rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} placeholder="A task the skill should help with" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy || !prompt.trim()}>
          {busy ? "Running…" : "Run test"}
        </button>
      </form>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {busy && <Spinner label="The agents are working…" />}
      {busy && live && (
        <div className="side-by-side">
          <AgentStream items={live.with} running label="Live output with the skill" />
          <AgentStream items={live.without} running label="Live output without the skill" />
        </div>
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
              <pre className="file-view">{pick(r, "with_skill_output", "with_skill", "with_output")}</pre>
            </section>
            <section aria-label="Without the skill">
              <h4>Without the skill</h4>
              <pre className="file-view">{pick(r, "baseline_output", "without_skill_output", "baseline", "without_output")}</pre>
            </section>
          </div>
          {pick(r, "evaluation", "evaluator_output") && (
            <section aria-label="Evaluation">
              <h4>Evaluation</h4>
              <pre className="file-view">{pick(r, "evaluation", "evaluator_output")}</pre>
            </section>
          )}
        </article>
      ))}
    </div>
  );
}
