// Usage & cost: totals, and bar charts by day, step and model, plus recent sessions.

import { useState } from "react";
import { invoke } from "../api/transport";
import { useAsync } from "../api/hooks";
import { STEP_NAMES, type UsageByDay, type UsageByModel, type UsageByStep, type UsageSummary, type WorkflowSessionRecord } from "../api/types";
import { Bars } from "../components/Bars";
import { ErrorBox, Spinner } from "../components/ErrorBox";

const money = (v: number) => `$${v.toFixed(v < 1 ? 4 : 2)}`;

/** One failing query (e.g. not implemented yet) must not hide the others. */
async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error };
  }
}

async function loadUsage(hideCancelled: boolean) {
  const a = { hideCancelled };
  const [summary, byDay, byStep, byModel, sessions] = await Promise.all([
    settle(invoke<UsageSummary>("get_usage_summary", a)),
    settle(invoke<UsageByDay[]>("get_usage_by_day", { ...a, days: 30 })),
    settle(invoke<UsageByStep[]>("get_usage_by_step", a)),
    settle(invoke<UsageByModel[]>("get_usage_by_model", a)),
    settle(invoke<WorkflowSessionRecord[]>("get_recent_workflow_sessions", { ...a, limit: 20 })),
  ]);
  return { summary, byDay, byStep, byModel, sessions };
}

export function UsagePage() {
  const [hide, setHide] = useState(false);
  const [metric, setMetric] = useState<"cost" | "runs">("cost");
  const val = (d: { total_cost: number; run_count: number }) => (metric === "cost" ? d.total_cost : d.run_count);
  const fmt = metric === "cost" ? money : (v: number) => `${v} run${v === 1 ? "" : "s"}`;
  const note = (d: { total_cost: number; run_count: number }) => (metric === "cost" ? `${d.run_count} runs` : money(d.total_cost));
  const { data, error, loading, reload } = useAsync(() => loadUsage(hide), [hide]);
  const [resetAsk, setResetAsk] = useState(false);
  const [resetError, setResetError] = useState<unknown>(null);

  const reset = async () => {
    try {
      await invoke("reset_usage");
      setResetAsk(false);
      reload();
    } catch (e) {
      setResetError(e);
    }
  };

  return (
    <div className="page">
      <header className="page-head">
        <h1>Usage &amp; cost</h1>
        <div className="row gap-s">
          <label className="inline">
            <input type="checkbox" checked={hide} onChange={(e) => setHide(e.target.checked)} /> Hide cancelled runs
          </label>
          {resetAsk ? (
            <>
              <button type="button" className="btn btn-small btn-danger" onClick={reset}>
                Confirm reset
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => setResetAsk(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setResetAsk(true)}>
              Reset usage
            </button>
          )}
        </div>
      </header>
      <ErrorBox error={error} onRetry={reload} />
      <ErrorBox error={resetError} onDismiss={() => setResetError(null)} />
      {loading && !data && <Spinner label="Loading usage…" />}
      {data && (
        <>
          <ErrorBox error={data.summary.error} />
          {data.summary.value && (
            <dl className="stats" aria-label="Usage summary">
              <div>
                <dt>Total cost</dt>
                <dd>{money(data.summary.value.total_cost)}</dd>
              </div>
              <div>
                <dt>Workflow sessions</dt>
                <dd>{data.summary.value.total_runs}</dd>
              </div>
              <div>
                <dt>Average per session</dt>
                <dd>{money(data.summary.value.avg_cost_per_run)}</dd>
              </div>
            </dl>
          )}
          <fieldset className="segmented">
            <legend className="sr-only">Chart metric</legend>
            <label>
              <input type="radio" name="metric" checked={metric === "cost"} onChange={() => setMetric("cost")} /> Cost
            </label>
            <label>
              <input type="radio" name="metric" checked={metric === "runs"} onChange={() => setMetric("runs")} /> Agent runs
            </label>
          </fieldset>
          <div className="charts">
            <div>
              <ErrorBox error={data.byDay.error} />
              {data.byDay.value && <Bars title={`${metric === "cost" ? "Cost" : "Runs"} by day (last 30 days)`} bars={data.byDay.value.map((d) => ({ label: d.date, value: val(d), note: note(d) }))} format={fmt} />}
            </div>
            <div>
              <ErrorBox error={data.byStep.error} />
              {data.byStep.value && (
                <Bars
                  title={`${metric === "cost" ? "Cost" : "Runs"} by step`}
                  bars={data.byStep.value.map((d) => ({ label: STEP_NAMES[d.step_id] ?? d.step_name ?? `Step ${d.step_id + 1}`, value: val(d), note: note(d) }))}
                  format={fmt}
                />
              )}
            </div>
            <div>
              <ErrorBox error={data.byModel.error} />
              {data.byModel.value && <Bars title={`${metric === "cost" ? "Cost" : "Runs"} by model`} bars={data.byModel.value.map((d) => ({ label: d.model, value: val(d), note: note(d) }))} format={fmt} />}
            </div>
          </div>
          <h2>Recent workflow sessions</h2>
          <ErrorBox error={data.sessions.error} />
          {data.sessions.value && data.sessions.value.length === 0 && <p className="muted">No sessions yet. Build a skill to see its cost here.</p>}
          {data.sessions.value && data.sessions.value.length > 0 && (
            <table className="table" aria-label="Recent workflow sessions">
              <thead>
                <tr>
                  <th scope="col">Skill</th>
                  <th scope="col">Steps</th>
                  <th scope="col">Agents</th>
                  <th scope="col">Tokens in / out</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {data.sessions.value.map((s) => (
                  <tr key={s.session_id}>
                    <td>{s.skill_name}</td>
                    <td>{s.steps_csv}</td>
                    <td>{s.agent_count}</td>
                    <td>
                      {s.total_input_tokens.toLocaleString()} / {s.total_output_tokens.toLocaleString()}
                    </td>
                    <td>{money(s.total_cost)}</td>
                    <td className="small">{new Date(s.started_at).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
