// Installs of one library skill into agents (issue 17): install into Claude Code, Codex,
// Copilot or any skills folder (user or project scope), the list of installs with their state,
// Sync and Uninstall. A copy changed by hand is only replaced or removed when the user says so,
// and then it is moved to a backup folder first.

import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError, invoke } from "../api/transport";
import { useAsync } from "../api/hooks";
import { KNOWN_AGENTS, type AgentInstall, type InstallResult, type InstallState, type SyncOutcome, type SyncResult, type UninstallResult } from "../api/types";
import { ErrorBox, Notice, Spinner } from "./ErrorBox";

const CUSTOM = "custom";

export const INSTALL_STATE_LABEL: Record<InstallState, string> = {
  current: "Current",
  outdated: "Outdated",
  changed_by_hand: "Changed by hand",
  missing: "Missing",
};

const OUTCOME_LABEL: Record<SyncOutcome, string> = {
  updated: "updated",
  up_to_date: "already current",
  changed_by_hand: "changed by hand: left as it is",
  replaced: "replaced (the changed copy was backed up)",
  missing: "missing: left gone",
  reinstalled: "installed again",
  not_in_library: "no longer in the library: left as it is",
  failed: "failed",
};

function agentLabel(agent: string) {
  return KNOWN_AGENTS.find((a) => a.value === agent)?.label ?? agent;
}

function scopeLabel(i: { scope: string }) {
  return i.scope === "user" ? "User" : i.scope === "project" ? "Project" : "Folder";
}

/** The folder holding the install: `uninstall_from_agent` finds the record by `dir/<skill>`. */
function parentDir(path: string) {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i > 0 ? path.slice(0, i) : path;
}

/** A conflict over one of the listed installs that is changed by hand (as opposed to a folder
 * the app never wrote, which is never replaced): the user may then force it, with a backup. */
function changedByHand(e: unknown, candidates: AgentInstall[]) {
  return e instanceof ApiError && e.kind === "conflict" && candidates.some((i) => i.state === "changed_by_hand");
}

