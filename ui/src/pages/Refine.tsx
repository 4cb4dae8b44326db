// Refine chat: a session per skill, messages to the refine agent, its live output (kept by the
// app: state/agents.ts) with Stop, and the changes made so far.

import { useEffect, useRef, useState, type FormEvent } from "react";
import { invoke } from "../api/transport";
import type { AppSettings, RefineDiff, RefineSessionInfo } from "../api/types";
import { AgentRunView, AgentStream } from "../components/AgentStream";
import { diffTextStat, UnifiedText } from "../components/DiffView";
import { ErrorBox, Notice } from "../components/ErrorBox";
import { latest, stopAgents, useAgentRuns } from "../state/agents";
import { NeedsSkillMd, useHasSkillMd } from "./SkillTest";

interface Turn {
  user: string;
  command: string;
  agentId: string | null;
  failed: boolean;
}

export function RefinePanel({ skill, settings }: { skill: string; settings: AppSettings }) {
  const workspacePath = settings.workspace_path ?? "";
  const hasSkillMd = useHasSkillMd(skill, settings);
  const [session, setSession] = useState<RefineSessionInfo | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [text, setText] = useState("");
  const [command, setCommand] = useState("refine");
  const [error, setError] = useState<unknown>(null);
  const [diff, setDiff] = useState<RefineDiff | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sessionRef = useRef<RefineSessionInfo | null>(null);
  sessionRef.current = session;
  const openedAt = useRef(Date.now());

  const ids = new Set(turns.map((t) => t.agentId).filter(Boolean));
  const runs = useAgentRuns((all) => all.filter((r) => ids.has(r.id)));
  // A refine agent of this skill still running from an earlier visit of the page.
  const earlier = useAgentRuns((all) => latest(all, (r) => r.kind === "refine" && r.skill === skill && r.status === "running" && r.startedAt < openedAt.current));
  const runOf = (id: string | null) => runs.find((r) => r.id === id) ?? null;
  const anyRunning = runs.some((r) => r.status === "running");

  const loadDiff = () =>
    invoke<RefineDiff>("get_refine_diff", { skillName: skill, workspacePath })
      .then(setDiff)
      .catch(setError);

  // The diff follows each reply as it ends.
  const ended = runs.filter((r) => r.status !== "running").length;
  useEffect(() => {
    if (session && ended > 0) loadDiff();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ended]);

  useEffect(
    () => () => {
      // Leaving the page keeps the changes: close without discarding.
      if (sessionRef.current) invoke("close_refine_session", { sessionId: sessionRef.current.session_id }).catch(() => {});
    },
    [skill],
  );

  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      setSession(await invoke<RefineSessionInfo>("start_refine_session", { skillName: skill, workspacePath }));
      setNotice(null);
      loadDiff();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!session || !text.trim()) return;
    setError(null);
    const turn: Turn = { user: text.trim(), command, agentId: null, failed: false };
    setTurns((ts) => [...ts, turn]);
    setText("");
    try {
      const agentId = await invoke<string>("send_refine_message", {
        sessionId: session.session_id,
        userMessage: turn.user,
        workspacePath,
        command,
      });
      setTurns((ts) => ts.map((t) => (t === turn ? { ...t, agentId } : t)));
    } catch (err) {
      setError(err);
      setTurns((ts) => ts.map((t) => (t === turn ? { ...t, failed: true } : t)));
    }
  };

  const stop = async () => {
    setError(null);
    try {
      await stopAgents(skill);
    } catch (e) {
      setError(e);
    }
  };

  const close = async (discard: boolean) => {
    if (!session) return;
    setError(null);
    try {
      await invoke("close_refine_session", { sessionId: session.session_id, discard });
      setSession(null);
      setTurns([]);
      setDiff(null);
      setNotice(discard ? "Session closed; the changes were discarded." : "Session closed; the changes were kept and recorded in the history.");
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="refine">
      <p className="muted">Ask the refine agent to change the skill; it edits the files and you review the diff before keeping it.</p>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {notice && <Notice>{notice}</Notice>}
      {hasSkillMd === false && <NeedsSkillMd skill={skill} what="refine it" />}
      {earlier && !session && (
        <section aria-label="Refine agent still running">
          <h3>A refine reply is still being written</h3>
          <AgentRunView run={earlier} label="Refine agent output" onStop={stop} />
        </section>
      )}
      {!session ? (
        <button type="button" className="btn btn-primary" disabled={busy || hasSkillMd !== true} onClick={start}>
          Start refine session
        </button>
      ) : (
        <>
          <ol className="chat" aria-label="Refine conversation">
            {turns.map((t, i) => {
              const run = runOf(t.agentId);
              return (
                <li key={i} className="turn">
                  <p className="bubble-user">
                    <span className="tag">{t.command}</span> {t.user}
                  </p>
                  {run ? (
                    <AgentRunView run={run} label={`Agent reply ${i + 1}`} onStop={stop} />
                  ) : (
                    <AgentStream items={[]} running={!t.failed} label={`Agent reply ${i + 1}`} />
                  )}
                </li>
              );
            })}
          </ol>
          <form className="chat-form" onSubmit={send}>
            <label>
              Command
              <select value={command} onChange={(e) => setCommand(e.target.value)}>
                <option value="refine">Refine</option>
                <option value="rewrite">Rewrite</option>
                <option value="validate">Validate</option>
              </select>
            </label>
            <label className="grow">
              Message to the refine agent
              <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. Add an example for fiscal calendars" />
            </label>
            <button type="submit" className="btn btn-primary" disabled={!text.trim() || anyRunning}>
              Send
            </button>
          </form>
          <section className="refine-diff" aria-label="Changes since the last version">
            <div className="row gap-s wrap">
              <h2>Changes</h2>
              <span className="muted">{diff ? diffTextStat(diff.files) : ""}</span>
              <button type="button" className="btn btn-small btn-ghost" onClick={loadDiff}>
                Refresh diff
              </button>
            </div>
            {diff?.files.map((f) => (
              <details key={f.path} open className="diff-file">
                <summary>
                  <span className={`badge badge-${f.status}`}>{f.status}</span> {f.path}
                </summary>
                <UnifiedText text={f.diff} label={f.path} />
              </details>
            ))}
          </section>
          <div className="row gap-s wrap">
            <button type="button" className="btn" disabled={anyRunning} onClick={() => close(false)}>
              Keep changes and close
            </button>
            <button type="button" className="btn btn-danger" disabled={anyRunning} onClick={() => close(true)}>
              Discard changes
            </button>
          </div>
        </>
      )}
    </div>
  );
}
