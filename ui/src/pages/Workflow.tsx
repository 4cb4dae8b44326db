// The build workflow of one skill: steps 1–4 (`step_id` 0–3) with the agent's live output, and
// the gates between them (questions after Research, follow-ups after Detailed Research, the
// decisions after Confirm Decisions). The output belongs to the app (state/agents.ts): leaving a
// running step and coming back shows everything streamed so far.

import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, invoke, subscribe } from "../api/transport";
import { getSettings, skillPath } from "../api/hooks";
import { STEP_NAMES, type AgentExitEvent, type AgentInitErrorEvent, type AppSettings, type WorkflowState } from "../api/types";
import { AgentRunView, AgentStream } from "../components/AgentStream";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { MarkdownView } from "../components/Markdown";
import { Link, navigate, useQuery } from "../router";
import { allRuns, latest, latestTranscript, replayTranscript, stopAgents, useAgentRuns } from "../state/agents";
import { ofFour, stateLabel, stateTone, stepLabel } from "../state/labels";
import { ClarificationsGate } from "./Gate";

function uuid(): string {
  const c: Crypto = window.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Phase =
  | { kind: "loading" }
  | { kind: "ready"; next: number } // waiting for the user before running step `next`
  | { kind: "running"; step: number }
  | { kind: "failed"; step: number }
  | { kind: "done" }
  | { kind: "no-run" };

function stepStatus(state: WorkflowState | null, id: number): string {
  return state?.steps.find((s) => s.step_id === id)?.status ?? "pending";
}

/** Where the workflow stands according to the backend. */
function phaseOf(state: WorkflowState): Phase {
  if (!state.run) return { kind: "no-run" };
  if (state.run.status === "completed" || stepStatus(state, 3) === "completed") return { kind: "done" };
  const running = state.steps.find((s) => s.status === "in_progress");
  if (running) return { kind: "running", step: running.step_id };
  const cur = Math.min(3, Math.max(0, state.run.current_step));
  if (stepStatus(state, cur) === "error") return { kind: "failed", step: cur };
  return { kind: "ready", next: cur };
}

/** How a step's state reads in the step list. */
const STEP_WORDS: Record<string, string> = {
  completed: "completed",
  in_progress: "running",
  pending: "not started",
  waiting_for_user: "waiting for you",
  error: "failed",
  skipped: "skipped",
  stopped: "stopped",
};

/**
 * The workflow session and skill lock of each skill, kept by the app rather than the page: a
 * step keeps running when the user leaves its page, so both are let go only when the page is
 * closed with nothing running, or when the step that ran without its page ends.
 */
interface Hold {
  session: string | null;
  locked: boolean;
  mounted: boolean;
}
const holds = new Map<string, Hold>();

function holdOf(skill: string): Hold {
  let h = holds.get(skill);
  if (!h) {
    h = { session: null, locked: false, mounted: false };
    holds.set(skill, h);
  }
  return h;
}

function letGo(skill: string) {
  const h = holds.get(skill);
  if (!h || h.mounted) return;
  if (h.session) invoke("end_workflow_session", { sessionId: h.session }).catch(() => {});
  if (h.locked) invoke("release_lock", { skillName: skill }).catch(() => {});
  holds.delete(skill);
}

// A step that ends while its page is closed lets go of its session and lock.
let watchingHolds = false;
function watchHolds() {
  if (watchingHolds) return;
  watchingHolds = true;
  const ended = (p: { agent_id?: string }) => {
    const m = /^(.+)-step\d-\d+$/.exec(p?.agent_id ?? "");
    if (m) letGo(m[1]);
  };
  subscribe<{ agent_id: string }>("agent-exit", ended);
  subscribe<{ agent_id: string }>("agent-shutdown", ended);
}

export function WorkflowPage({ skill }: { skill: string }) {
  const query = useQuery();
  const [settings, setSettings] = useState<AppSettings | null>(null);
  const [state, setState] = useState<WorkflowState | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [shownStep, setShownStep] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const [resetAsk, setResetAsk] = useState<{ step: number; files: string[] } | null>(null);
  const [exists, setExists] = useState(true);
  const [skipNote, setSkipNote] = useState(false);
  // Runs of a step that started before this time are not shown (the step was reset or re-run).
  const [hiddenBefore, setHiddenBefore] = useState<Record<number, number>>({});

  const phaseRef = useRef(phase);
  phaseRef.current = phase;
  const autostarted = useRef(false);
  const finishing = useRef(false);

  const stepRuns = useAgentRuns((all) =>
    [0, 1, 2, 3].map((id) => latest(all, (r) => r.kind === "step" && r.skill === skill && r.step === id && r.startedAt >= (hiddenBefore[id] ?? 0))),
  );

  const refresh = useCallback(async () => {
    const st = await invoke<WorkflowState>("get_workflow_state", { skillName: skill });
    setState(st);
    return st;
  }, [skill]);

  // The page holds the skill's session and lock while it is open (see `holds`).
  useEffect(() => {
    watchHolds();
    const h = holdOf(skill);
    h.mounted = true;
    return () => {
      h.mounted = false;
      if (phaseRef.current.kind !== "running") letGo(skill);
    };
  }, [skill]);

  // Initial load.
  useEffect(() => {
    let alive = true;
    (async () => {
      try {
        const [s, st] = await Promise.all([getSettings(), refresh()]);
        if (!alive) return;
        setSettings(s);
        if (!st.run) {
          const all = await invoke<{ name: string }[]>("list_skills", { workspacePath: s.workspace_path ?? "" }).catch(() => []);
          if (alive) setExists(all.some((x) => x.name === skill));
        }
        const p = phaseOf(st);
        setPhase(p);
        if (p.kind === "running") setShownStep(p.step);
      } catch (e) {
        if (alive) {
          setError(e);
          setPhase({ kind: "no-run" });
        }
      }
    })();
    return () => {
      alive = false;
    };
  }, [refresh, skill]);

  /** After a step's agent ended: read the recorded outcome and move on. */
  const finish = useCallback(
    async (step: number, exitSuccess: boolean | null) => {
      if (finishing.current) return;
      finishing.current = true;
      try {
        let st = await refresh();
        // The backend records completion before `agent-exit`; allow a moment all the same.
        for (let i = 0; i < 10 && stepStatus(st, step) === "in_progress"; i++) {
          await sleep(300);
          st = await refresh();
        }
        const status = stepStatus(st, step);
        if (status === "completed") {
          setPhase(step === 3 ? { kind: "done" } : { kind: "ready", next: step + 1 });
        } else if (status === "in_progress") {
          // Still running (we were told too early): keep waiting.
          setPhase({ kind: "running", step });
        } else {
          setPhase({ kind: "failed", step });
          // A step the user stopped is not an error to explain.
          const run = latest(allRuns(), (r) => r.kind === "step" && r.skill === skill && r.step === step);
          if (run?.status !== "stopped") {
            setError(new ApiError("agent", exitSuccess === false ? `${stepLabel(step)} failed.` : `${stepLabel(step)} ended without its output files.`, 0));
          }
        }
      } catch (e) {
        setError(e);
      } finally {
        finishing.current = false;
      }
    },
    [refresh, skill],
  );

  // A step of this skill ended (or its sidecar was stopped).
  useEffect(() => {
    const re = new RegExp(`^${skill.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&")}-step(\\d)-`);
    const offExit = subscribe<AgentExitEvent>("agent-exit", (p) => {
      const m = re.exec(p.agent_id ?? "");
      if (!m) return;
      const step = Number(m[1]);
      const ph = phaseRef.current;
      if (ph.kind === "running" && ph.step === step) finish(step, p.success);
    });
    const offShutdown = subscribe<{ agent_id: string }>("agent-shutdown", (p) => {
      const m = re.exec(p.agent_id ?? "");
      if (m) finish(Number(m[1]), false);
    });
    const offInit = subscribe<AgentInitErrorEvent>("agent-init-error", (p) => {
      if (phaseRef.current.kind === "running") {
        setError(new ApiError("agent", `${p.message}${p.fix_hint ? ` — ${p.fix_hint}` : ""}`, 0));
      }
    });
    return () => {
      offExit();
      offShutdown();
      offInit();
    };
  }, [skill, finish]);

  // Fallback when an event is missed (stream reconnecting): poll while a step runs.
  useEffect(() => {
    if (phase.kind !== "running") return;
    const step = phase.step;
    const t = setInterval(async () => {
      try {
        const st = await invoke<WorkflowState>("get_workflow_state", { skillName: skill });
        const s = stepStatus(st, step);
        if (s === "completed" || s === "error") finish(step, s === "completed");
      } catch {
        /* the next tick retries */
      }
    }, 2000);
    return () => clearInterval(t);
  }, [phase, skill, finish]);

  const runStep = useCallback(
    async (step: number) => {
      setError(null);
      setStarting(true);
      const hold = holdOf(skill);
      try {
        if (!hold.locked) {
          await invoke("acquire_lock", { skillName: skill });
          hold.locked = true;
        }
        if (!hold.session) {
          const id = uuid();
          await invoke("create_workflow_session", { sessionId: id, skillName: skill });
          hold.session = id;
        }
        setHiddenBefore((h) => ({ ...h, [step]: Date.now() - 50 }));
        setShownStep(step);
        setPhase({ kind: "running", step });
        await invoke<string>("run_workflow_step", {
          skillName: skill,
          stepId: step,
          workspacePath: settings?.workspace_path ?? undefined,
          workflowSessionId: hold.session,
        });
        // Very fast agents may already have ended before the id came back.
        const st = await refresh();
        const s = stepStatus(st, step);
        if (s === "completed" || s === "error") finish(step, s === "completed");
      } catch (e) {
        setError(e);
        try {
          const st = await refresh();
          setPhase(phaseOf(st));
        } catch {
          setPhase({ kind: "failed", step });
        }
      } finally {
        setStarting(false);
      }
    },
    [skill, settings, refresh, finish],
  );

  // `?autostart=1` (right after creating the skill) starts step 1 (Research) at once.
  useEffect(() => {
    if (autostarted.current || !settings) return;
    if (query.get("autostart") === "1" && phase.kind === "ready" && phase.next === 0) {
      autostarted.current = true;
      navigate(`/skills/${encodeURIComponent(skill)}/build`, { replace: true });
      runStep(0);
    }
  }, [phase, settings, query, skill, runStep]);

  // A step shown without its whole output in the app (the page was loaded after it started, or
  // it ran earlier): fill it in from the step's latest transcript, once per step.
  const replayed = useRef(new Set<number>());
  const replay = useCallback(
    async (step: number, running: boolean) => {
      if (!settings || replayed.current.has(step)) return;
      replayed.current.add(step);
      try {
        const file = await latestTranscript(settings.workspace_path ?? "", skill, `step${step}`);
        if (file) await replayTranscript(file, running);
      } catch {
        /* no transcript: the output stays as it is */
      }
    },
    [settings, skill],
  );

  const running = phase.kind === "running";
  const current = shownStep ?? (phase.kind === "ready" ? Math.max(0, phase.next - 1) : phase.kind === "failed" ? phase.step : 3);
  const shownRun = stepRuns[current];
  useEffect(() => {
    if (phase.kind === "loading" || phase.kind === "no-run") return;
    const runningHere = phase.kind === "running" && phase.step === current;
    const ranBefore = stepStatus(state, current) !== "pending" || phase.kind === "done" || runningHere;
    if (ranBefore && !shownRun?.complete && !(current in hiddenBefore)) replay(current, runningHere);
  }, [current, phase, state, shownRun, hiddenBefore, replay]);

  const askReset = async (step: number) => {
    setError(null);
    try {
      const preview = await invoke<{ step_id: number; files: string[] }[]>("preview_step_reset", {
        skillName: skill,
        fromStepId: step,
        workspacePath: settings?.workspace_path ?? undefined,
      });
      setResetAsk({ step, files: preview.flatMap((p) => p.files) });
    } catch (e) {
      setError(e);
    }
  };

  /** Hides the output of steps `from`…4 (their files are gone). */
  const hideFrom = (from: number) => {
    const now = Date.now();
    setHiddenBefore((h) => {
      const n = { ...h };
      for (let id = from; id <= 3; id++) n[id] = now;
      return n;
    });
  };

  const doReset = async (step: number) => {
    setError(null);
    try {
      await invoke("reset_workflow_step", { skillName: skill, fromStepId: step, workspacePath: settings?.workspace_path ?? "" });
      setResetAsk(null);
      const st = await refresh();
      setPhase(phaseOf(st));
      hideFrom(step);
    } catch (e) {
      setError(e);
    }
  };

  /** The answer check found the answers sufficient: Detailed Research is recorded as done
   * without running (no step needs its output), and Confirm Decisions runs next. */
  const skipDetailedResearch = async () => {
    setError(null);
    try {
      await invoke("save_workflow_state", {
        skillName: skill,
        currentStep: 2,
        status: "pending",
        purpose: state?.run?.purpose ?? "domain",
        stepStatuses: [
          { step_id: 0, status: "completed" },
          { step_id: 1, status: "completed" },
          { step_id: 2, status: "pending" },
        ],
      });
      setSkipNote(true);
    } catch (e) {
      setError(e);
      return;
    }
    await runStep(2);
  };

  /** Confirm Decisions again from the current answers; steps 1 and 2 (research) are kept. */
  const rerunDecisions = async () => {
    setError(null);
    try {
      await invoke("reset_workflow_step", { skillName: skill, fromStepId: 2, workspacePath: settings?.workspace_path ?? "" });
      hideFrom(2);
    } catch (e) {
      setError(e);
      return;
    }
    await runStep(2);
  };

  const stop = async () => {
    setError(null);
    try {
      await stopAgents(skill);
    } catch (e) {
      setError(e);
    }
  };

  const failedRun = phase.kind === "failed" ? stepRuns[phase.step] : null;
  const stopped = failedRun?.status === "stopped";
  const headline =
    phase.kind === "done"
      ? "Built"
      : running
        ? stateLabel({ status: "pending", current_step: phase.step }, [{ step_id: phase.step, status: "in_progress" }])
        : phase.kind === "failed"
          ? stopped
            ? `Stopped at ${ofFour(phase.step)}`
            : stateLabel({ status: "pending", current_step: phase.step }, [{ step_id: phase.step, status: "error" }])
          : state?.run
            ? stateLabel(state.run, state.steps)
            : "—";

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <p className="crumbs">
            <Link to="/">Skills</Link> / <Link to={`/skills/${encodeURIComponent(skill)}`}>{skill}</Link>
          </p>
          <h1>Build “{skill}”</h1>
        </div>
        <div className="row gap-s">
          <span>State:</span>
          <span data-testid="workflow-status">
            <span className={`badge badge-${stateTone(headline)}`}>{headline}</span>
          </span>
        </div>
      </header>

      <div className="workflow">
        <aside className="steps" aria-label="Workflow steps">
          <ol>
            {STEP_NAMES.map((name, id) => {
              const st = running && phase.step === id ? "in_progress" : phase.kind === "done" ? "completed" : stepStatus(state, id);
              const s = id === 1 && skipNote && st === "completed" ? "skipped" : st === "error" && stepRuns[id]?.status === "stopped" ? "stopped" : st;
              const words = STEP_WORDS[s] ?? s.replace(/_/g, " ");
              return (
                <li key={id} className={`step step-${s} ${current === id ? "step-current" : ""}`} data-step={id} data-status={s}>
                  <button type="button" className="step-btn" onClick={() => setShownStep(id)} aria-label={`Step ${id + 1}: ${name} — ${words}`}>
                    <span className="step-num">{s === "completed" ? "✓" : s === "error" ? "!" : id + 1}</span>
                    <span className="step-name">{name}</span>
                    <span className="step-state">{words}</span>
                  </button>
                  {s === "completed" && !running && (
                    <button type="button" className="link small" onClick={() => askReset(id)} aria-label={`Reset from step ${id + 1}`}>
                      reset from here
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
        </aside>

        <section className="workflow-main">
          <ErrorBox error={error} onDismiss={() => setError(null)} />
          {skipNote && phase.kind !== "done" && (
            <Notice tone="info">Detailed Research skipped: the answer check found your answers sufficient.</Notice>
          )}
          {error instanceof ApiError && error.kind === "invalid_input" && (
            <p className="small">
              Missing API key or folder? Set it in <Link to="/settings">Settings</Link> (or turn on mock agents there), then run the step again.
            </p>
          )}
          {resetAsk && (
            <div className="alert alert-info" role="alertdialog" aria-label="Confirm reset">
              <strong>Reset to {stepLabel(resetAsk.step, false)}?</strong>
              <p>
                This deletes the outputs of {resetAsk.step === 3 ? stepLabel(3, false) : `steps ${resetAsk.step + 1}–4`}
                {resetAsk.files.length ? `: ${resetAsk.files.join(", ")}` : ""}. A checkpoint is committed to the history first, so you can restore it later.
              </p>
              <div className="row gap-s">
                <button type="button" className="btn btn-danger btn-small" onClick={() => doReset(resetAsk.step)}>
                  Reset
                </button>
                <button type="button" className="btn btn-ghost btn-small" onClick={() => setResetAsk(null)}>
                  Cancel
                </button>
              </div>
            </div>
          )}

          {phase.kind === "loading" && <Spinner label="Loading the workflow…" />}
          {phase.kind === "no-run" && !error && !exists && (
            <div className="alert alert-info" role="status">
              <strong>There is no skill named “{skill}”.</strong>
              <p>
                What to do next: pick it from the <Link to="/">skills library</Link>, or <Link to="/create">create it</Link>.
              </p>
            </div>
          )}
          {phase.kind === "no-run" && !error && exists && (
            <div className="alert alert-info" role="status">
              <strong>This skill has no build workflow.</strong>
              <p>It was imported rather than built here. Open it to see its files and history.</p>
              <Link to={`/skills/${encodeURIComponent(skill)}`}>Open the skill</Link>
            </div>
          )}

          {phase.kind === "done" && (
            <Notice>
              <strong>Skill built.</strong> SKILL.md and its references are ready.{" "}
              <Link to={`/skills/${encodeURIComponent(skill)}?tab=files`}>Open the skill files</Link>
            </Notice>
          )}

          {phase.kind === "failed" && (
            <div className="panel">
              <h2>
                {stepLabel(phase.step)} {stopped ? "was stopped" : "failed"}
              </h2>
              <p>
                {stopped
                  ? "You stopped the agent before it finished. Its partial output is below; run the step again when you are ready."
                  : "Check the agent output below, fix the cause (API key, model, settings), then run it again."}
              </p>
              <button type="button" className="btn btn-primary" disabled={starting} onClick={() => runStep(phase.step)}>
                {stopped ? "Run" : "Retry"} step {phase.step + 1}
              </button>
            </div>
          )}

          {phase.kind === "ready" && phase.next === 0 && (
            <div className="panel">
              <h2>{stepLabel(0)}</h2>
              <p>The research agent studies the domain and writes the questions you will answer next.</p>
              <button type="button" className="btn btn-primary" disabled={starting || !settings} onClick={() => runStep(0)}>
                Start research
              </button>
            </div>
          )}
          {phase.kind === "ready" && (phase.next === 1 || phase.next === 2) && settings && (
            <ClarificationsGate
              key={phase.next}
              skill={skill}
              settings={settings}
              mode={phase.next === 1 ? "questions" : "refinements"}
              nextLabel={`Continue to ${STEP_NAMES[phase.next]}`}
              busy={starting}
              onContinue={() => runStep(phase.next)}
              onSkip={phase.next === 1 ? skipDetailedResearch : undefined}
              onReset={() => askReset(0)}
            />
          )}
          {phase.kind === "ready" && phase.next === 3 && settings && (
            <DecisionsReview
              skill={skill}
              settings={settings}
              busy={starting}
              onContinue={() => runStep(3)}
              onRerun={rerunDecisions}
              onResetResearch={() => askReset(0)}
            />
          )}

          <h2 className="stream-title">Agent output — {stepLabel(current, false)}</h2>
          {shownRun ? (
            <AgentRunView
              run={shownRun}
              label={`Agent output of step ${current + 1}`}
              onStop={running && phase.step === current ? stop : undefined}
            />
          ) : (
            <AgentStream items={[]} running={running && phase.step === current} label={`Agent output of step ${current + 1}`} />
          )}
        </section>
      </div>
    </div>
  );
}

/** `text` with the frontmatter line `contradictory_inputs: true` turned into `revised`. */
export function markRevised(text: string): { text: string; changed: boolean } {
  const lines = text.split("\n");
  if (lines[0]?.trim() !== "---") return { text, changed: false };
  for (let i = 1; i < lines.length && lines[i].trim() !== "---"; i++) {
    if (lines[i].trim() === "contradictory_inputs: true") {
      lines[i] = lines[i].replace("contradictory_inputs: true", "contradictory_inputs: revised");
      return { text: lines.join("\n"), changed: true };
    }
  }
  return { text, changed: false };
}

/**
 * The review after Confirm Decisions. The user can edit decisions.md (saving an edit of
 * contradictory decisions marks them `revised`, which unblocks Generate), or change the answers
 * and re-run Confirm Decisions; the research (steps 1 and 2) is kept either way.
 */
function DecisionsReview({
  skill,
  settings,
  busy,
  onContinue,
  onRerun,
  onResetResearch,
}: {
  skill: string;
  settings: AppSettings;
  busy: boolean;
  onContinue: () => void;
  onRerun: () => void;
  onResetResearch: () => void;
}) {
  const path = skillPath(settings, skill, "context/decisions.md");
  const [text, setText] = useState<string | null>(null);
  const [blocked, setBlocked] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [view, setView] = useState<"read" | "edit" | "answers">("read");
  const [draft, setDraft] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    try {
      const [t, disabled] = await Promise.all([
        invoke<string>("read_file", { filePath: path }),
        invoke<number[]>("get_disabled_steps", { skillName: skill }),
      ]);
      setText(t);
      setBlocked(disabled.includes(3));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [path, skill]);

  useEffect(() => {
    load();
  }, [load]);

  const verdict = blocked ? "decisions-contradictory" : "decisions-reviewed";
  const generate = () => {
    invoke("log_gate_decision", { skillName: skill, verdict, decision: "continue" }).catch(() => {});
    onContinue();
  };
  const rerun = () => {
    invoke("log_gate_decision", { skillName: skill, verdict, decision: "rerun" }).catch(() => {});
    onRerun();
  };

  const saveEdit = async () => {
    setSaving(true);
    setError(null);
    try {
      // Saving edited contradictory decisions is the user's resolution of the conflict.
      const { text: content, changed } = blocked ? markRevised(draft) : { text: draft, changed: false };
      await invoke("write_file", { path, content });
      await load();
      setView("read");
      setNotice(
        changed
          ? "Decisions saved and marked as revised (contradictory_inputs: revised): the skill is generated from them as they are now."
          : "Decisions saved.",
      );
      invoke("log_gate_decision", { skillName: skill, verdict, decision: "edited" }).catch(() => {});
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  if (view === "answers") {
    return (
      <>
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setView("read")}>
          Back to the decisions
        </button>
        <ClarificationsGate
          skill={skill}
          settings={settings}
          mode="all"
          nextLabel="Re-run Confirm Decisions"
          busy={busy}
          onContinue={rerun}
          onReset={onResetResearch}
        />
      </>
    );
  }

  return (
    <div className="panel" role="region" aria-label="Decisions">
      <h2>Review the decisions</h2>
      <p className="muted">These decisions, drawn from your answers, drive the skill that is generated next.</p>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {notice && <Notice>{notice}</Notice>}
      {blocked && (
        <div className="alert alert-error" role="alert" aria-label="Contradictory decisions">
          <strong>Some of your answers contradict each other.</strong>
          <p>Confirm Decisions could not settle them, so the skill cannot be generated from these decisions yet.</p>
          <p className="alert-next">
            <span className="muted">What to do next: </span>
            edit the decisions to settle the conflict (saving marks them revised), or change the contradicting answers and re-run Confirm Decisions. Your research and answers are kept either way.
          </p>
        </div>
      )}
      {text == null && !error && <Spinner label="Loading decisions…" />}
      {text != null && view === "read" && (
        <MarkdownView text={text} label="decisions.md" />
      )}
      {text != null && view === "edit" && (
        <>
          <label className="field">
            Edit decisions.md
            <textarea className="decisions-edit" value={draft} onChange={(e) => setDraft(e.target.value)} spellCheck={false} />
          </label>
          <div className="row gap-s">
            <button type="button" className="btn btn-primary" disabled={saving || draft === text} onClick={saveEdit}>
              Save decisions
            </button>
            <button type="button" className="btn btn-ghost" disabled={saving} onClick={() => setView("read")}>
              Cancel
            </button>
          </div>
        </>
      )}
      {text != null && view === "read" && (
        <>
          <div className="row gap-s">
            <button type="button" className="btn btn-primary" disabled={busy || blocked} onClick={generate}>
              Generate skill
            </button>
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() => {
                setDraft(text);
                setNotice(null);
                setView("edit");
              }}
            >
              Edit decisions
            </button>
            <button type="button" className="btn" disabled={busy} onClick={() => setView("answers")}>
              Change answers
            </button>
            <button type="button" className="btn btn-ghost" disabled={busy} onClick={rerun}>
              Re-run Confirm Decisions
            </button>
          </div>
          <p className="small muted">
            Re-running Confirm Decisions writes decisions.md again from your current answers; the research and your answers are kept, and the current decisions are saved in the history first.
          </p>
        </>
      )}
    </div>
  );
}
