// The question gate: the research questions (after step 1), their refinements (after step 2),
// or all answers (when the decisions show a contradiction), from context/clarifications.json.
// Continuing runs the answer evaluator and shows its verdict per question; when it finds the
// answers sufficient after step 1, Detailed Research can be skipped.

import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, invoke, subscribe } from "../api/transport";
import { skillPath, workspaceSkillPath } from "../api/hooks";
import type { AgentExitEvent, AnswerEvaluation, AppSettings, Clarifications, Question, QuestionVerdict } from "../api/types";
import { AgentRunView } from "../components/AgentStream";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { latest, useAgentRuns } from "../state/agents";

export type GateMode = "questions" | "refinements" | "all";

function answered(q: Question): boolean {
  return (q.answer_choice != null && q.answer_choice !== "") || !!(q.answer_text && q.answer_text.trim());
}

/** The questions the user answers in this mode, with the question each refinement belongs to. */
function gateQuestions(c: Clarifications, mode: GateMode): { q: Question; parent?: Question; section: string }[] {
  const out: { q: Question; parent?: Question; section: string }[] = [];
  for (const s of c.sections ?? []) {
    for (const q of s.questions ?? []) {
      if (mode !== "refinements") out.push({ q, section: s.title });
      if (mode !== "questions") for (const r of q.refinements ?? []) out.push({ q: r, parent: q, section: s.title });
    }
  }
  return out;
}

/** Every question and refinement by id (the evaluator judges them all). */
function titlesById(c: Clarifications | null): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (qs: Question[] | undefined) => {
    for (const q of qs ?? []) {
      m.set(q.id, q.title || q.text);
      walk(q.refinements);
    }
  };
  for (const s of c?.sections ?? []) walk(s.questions);
  return m;
}

export const VERDICT_LABELS: Record<QuestionVerdict, string> = {
  clear: "Clear",
  needs_refinement: "Needs refinement",
  not_answered: "Not answered",
  vague: "Vague",
  contradictory: "Contradictory",
};

const OVERALL_LABELS: Record<AnswerEvaluation["verdict"], string> = {
  sufficient: "sufficient",
  mixed: "partly sufficient",
  insufficient: "not sufficient",
};

/** What the gate logs when the evaluator could not run (the gate is fail-open). */
const VERDICT_UNAVAILABLE = "unavailable";

/** A real evaluator run is one haiku agent; past this the gate lets the user continue. */
const EVALUATOR_TIMEOUT_MS = 5 * 60_000;

function contradictsText(c: string | string[] | undefined): string {
  const ids = Array.isArray(c) ? c : c ? [c] : [];
  return ids.length ? ` (contradicts ${ids.join(", ")})` : "";
}

function parseEvaluation(text: string): AnswerEvaluation {
  const v = JSON.parse(text) as AnswerEvaluation;
  if (!["sufficient", "mixed", "insufficient"].includes(v?.verdict) || !Array.isArray(v.per_question)) {
    throw new Error("answer-evaluation.json does not hold a verdict");
  }
  return v;
}

/**
 * Runs the answer evaluator and resolves with what it wrote, once its `agent-exit` arrived.
 * `cancelled()` stops the wait (the gate was left or skipped).
 */
async function runAnswerEvaluator(skill: string, settings: AppSettings, cancelled: () => boolean): Promise<AnswerEvaluation> {
  const prefix = `${skill}-gate-eval-`;
  const ended = new Map<string, boolean>();
  let wake: (() => void) | null = null;
  const note = (id: string | undefined, success: boolean) => {
    if (!id?.startsWith(prefix)) return;
    ended.set(id, success);
    wake?.();
  };
  // Subscribed before the run starts: a fast evaluator may end before its id comes back.
  const offExit = subscribe<AgentExitEvent>("agent-exit", (p) => note(p.agent_id, p.success));
  const offShutdown = subscribe<{ agent_id: string }>("agent-shutdown", (p) => note(p.agent_id, false));
  try {
    const id = await invoke<string>("run_answer_evaluator", {
      skillName: skill,
      workspacePath: settings.workspace_path ?? undefined,
    });
    const deadline = Date.now() + EVALUATOR_TIMEOUT_MS;
    while (!ended.has(id)) {
      if (cancelled()) throw new Error("cancelled");
      if (Date.now() > deadline) throw new Error("the answer check did not finish within 5 minutes");
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
    }
    if (!ended.get(id)) throw new Error("the answer evaluator stopped with an error");
    const text = await invoke<string>("read_file", { filePath: workspaceSkillPath(settings, skill, "answer-evaluation.json") });
    return parseEvaluation(text);
  } finally {
    offExit();
    offShutdown();
  }
}

