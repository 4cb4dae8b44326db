// Usage & cost: totals, and bar charts by day, step and model, recent sessions and agent runs,
// each run with its details (tokens, cost, turns, transcript).

import { Fragment, useState } from "react";
import { invoke } from "../api/transport";
import { useAsync } from "../api/hooks";
import { STEP_NAMES, type AgentRunRecord, type UsageByDay, type UsageByModel, type UsageByStep, type UsageSummary, type WorkflowSessionRecord } from "../api/types";
import { Bars } from "../components/Bars";
import { stepsText } from "../state/labels";
import { ErrorBox, Spinner } from "../components/ErrorBox";
import { RunDetails, stepLabel } from "../components/RunDetails";

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
  const [summary, byDay, byStep, byModel, sessions, runs] = await Promise.all([
    settle(invoke<UsageSummary>("get_usage_summary", a)),
    settle(invoke<UsageByDay[]>("get_usage_by_day", { ...a, days: 30 })),
    settle(invoke<UsageByStep[]>("get_usage_by_step", a)),
    settle(invoke<UsageByModel[]>("get_usage_by_model", a)),
    settle(invoke<WorkflowSessionRecord[]>("get_recent_workflow_sessions", { ...a, limit: 20 })),
    settle(invoke<AgentRunRecord[]>("get_recent_runs", { limit: 20 })),
  ]);
  return { summary, byDay, byStep, byModel, sessions, runs };
}

export function UsagePage() {
  const [hide, setHide] = useState(false);
  const [metric, setMetric] = useState<"cost" | "runs">("cost");
  const val = (d: { total_cost: number; run_count: number }) => (metric === "cost" ? d.total_cost : d.run_count);
  const fmt = metric === "cost" ? money : (v: number) => `${v} run${v === 1 ? "" : "s"}`;
  const note = (d: { total_cost: number; run_count: number }) => (metric === "cost" ? `${d.run_count} ${d.run_count === 1 ? "run" : "runs"}` : money(d.total_cost));
  const { data, error, loading, reload } = useAsync(() => loadUsage(hide), [hide]);
  const [resetAsk, setResetAsk] = useState(false);
  const [resetError, setResetError] = useState<unknown>(null);
  const [openSession, setOpenSession] = useState<string | null>(null);

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
                  <th scope="col">
                    <span className="sr-only">Runs</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.sessions.value.map((s) => (
                  <Fragment key={s.session_id}>
                    <tr>
                      <td data-label="Skill">{s.skill_name}</td>
                      <td data-label="Steps">{stepsText(s.steps_csv)}</td>
                      <td data-label="Agents">{s.agent_count}</td>
                      <td data-label="Tokens in / out">
                        {s.total_input_tokens.toLocaleString()} / {s.total_output_tokens.toLocaleString()}
                      </td>
                      <td data-label="Cost">{money(s.total_cost)}</td>
                      <td data-label="Started" className="small">
                        {new Date(s.started_at).toLocaleString()}
                      </td>
                      <td className="actions">
                        <button
                          type="button"
                          className="btn btn-small"
                          aria-expanded={openSession === s.session_id}
                          aria-label={`Runs of the ${s.skill_name} session started ${new Date(s.started_at).toLocaleString()}`}
                          onClick={() => setOpenSession(openSession === s.session_id ? null : s.session_id)}
                        >
                          Runs
                        </button>
                      </td>
                    </tr>
                    {openSession === s.session_id && (
                      <tr className="details-row">
                        <td colSpan={7}>
                          <SessionRuns sessionId={s.session_id} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          )}
          <h2>Recent agent runs</h2>
          <ErrorBox error={data.runs.error} />
          {data.runs.value && data.runs.value.length === 0 && <p className="muted">No agent runs yet.</p>}
          {data.runs.value && data.runs.value.length > 0 && <RunTable runs={data.runs.value} label="Recent agent runs" showSkill />}
        </>
      )}
    </div>
  );
}

function SessionRuns({ sessionId }: { sessionId: string }) {
  const runs = useAsync(() => invoke<AgentRunRecord[]>("get_session_agent_runs", { sessionId }), [sessionId]);
  return (
    <div className="session-runs">
      <ErrorBox error={runs.error} onRetry={runs.reload} />
      {runs.loading && !runs.data && <Spinner label="Loading the session's runs…" />}
      {runs.data && runs.data.length === 0 && <p className="muted">No agent runs recorded in this session.</p>}
      {runs.data && runs.data.length > 0 && <RunTable runs={runs.data} label="Agent runs of the session" />}
    </div>
  );
}

/** Agent runs, one row each, with their details (and transcript) on request. */
function RunTable({ runs, label, showSkill = false }: { runs: AgentRunRecord[]; label: string; showSkill?: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const cols = showSkill ? 8 : 7;
  const key = (r: AgentRunRecord) => `${r.agent_id}|${r.model}`;
  return (
    <table className="table runs" aria-label={label}>
      <thead>
        <tr>
          {showSkill && <th scope="col">Skill</th>}
          <th scope="col">Step</th>
          <th scope="col">Model</th>
          <th scope="col">Status</th>
          <th scope="col">Tokens in / out</th>
          <th scope="col">Cost</th>
          <th scope="col">Turns</th>
          <th scope="col">
            <span className="sr-only">Details</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <Fragment key={key(r)}>
            <tr>
              {showSkill && <td data-label="Skill">{r.skill_name}</td>}
              <td data-label="Step">{stepLabel(r.step_id)}</td>
              <td data-label="Model" className="small">
                {r.model}
              </td>
              <td data-label="Status">{r.status}</td>
              <td data-label="Tokens in / out">
                {r.input_tokens.toLocaleString()} / {r.output_tokens.toLocaleString()}
              </td>
              <td data-label="Cost">{money(r.total_cost)}</td>
              <td data-label="Turns">{r.num_turns}</td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn-small"
                  aria-expanded={open === key(r)}
                  aria-label={`Details of the ${stepLabel(r.step_id)} run of ${r.skill_name} (${new Date(r.started_at).toLocaleTimeString()})`}
                  onClick={() => setOpen(open === key(r) ? null : key(r))}
                >
                  Details
                </button>
              </td>
            </tr>
            {open === key(r) && (
              <tr className="details-row">
                <td colSpan={cols}>
                  <RunDetails run={r} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
