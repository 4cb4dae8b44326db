// Refine chat: a session per skill, messages to the refine agent, its live stream and the diff.

import { useEffect, useRef, useState, type FormEvent } from "react";
import { invoke, subscribe } from "../api/transport";
import type { AgentExitEvent, AgentMessageEvent, AppSettings, RefineDiff, RefineSessionInfo } from "../api/types";
import { AgentStream, streamItems, type StreamItem } from "../components/AgentStream";
import { UnifiedText } from "../components/DiffView";
import { ErrorBox, Notice } from "../components/ErrorBox";

interface Turn {
  user: string;
  command: string;
  agentId: string | null;
  items: StreamItem[];
  done: boolean;
}

export function RefinePanel({ skill, settings }: { skill: string; settings: AppSettings }) {
  const workspacePath = settings.workspace_path ?? "";
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

  const loadDiff = () =>
    invoke<RefineDiff>("get_refine_diff", { skillName: skill, workspacePath })
      .then(setDiff)
      .catch(setError);

  useEffect(() => {
    const offMsg = subscribe<AgentMessageEvent>("agent-message", (p) => {
      const items = streamItems(p.message);
      if (!items.length) return;
      setTurns((ts) => ts.map((t) => (t.agentId === p.agent_id ? { ...t, items: [...t.items, ...items] } : t)));
    });
    const offExit = subscribe<AgentExitEvent>("agent-exit", (p) => {
      let mine = false;
      setTurns((ts) =>
        ts.map((t) => {
          if (t.agentId !== p.agent_id) return t;
          mine = true;
          return { ...t, done: true };
        }),
      );
      if (mine || p.agent_id.startsWith(`refine-${skill}-`)) loadDiff();
    });
    return () => {
      offMsg();
      offExit();
      // Leaving the page keeps the changes: close without discarding.
      if (sessionRef.current) invoke("close_refine_session", { sessionId: sessionRef.current.session_id }).catch(() => {});
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [skill]);

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
    const turn: Turn = { user: text.trim(), command, agentId: null, items: [], done: false };
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
      setTurns((ts) => ts.map((t) => (t === turn ? { ...t, done: true } : t)));
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
      {!session ? (
        <button type="button" className="btn btn-primary" disabled={busy} onClick={start}>
          Start refine session
        </button>
      ) : (
        <>
          <ol className="chat" aria-label="Refine conversation">
            {turns.map((t, i) => (
              <li key={i} className="turn">
                <p className="bubble-user">
                  <span className="tag">{t.command}</span> {t.user}
                </p>
                <AgentStream items={t.items} running={!t.done} label={`Agent reply ${i + 1}`} />
              </li>
            ))}
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
            <button type="submit" className="btn btn-primary" disabled={!text.trim()}>
              Send
            </button>
          </form>
          <section className="refine-diff" aria-label="Changes since the last version">
            <div className="row gap-s">
              <h2>Changes</h2>
              <span className="muted">{diff?.stat ?? ""}</span>
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
          <div className="row gap-s">
            <button type="button" className="btn" onClick={() => close(false)}>
              Keep changes and close
            </button>
            <button type="button" className="btn btn-danger" onClick={() => close(true)}>
              Discard changes
            </button>
          </div>
        </>
      )}
    </div>
  );
}