type Check = { kind: "idle" } | { kind: "running"; since: number } | { kind: "done"; evaluation: AnswerEvaluation } | { kind: "failed"; message: string };

export function ClarificationsGate({
  skill,
  settings,
  mode,
  nextLabel,
  busy,
  onContinue,
  onSkip,
  onReset,
}: {
  skill: string;
  settings: AppSettings;
  mode: GateMode;
  nextLabel: string;
  busy: boolean;
  onContinue: () => void;
  /** Offered when the evaluator finds the answers sufficient: skip Detailed Research. */
  onSkip?: () => void;
  onReset: () => void;
}) {
  const file = skillPath(settings, skill, "context/clarifications.json");
  const [data, setData] = useState<Clarifications | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [missing, setMissing] = useState<Set<string>>(new Set());
  const [saving, setSaving] = useState(false);
  const [check, setCheck] = useState<Check>({ kind: "idle" });
  // The last verdict stays on the questions while the user changes answers after it.
  const [lastEvaluation, setLastEvaluation] = useState<AnswerEvaluation | null>(null);
  const checkRun = useRef(0);

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

  // Leaving the gate abandons a running check.
  useEffect(
    () => () => {
      checkRun.current++;
    },
    [],
  );

  const save = async (c: Clarifications) => {
    await invoke("write_file", { path: file, content: JSON.stringify(c, null, 2) + "\n" });
  };

  /** Any change of the answers makes an earlier verdict stale. */
  const forgetCheck = () => {
    checkRun.current++;
    setCheck({ kind: "idle" });
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
    forgetCheck();
  };

  const useRecommended = async () => {
    if (!data) return;
    setSaving(true);
    setError(null);
    forgetCheck();
    try {
      await save(data);
      const commands = mode === "questions" ? ["autofill_clarifications"] : mode === "refinements" ? ["autofill_refinements"] : ["autofill_clarifications", "autofill_refinements"];
      let n = 0;
      for (const c of commands) n += await invoke<number>(c, { skillName: skill });
      await load();
      setMissing(new Set());
      setNotice(n > 0 ? `Filled ${n} unanswered question${n === 1 ? "" : "s"} with the recommended answer.` : "Every question already has an answer.");
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  /** Saves the answers, then asks the answer evaluator for its verdict. */
  const submit = async () => {
    if (!data) return;
    const need = gateQuestions(data, mode)
      .filter(({ q }) => q.must_answer && !answered(q))
      .map(({ q }) => q.id);
    if (need.length) {
      setMissing(new Set(need));
      setError(new ApiError("invalid_input", `Answer the required question${need.length > 1 ? "s" : ""} ${need.join(", ")} (or use the recommended answers).`, 0));
      focusQuestion(need[0]);
      return;
    }
    const run = ++checkRun.current;
    setError(null);
    setNotice(null);
    setCheck({ kind: "running", since: Date.now() - 50 });
    try {
      await save(data);
    } catch (e) {
      setCheck({ kind: "idle" });
      setError(e);
      return;
    }
    try {
      const evaluation = await runAnswerEvaluator(skill, settings, () => run !== checkRun.current);
      if (run === checkRun.current) {
        setCheck({ kind: "done", evaluation });
        setLastEvaluation(evaluation);
      }
    } catch (e) {
      if (run === checkRun.current) setCheck({ kind: "failed", message: e instanceof Error ? e.message : String(e) });
    }
  };

  /** Brings the question into view and puts the keyboard on its first answer. */
  const focusQuestion = (id: string) => {
    requestAnimationFrame(() => {
      const box = document.querySelector<HTMLElement>(`fieldset[data-question="${CSS.escape(id)}"]`);
      if (!box) return;
      box.scrollIntoView({ block: "center", behavior: "smooth" });
      box.querySelector<HTMLElement>("input, textarea")?.focus({ preventScroll: true });
    });
  };

  const decide = (verdict: string, decision: "continue" | "skip" | "revise") => {
    invoke("log_gate_decision", { skillName: skill, verdict, decision }).catch(() => {});
  };

  // The evaluator's own output while it checks (kept by the app, see state/agents.ts).
  const evaluatorRun = useAgentRuns((all) =>
    check.kind === "running" ? latest(all, (r) => r.kind === "gate-eval" && r.skill === skill && r.startedAt >= check.since) : null,
  );
  const list = data ? gateQuestions(data, mode) : [];
  const scopeTooBroad = data?.metadata?.scope_recommendation === true;
  const checking = check.kind === "running";
  const verdicts = new Map((lastEvaluation?.per_question ?? []).map((p) => [p.question_id, p] as const));
  const staleVerdicts = check.kind !== "done";
  const title = mode === "questions" ? "Answer the research questions" : mode === "refinements" ? "Answer the follow-up questions" : "Change your answers";
  const label = mode === "questions" ? "Clarification questions" : mode === "refinements" ? "Refinement questions" : "All answers";

  return (
    <section className="panel gate" aria-label={label}>
      <h2>{title}</h2>
      <p className="muted">
        {mode === "all"
          ? "Change the answers that contradict each other, then run Confirm Decisions again. The research and your other answers are kept."
          : "Your answers shape the skill. Pick a choice for each question, or use the recommended answers and adjust what you disagree with."}
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
          <button type="button" className="btn" disabled={saving || busy || checking} onClick={useRecommended}>
            Use recommended answers
          </button>
        </div>
      )}
      {data && list.length === 0 && <p className="muted">No {mode === "refinements" ? "follow-up questions" : "questions"} this time — you can continue.</p>}
      {data && (
        <div className="questions">
          {list.map(({ q, parent, section }) => {
            const other = q.choices?.find((c) => c.is_other);
            const otherSelected = !!other && q.answer_choice === other.id;
            const invalid = missing.has(q.id);
            const v = verdicts.get(q.id);
            return (
              <fieldset key={q.id} className={`question ${invalid ? "invalid" : ""} ${v ? `judged-${v.verdict}` : ""}`} aria-invalid={invalid || undefined} data-question={q.id} disabled={checking}>
                <legend>
                  <span className="qid">{q.id}</span> {q.title || q.text}
                  {q.must_answer && <span className="req"> (required)</span>}
                  {v && (
                    <span
                      className={`verdict verdict-${v.verdict} ${staleVerdicts ? "verdict-stale" : ""}`}
                      data-verdict={v.verdict}
                      title={staleVerdicts ? "From the last answer check" : undefined}
                    >
                      {VERDICT_LABELS[v.verdict] ?? v.verdict}
                      {contradictsText(v.contradicts)}
                    </span>
                  )}
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
      {data && check.kind === "running" && (
        <div className="row gap-s">
          <Spinner label="Checking your answers…" />
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => {
              checkRun.current++;
              setCheck({ kind: "failed", message: "the check was stopped" });
            }}
          >
            Stop the check
          </button>
        </div>
      )}
      {data && check.kind === "running" && evaluatorRun && <AgentRunView run={evaluatorRun} label="Answer check output" />}
      {data && check.kind === "done" && (
        <AnswerCheck
          evaluation={check.evaluation}
          titles={titlesById(data)}
          nextLabel={nextLabel}
          busy={busy}
          onContinue={() => {
            decide(check.evaluation.verdict, "continue");
            onContinue();
          }}
          onSkip={
            onSkip &&
            (() => {
              decide(check.evaluation.verdict, "skip");
              onSkip();
            })
          }
          onRevise={() => {
            decide(check.evaluation.verdict, "revise");
            forgetCheck();
          }}
        />
      )}
      {data && check.kind === "failed" && (
        <div className="alert alert-info" role="alert" aria-label="Answer check unavailable">
          <strong>The answer check could not run ({check.message}).</strong>
          <p>It is only advice: you can continue without it, or change your answers and try again.</p>
          <div className="row gap-s">
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => {
                decide(VERDICT_UNAVAILABLE, "continue");
                onContinue();
              }}
            >
              {nextLabel}
            </button>
            <button type="button" className="btn btn-ghost" onClick={forgetCheck}>
              Change answers
            </button>
          </div>
        </div>
      )}
      {data && (
        <div className="gate-footer" role="group" aria-label="Answers">
          <span className="gate-count" data-testid="answered-count">
            {list.filter(({ q }) => answered(q)).length}/{list.length} answered
          </span>
          {check.kind === "idle" && (
            <>
              <span className="muted" aria-hidden="true">
                ·
              </span>
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
            </>
          )}
        </div>
      )}
    </section>
  );
}

/** The evaluator's verdict: overall, per question, and what the user can do next. */
function AnswerCheck({
  evaluation,
  titles,
  nextLabel,
  busy,
  onContinue,
  onSkip,
  onRevise,
}: {
  evaluation: AnswerEvaluation;
  titles: Map<string, string>;
  nextLabel: string;
  busy: boolean;
  onContinue: () => void;
  onSkip?: () => void;
  onRevise: () => void;
}) {
  const contradictions = evaluation.per_question.filter((p) => p.verdict === "contradictory");
  const sufficient = evaluation.verdict === "sufficient" && contradictions.length === 0;
  const count = (v: QuestionVerdict) => evaluation.per_question.filter((p) => p.verdict === v).length;
  return (
    <section className={`alert ${contradictions.length ? "alert-error" : sufficient ? "alert-success" : "alert-info"} answer-check`} aria-label="Answer check">
      <h3>
        Answer check: <span data-testid="answer-verdict">{OVERALL_LABELS[evaluation.verdict] ?? evaluation.verdict}</span>
      </h3>
      {evaluation.reasoning && <p>{evaluation.reasoning}</p>}
      <p className="small muted">
        {count("clear") + count("needs_refinement")} clear, {count("vague")} vague, {count("contradictory")} contradictory, {count("not_answered")} not answered
      </p>
      <ul className="verdict-list" aria-label="Verdict per question">
        {evaluation.per_question.map((p) => (
          <li key={p.question_id} data-question={p.question_id} data-verdict={p.verdict}>
            <span className="qid">{p.question_id}</span> {titles.get(p.question_id) ?? ""}:{" "}
            <span className={`verdict verdict-${p.verdict}`}>{VERDICT_LABELS[p.verdict] ?? p.verdict}</span>
            {contradictsText(p.contradicts)}
          </li>
        ))}
      </ul>
      {contradictions.length > 0 ? (
        <>
          <p className="alert-next">
            Some answers contradict each other ({contradictions.map((c) => c.question_id).join(", ")}). Change them so they agree, then continue.
          </p>
          <div className="row gap-s">
            <button type="button" className="btn btn-primary" onClick={onRevise}>
              Change answers
            </button>
          </div>
        </>
      ) : sufficient ? (
        <>
          <p className="alert-next">
            {onSkip
              ? "Your answers are sufficient: you can skip Detailed Research and go straight to Confirm Decisions."
              : "Your answers are sufficient."}
          </p>
          <div className="row gap-s">
            {onSkip && (
              <button type="button" className="btn btn-primary" disabled={busy} onClick={onSkip}>
                Skip detailed research
              </button>
            )}
            <button type="button" className={`btn ${onSkip ? "" : "btn-primary"}`} disabled={busy} onClick={onContinue}>
              {nextLabel}
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="alert-next">Some answers are missing or vague. Improve them for a better skill, or continue anyway.</p>
          <div className="row gap-s">
            <button type="button" className="btn btn-primary" onClick={onRevise}>
              Change answers
            </button>
            <button type="button" className="btn" disabled={busy} onClick={onContinue}>
              Continue anyway
            </button>
          </div>
        </>
      )}
    </section>
  );
}
