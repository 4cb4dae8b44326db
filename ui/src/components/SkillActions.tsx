// The actions of one library skill: Download (the `.skill` package), Rename, Edit details,
// Validate, Install and Delete. Each opens its panel below the toolbar.

import { useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError, invoke } from "../api/transport";
import { MODELS, PURPOSES, kebabProblem, type AppSettings, type PackageResult, type SkillDetails } from "../api/types";
import { navigate } from "../router";
import { ErrorBox, Notice, Spinner } from "./ErrorBox";
import { downloadFile } from "./FileDownload";
import { SuggestDescription } from "./SuggestDescription";
import { SkillValidate } from "./SkillValidate";

type Panel = "rename" | "details" | "validate" | "delete";

const PANEL_LABEL: Record<Panel, string> = {
  rename: "Rename",
  details: "Edit details",
  validate: "Validate",
  delete: "Delete",
};

export function SkillActions({
  skill,
  summary,
  settings,
  onChanged,
  onInstall,
}: {
  skill: string;
  summary: SkillDetails;
  settings: AppSettings;
  onChanged: () => void;
  onInstall: () => void;
}) {
  const [open, setOpen] = useState<Panel | null>(null);
  const [download, setDownload] = useState<{ busy?: boolean; error?: unknown; done?: string }>({});

  const toggle = (p: Panel) => setOpen((o) => (o === p ? null : p));

  const doDownload = async () => {
    setDownload({ busy: true });
    let pkg: PackageResult | null = null;
    try {
      pkg = await invoke<PackageResult>("package_skill", { skillName: skill, workspacePath: settings.workspace_path ?? "" });
      await downloadFile(pkg.file_path, `${skill}.skill`);
      const skipped = pkg.skipped?.length ? ` Left out (symbolic links are never packed): ${pkg.skipped.join(", ")}.` : "";
      setDownload({ done: `Downloaded ${skill}.skill (${formatSize(pkg.size_bytes)}).${skipped}` });
    } catch (e) {
      // A package over the 5 MB transfer limit is still on disk: say where.
      if (pkg && e instanceof ApiError && /5 MB/.test(e.message)) {
        setDownload({ done: `The package is larger than 5 MB, too large to hand to the browser. It is at ${pkg.file_path}.` });
      } else {
        setDownload({ error: e });
      }
    }
  };

  const btn = (p: Panel, extra = "") => (
    <button type="button" className={`btn ${extra}`} aria-expanded={open === p} aria-controls={`skill-action-${p}`} onClick={() => toggle(p)}>
      {PANEL_LABEL[p]}
    </button>
  );

  return (
    <div className="skill-actions">
      <div className="row gap-s wrap" role="toolbar" aria-label="Skill actions">
        <button type="button" className="btn" onClick={doDownload} disabled={download.busy}>
          Download
        </button>
        {btn("rename")}
        {btn("details")}
        {btn("validate")}
        <button type="button" className="btn" onClick={onInstall}>
          Install
        </button>
        {btn("delete", "btn-danger")}
      </div>
      {download.busy && <Spinner label="Packaging the skill…" />}
      <ErrorBox error={download.error} onDismiss={() => setDownload({})} />
      {download.done && <Notice>{download.done}</Notice>}
      {open && (
        <section className="panel action-panel" id={`skill-action-${open}`} aria-label={PANEL_LABEL[open]}>
          {open === "rename" && <RenameForm skill={skill} settings={settings} onCancel={() => setOpen(null)} />}
          {open === "details" && (
            <DetailsForm
              skill={skill}
              summary={summary}
              onCancel={() => setOpen(null)}
              onSaved={() => {
                setOpen(null);
                onChanged();
              }}
            />
          )}
          {open === "validate" && <SkillValidate skill={skill} onFixed={onChanged} />}
          {open === "delete" && <DeleteConfirm skill={skill} settings={settings} onCancel={() => setOpen(null)} />}
        </section>
      )}
    </div>
  );
}

