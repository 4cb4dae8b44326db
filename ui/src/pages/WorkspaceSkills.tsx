// Workspace skills: skills deployed for the agents, switched on and off here.

import { useState } from "react";
import { invoke } from "../api/transport";
import { useCommand } from "../api/hooks";
import type { WorkspaceSkill } from "../api/types";
import { ErrorBox, Spinner } from "../components/ErrorBox";
import { Link } from "../router";

export function WorkspaceSkillsPage() {
  const { data, error, loading, reload } = useCommand<WorkspaceSkill[]>("list_workspace_skills");
  const [actionError, setActionError] = useState<unknown>(null);
  const [pending, setPending] = useState<string | null>(null);

  const toggle = async (s: WorkspaceSkill) => {
    setActionError(null);
    setPending(s.skill_id);
    try {
      await invoke("toggle_skill_active", { skillId: s.skill_id, active: !s.is_active });
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setPending(null);
    }
  };

  return (
    <div className="page">
      <header className="page-head">
        <h1>Workspace skills</h1>
        <Link className="btn" to="/import">
          Import a skill
        </Link>
      </header>
      <p className="muted">Skills the agents can use while building. Only one active skill per purpose; activating one deactivates the other.</p>
      <ErrorBox error={actionError} onDismiss={() => setActionError(null)} />
      <ErrorBox error={error} onRetry={reload} />
      {loading && !data && <Spinner label="Loading workspace skills…" />}
      {data && data.length === 0 && <p className="muted">No workspace skills yet.</p>}
      {data && data.length > 0 && (
        <table className="table" aria-label="Workspace skills">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Purpose</th>
              <th scope="col">Version</th>
              <th scope="col">Origin</th>
              <th scope="col">Active</th>
            </tr>
          </thead>
          <tbody>
            {data.map((s) => (
              <tr key={s.skill_id} data-skill={s.skill_name}>
                <td>
                  <span className="strong">{s.skill_name}</span>
                  {s.description && <div className="muted small clamp">{s.description}</div>}
                </td>
                <td>{s.purpose ?? "—"}</td>
                <td>{s.version ?? "—"}</td>
                <td className="small">{s.is_bundled ? "bundled" : s.marketplace_source_url ?? "uploaded"}</td>
                <td>
                  <label className="switch">
                    <input type="checkbox" role="switch" checked={s.is_active} disabled={pending === s.skill_id} onChange={() => toggle(s)} aria-label={`Active: ${s.skill_name}`} />
                    <span>{s.is_active ? "On" : "Off"}</span>
                  </label>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
