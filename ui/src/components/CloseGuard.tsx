// Desktop close: the window never closes itself. On `close-requested` we ask when agents are
// still running, then call `graceful_shutdown` and destroy the window (lifecycle §6.3).

import { useEffect, useState } from "react";
import { destroyWindow, invoke, subscribe } from "../api/transport";
import { allRuns } from "../state/agents";

export function CloseGuard() {
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
        // The app's record of runs (state/agents.ts) knows every agent that has not ended.
        if (allRuns().some((r) => r.status === "running")) setAsking(true);
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
