// The decision gate: the research questions (after step 1) or their refinements (after step 2)
// from context/clarifications.json, answered by the user or with the recommended answers.

import { useCallback, useEffect, useState } from "react";
import { ApiError, invoke } from "../api/transport";
import { skillPath } from "../api/hooks";
import type { AppSettings, Clarifications, Question } from "../api/types";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";

type Mode = "questions" | "refinements";

function answered(q: Question): boolean {
  return (q.answer_choice != null && q.answer_choice !== "") || !!(q.answer_text && q.answer_text.trim());
}

/** The questions the user answers in this mode, with the question each refinement belongs to. */
function gateQuestions(c: Clarifications, mode: Mode): { q: Question; parent?: Question; section: string }[] {
  const out: { q: Question; parent?: Question; section: string }[] = [];
  for (const s of c.sections ?? []) {
    for (const q of s.questions ?? []) {
      if (mode === "questions") out.push({ q, section: s.title });
      else for (const r of q.refinements ?? []) out.push({ q: r, parent: q, section: s.title });
    }
  }
  return out;
}

export function ClarificationsGate({
  skill,
  settings,
  mode,
  nextLabel,
  busy,
  onContinue,
  onReset,
}: {
  skill: string;
  settings: AppSettings;
  mode: Mode;
  nextLabel: string;
  busy: boolean;
  onContinue: () => void;
  onReset: () => void;
}) {
  const file = skillPath(settings, skill, "context/clarifications.json");
  const [data, setData] = useState<Clarifications | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [missing, setMissing] = useState<Set<string>>(new Set());
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    try {
      const text = await invoke<string>("read_file", { filePath: file });
      setData(JSON.parse(text) as Clarifications);
      setError(null);
    } catch (e) {
      setError(
        e instanceof SyntaxError
          ? new ApiError("invalid_input", `clarifications.json is not valid JSON (${e.message}); reset to step 1 to regenerate it`, 0)
          : e,
      );
    }
  }, [file]);

  useEffect(() => {
    load();
  }, [load]);

  const save = async (c: Clarifications) => {
    await invoke("write_file", { path: file, content: JSON.stringify(c, null, 2) + "\n" });
  };

  /** Applies an answer to the question with this id (questions and refinements alike). */
  const setAnswer = (id: string, patch: Partial<Question>) => {
    setData((d) => {
      if (!d) return d;
      const copy: Clarifications = JSON.parse(JSON.stringify(d));
      for (const { q } of gateQuestions(copy, mode)) if (q.id === id) Object.assign(q, patch);
      return copy;
    });
    setMissing((m) => {
      const n = new Set(m);
      n.delete(id);
      return n;
    });
    setNotice(null);
  };

  const useRecommended = async () => {
    if (!data) return;
    setSaving(true);
    setError(null);
    try {
      await save(data);
      const n = await invoke<number>(mode === "questions" ? "autofill_clarifications" : "autofill_refinements", { skillName: skill });
      await load();
      setMissing(new Set());
      setNotice(n > 0 ? `Filled ${n} unanswered question${n === 1 ? "" : "s"} with the recommended answer.` : "Every question already has an answer.");
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const submit = async () => {
    if (!data) return;
    const need = gateQuestions(data, mode)
      .filter(({ q }) => q.must_answer && !answered(q))
      .map(({ q }) => q.id);
    if (need.length) {
      setMissing(new Set(need));
      setError(new ApiError("invalid_input", `Answer the required question${need.length > 1 ? "s" : ""} ${need.join(", ")} (or use the recommended answers).`, 0));
      return;
    }
    setSaving(true);
    setError(null);
    try {
      await save(data);
      const total = gateQuestions(data, mode).length;
      const done = gateQuestions(data, mode).filter(({ q }) => answered(q)).length;
      invoke("log_gate_decision", { skillName: skill, verdict: `${done}/${total} answered`, decision: "continue" }).catch(() => {});
      onContinue();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const list = data ? gateQuestions(data, mode) : [];
  const scopeTooBroad = data?.metadata?.scope_recommendation === true;

  return (
    <section className="panel gate" aria-label={mode === "questions" ? "Clarification questions" : "Refinement questions"}>
      <h2>{mode === "questions" ? "Answer the research questions" : "Answer the follow-up questions"}</h2>
      <p className="muted">
        Your answers shape the skill. Pick a choice for each question, or use the recommended answers and adjust what you disagree with.
      </p>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {notice && <Notice>{notice}</Notice>}
      {scopeTooBroad && (
        <div className="alert alert-error" role="alert">
          <strong>The research found the scope too broad.</strong>
          <p>The next steps are blocked. What to do next: narrow the skill's description, then reset to step 1 to research again.</p>
          <button type="button" className="btn btn-small" onClick={onReset}>
            Reset to step 1
          </button>
        </div>
      )}
      {!data && !error && <Spinner label="Loading questions…" />}
      {data && (
        <div className="row gap-s gate-actions">
          <button type="button" className="btn" disabled={saving || busy} onClick={useRecommended}>
            Use recommended answers
          </button>
          <span className="muted small">
            {list.filter(({ q }) => answered(q)).length} of {list.length} answered
          </span>
        </div>
      )}
      {data && list.length === 0 && <p className="muted">No {mode === "questions" ? "questions" : "follow-up questions"} this time — you can continue.</p>}
      {data && (
        <div className="questions">
          {list.map(({ q, parent, section }) => {
            const other = q.choices?.find((c) => c.is_other);
            const otherSelected = !!other && q.answer_choice === other.id;
            const invalid = missing.has(q.id);
            return (
              <fieldset key={q.id} className={`question ${invalid ? "invalid" : ""}`} aria-invalid={invalid || undefined} data-question={q.id}>
                <legend>
                  <span className="qid">{q.id}</span> {q.title || q.text}
                  {q.must_answer && <span className="req"> (required)</span>}
                </legend>
                <p className="small muted">
                  {section}
                  {parent ? ` · follows up “${parent.title || parent.text}” (your answer: ${parent.answer_text || parent.answer_choice || "none"})` : ""}
                </p>
                {q.title && <p>{q.text}</p>}
                {(q.choices ?? []).map((c) => (
                  <label key={c.id} className="choice">
                    <input
                      type="radio"
                      name={`answer-${q.id}`}
                      value={c.id}
                      checked={q.answer_choice === c.id}
                      onChange={() => setAnswer(q.id, { answer_choice: c.id, answer_text: c.is_other ? "" : c.text })}
                    />
                    <span>
                      {c.text}
                      {q.recommendation === c.id && <span className="tag tag-rec">recommended</span>}
                    </span>
                  </label>
                ))}
                {(otherSelected || !q.choices?.length) && (
                  <label className="field">
                    Your answer to {q.id}
                    <textarea rows={2} value={q.answer_text ?? ""} onChange={(e) => setAnswer(q.id, { answer_text: e.target.value })} />
                  </label>
                )}
                {invalid && <p className="field-error">This question needs an answer.</p>}
              </fieldset>
            );
          })}
        </div>
      )}
      {data && (
        <div className="row gap-s">
          <button type="button" className="btn btn-primary" disabled={saving || busy || scopeTooBroad} onClick={submit}>
            {nextLabel}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={saving}
            onClick={async () => {
              try {
                await save(data);
                setNotice("Answers saved.");
              } catch (e) {
                setError(e);
              }
            }}
          >
            Save answers
          </button>
        </div>
      )}
    </section>
  );
}
