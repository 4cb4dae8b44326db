// An agent's live output (text, tool calls, results, errors) and the line above it that says how
// long it has run, what it cost so far, and lets the user stop it.

import { useEffect, useRef, useState } from "react";
import { formatCost, formatElapsed, formatTokens, plural, useNow, type AgentRun } from "../state/agents";

export { streamItems, type StreamItem } from "../state/agents";
import type { StreamItem } from "../state/agents";

export function AgentStream({ items, running, label }: { items: StreamItem[]; running: boolean; label: string }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "nearest" });
  }, [items.length]);
  return (
    <section className="stream" aria-label={label} aria-live="polite">
      {items.length === 0 && <p className="muted">{running ? "Waiting for the agent…" : "No output."}</p>}
      <ol className="stream-list">
        {items.map((it, i) => (
          <li key={i} className={`stream-${it.kind}`}>
            {it.kind === "tool" ? (
              <>
                <span className="tool-name">{it.text}</span> <code>{it.detail}</code>
              </>
            ) : (
              it.text
            )}
          </li>
        ))}
        {running && (
          <li className="stream-info" ref={end}>
            <span className="spinner" aria-hidden="true" /> working…
          </li>
        )}
      </ol>
    </section>
  );
}

function costText(run: AgentRun): string {
  if (run.mock) return "no cost (mock agents)";
  if (run.cost != null) return formatCost(run.cost);
  if (run.tokens === 0) return "";
  return `≈ ${formatCost(run.estimatedCost)} so far`;
}

/** "Running · 0:42 · ≈ $0.03 so far · 12k tokens  [Stop]", then how the run ended. */
export function RunMeter({ run, onStop, label }: { run: AgentRun; onStop?: () => Promise<void> | void; label?: string }) {
  const running = run.status === "running";
  const now = useNow(running);
  const [stopping, setStopping] = useState(false);
  const elapsed = run.endedAt != null || running ? formatElapsed((run.endedAt ?? now) - run.startedAt) : null;
  const cost = costText(run);
  const parts: string[] = [];
  if (running) {
    parts.push("Running");
    if (elapsed) parts.push(elapsed);
  } else {
    const verb = run.status === "completed" ? "Finished" : run.status === "stopped" ? "Stopped" : "Failed";
    parts.push(elapsed ? `${verb} ${run.status === "completed" ? "in" : "after"} ${elapsed}` : verb);
  }
  if (cost) parts.push(cost);
  if (run.tokens) parts.push(formatTokens(run.tokens));
  if (!running && run.turns != null) parts.push(plural(run.turns, "turn"));
  const stop = async () => {
    if (!onStop) return;
    setStopping(true);
    try {
      await onStop();
    } finally {
      setStopping(false);
    }
  };
  return (
    <div className={`run-meter run-${run.status}`} role="status" aria-label={label ?? "Agent run"} data-status={run.status}>
      {running && <span className="spinner" aria-hidden="true" />}
      <span className="run-meter-text">{parts.join(" · ")}</span>
      {running && onStop && (
        <button type="button" className="btn btn-small btn-danger" disabled={stopping} onClick={stop}>
          {stopping ? "Stopping…" : "Stop"}
        </button>
      )}
    </div>
  );
}

/** A run's meter and output together; an optional title names it ("With the skill"). */
export function AgentRunView({ run, label, title, onStop }: { run: AgentRun; label: string; title?: string; onStop?: () => Promise<void> | void }) {
  return (
    <div className="agent-run">
      {title && <h3 className="agent-run-title">{title}</h3>}
      <RunMeter run={run} onStop={onStop} label={`${label} status`} />
      <AgentStream items={run.items} running={run.status === "running"} label={label} />
    </div>
  );
}
