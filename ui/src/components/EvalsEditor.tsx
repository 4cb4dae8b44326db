// The editor of a skill's eval suite (`evals/evals.json`) and trigger queries
// (`evals/triggers.json`): add, edit, delete; problems are shown next to the field they are about,
// whether this page found them or the backend refused the save.

import type { EvalCase, TriggerQuery } from "../api/types";

/** A row with a key of its own, so deleting one row never moves another row's inputs. */
export interface Keyed<T> {
  key: number;
  value: T;
}

let nextKey = 1;
export function keyed<T>(value: T): Keyed<T> {
  return { key: nextKey++, value };
}

/** Problems by place: `eval:<index>:<field>`, `trigger:<index>`, or `general`. */
export type Problems = Record<string, string>;

/** The id as typed: whole numbers stay numbers (skill-creator's ids), anything else is text. */
export function parseId(text: string): number | string {
  const t = text.trim();
  return /^\d+$/.test(t) && t.length < 16 ? Number(t) : t;
}

export function nextEvalId(evals: Keyed<EvalCase>[]): number {
  const nums = evals.map((e) => e.value.id).filter((id): id is number => typeof id === "number");
  return nums.length ? Math.max(...nums) + 1 : 1;
}

export function newEval(id: number): EvalCase {
  return { id, prompt: "", expected_output: "", files: [], expectations: [""] };
}

/** The checks the backend makes that can be made here, so most mistakes show before a save. */
export function checkDrafts(evals: Keyed<EvalCase>[], triggers: Keyed<TriggerQuery>[]): Problems {
  const p: Problems = {};
  const seen = new Map<string, number>();
  evals.forEach(({ value: e }, i) => {
    const id = String(e.id).trim();
    if (!id) p[`eval:${i}:id`] = "Give this eval an id (a whole number or a short text).";
    else if (seen.has(id)) p[`eval:${i}:id`] = `Eval ${seen.get(id)! + 1} has the id ${id} too; give each eval its own.`;
    else seen.set(id, i);
    if (!e.prompt.trim()) p[`eval:${i}:prompt`] = "Write the prompt the agent is given.";
    if (e.expectations.length === 0) p[`eval:${i}:expectations`] = "Add at least one expectation to check.";
    e.expectations.forEach((x, j) => {
      if (!x.trim()) p[`eval:${i}:expectation:${j}`] = "Write the expectation, or remove it.";
      else if (/^\s*contains:\s*$/i.test(x)) p[`eval:${i}:expectation:${j}`] = "Write the text after contains:.";
    });
  });
  triggers.forEach(({ value: t }, i) => {
    if (!t.query.trim()) p[`trigger:${i}`] = "Write the query, or remove it.";
  });
  return p;
}

/** Places a refused save's message (`evals/evals.json: eval 2 (id 5) …`, `… query 3 …`). */
export function placeBackendError(message: string): Problems {
  const ev = /^evals\/evals\.json: eval (\d+) /.exec(message);
  if (ev) return { [`eval:${Number(ev[1]) - 1}:general`]: message };
  const tq = /^evals\/triggers\.json: query (\d+) /.exec(message);
  if (tq) return { [`trigger:${Number(tq[1]) - 1}`]: message };
  return { general: message };
}

function FieldError({ id, text }: { id: string; text?: string }) {
  if (!text) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {text}
    </p>
  );
}

interface EditorProps {
  evals: Keyed<EvalCase>[];
  triggers: Keyed<TriggerQuery>[];
  problems: Problems;
  onEvals: (evals: Keyed<EvalCase>[]) => void;
  onTriggers: (triggers: Keyed<TriggerQuery>[]) => void;
}

