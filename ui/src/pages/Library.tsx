// Skills library: search, tag / status / source filters, and the way into each skill.

import { useMemo, useState } from "react";
import { invoke } from "../api/transport";
import { getSettings, useAsync } from "../api/hooks";
import type { SkillSummary } from "../api/types";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { SharePanel } from "../components/SharePanel";
import { Link, navigate } from "../router";
import { stateTone } from "../state/labels";

/** `list_skills` items carry the state in words (`state_label`, one-based steps). */
type Summary = SkillSummary & { state_label?: string };

/** A run status in words, for places that only have the status. */
export function statusLabel(s: { status: string | null }) {
  switch (s.status) {
    case "completed":
      return "Built";
    case "in_progress":
      return "Running";
    case "pending":
      return "Not finished";
    case "error":
      return "Failed";
    default:
      return s.status ?? "—";
  }
}

/** The state badge: the backend's words (`label`) when known, else the run status in words. */
export function StatusBadge({ status, label }: { status: string | null | undefined; label?: string | null }) {
  const text = label || statusLabel({ status: status ?? null });
  return <span className={`badge badge-${label ? stateTone(label) : (status ?? "none")}`}>{text}</span>;
}

function stateOf(s: Summary): string {
  return s.state_label || statusLabel(s);
}

async function loadLibrary() {
  const settings = await getSettings();
  const [skills, tags] = await Promise.all([
    invoke<Summary[]>("list_skills", { workspacePath: settings.workspace_path ?? "" }),
    invoke<string[]>("get_all_tags").catch(() => [] as string[]),
  ]);
  return { skills, tags, settings };
}

export function LibraryPage() {
  const { data, error, loading, reload } = useAsync(loadLibrary, []);
  const [q, setQ] = useState("");
  const [tag, setTag] = useState("");
  const [status, setStatus] = useState("");
  const [source, setSource] = useState("");
  const [confirm, setConfirm] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Sharing lives here: publishing shares this library, and pulled skills appear in this list.
  const [sharing, setSharing] = useState(false);

  const states = useMemo(() => Array.from(new Set((data?.skills ?? []).map((s) => stateOf(s).replace(/ \d\/\d.*$/, "")))).sort(), [data]);
  const sources = useMemo(() => Array.from(new Set((data?.skills ?? []).map((s) => s.skill_source ?? s.source ?? "").filter(Boolean))).sort(), [data]);
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (data?.skills ?? []).filter((s) => {
      if (needle && !`${s.name} ${s.display_name ?? ""} ${s.description ?? ""} ${s.tags.join(" ")}`.toLowerCase().includes(needle)) return false;
      if (tag && !s.tags.includes(tag)) return false;
      if (status && !stateOf(s).startsWith(status)) return false;
      if (source && (s.skill_source ?? s.source ?? "") !== source) return false;
      return true;
    });
  }, [data, q, tag, status, source]);

  const remove = async (name: string) => {
    setActionError(null);
    try {
      await invoke("delete_skill", { workspacePath: data?.settings.workspace_path ?? "", name });
      setNotice(`Deleted '${name}'.`);
      setConfirm(null);
      reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <div className="page">
      <header className="page-head">
        <h1>Skills library</h1>
        <div className="row gap-s">
          <button type="button" className="btn" aria-expanded={sharing} aria-controls="share-panel" onClick={() => setSharing((o) => !o)}>
            Share with team
          </button>
          <button type="button" className="btn btn-primary" onClick={() => navigate("/create")}>
            Create skill
          </button>
        </div>
      </header>
      {sharing && <SharePanel known={(data?.skills ?? []).map((s) => s.name)} onChanged={reload} />}
      <div className="filters" role="search">
        <label>
          Search skills
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name, description or tag" />
        </label>
        <label>
          Tag
          <select value={tag} onChange={(e) => setTag(e.target.value)}>
            <option value="">All tags</option>
            {(data?.tags ?? []).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any state</option>
            {states.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select value={source} onChange={(e) => setSource(e.target.value)}>
            <option value="">Any source</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      {notice && <Notice>{notice}</Notice>}
      <ErrorBox error={actionError} onDismiss={() => setActionError(null)} />
      {loading && !data && <Spinner label="Loading skills…" />}
      <ErrorBox error={error} onRetry={reload} />
      {data && data.skills.length === 0 && (
        <div className="empty">
          <p>No skills yet.</p>
          <p>
            <Link to="/create">Create a skill</Link> with the guided workflow, or <Link to="/import">import</Link> one.
          </p>
          {!sharing && (
            <p>
              Your team shares skills through git?{" "}
              <button type="button" className="btn btn-small" onClick={() => setSharing(true)}>
                Pull the team's skills
              </button>
            </p>
          )}
        </div>
      )}
      {data && data.skills.length > 0 && (
        <table className="table table-cards" aria-label="Skills">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Source</th>
              <th scope="col">Tags</th>
              <th scope="col">Modified</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.name} data-skill={s.name}>
                <td>
                  <Link to={`/skills/${encodeURIComponent(s.name)}`} className="strong">
                    {s.display_name || s.name}
                  </Link>
                  {s.description && <div className="muted small clamp">{s.description}</div>}
                </td>
                <td data-label="State">
                  <StatusBadge status={s.status} label={s.state_label} />
                </td>
                <td data-label="Source">{s.skill_source ?? s.source ?? "—"}</td>
                <td data-label="Tags">
                  {s.tags.length === 0 && <span className="muted">—</span>}
                  {s.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </td>
                <td className="small" data-label="Modified">
                  {s.last_modified ? new Date(s.last_modified).toLocaleString() : "—"}
                </td>
                <td className="actions">
                  {s.status !== "completed" && (s.skill_source ?? "skill-builder") === "skill-builder" && (
                    <Link className="btn btn-small" to={`/skills/${encodeURIComponent(s.name)}/build`}>
                      Continue build
                    </Link>
                  )}
                  {confirm === s.name ? (
                    <>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => remove(s.name)}>
                        Confirm delete
                      </button>
                      <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirm(null)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <button type="button" className="btn btn-small btn-ghost" aria-label={`Delete ${s.name}`} onClick={() => setConfirm(s.name)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No skill matches these filters. Clear the search or pick another tag, state or source.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}
