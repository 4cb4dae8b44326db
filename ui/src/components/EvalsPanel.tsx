// The Evals tab of a skill (issue 15): edit and save its evals and trigger queries, run them
// with live progress (`eval-progress`), and read the results of the newest or a chosen run next
// to the chart across versions.

import { useEffect, useMemo, useState } from "react";
import { ApiError, invoke, subscribe } from "../api/transport";
import { useAsync } from "../api/hooks";
import type { Benchmark, EvalCase, EvalProgress, EvalRunSummary, EvalsContent, SaveEvalsResult, TriggerQuery } from "../api/types";
import { ErrorBox, Notice, Spinner } from "./ErrorBox";
import { EvalsEditor, checkDrafts, keyed, placeBackendError, type Keyed, type Problems } from "./EvalsEditor";
import { EvalMatrix, EvalsChart, TriggerRates, pct, shortVersion } from "./EvalsResults";

const MAX_RUNS = 20;

/** A run in flight, kept by the app rather than the tab: leaving the tab and coming back still
 * shows its progress and then its results. */
interface ActiveRun {
  progress: EvalProgress | null;
  done: Promise<Benchmark>;
}
const activeRuns = new Map<string, ActiveRun>();
const watchers = new Set<() => void>();
let listening = false;
/** The run form's choices per skill, kept while the app is open. */
const runPrefs = new Map<string, { count: string; baseline: "none" | "previous" }>();

function notify() {
  watchers.forEach((w) => w());
}

function startRun(skill: string, runs: number, baseline: string) {
  if (!listening) {
    listening = true;
    subscribe<EvalProgress>("eval-progress", (p) => {
      const a = p && activeRuns.get(p.skill_name);
      if (!a) return;
      a.progress = p;
      notify();
    });
  }
  const done = invoke<Benchmark>("run_evals", { skillName: skill, runs, baseline });
  activeRuns.set(skill, { progress: null, done });
  notify();
  done
    .finally(() => {
      activeRuns.delete(skill);
      notify();
    })
    .catch(() => {});
}

function useActiveRun(skill: string): ActiveRun | undefined {
  const [, setTick] = useState(0);
  useEffect(() => {
    const w = () => setTick((t) => t + 1);
    watchers.add(w);
    return () => {
      watchers.delete(w);
    };
  }, []);
  return activeRuns.get(skill);
}

function snapshot(evals: Keyed<EvalCase>[], triggers: Keyed<TriggerQuery>[]) {
  return JSON.stringify([evals.map((e) => e.value), triggers.map((t) => t.value)]);
}

