// Import skills: a ZIP dropped or chosen here, or skills browsed in a GitHub repository /
// marketplace, with metadata overrides and per-skill progress.

import { useRef, useState, type DragEvent, type FormEvent } from "react";
import { ApiError, invoke } from "../api/transport";
import type { AvailableSkill, GitHubRepoInfo, MarketplaceImportResult, SkillMetadataOverride, WorkspaceSkill } from "../api/types";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { Link } from "../router";

function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(new ApiError("io", `cannot read ${file.name}: ${r.error?.message ?? "unknown error"}`, 0));
    r.onload = () => {
      const url = String(r.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    r.readAsDataURL(file);
  });
}

/** `missing_mandatory_fields:name,description` → a sentence (the backend keeps that prefix). */
function friendlyUploadError(e: unknown): unknown {
  if (e instanceof ApiError && e.message.includes("missing_mandatory_fields:")) {
    const fields = e.message.split("missing_mandatory_fields:")[1].trim();
    return new ApiError("invalid_input", `SKILL.md is missing required frontmatter: ${fields}. Add them to the file's --- header and zip it again.`, e.status, e.command);
  }
  return e;
}

function ZipUpload() {
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [stage, setStage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<WorkspaceSkill | null>(null);

  const upload = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setDone(null);
    if (!/\.(zip|skill)$/i.test(file.name)) {
      setError(new ApiError("invalid_input", `${file.name} is not a ZIP file; choose a .zip (or .skill) archive with SKILL.md at its root.`, 0));
      return;
    }
    try {
      setStage(`Reading ${file.name}…`);
      const b64 = await toBase64(file);
      setStage("Uploading…");
      const safeName = file.name.replace(/[/\\]/g, "_").replace(/\.\.+/g, ".");
      const path = await invoke<string>("write_base64_to_temp_file", { fileName: safeName, base64Content: b64 });
      setStage("Importing…");
      const skill = await invoke<WorkspaceSkill>("upload_skill", { filePath: path });
      setDone(skill);
    } catch (e) {
      setError(friendlyUploadError(e));
    } finally {
      setStage(null);
      if (input.current) input.current.value = "";
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    upload(e.dataTransfer.files[0]);
  };

  return (
    <section className="panel" aria-labelledby="zip-title">
      <h2 id="zip-title">Upload a ZIP</h2>
      <p className="muted">A ZIP with SKILL.md at its root (or in one top folder). It becomes a workspace skill the agents can use.</p>
      <div
        className={`dropzone ${dragging ? "dragging" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <p>Drop a skill ZIP here, or</p>
        <label className="btn">
          Choose a ZIP file
          <input ref={input} type="file" accept=".zip,.skill,application/zip" className="sr-only" aria-label="Skill ZIP file" onChange={(e) => upload(e.target.files?.[0])} />
        </label>
      </div>
      {stage && <Spinner label={stage} />}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {done && (
        <Notice>
          Imported “{done.skill_name}”{done.version ? ` version ${done.version}` : ""}. See it in <Link to="/workspace">workspace skills</Link>.
        </Notice>
      )}
    </section>
  );
}

type Target = "library" | "workspace";
type ItemState = { status: "waiting" | "importing" | "done" | "skipped" | "failed"; message?: string };

function GitHubImport() {
  const [url, setUrl] = useState("");
  const [repo, setRepo] = useState<GitHubRepoInfo | null>(null);
  const [skills, setSkills] = useState<AvailableSkill[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [overrides, setOverrides] = useState<Record<string, SkillMetadataOverride>>({});
  const [target, setTarget] = useState<Target>("library");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<Record<string, ItemState>>({});

  const browse = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSkills(null);
    setProgress({});
    setSelected(new Set());
    if (!url.trim()) {
      setError(new ApiError("invalid_input", "Enter a GitHub URL such as https://github.com/owner/repo or owner/repo.", 0));
      return;
    }
    try {
      setBusy("Reading the URL…");
      const info = await invoke<GitHubRepoInfo>("parse_github_url", { url: url.trim() });
      setRepo(info);
      setBusy(`Listing skills in ${info.owner}/${info.repo}…`);
      const list = await invoke<AvailableSkill[]>("list_github_skills", {
        owner: info.owner,
        repo: info.repo,
        branch: info.branch,
        subpath: info.subpath,
      });
      setSkills(list);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const toggle = (path: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });

  const setOverride = (path: string, key: keyof SkillMetadataOverride, value: string) =>
    setOverrides((o) => ({ ...o, [path]: { ...o[path], [key]: value } }));

  /** Only fields the user filled in; empty = keep the skill's own value. */
  const cleanOverride = (path: string): SkillMetadataOverride | null => {
    const o = overrides[path] ?? {};
    const out: SkillMetadataOverride = {};
    for (const [k, v] of Object.entries(o)) if (typeof v === "string" && v.trim()) (out as Record<string, string>)[k] = v.trim();
    return Object.keys(out).length ? out : null;
  };

  const runImport = async () => {
    if (!repo || !skills) return;
    setError(null);
    const paths = skills.filter((s) => selected.has(s.path)).map((s) => s.path);
    const sourceUrl = `https://github.com/${repo.owner}/${repo.repo}`;
    setProgress(Object.fromEntries(paths.map((p) => [p, { status: "waiting" } as ItemState])));
    setBusy("Importing…");
    try {
      for (const p of paths) {
        setProgress((pr) => ({ ...pr, [p]: { status: "importing" } }));
        try {
          if (target === "library") {
            const ov = cleanOverride(p);
            const res = await invoke<MarketplaceImportResult[]>("import_marketplace_to_library", {
              sourceUrl,
              skillPaths: [p],
              metadataOverrides: ov ? { [p]: ov } : null,
            });
            const r = res[0];
            setProgress((pr) => ({ ...pr, [p]: r && !r.success ? { status: "failed", message: r.error ?? "failed" } : { status: "done", message: r?.skill_name } }));
          } else {
            const s = skills.find((x) => x.path === p);
            const res = await invoke<WorkspaceSkill[]>("import_github_skills", {
              owner: repo.owner,
              repo: repo.repo,
              branch: repo.branch,
              sourceUrl,
              skillRequests: [{ path: p, purpose: cleanOverride(p)?.purpose ?? s?.purpose ?? null, metadata_override: cleanOverride(p), version: s?.version ?? null }],
            });
            setProgress((pr) => ({ ...pr, [p]: res.length ? { status: "done", message: res[0].skill_name } : { status: "skipped", message: "already up to date" } }));
          }
        } catch (err) {
          if (err instanceof ApiError && err.notImplemented) throw err;
          setProgress((pr) => ({ ...pr, [p]: { status: "failed", message: err instanceof Error ? err.message : String(err) } }));
        }
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const doneCount = Object.values(progress).filter((p) => p.status !== "waiting" && p.status !== "importing").length;
  const total = Object.keys(progress).length;

  return (
    <section className="panel" aria-labelledby="gh-title">
      <h2 id="gh-title">From GitHub or a marketplace</h2>
      <form onSubmit={browse} className="row gap-s wrap">
        <label className="grow">
          GitHub URL
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://github.com/owner/repo or owner/repo" />
        </label>
        <button type="submit" className="btn" disabled={!!busy}>
          Browse skills
        </button>
      </form>
      {busy && <Spinner label={busy} />}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {skills && skills.length === 0 && <p className="muted">No skills found in this repository. Check the URL points at a marketplace (with .claude-plugin/marketplace.json).</p>}
      {skills && skills.length > 0 && (
        <>
          <fieldset className="segmented">
            <legend>Import into</legend>
            <label>
              <input type="radio" name="target" checked={target === "library"} onChange={() => setTarget("library")} /> Skills library
            </label>
            <label>
              <input type="radio" name="target" checked={target === "workspace"} onChange={() => setTarget("workspace")} /> Workspace skills
            </label>
          </fieldset>
          <ul className="available" aria-label="Available skills">
            {skills.map((s) => {
              const on = selected.has(s.path);
              const pr = progress[s.path];
              return (
                <li key={s.path} className={on ? "on" : ""}>
                  <label className="choice">
                    <input type="checkbox" checked={on} onChange={() => toggle(s.path)} />
                    <span>
                      <strong>{s.name}</strong> {s.version && <span className="tag">v{s.version}</span>} {s.plugin_name && <span className="muted small">({s.plugin_name})</span>}
                      <br />
                      <span className="muted small">{s.description}</span>
                    </span>
                  </label>
                  {pr && (
                    <span className={`badge badge-${pr.status}`} role="status">
                      {pr.status}
                      {pr.message ? `: ${pr.message}` : ""}
                    </span>
                  )}
                  {on && (
                    <details className="overrides">
                      <summary>Metadata overrides for {s.name}</summary>
                      <div className="grid2">
                        {(["name", "description", "purpose", "version", "model"] as const).map((k) => (
                          <label key={k}>
                            {k[0].toUpperCase() + k.slice(1)}
                            <input value={overrides[s.path]?.[k] ?? ""} placeholder={String(s[k as keyof AvailableSkill] ?? "")} onChange={(e) => setOverride(s.path, k, e.target.value)} />
                          </label>
                        ))}
                      </div>
                    </details>
                  )}
                </li>
              );
            })}
          </ul>
          <div className="row gap-s">
            <button type="button" className="btn btn-primary" disabled={!!busy || selected.size === 0} onClick={runImport}>
              Import {selected.size || ""} selected
            </button>
            {total > 0 && (
              <progress max={total} value={doneCount} aria-label="Import progress">
                {doneCount}/{total}
              </progress>
            )}
            {total > 0 && (
              <span className="muted small">
                {doneCount} of {total} done
              </span>
            )}
          </div>
        </>
      )}
    </section>
  );
}

export function ImportPage() {
  return (
    <div className="page">
      <h1>Import skills</h1>
      <ZipUpload />
      <GitHubImport />
    </div>
  );
}
