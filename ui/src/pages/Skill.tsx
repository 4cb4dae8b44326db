// One skill: its actions (download, rename, details, validate, install, delete), its files,
// its version history (diff, restore), the refine chat, skill tests, its installs into agents and its evals.

import { useEffect, useMemo, useState } from "react";
import { invoke } from "../api/transport";
import { getSettings, useAsync } from "../api/hooks";
import type { AppSettings, FileDiff, SkillCommit, SkillDetails, SkillFileEntry } from "../api/types";
import { DiffView } from "../components/DiffView";
import { FileContent } from "../components/Markdown";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { EvalsPanel } from "../components/EvalsPanel";
import { InstallPanel } from "../components/InstallPanel";
import { SkillActions } from "../components/SkillActions";
import { Link, navigate, useQuery } from "../router";
import { StatusBadge } from "./Library";
import { RefinePanel } from "./Refine";
import { SkillTestPanel } from "./SkillTest";

const TABS = [
  { id: "files", label: "Files" },
  { id: "history", label: "History" },
  { id: "refine", label: "Refine" },
  { id: "test", label: "Test" },
  { id: "installs", label: "Installs" },
  { id: "evals", label: "Evals" },
] as const;
type Tab = (typeof TABS)[number]["id"];

async function loadSkill(skill: string) {
  const settings = await getSettings();
  const all = await invoke<SkillDetails[]>("list_skills", { workspacePath: settings.workspace_path ?? "" });
  return { settings, summary: all.find((s) => s.name === skill) ?? null };
}