export function EvalsPanel({ skill }: { skill: string }) {
  const content = useAsync(() => invoke<EvalsContent>("get_evals", { skillName: skill }), [skill]);
  const runs = useAsync(() => invoke<EvalRunSummary[]>("list_eval_runs", { skillName: skill }), [skill]);
  const [evals, setEvals] = useState<Keyed<EvalCase>[]>([]);
  const [triggers, setTriggers] = useState<Keyed<TriggerQuery>[]>([]);
  const [saved, setSaved] = useState("");
  const [extra, setExtra] = useState<Record<string, unknown>>({});
  // Which files exist: a file the skill does not have is only written once it has an entry.
  const [has, setHas] = useState({ evals: false, triggers: false });
  const [problems, setProblems] = useState<Problems>({});
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);

  useEffect(() => {
    const c = content.data;
    if (!c) return;
    const { skill_name: _name, evals: cases = [], ...rest } = c.evals ?? { skill_name: skill, evals: [] };
    const e = cases.map((x) => keyed({ ...x, expected_output: x.expected_output ?? "", files: x.files ?? [], expectations: x.expectations ?? [] }));
    const t = (c.triggers ?? []).map((x) => keyed(x));
    setExtra(rest);
    setHas({ evals: c.evals != null, triggers: c.triggers != null });
    setEvals(e);
    setTriggers(t);
    setSaved(snapshot(e, t));
  }, [content.data, skill]);

  const dirty = content.data != null && snapshot(evals, triggers) !== saved;

  // Closing or reloading the page would lose the edits: the browser asks first.
  useEffect(() => {
    if (!dirty) return;
    const ask = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [dirty]);

  const save = async () => {
    setNotice(null);
    setSaveError(null);
    const found = checkDrafts(evals, triggers);
    setProblems(found);
    if (Object.keys(found).length) return;
    setSaving(true);
    try {
      const write = { evals: has.evals || evals.length > 0, triggers: has.triggers || triggers.length > 0 };
      const r = await invoke<SaveEvalsResult>("save_evals", {
        skillName: skill,
        ...(write.evals ? { evals: { ...extra, skill_name: skill, evals: evals.map((e) => e.value) } } : {}),
        ...(write.triggers ? { triggers: triggers.map((t) => t.value) } : {}),
      });
      setHas(write);
      setSaved(snapshot(evals, triggers));
      setNotice(r.commit ? `Evals saved (version ${r.commit.slice(0, 8)}).` : "Evals saved: nothing had changed.");
    } catch (e) {
      if (e instanceof ApiError && e.kind === "invalid_input") setProblems(placeBackendError(e.message));
      else setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="evals">
      <ErrorBox error={content.error} onRetry={content.reload} />
      {content.loading && !content.data && <Spinner label="Loading evals…" />}
      {content.data && (
        <>
          <EvalsEditor
            evals={evals}
            triggers={triggers}
            problems={problems}
            onEvals={(e) => {
              setEvals(e);
              setNotice(null);
            }}
            onTriggers={(t) => {
              setTriggers(t);
              setNotice(null);
            }}
          />
          <div className="evals-save" aria-live="polite">
            {problems.general && (
              <p className="field-error" role="alert">
                {problems.general}
              </p>
            )}
            {Object.keys(problems).length > 0 && !problems.general && <p className="field-error">Fix the marked fields, then save again.</p>}
            <ErrorBox error={saveError} onDismiss={() => setSaveError(null)} />
            {notice && <Notice>{notice}</Notice>}
            <div className="row gap-s">
              <button type="button" className="btn btn-primary" disabled={saving || !dirty} onClick={save}>
                {saving ? "Saving…" : "Save evals"}
              </button>
              {dirty && <span className="muted small">Unsaved changes.</span>}
            </div>
          </div>
        </>
      )}
      <RunSection skill={skill} blocked={dirty} runs={runs.data ?? []} runsError={runs.error} reloadRuns={runs.reload} />
    </div>
  );
}

interface RunSectionProps {
  skill: string;
  blocked: boolean;
  runs: EvalRunSummary[];
  runsError: unknown;
  reloadRuns: () => void;
}

function RunSection({ skill, blocked, runs, runsError, reloadRuns }: RunSectionProps) {
  const prefs = runPrefs.get(skill);
  const [count, setCount] = useState(prefs?.count ?? "3");
  const [baseline, setBaseline] = useState<"none" | "previous">(prefs?.baseline ?? "none");
  useEffect(() => {
    runPrefs.set(skill, { count, baseline });
  }, [skill, count, baseline]);
  const active = useActiveRun(skill);
  const running = active != null;
  const [runError, setRunError] = useState<unknown>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [fresh, setFresh] = useState<Benchmark | null>(null);
  const n = Number(count);
  const countOk = Number.isInteger(n) && n >= 1 && n <= MAX_RUNS;

  const activeDone = active?.done;
  useEffect(() => {
    if (!activeDone) return;
    let alive = true;
    activeDone.then(
      (b) => {
        if (!alive) return;
        setFresh(b);
        setChosen(b.run_id);
        reloadRuns();
      },
      (e) => alive && setRunError(e),
    );
    return () => {
      alive = false;
    };
  }, [activeDone, reloadRuns]);

  const shown = chosen ?? runs[0]?.id ?? null;
  const bench = useAsync<Benchmark | null>(
    () => (!shown ? Promise.resolve(null) : fresh?.run_id === shown ? Promise.resolve(fresh) : invoke<Benchmark>("get_eval_run", { runId: shown })),
    [shown],
  );

  const run = () => {
    if (!countOk || running) return;
    setRunError(null);
    startRun(skill, n, baseline);
  };

  const chosenSummary = useMemo(() => runs.find((r) => r.id === shown), [runs, shown]);

  return (
    <>
      <section aria-labelledby="evals-run-title" className="evals-section evals-run">
        <h2 id="evals-run-title">Run</h2>
        <div className="row gap-s wrap evals-run-form">
          <label className="field">
            Runs per configuration
            <input
              type="number"
              min={1}
              max={MAX_RUNS}
              value={count}
              onChange={(e) => setCount(e.target.value)}
              aria-invalid={countOk ? undefined : true}
              aria-describedby={countOk ? undefined : "evals-runs-err"}
            />
          </label>
          <label className="field">
            Baseline
            <select value={baseline} onChange={(e) => setBaseline(e.target.value as "none" | "previous")}>
              <option value="none">No skill</option>
              <option value="previous">Previous version</option>
            </select>
          </label>
          <button type="button" className="btn btn-primary" onClick={run} disabled={running || blocked || !countOk}>
            {running ? "Running…" : "Run evals"}
          </button>
        </div>
        {!countOk && (
          <p className="field-error" id="evals-runs-err">
            Runs must be a whole number from 1 to {MAX_RUNS}.
          </p>
        )}
        {blocked && <p className="help">Save the evals first: a run measures the saved files.</p>}
        {active && <RunProgress progress={active.progress} />}
        <ErrorBox error={runError} onDismiss={() => setRunError(null)} />
      </section>

      <section aria-labelledby="evals-results-title" className="evals-section">
        <div className="row gap-s wrap evals-section-head">
          <h2 id="evals-results-title">Results</h2>
          {runs.length > 0 && (
            <label className="inline">
              <span>Run</span>
              <select aria-label="Run to show" value={shown ?? ""} onChange={(e) => setChosen(e.target.value)}>
                {runs.map((r, i) => (
                  <option key={r.id} value={r.id}>
                    {shortVersion(r.skill_version)} · {new Date(r.created_at).toLocaleString()}
                    {i === 0 ? " (newest)" : ""}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        <ErrorBox error={runsError} onRetry={reloadRuns} />
        {runs.length === 0 && !runsError && <p className="muted">No runs yet. Save the evals, then run them.</p>}
        <ErrorBox error={bench.error} onRetry={bench.reload} />
        {bench.loading && shown && <Spinner label="Loading the run…" />}
        {bench.data && !bench.loading && (
          <div className="eval-results" data-run={bench.data.run_id}>
            <p className="small muted">
              Version {shortVersion(bench.data.skill_version)} · {new Date(bench.data.metadata.timestamp).toLocaleString()} · cost $
              {bench.data.cost.total_usd.toFixed(4)} ({bench.data.cost.agent_runs} agent runs)
              {chosenSummary && chosenSummary.summary.with_skill_pass_rate != null ? ` · with skill ${pct(chosenSummary.summary.with_skill_pass_rate)}` : ""}
            </p>
            {bench.data.regressions.length > 0 && (
              <div className="alert alert-error" role="alert">
                <strong>
                  {bench.data.regressions.length} regression{bench.data.regressions.length === 1 ? "" : "s"} against version {shortVersion(bench.data.regressions[0].before_version)}
                </strong>
                <ul>
                  {bench.data.regressions.map((r, i) => (
                    <li key={i}>
                      {r.kind === "eval" ? `Eval ${String(r.eval_id)}` : r.kind === "should_trigger_rate" ? "Should-trigger rate" : "Should-not-trigger rate"}: {pct(r.before)} →{" "}
                      {pct(r.after)}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <EvalMatrix bench={bench.data} />
            <TriggerRates bench={bench.data} />
          </div>
        )}
        {runs.length > 0 && <EvalsChart runs={runs} selected={shown ?? undefined} onSelect={setChosen} />}
      </section>
    </>
  );
}

function RunProgress({ progress }: { progress: EvalProgress | null }) {
  if (!progress || progress.total === 0) return <Spinner label="Starting the eval run…" />;
  const what = progress.phase === "graded" ? "Grading and storing the results…" : progress.label ? `Last: ${progress.label}` : "";
  return (
    <div className="eval-progress" role="status" aria-live="polite">
      <label className="field">
        <span>
          {progress.done} of {progress.total} runs done
        </span>
        <progress max={progress.total} value={progress.done} aria-label="Eval run progress" />
      </label>
      {what && <p className="small muted break">{what}</p>}
    </div>
  );
}