export function InstallPanel({ skill, startOpen = false }: { skill: string; startOpen?: boolean }) {
  const installs = useAsync(() => invoke<AgentInstall[]>("list_agent_installs", { skillName: skill }), [skill]);
  const [agent, setAgent] = useState("claude-code");
  const [scope, setScope] = useState<"user" | "project">("user");
  const [project, setProject] = useState("");
  const [dir, setDir] = useState("");
  const [label, setLabel] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [forceable, setForceable] = useState<null | { what: string; run: () => Promise<void>; over: AgentInstall[] }>(null);
  const [syncResults, setSyncResults] = useState<SyncResult[] | null>(null);
  const agentSelect = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    if (startOpen) agentSelect.current?.focus();
  }, [startOpen]);

  const list = installs.data ?? [];
  const known = KNOWN_AGENTS.find((a) => a.value === agent);
  const placement = (): Record<string, unknown> => {
    if (!known) return { agent: label.trim() || CUSTOM, dir: dir.trim() };
    return scope === "project" ? { agent, projectPath: project.trim() } : { agent };
  };
  const where = known ? (scope === "project" ? `${project.trim() || "<project>"}/${known.project}/${skill}` : `${known.user}/${skill}`) : `${dir.trim() || "<folder>"}/${skill}`;
  const missingInput = known ? scope === "project" && !project.trim() : !dir.trim();

  const act = async (what: string, fn: () => Promise<void>, retry?: { what: string; run: () => Promise<void>; over: AgentInstall[] }) => {
    setBusy(what);
    setError(null);
    setNotice(null);
    setForceable(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
      if (retry && changedByHand(e, retry.over)) setForceable(retry);
    } finally {
      setBusy(null);
      installs.reload();
    }
  };

  const install = (force: boolean) => async () => {
    const r = await invoke<InstallResult>("install_to_agent", { skillName: skill, ...placement(), ...(force ? { force: true } : {}) });
    setNotice(`Installed into ${agentLabel(r.agent)} at ${r.path}.${r.backup ? ` The copy changed by hand was moved to ${r.backup}.` : ""}`);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (missingInput) return;
    const agentName = known ? agent : label.trim() || CUSTOM;
    const over = list.filter((i) => i.agent === agentName && i.scope === (known ? scope : "dir"));
    act("Installing…", install(false), { what: "Replace the changed copy (keeps a backup)", run: install(true), over });
  };

  const uninstall = (i: AgentInstall, force: boolean) => async () => {
    const r = await invoke<UninstallResult>("uninstall_from_agent", { skillName: skill, agent: i.agent, dir: parentDir(i.path), ...(force ? { force: true } : {}) });
    setNotice(`Uninstalled from ${agentLabel(r.agent)} (${r.path}).${r.backup ? ` The copy changed by hand was moved to ${r.backup}.` : ""}`);
  };

  const sync = (force: boolean) => async () => {
    const r = await invoke<SyncResult[]>("sync_agent_installs", { skillName: skill, ...(force ? { force: true } : {}) });
    setSyncResults(r);
    const attention = r.filter((x) => ["changed_by_hand", "missing", "not_in_library", "failed"].includes(x.outcome));
    if (r.length === 0) setNotice("Nothing to sync: the skill is not installed anywhere.");
    else if (attention.length === 0) setNotice(`Sync done: ${r.length} install${r.length === 1 ? "" : "s"} at the library's version.`);
  };

  const needsForce = syncResults?.some((x) => x.outcome === "changed_by_hand" || x.outcome === "missing") ?? false;

  return (
    <section className="installs" aria-labelledby="installs-title">
      <h2 id="installs-title">Installs into agents</h2>
      <p className="muted">
        A copy of the skill's deployable files (never <code>context/</code> or <code>evals/</code>) in a folder an agent loads skills from. Copies
        changed by hand are never overwritten without asking.
      </p>

      <form className="form panel install-form" onSubmit={submit} aria-label="Install into an agent">
        <div className="grid2">
          <label>
            Agent
            <select ref={agentSelect} value={agent} onChange={(e) => setAgent(e.target.value)}>
              {KNOWN_AGENTS.map((a) => (
                <option key={a.value} value={a.value}>
                  {a.label}
                </option>
              ))}
              <option value={CUSTOM}>Another agent (a skills folder)</option>
            </select>
          </label>
          {known ? (
            <fieldset className="segmented">
              <legend>Scope</legend>
              <label>
                <input type="radio" name="install-scope" checked={scope === "user"} onChange={() => setScope("user")} /> User
              </label>
              <label>
                <input type="radio" name="install-scope" checked={scope === "project"} onChange={() => setScope("project")} /> Project
              </label>
            </fieldset>
          ) : (
            <label>
              Agent name (optional)
              <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="custom" spellCheck={false} />
            </label>
          )}
          {known && scope === "project" && (
            <label>
              Project folder
              <input value={project} onChange={(e) => setProject(e.target.value)} placeholder="/path/to/project" spellCheck={false} />
            </label>
          )}
          {!known && (
            <label>
              Skills folder
              <input value={dir} onChange={(e) => setDir(e.target.value)} placeholder="/path/to/agent/skills" spellCheck={false} />
            </label>
          )}
        </div>
        <p className="help">
          Goes to <code>{where}</code>
        </p>
        <div className="row gap-s">
          <button type="submit" className="btn btn-primary" disabled={!!busy || missingInput}>
            Install into {known ? known.label : "this folder"}
          </button>
        </div>
      </form>

      {busy && <Spinner label={busy} />}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {forceable && (
        <div className="row gap-s">
          <button type="button" className="btn btn-danger" onClick={() => act("Replacing…", forceable.run)}>
            {forceable.what}
          </button>
        </div>
      )}
      {notice && <Notice>{notice}</Notice>}

      <div className="row gap-s wrap installs-head">
        <h3>Where it is installed</h3>
        <button type="button" className="btn" onClick={() => act("Syncing…", sync(false))} disabled={!!busy || list.length === 0}>
          Sync
        </button>
        <button type="button" className="btn btn-ghost" onClick={installs.reload} disabled={!!busy}>
          Refresh
        </button>
      </div>
      <ErrorBox error={installs.error} onRetry={installs.reload} />
      {installs.loading && !installs.data && <Spinner label="Loading installs…" />}
      {installs.data && list.length === 0 && <p className="muted">Not installed into any agent yet.</p>}
      {list.length > 0 && (
        <table className="table" aria-label="Installs">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Scope</th>
              <th scope="col">Folder</th>
              <th scope="col">State</th>
              <th scope="col">Installed</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.path} data-path={i.path}>
                <td data-label="Agent">{agentLabel(i.agent)}</td>
                <td data-label="Scope">{scopeLabel(i)}</td>
                <td data-label="Folder" className="small break">
                  <code>{i.path}</code>
                </td>
                <td data-label="State">
                  <span className={`badge badge-install-${i.state}`}>{INSTALL_STATE_LABEL[i.state] ?? i.state}</span>
                  {!i.in_library && <div className="muted small">No longer in the library</div>}
                </td>
                <td data-label="Installed" className="small">
                  {new Date(i.installed_at).toLocaleString()}
                </td>
                <td className="actions">
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={`Uninstall from ${agentLabel(i.agent)} (${scopeLabel(i).toLowerCase()})`}
                    disabled={!!busy}
                    onClick={() => act("Uninstalling…", uninstall(i, false), { what: "Uninstall anyway (keeps a backup)", run: uninstall(i, true), over: [i] })}
                  >
                    Uninstall
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {syncResults && syncResults.length > 0 && (
        <div className="sync-results" role="status" aria-label="Sync results">
          <ul>
            {syncResults.map((r) => (
              <li key={r.path}>
                <strong>{agentLabel(r.agent)}</strong> <code className="small">{r.path}</code>: {OUTCOME_LABEL[r.outcome] ?? r.outcome}
                {r.backup && <span className="muted"> (backup: {r.backup})</span>}
                {r.message && <div className="help">{r.message}</div>}
              </li>
            ))}
          </ul>
          {needsForce && (
            <button type="button" className="btn btn-danger" onClick={() => act("Syncing…", sync(true))} disabled={!!busy}>
              Sync and replace changed copies (keeps backups)
            </button>
          )}
        </div>
      )}
    </section>
  );
}