export function SkillPage({ skill }: { skill: string }) {
  const query = useQuery();
  const tab = (TABS.find((t) => t.id === query.get("tab"))?.id ?? "files") as Tab;
  const { data, error, reload } = useAsync(() => loadSkill(skill), [skill]);
  const setTab = (t: Tab) => navigate(`/skills/${encodeURIComponent(skill)}?tab=${t}`, { replace: true });
  const s = data?.summary;

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <p className="crumbs">
            <Link to="/">Skills</Link> / {skill}
          </p>
          <h1>{s?.display_name || skill}</h1>
          {s?.description && <p className="muted">{s.description}</p>}
        </div>
        {s && (
          <div className="row gap-s">
            <span>Status:</span>
            <span data-testid="skill-status">
              <StatusBadge status={s.status} label={(s as { state_label?: string }).state_label} />
            </span>
            {s.status !== "completed" && (s.skill_source ?? "skill-builder") === "skill-builder" && (
              <Link className="btn btn-primary" to={`/skills/${encodeURIComponent(skill)}/build`}>
                Continue build
              </Link>
            )}
          </div>
        )}
      </header>
      {s && data && (
        <SkillActions
          skill={skill}
          summary={s}
          settings={data.settings}
          onChanged={reload}
          onInstall={() => navigate(`/skills/${encodeURIComponent(skill)}?tab=installs&install=1`, { replace: true })}
        />
      )}
      <ErrorBox error={error} onRetry={reload} />
      {data && !s && (
        <div className="alert alert-info" role="status">
          <strong>“{skill}” is not in the library.</strong>
          <p>
            What to do next: it may have been deleted or renamed — go back to the <Link to="/">skills library</Link>.
          </p>
        </div>
      )}
      <div role="tablist" aria-label="Skill sections" className="tabs">
        {TABS.map((t) => (
          <button
            key={t.id}
            role="tab"
            type="button"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            className={tab === t.id ? "tab active" : "tab"}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {data && tab === "files" && <FilesPanel skill={skill} settings={data.settings} />}
        {data && tab === "history" && <HistoryPanel skill={skill} settings={data.settings} />}
        {data && tab === "refine" && <RefinePanel skill={skill} settings={data.settings} />}
        {data && tab === "test" && <SkillTestPanel skill={skill} settings={data.settings} />}
        {data && tab === "installs" && <InstallPanel key={query.get("install") ?? ""} skill={skill} startOpen={query.get("install") === "1"} />}
        {data && tab === "evals" && <EvalsPanel skill={skill} />}
      </div>
    </div>
  );
}

function FilesPanel({ skill, settings }: { skill: string; settings: AppSettings }) {
  const files = useAsync(
    () => invoke<SkillFileEntry[]>("list_skill_files", { workspacePath: settings.skills_path ?? "", skillName: skill }),
    [skill, settings.skills_path],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [content, setContent] = useState<string | null>(null);
  const [readError, setReadError] = useState<unknown>(null);
  const list = (files.data ?? []).filter((f) => !f.is_directory);

  useEffect(() => {
    if (!selected && list.length) {
      const first = list.find((f) => f.relative_path === "SKILL.md") ?? list[0];
      setSelected(first.relative_path);
    }
  }, [list, selected]);

  useEffect(() => {
    const f = list.find((x) => x.relative_path === selected);
    if (!f) return;
    setContent(null);
    setReadError(null);
    invoke<string>("read_file", { filePath: f.absolute_path })
      .then(setContent)
      .catch(setReadError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, files.data]);

  return (
    <div className="files">
      <ErrorBox error={files.error} onRetry={files.reload} />
      {files.loading && !files.data && <Spinner label="Loading files…" />}
      {files.data && list.length === 0 && <p className="muted">No files yet. Build the skill to generate SKILL.md and its references.</p>}
      {list.length > 0 && (
        <>
          <ul className="file-list" aria-label="Skill files">
            {list.map((f) => (
              <li key={f.relative_path}>
                <button
                  type="button"
                  className={f.relative_path === selected ? "file active" : "file"}
                  aria-current={f.relative_path === selected ? "true" : undefined}
                  onClick={() => setSelected(f.relative_path)}
                >
                  <span>{f.relative_path}</span>
                  <span className="muted small">{formatBytes(f.size_bytes)}</span>
                </button>
              </li>
            ))}
          </ul>
          <section className="file-pane" aria-label={selected ? `Content of ${selected}` : "File content"}>
            <h2 className="file-title">{selected}</h2>
            <ErrorBox error={readError} />
            {content == null && !readError && <Spinner label="Reading…" />}
            {content != null && <FileContent path={selected ?? ""} text={content} />}
          </section>
        </>
      )}
    </div>
  );
}

export function formatBytes(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function HistoryPanel({ skill, settings }: { skill: string; settings: AppSettings }) {
  const history = useAsync(
    () => invoke<SkillCommit[]>("get_skill_history", { workspacePath: settings.skills_path ?? "", skillName: skill, limit: 100 }),
    [skill],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [diff, setDiff] = useState<FileDiff[] | null>(null);
  const [diffError, setDiffError] = useState<unknown>(null);
  const [mode, setMode] = useState<"split" | "unified">("split");
  const [confirm, setConfirm] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const commits = history.data ?? [];
  const idx = useMemo(() => commits.findIndex((c) => c.sha === selected), [commits, selected]);

  useEffect(() => {
    if (!selected || idx < 0) return;
    const parent = commits[idx + 1];
    setDiff(null);
    setDiffError(null);
    if (!parent) {
      setDiff([]);
      return;
    }
    invoke<{ files: FileDiff[] }>("get_skill_diff", { workspacePath: settings.skills_path ?? "", skillName: skill, shaA: parent.sha, shaB: selected })
      .then((d) => setDiff(d.files))
      .catch(setDiffError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected, idx]);

  const restore = async (sha: string) => {
    setActionError(null);
    try {
      await invoke("restore_skill_version", { workspacePath: settings.skills_path ?? "", skillName: skill, sha });
      setConfirm(null);
      setNotice(`Restored the version ${sha.slice(0, 8)}. A new version was added to the history.`);
      setSelected(null);
      setDiff(null);
      history.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <div className="history">
      <ErrorBox error={history.error} onRetry={history.reload} />
      {notice && <Notice>{notice}</Notice>}
      <ErrorBox error={actionError} onDismiss={() => setActionError(null)} />
      {history.loading && !history.data && <Spinner label="Loading history…" />}
      {history.data && commits.length === 0 && <p className="muted">No versions yet. Versions are recorded as the workflow completes steps.</p>}
      {commits.length > 0 && (
        <ol className="commits" aria-label="Versions">
          {commits.map((c, i) => (
            <li key={c.sha} className={c.sha === selected ? "commit active" : "commit"} data-sha={c.sha}>
              <div className="commit-main">
                <span className="commit-msg">{c.message.split("\n")[0]}</span>
                <span className="muted small">
                  <code>{c.sha.slice(0, 8)}</code> · {new Date(c.timestamp).toLocaleString()}
                  {i === 0 ? " · current" : ""}
                </span>
              </div>
              <div className="row gap-s">
                <button type="button" className="btn btn-small" onClick={() => setSelected(c.sha)} aria-label={`Show changes of ${c.sha.slice(0, 8)}`}>
                  Show changes
                </button>
                {i > 0 &&
                  (confirm === c.sha ? (
                    <>
                      <button type="button" className="btn btn-small btn-danger" onClick={() => restore(c.sha)}>
                        Confirm restore
                      </button>
                      <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirm(null)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => setConfirm(c.sha)} aria-label={`Restore version ${c.sha.slice(0, 8)}`}>
                      Restore this version
                    </button>
                  ))}
              </div>
            </li>
          ))}
        </ol>
      )}
      {selected && (
        <section className="diff-pane" aria-label="Changes">
          <div className="row gap-s diff-head">
            <h2>Changes in {selected.slice(0, 8)}</h2>
            <fieldset className="segmented">
              <legend className="sr-only">Diff layout</legend>
              <label>
                <input type="radio" name="diff-mode" checked={mode === "split"} onChange={() => setMode("split")} /> Side by side
              </label>
              <label>
                <input type="radio" name="diff-mode" checked={mode === "unified"} onChange={() => setMode("unified")} /> Unified
              </label>
            </fieldset>
          </div>
          <ErrorBox error={diffError} />
          {!diff && !diffError && <Spinner label="Computing the diff…" />}
          {diff && diff.length === 0 && <p className="muted">{idx === commits.length - 1 ? "This is the first version of the skill." : "No file changes in this version."}</p>}
          {diff?.map((f) => (
            <details key={f.path} open className="diff-file">
              <summary>
                <span className={`badge badge-${f.status}`}>{f.status}</span> {f.path}
              </summary>
              {f.old_content == null && f.new_content == null ? (
                <p className="muted">Binary file.</p>
              ) : (
                <DiffView oldText={f.old_content} newText={f.new_content} mode={mode} label={f.path} />
              )}
            </details>
          ))}
        </section>
      )}
    </div>
  );
}
