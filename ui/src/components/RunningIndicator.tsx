// "Agents running" in the navigation: the runs the app saw start (with a link to each), and the
// backend's own answer (`has_running_agents` without a session = any agent of the app), which
// also covers agents started before this page was loaded.

import { useEffect, useState } from "react";
import { invoke } from "../api/transport";
import { Link } from "../router";
import { useAgentRuns, type AgentRun } from "../state/agents";
import { ofFour } from "../state/labels";

function whereTo(r: AgentRun): { to: string; text: string } | null {
  if (!r.skill) return null;
  const s = encodeURIComponent(r.skill);
  switch (r.kind) {
    case "step":
      return { to: `/skills/${s}/build`, text: `${r.skill}: ${r.step != null ? ofFour(r.step) : "build"}` };
    case "gate-eval":
      return { to: `/skills/${s}/build`, text: `${r.skill}: answer check` };
    case "refine":
      return { to: `/skills/${s}?tab=refine`, text: `${r.skill}: refine` };
    case "test-with":
    case "test-without":
    case "test-eval":
      return { to: `/skills/${s}?tab=test`, text: `${r.skill}: test` };
    default:
      return null;
  }
}

/** The backend's answer, asked every 5 s and whenever `seen` (the runs the app saw) changes. */
export function useBackendRunning(seen: number): boolean {
  const [running, setRunning] = useState(false);
  useEffect(() => {
    let alive = true;
    const check = () =>
      invoke<boolean>("has_running_agents", {})
        .then((v) => alive && setRunning(!!v))
        .catch(() => {});
    check();
    const t = setInterval(check, 5000);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [seen]);
  return running;
}

export function RunningIndicator({ compact = false }: { compact?: boolean }) {
  const running = useAgentRuns((all) => all.filter((r) => r.status === "running"));
  const count = running.length;
  const backend = useBackendRunning(count);
  const links = new Map<string, { to: string; text: string }>();
  for (const r of running) {
    const w = whereTo(r);
    if (w) links.set(w.to + w.text, w);
  }
  if (count === 0 && !backend) return null;
  const title = count ? `${count === 1 ? "1 agent" : `${count} agents`} running` : "Agents running";
  if (compact) {
    return (
      <span className="running-dot" role="status" aria-label={title} title={title}>
        <span className="dot" aria-hidden="true" />
        {count || ""}
      </span>
    );
  }
  return (
    <div className="running" role="status" aria-label="Running agents">
      <p className="running-title">
        <span className="dot" aria-hidden="true" /> {title}
      </p>
      <ul>
        {Array.from(links, ([k, w]) => (
          <li key={k}>
            <Link to={w.to}>{w.text}</Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
