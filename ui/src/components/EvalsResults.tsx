// One eval run's results: the matrix (eval × configuration, pass rate mean ± stddev, each
// expectation's verdict and evidence per run) and the trigger rates; and the chart of the
// with-skill pass rate and trigger rates across the stored runs, regressions marked.

import type { Benchmark, EvalRunRecord, EvalRunSummary, EvalStats } from "../api/types";

const CONFIGS = [
  { id: "with_skill", label: "With skill" },
  { id: "without_skill", label: "Without skill" },
] as const;

export function pct(v: number | null | undefined): string {
  return v == null ? "—" : `${Math.round(v * 100)}%`;
}

function rate(s: EvalStats, runs: number): string {
  return runs > 1 ? `${pct(s.mean)} ± ${pct(s.stddev)}` : pct(s.mean);
}

export function shortVersion(v: string): string {
  return v === "uncommitted" ? v : v.replace(/^([0-9a-f]{8})[0-9a-f]*/, "$1");
}

function sameId(a: unknown, b: unknown) {
  return String(a) === String(b);
}

export function EvalMatrix({ bench }: { bench: Benchmark }) {
  const regressed = new Set(bench.regressions.filter((r) => r.kind === "eval").map((r) => String(r.eval_id)));
  const baseline = bench.metadata.baseline === "none" ? "no skill" : `version ${shortVersion(bench.metadata.baseline)}`;
  return (
    <section aria-labelledby="eval-matrix-title" className="evals-section">
      <h3 id="eval-matrix-title">Evals</h3>
      <p className="help">
        {bench.metadata.runs_per_configuration} run{bench.metadata.runs_per_configuration === 1 ? "" : "s"} per configuration; “without skill” ran with {baseline}.
      </p>
      {bench.evals.length === 0 ? (
        <p className="muted">This run had no evals.</p>
      ) : (
        <>
          <table className="table eval-matrix" aria-label="Eval results">
            <thead>
              <tr>
                <th scope="col">Eval</th>
                <th scope="col">With skill</th>
                <th scope="col">Without skill</th>
                <th scope="col">Delta</th>
              </tr>
            </thead>
            <tbody>
              {bench.evals.map((e) => (
                <tr key={String(e.eval_id)} data-eval={String(e.eval_id)} className={regressed.has(String(e.eval_id)) ? "eval-regressed" : undefined}>
                  <td className="eval-name">
                    <span className="strong">{String(e.eval_id)}</span>
                    {regressed.has(String(e.eval_id)) && <span className="badge badge-regression">Regression</span>}
                    <span className="muted clamp-2">{e.prompt}</span>
                  </td>
                  <td data-config="with_skill">{rate(e.with_skill, e.runs)}</td>
                  <td data-config="without_skill">{rate(e.without_skill, e.runs)}</td>
                  <td>{`${e.delta >= 0 ? "+" : ""}${Math.round(e.delta * 100)} pts`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {bench.evals.map((e) => (
            <details key={String(e.eval_id)} className="eval-details">
              <summary>Expectations of eval {String(e.eval_id)}</summary>
              <div className="eval-configs">
                {CONFIGS.map((c) => (
                  <ConfigRuns key={c.id} label={c.label} runs={bench.runs.filter((r) => sameId(r.eval_id, e.eval_id) && r.configuration === c.id)} />
                ))}
              </div>
            </details>
          ))}
        </>
      )}
    </section>
  );
}

function ConfigRuns({ label, runs }: { label: string; runs: EvalRunRecord[] }) {
  return (
    <div className="eval-config" aria-label={label} role="group">
      <h4>{label}</h4>
      {runs.length === 0 && <p className="muted">Not run.</p>}
      {runs.map((r) => (
        <div key={r.run_number} className="eval-run">
          <p className="small muted">
            Run {r.run_number}: {r.result.passed}/{r.result.total} passed{r.result.errors ? ` · ${r.result.errors} error${r.result.errors === 1 ? "" : "s"}` : ""}
          </p>
          <ul className="verdicts">
            {r.expectations.map((x, i) => (
              <li key={i} className={x.passed ? "verdict-pass" : "verdict-fail"}>
                <span className={`badge ${x.passed ? "badge-pass" : "badge-fail"}`}>{x.passed ? "Pass" : "Fail"}</span> <span>{x.text}</span>
                {x.evidence && <p className="small muted evidence">{x.evidence}</p>}
              </li>
            ))}
          </ul>
          {r.notes.map((n, i) => (
            <p key={i} className="small muted">
              {n}
            </p>
          ))}
        </div>
      ))}
    </div>
  );
}

export function TriggerRates({ bench }: { bench: Benchmark }) {
  const t = bench.triggers;
  const regressed = new Set(bench.regressions.map((r) => r.kind));
  return (
    <section aria-labelledby="trigger-rates-title" className="evals-section">
      <h3 id="trigger-rates-title">Trigger rates</h3>
      {!t || t.queries.length === 0 ? (
        <p className="muted">This run had no trigger queries.</p>
      ) : (
        <>
          <dl className="trigger-summary">
            <div>
              <dt>Should trigger (higher is better)</dt>
              <dd data-testid="should-trigger-rate">
                {pct(t.should_trigger_rate)}
                {regressed.has("should_trigger_rate") && <span className="badge badge-regression">Regression</span>}
              </dd>
            </div>
            <div>
              <dt>Should not trigger (lower is better)</dt>
              <dd data-testid="should-not-trigger-rate">
                {pct(t.should_not_trigger_rate)}
                {regressed.has("should_not_trigger_rate") && <span className="badge badge-regression">Regression</span>}
              </dd>
            </div>
          </dl>
          <table className="table" aria-label="Trigger results">
            <thead>
              <tr>
                <th scope="col">Query</th>
                <th scope="col">Expected</th>
                <th scope="col">Triggered</th>
              </tr>
            </thead>
            <tbody>
              {t.queries.map((q, i) => {
                const right = q.should_trigger ? q.trigger_rate === 1 : q.trigger_rate === 0;
                return (
                  <tr key={i}>
                    <td className="break">{q.query}</td>
                    <td>{q.should_trigger ? "Should trigger" : "Should not"}</td>
                    <td className={right ? "verdict-pass" : "verdict-fail"}>
                      {q.triggered}/{q.runs} ({pct(q.trigger_rate)})
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

const SERIES = [
  { id: "with_skill_pass_rate", label: "With-skill pass rate", cls: "series-pass" },
  { id: "should_trigger_rate", label: "Should-trigger rate", cls: "series-trigger" },
  { id: "should_not_trigger_rate", label: "Should-not-trigger rate", cls: "series-not" },
] as const;

/** Oldest first, one group of bars per stored run (HTML/CSS, no chart library). */
export function EvalsChart({ runs, selected, onSelect }: { runs: EvalRunSummary[]; selected?: string; onSelect: (id: string) => void }) {
  const ordered = [...runs].reverse();
  return (
    <figure className="chart evals-chart">
      <figcaption>Across versions</figcaption>
      <ul className="legend" aria-label="Legend">
        {SERIES.map((s) => (
          <li key={s.id}>
            <span className={`legend-swatch ${s.cls}`} aria-hidden="true" /> {s.label}
          </li>
        ))}
      </ul>
      {ordered.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <ol className="version-bars" aria-label="Runs across versions">
          {ordered.map((r) => {
            const label = `${shortVersion(r.skill_version)} · ${new Date(r.created_at).toLocaleString()}`;
            return (
              <li key={r.id} data-run={r.id} className={`version-group${r.summary.regressions ? " has-regression" : ""}${r.id === selected ? " active" : ""}`}>
                <button type="button" className="link version-label" onClick={() => onSelect(r.id)} aria-label={`Show the run of ${label}`}>
                  {label}
                </button>
                {r.summary.regressions > 0 && (
                  <span className="badge badge-regression">
                    {r.summary.regressions} regression{r.summary.regressions === 1 ? "" : "s"}
                  </span>
                )}
                {SERIES.map((s) => {
                  const v = r.summary[s.id];
                  return (
                    <div key={s.id} className="bar-row" title={`${s.label}: ${pct(v)}`}>
                      <span className="bar-label">{s.label}</span>
                      <span className="bar-track" aria-hidden="true">
                        {v != null && <span className={`bar-fill ${s.cls}`} style={{ width: `${Math.max(0.5, v * 100)}%` }} />}
                      </span>
                      <span className="bar-value">{pct(v)}</span>
                    </div>
                  );
                })}
              </li>
            );
          })}
        </ol>
      )}
    </figure>
  );
}