export function formatSize(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function RenameForm({ skill, settings, onCancel }: { skill: string; settings: AppSettings; onCancel: () => void }) {
  const [name, setName] = useState(skill);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);
  const problem = kebabProblem(name);
  const same = name === skill;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (problem || same) return;
    setBusy(true);
    setError(null);
    try {
      await invoke("rename_skill", { oldName: skill, newName: name, workspacePath: settings.workspace_path ?? "" });
      navigate(`/skills/${encodeURIComponent(name)}`, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <h2>Rename “{skill}”</h2>
      <div className="field">
        <label htmlFor="rename-name">New name</label>
        <input
          id="rename-name"
          ref={input}
          value={name}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setName(e.target.value)}
          aria-invalid={!!problem || undefined}
          aria-describedby="rename-help"
        />
        <p id="rename-help" className={problem ? "field-error" : "help"} aria-live="polite">
          {problem ?? "The folder, its history and its usage records move to the new name."}
        </p>
      </div>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <div className="row gap-s">
        <button type="submit" className="btn btn-primary" disabled={busy || !!problem || same}>
          {busy ? "Renaming…" : "Save new name"}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface Details {
  description: string;
  purpose: string;
  tags: string;
  version: string;
  model: string;
  argumentHint: string;
  userInvocable: boolean;
  disableModelInvocation: boolean;
}

function detailsOf(s: SkillDetails): Details {
  return {
    description: s.description ?? "",
    purpose: s.purpose ?? "domain",
    tags: (s.tags ?? []).join(", "),
    version: s.version ?? "",
    model: s.model ?? "",
    argumentHint: s.argumentHint ?? "",
    userInvocable: s.userInvocable ?? true,
    disableModelInvocation: s.disableModelInvocation ?? false,
  };
}

function tagList(s: string): string[] {
  return Array.from(new Set(s.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean)));
}

/** The changed fields as `update_skill_metadata` takes them: an emptied text clears it (null). */
function metadataChanges(before: Details, after: Details): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const text = (k: "description" | "version" | "model" | "argumentHint") => {
    if (after[k].trim() !== before[k].trim()) out[k] = after[k].trim() || null;
  };
  text("description");
  text("version");
  text("model");
  text("argumentHint");
  if (after.purpose !== before.purpose) out.purpose = after.purpose;
  if (tagList(after.tags).join(",") !== tagList(before.tags).join(",")) out.tags = tagList(after.tags);
  if (after.userInvocable !== before.userInvocable) out.userInvocable = after.userInvocable;
  if (after.disableModelInvocation !== before.disableModelInvocation) out.disableModelInvocation = after.disableModelInvocation;
  return out;
}

function DetailsForm({ skill, summary, onCancel, onSaved }: { skill: string; summary: SkillDetails; onCancel: () => void; onSaved: () => void }) {
  const initial = detailsOf(summary);
  const [form, setForm] = useState<Details>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const changes = metadataChanges(initial, form);
  const dirty = Object.keys(changes).length > 0;
  const set = <K extends keyof Details>(k: K, v: Details[K]) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!dirty) return;
    setBusy(true);
    setError(null);
    try {
      await invoke("update_skill_metadata", { skillName: skill, ...changes });
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit}>
      <h2>Details of “{skill}”</h2>
      <div className="field">
        <label htmlFor="details-description">Description</label>
        <textarea id="details-description" rows={3} value={form.description} onChange={(e) => set("description", e.target.value)} />
        <SuggestDescription name={skill} purpose={form.purpose} onAccept={(t) => set("description", t)} />
      </div>
      <div className="grid2">
        <label>
          Purpose
          <select value={form.purpose} onChange={(e) => set("purpose", e.target.value)}>
            {PURPOSES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
            {!PURPOSES.some((p) => p.value === form.purpose) && <option value={form.purpose}>{form.purpose}</option>}
          </select>
        </label>
        <label>
          Tags
          <input value={form.tags} onChange={(e) => set("tags", e.target.value)} placeholder="comma, separated" />
        </label>
        <label>
          Version
          <input value={form.version} onChange={(e) => set("version", e.target.value)} placeholder="1.0.0" />
        </label>
        <label>
          Model
          <select value={form.model} onChange={(e) => set("model", e.target.value)}>
            {MODELS.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
            {form.model && !MODELS.some((m) => m.value === form.model) && <option value={form.model}>{form.model}</option>}
          </select>
        </label>
        <label>
          Argument hint
          <input value={form.argumentHint} onChange={(e) => set("argumentHint", e.target.value)} placeholder="[topic]" />
        </label>
      </div>
      <label className="inline">
        <input type="checkbox" checked={form.userInvocable} onChange={(e) => set("userInvocable", e.target.checked)} /> Users can invoke it (/{skill})
      </label>
      <label className="inline">
        <input type="checkbox" checked={form.disableModelInvocation} onChange={(e) => set("disableModelInvocation", e.target.checked)} /> Only when invoked by a user (the model never picks it itself)
      </label>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <div className="row gap-s">
        <button type="submit" className="btn btn-primary" disabled={busy || !dirty}>
          {busy ? "Saving…" : "Save details"}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DeleteConfirm({ skill, settings, onCancel }: { skill: string; settings: AppSettings; onCancel: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await invoke("delete_skill", { name: skill, workspacePath: settings.workspace_path ?? "" });
      navigate("/", { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div>
      <h2>Delete “{skill}”?</h2>
      <p>
        Its files leave the library and the workspace, and its workflow records are removed. The skills folder's git history keeps the last
        version. Copies installed into agents are not touched.
      </p>
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <div className="row gap-s">
        <button type="button" className="btn btn-danger" onClick={remove} disabled={busy}>
          {busy ? "Deleting…" : `Delete ${skill}`}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}