export function EvalsEditor({ evals, triggers, problems, onEvals, onTriggers }: EditorProps) {
  const setEval = (i: number, patch: Partial<EvalCase>) => onEvals(evals.map((e, j) => (j === i ? { ...e, value: { ...e.value, ...patch } } : e)));
  const setTrigger = (i: number, patch: Partial<TriggerQuery>) => onTriggers(triggers.map((t, j) => (j === i ? { ...t, value: { ...t.value, ...patch } } : t)));

  return (
    <div className="evals-editor">
      <section aria-labelledby="evals-cases-title" className="evals-section">
        <div className="row gap-s evals-section-head">
          <h2 id="evals-cases-title">Evals</h2>
          <button type="button" className="btn btn-small" onClick={() => onEvals([...evals, keyed(newEval(nextEvalId(evals)))])}>
            Add eval
          </button>
        </div>
        <p className="help">
          Each eval is a task run with and without the skill. Expectations starting with <code>contains:</code> or <code>regex:</code> are checked as
          written; any other expectation is judged by a model.
        </p>
        {evals.length === 0 && <p className="muted">No evals yet.</p>}
        <ol className="eval-cases">
          {evals.map(({ key, value: e }, i) => {
            const at = `eval-${key}`;
            const err = (f: string) => problems[`eval:${i}:${f}`];
            return (
              <li key={key} className="eval-case" aria-label={`Eval ${i + 1}`}>
                <div className="eval-case-head">
                  <label className="eval-id">
                    Id
                    <input
                      value={String(e.id)}
                      onChange={(ev) => setEval(i, { id: parseId(ev.target.value) })}
                      aria-invalid={err("id") ? true : undefined}
                      aria-describedby={err("id") ? `${at}-id-err` : undefined}
                    />
                  </label>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => onEvals(evals.filter((_, j) => j !== i))} aria-label={`Delete eval ${i + 1}`}>
                    Delete
                  </button>
                </div>
                <FieldError id={`${at}-id-err`} text={err("id")} />
                <FieldError id={`${at}-err`} text={err("general")} />
                <label className="field">
                  Prompt
                  <textarea
                    rows={3}
                    value={e.prompt}
                    onChange={(ev) => setEval(i, { prompt: ev.target.value })}
                    aria-invalid={err("prompt") ? true : undefined}
                    aria-describedby={err("prompt") ? `${at}-prompt-err` : undefined}
                  />
                </label>
                <FieldError id={`${at}-prompt-err`} text={err("prompt")} />
                <label className="field">
                  Expected output
                  <textarea rows={2} value={e.expected_output} onChange={(ev) => setEval(i, { expected_output: ev.target.value })} />
                </label>
                {e.files.length > 0 && (
                  <p className="help">
                    Files given to the run: {e.files.map((f) => <code key={f}>{f} </code>)}
                  </p>
                )}
                <fieldset className="eval-expectations">
                  <legend>Expectations</legend>
                  {e.expectations.map((x, j) => (
                    <div key={j}>
                      <div className="row gap-s eval-expectation">
                        <input
                          aria-label={`Expectation ${j + 1} of eval ${i + 1}`}
                          value={x}
                          placeholder="contains: …, regex: …, or a statement to judge"
                          onChange={(ev) => setEval(i, { expectations: e.expectations.map((y, k) => (k === j ? ev.target.value : y)) })}
                          aria-invalid={err(`expectation:${j}`) ? true : undefined}
                          aria-describedby={err(`expectation:${j}`) ? `${at}-x${j}-err` : undefined}
                        />
                        <button
                          type="button"
                          className="btn btn-small btn-ghost"
                          onClick={() => setEval(i, { expectations: e.expectations.filter((_, k) => k !== j) })}
                          aria-label={`Remove expectation ${j + 1} of eval ${i + 1}`}
                        >
                          Remove
                        </button>
                      </div>
                      <FieldError id={`${at}-x${j}-err`} text={err(`expectation:${j}`)} />
                    </div>
                  ))}
                  <FieldError id={`${at}-xs-err`} text={err("expectations")} />
                  <div>
                    <button type="button" className="btn btn-small" onClick={() => setEval(i, { expectations: [...e.expectations, ""] })}>
                      Add expectation
                    </button>
                  </div>
                </fieldset>
              </li>
            );
          })}
        </ol>
      </section>

      <section aria-labelledby="evals-triggers-title" className="evals-section">
        <div className="row gap-s evals-section-head">
          <h2 id="evals-triggers-title">Trigger queries</h2>
          <button type="button" className="btn btn-small" onClick={() => onTriggers([...triggers, keyed({ query: "", should_trigger: true })])}>
            Add trigger query
          </button>
        </div>
        <p className="help">Queries a user might write: the skill should load for some and stay out of the others (near misses).</p>
        {triggers.length === 0 && <p className="muted">No trigger queries yet.</p>}
        <ol className="trigger-queries">
          {triggers.map(({ key, value: t }, i) => (
            <li key={key} className="trigger-query">
              <div className="row gap-s trigger-row">
                <input
                  className="grow"
                  aria-label={`Trigger query ${i + 1}`}
                  value={t.query}
                  onChange={(ev) => setTrigger(i, { query: ev.target.value })}
                  aria-invalid={problems[`trigger:${i}`] ? true : undefined}
                  aria-describedby={problems[`trigger:${i}`] ? `trigger-${key}-err` : undefined}
                />
                <label className="inline">
                  <input type="checkbox" checked={t.should_trigger} onChange={(ev) => setTrigger(i, { should_trigger: ev.target.checked })} aria-label={`Query ${i + 1} should trigger`} />
                  Should trigger
                </label>
                <button type="button" className="btn btn-small btn-ghost" onClick={() => onTriggers(triggers.filter((_, j) => j !== i))} aria-label={`Delete trigger query ${i + 1}`}>
                  Delete
                </button>
              </div>
              <FieldError id={`trigger-${key}-err`} text={problems[`trigger:${i}`]} />
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
