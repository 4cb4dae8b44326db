// Desktop close: the window never closes itself. On `close-requested` we ask when agents are
// still running, then call `graceful_shutdown` and destroy the window (lifecycle §6.3).

import { useEffect, useRef, useState } from "react";
import { destroyWindow, invoke, subscribe } from "../api/transport";

/** Agent ids that streamed and have not exited yet (tracked for the whole app). */
function useRunningAgents() {
  const running = useRef(new Set<string>());
  useEffect(() => {
    const offs = [
      subscribe<{ agent_id: string }>("agent-message", (p) => p.agent_id && running.current.add(p.agent_id)),
      subscribe<{ agent_id: string }>("agent-exit", (p) => running.current.delete(p.agent_id)),
      subscribe<{ agent_id: string }>("agent-shutdown", (p) => running.current.delete(p.agent_id)),
    ];
    return () => offs.forEach((o) => o());
  }, []);
  return running;
}

export function CloseGuard() {
  const running = useRunningAgents();
  const [asking, setAsking] = useState(false);
  const [closing, setClosing] = useState(false);

  const close = async () => {
    setClosing(true);
    try {
      await invoke("graceful_shutdown");
    } catch (e) {
      console.error("graceful_shutdown failed; closing anyway", e);
    }
    await destroyWindow();
  };

  useEffect(
    () =>
      subscribe("close-requested", () => {
        if (running.current.size > 0) setAsking(true);
        else close();
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  if (!asking) return null;
  return (
    <div className="modal-backdrop">
      <div className="modal" role="alertdialog" aria-modal="true" aria-labelledby="close-title">
        <h2 id="close-title">Agents are still running</h2>
        <p>Closing stops them; their step will have to run again. What do you want to do?</p>
        <div className="row gap-s">
          <button type="button" className="btn" autoFocus disabled={closing} onClick={() => setAsking(false)}>
            Stay
          </button>
          <button type="button" className="btn btn-danger" disabled={closing} onClick={close}>
            {closing ? "Closing…" : "Close anyway"}
          </button>
        </div>
      </div>
    </div>
  );
}
