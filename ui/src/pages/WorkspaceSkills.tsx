// Workspace skills: skills deployed for the agents, switched on and off here; each can be
// viewed (its SKILL.md), given a purpose slot, exported as a ZIP, or deleted.

import { useEffect, useRef, useState } from "react";
import { invoke } from "../api/transport";
import { useCommand } from "../api/hooks";
import { WORKSPACE_PURPOSES, type WorkspaceSkill } from "../api/types";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { baseName, downloadFile } from "../components/FileDownload";
import { Link } from "../router";

export function WorkspaceSkillsPage() {
  const { data, error, loading, reload } = useCommand<WorkspaceSkill[]>("list_workspace_skills");
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [viewing, setViewing] = useState<{ name: string; content?: string; error?: unknown } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const viewPanel = useRef<HTMLElement>(null);
  // The SKILL.md opens below the table: bring it into view.
  useEffect(() => {
    if (viewing?.name) viewPanel.current?.scrollIntoView?.({ block: "nearest" });
  }, [viewing?.name]);

  const run = async (s: WorkspaceSkill, fn: () => Promise<string | void>) => {
    setActionError(null);
    setNotice(null);
    setPending(s.skill_id);
    try {
      const msg = await fn();
      if (msg) setNotice(msg);
      reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setPending(null);
    }
  };

  const toggle = (s: WorkspaceSkill) => run(s, () => invoke("toggle_skill_active", { skillId: s.skill_id, active: !s.is_active }));

  const setPurpose = (s: WorkspaceSkill, purpose: string) =>
    run(s, async () => {
      await invoke("set_workspace_skill_purpose", { skillId: s.skill_id, purpose: purpose || null });
      const label = WORKSPACE_PURPOSES.find((p) => p.value === purpose)?.label;
      return label ? `“${s.skill_name}” now has the purpose ${label.toLowerCase()} (one active skill per purpose: another active holder is switched off).` : `“${s.skill_name}” has no purpose now.`;
    });

  const exportZip = (s: WorkspaceSkill) =>
    run(s, async () => {
      const path = await invoke<string>("export_skill", { skillName: s.skill_name });
      await downloadFile(path, baseName(path) || `${s.skill_name}.zip`);
      return `Exported “${s.skill_name}” as ${baseName(path)}.`;
    });

  const remove = (s: WorkspaceSkill) =>
    run(s, async () => {
      await invoke("delete_imported_skill", { skillId: s.skill_id });
      setConfirmDelete(null);
      if (viewing?.name === s.skill_name) setViewing(null);
      return `Deleted “${s.skill_name}”.`;
    });

  const view = async (s: WorkspaceSkill) => {
    if (viewing?.name === s.skill_name) {
      setViewing(null);
      return;
    }
    setViewing({ name: s.skill_name });
    try {
      const content = await invoke<string>("get_skill_content", { skillName: s.skill_name });
      setViewing({ name: s.skill_name, content });
    } catch (e) {
      setViewing({ name: s.skill_name, error: e });
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
      {notice && <Notice>{notice}</Notice>}
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
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.map((s) => (
              <tr key={s.skill_id} data-skill={s.skill_name}>
                <td data-label="Name">
                  <span className="strong">{s.skill_name}</span>
                  {s.description && <div className="muted small clamp">{s.description}</div>}
                </td>
                <td data-label="Purpose">
                  <select
                    aria-label={`Purpose of ${s.skill_name}`}
                    value={s.purpose ?? ""}
                    disabled={pending === s.skill_id}
                    onChange={(e) => setPurpose(s, e.target.value)}
                  >
                    <option value="">None</option>
                    {WORKSPACE_PURPOSES.map((p) => (
                      <option key={p.value} value={p.value}>
                        {p.label}
                      </option>
                    ))}
                    {s.purpose && !WORKSPACE_PURPOSES.some((p) => p.value === s.purpose) && <option value={s.purpose}>{s.purpose}</option>}
                  </select>
                </td>
                <td data-label="Version">{s.version ?? "—"}</td>
                <td data-label="Origin" className="small break">
                  {s.is_bundled ? "bundled" : s.marketplace_source_url ?? "uploaded"}
                </td>
                <td data-label="Active">
                  <label className="switch">
                    <input type="checkbox" role="switch" checked={s.is_active} disabled={pending === s.skill_id} onChange={() => toggle(s)} aria-label={`Active: ${s.skill_name}`} />
                    <span>{s.is_active ? "On" : "Off"}</span>
                  </label>
                </td>
                <td className="actions">
                  <div className="row gap-s wrap">
                    <button type="button" className="btn btn-small" aria-expanded={viewing?.name === s.skill_name} aria-label={`View ${s.skill_name}`} onClick={() => view(s)}>
                      View
                    </button>
                    <button type="button" className="btn btn-small" aria-label={`Export ${s.skill_name}`} disabled={pending === s.skill_id} onClick={() => exportZip(s)}>
                      Export
                    </button>
                    {confirmDelete === s.skill_id ? (
                      <>
                        <button type="button" className="btn btn-small btn-danger" disabled={pending === s.skill_id} onClick={() => remove(s)}>
                          Confirm delete
                        </button>
                        <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirmDelete(null)}>
                          Cancel
                        </button>
                      </>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-small btn-ghost"
                        aria-label={`Delete ${s.skill_name}`}
                        disabled={s.is_bundled || pending === s.skill_id}
                        title={s.is_bundled ? "Bundled skills cannot be deleted; switch them off instead." : undefined}
                        onClick={() => setConfirmDelete(s.skill_id)}
                      >
                        Delete
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {viewing && (
        <section ref={viewPanel} className="panel ws-view" aria-label={`SKILL.md of ${viewing.name}`}>
          <div className="row gap-s">
            <h2 className="grow">{viewing.name} — SKILL.md</h2>
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setViewing(null)}>
              Close
            </button>
          </div>
          <ErrorBox error={viewing.error} />
          {viewing.content == null && !viewing.error && <Spinner label="Reading SKILL.md…" />}
          {viewing.content != null && <pre className="file-view">{viewing.content}</pre>}
        </section>
      )}
    </div>
  );
}
