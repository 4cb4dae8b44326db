// Import skills: a ZIP dropped or chosen here (into the workspace skills or the library), or
// skills browsed in a GitHub repository / marketplace, with metadata overrides and per-skill
// progress, or in any git repository (components/GitImport); the configured registries with
// their update checks; GitHub sign-in offered when a GitHub call fails while signed out.

import { useEffect, useRef, useState, type DragEvent, type FormEvent } from "react";
import { ApiError, invoke } from "../api/transport";
import { forgetSettings, getSettings, useAsync } from "../api/hooks";
import type {
  AvailableSkill,
  GitHubRepoInfo,
  GitHubUser,
  MarketplaceImportResult,
  MarketplaceRegistry,
  MarketplaceUpdateResult,
  SkillMetadataOverride,
  SkillUpdateInfo,
  WorkspaceSkill,
} from "../api/types";
import { ErrorBox, Notice, Spinner } from "../components/ErrorBox";
import { GitHubSignIn } from "../components/GitHubSignIn";
import { GitImport } from "../components/GitImport";
import { SuggestDescription } from "../components/SuggestDescription";
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
  const [done, setDone] = useState<{ skill: WorkspaceSkill; target: Target } | null>(null);
  const [target, setTarget] = useState<Target>("workspace");

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
      const skill = await invoke<WorkspaceSkill>("upload_skill", { filePath: path, target });
      setDone({ skill, target });
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
      <p className="muted">A ZIP with SKILL.md at its root (or in one top folder).</p>
      <fieldset className="segmented">
        <legend>Import the ZIP into</legend>
        <label>
          <input type="radio" name="zip-target" checked={target === "workspace"} onChange={() => setTarget("workspace")} /> Workspace (for the agents)
        </label>
        <label>
          <input type="radio" name="zip-target" checked={target === "library"} onChange={() => setTarget("library")} /> Library (as one of your skills)
        </label>
      </fieldset>
      <p className="help">
        {target === "workspace"
          ? "A workspace skill is used by the agents while they build your skills."
          : "A library skill is one of your skills: versioned, refined, tested, installed into agents."}
      </p>
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
      {done && done.target === "workspace" && (
        <Notice>
          Imported “{done.skill.skill_name}”{done.skill.version ? ` version ${done.skill.version}` : ""}. See it in <Link to="/workspace">workspace skills</Link>.
        </Notice>
      )}
      {done && done.target === "library" && (
        <Notice>
          Imported “{done.skill.skill_name}”{done.skill.version ? ` version ${done.skill.version}` : ""} into the library. Open{" "}
          <Link to={`/skills/${encodeURIComponent(done.skill.skill_name)}`}>{done.skill.skill_name}</Link>.
        </Notice>
      )}
      {done && (done.skill.warnings?.length ?? 0) > 0 && (
        <details className="warnings">
          <summary>
            {done.skill.warnings!.length} warning{done.skill.warnings!.length === 1 ? "" : "s"} from the check of the imported skill
          </summary>
          <ul>
            {done.skill.warnings!.map((w, i) => (
              <li key={i} className="small">
                {w}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

type Target = "library" | "workspace";
type ItemState = { status: "waiting" | "importing" | "done" | "skipped" | "failed"; message?: string };

/** A repository or marketplace command of GitHub (not the sign-in commands `github_*`): its
 * failure, while signed out, may be for lack of a sign-in (a private repository answers 404;
 * anonymous calls hit the rate limit first). Matched by name, so no list of commands is kept
 * here beside the catalog's. */
const GITHUB_COMMAND = /^(?!github_).*(github|marketplace)/;

function githubFailure(e: unknown): boolean {
  return e instanceof ApiError && GITHUB_COMMAND.test(e.command) && !e.notImplemented && e.kind !== "invalid_input";
}

/** Offers GitHub sign-in under a failed GitHub call when the user is not signed in. */
function SignInOffer({ error, onSignedIn }: { error: unknown; onSignedIn: (u: GitHubUser) => void }) {
  const user = useAsync(() => invoke<GitHubUser | null>("github_get_user").catch(() => null), [error]);
  if (!githubFailure(error) || user.loading || user.data) return null;
  return (
    <div className="alert alert-info sign-in-offer" role="region" aria-label="Sign in to GitHub">
      <strong className="alert-title">Signing in with GitHub may help</strong>
      <p>Private repositories are only visible to a signed-in account, and anonymous requests reach GitHub's rate limit sooner.</p>
      <GitHubSignIn compact onSignedIn={onSignedIn} />
    </div>
  );
}

function GitHubImport({ request }: { request: { url: string; n: number } | null }) {
  const [url, setUrl] = useState("");
  const [repo, setRepo] = useState<GitHubRepoInfo | null>(null);
  const [skills, setSkills] = useState<AvailableSkill[] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [overrides, setOverrides] = useState<Record<string, SkillMetadataOverride>>({});
  const [target, setTarget] = useState<Target>("library");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<Record<string, ItemState>>({});

  const [signedInAs, setSignedInAs] = useState<string | null>(null);

  // A registry's Browse fills the URL and browses at once.
  useEffect(() => {
    if (!request) return;
    setUrl(request.url);
    browseUrl(request.url);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request?.n]);

  const browse = (e: FormEvent) => {
    e.preventDefault();
    browseUrl(url);
  };

  const browseUrl = async (url: string) => {
    setError(null);
    setSignedInAs(null);
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
      <SignInOffer error={error} onSignedIn={(u) => setSignedInAs(u.login)} />
      {signedInAs && (
        <Notice>
          Signed in as {signedInAs}.{" "}
          <button type="button" className="btn btn-small" onClick={() => browseUrl(url)}>
            Browse again
          </button>
        </Notice>
      )}
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
                      <SuggestDescription name={overrides[s.path]?.name || s.name} purpose={overrides[s.path]?.purpose || s.purpose || "domain"} onAccept={(t) => setOverride(s.path, "description", t)} />
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

type UpdateItem = SkillUpdateInfo & { target: Target; sourceUrl: string; repo: GitHubRepoInfo };
type UpdateState = { status: "updating" | "updated" | "failed"; message?: string };

/** `https://github.com/owner/repo`: the source URL this page's imports record. */
function canonicalUrl(info: GitHubRepoInfo) {
  return `https://github.com/${info.owner}/${info.repo}`;
}

/** The skills imported from `reg` with a newer version there, library and workspace. */
async function checkRegistry(reg: MarketplaceRegistry): Promise<UpdateItem[]> {
  const info = await invoke<GitHubRepoInfo>("parse_github_url", { url: reg.source_url });
  // Imports record either the canonical URL (this page) or the URL as typed (CLI, registries).
  const urls = Array.from(new Set([canonicalUrl(info), reg.source_url.trim()]));
  const out: UpdateItem[] = [];
  for (const sourceUrl of urls) {
    const r = await invoke<MarketplaceUpdateResult>("check_marketplace_updates", {
      owner: info.owner,
      repo: info.repo,
      branch: info.branch,
      subpath: info.subpath,
      sourceUrl,
    });
    for (const [target, list] of [
      ["library", r.library],
      ["workspace", r.workspace],
    ] as const) {
      for (const u of list) {
        if (!out.some((o) => o.name === u.name && o.target === target)) out.push({ ...u, target, sourceUrl, repo: info });
      }
    }
  }
  return out;
}

async function applyUpdate(u: UpdateItem): Promise<string> {
  if (u.target === "library") {
    const [r] = await invoke<MarketplaceImportResult[]>("import_marketplace_to_library", { sourceUrl: u.sourceUrl, skillPaths: [u.path] });
    if (r && !r.success) throw new ApiError("network", r.error ?? `updating ${u.name} failed`, 0, "import_marketplace_to_library");
    return `Updated to version ${u.version}`;
  }
  await invoke<WorkspaceSkill[]>("import_github_skills", {
    owner: u.repo.owner,
    repo: u.repo.repo,
    branch: u.repo.branch,
    sourceUrl: u.sourceUrl,
    skillRequests: [{ path: u.path, version: u.version }],
  });
  return `Updated to version ${u.version}`;
}

function Registries({ onBrowse }: { onBrowse: (url: string) => void }) {
  const settings = useAsync(getSettings, []);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState("");
  const [newUrl, setNewUrl] = useState("");
  const [checking, setChecking] = useState<string | null>(null);
  const [updates, setUpdates] = useState<Record<string, UpdateItem[]>>({});
  const [updateState, setUpdateState] = useState<Record<string, UpdateState>>({});
  const registries = settings.data?.marketplace_registries ?? [];

  const save = async (next: MarketplaceRegistry[]): Promise<boolean> => {
    setError(null);
    try {
      await invoke("save_settings", { settings: { marketplace_registries: next } });
      forgetSettings();
      settings.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    const url = newUrl.trim();
    if (!url) {
      setError(new ApiError("invalid_input", "Enter the registry's GitHub URL, e.g. https://github.com/owner/repo.", 0));
      return;
    }
    if (registries.some((r) => r.source_url === url)) {
      setError(new ApiError("conflict", `${url} is already a registry.`, 0));
      return;
    }
    save([...registries, { name: name.trim() || url.replace(/^https?:\/\/github\.com\//, ""), source_url: url, enabled: true }]).then((ok) => {
      if (!ok) return;
      setName("");
      setNewUrl("");
    });
  };

  const check = async (reg: MarketplaceRegistry) => {
    setError(null);
    setChecking(reg.source_url);
    try {
      const found = await checkRegistry(reg);
      setUpdates((u) => ({ ...u, [reg.source_url]: found }));
    } catch (e) {
      setError(e);
    } finally {
      setChecking(null);
    }
  };

  const update = async (u: UpdateItem) => {
    const key = `${u.target}:${u.name}`;
    setUpdateState((s) => ({ ...s, [key]: { status: "updating" } }));
    try {
      const message = await applyUpdate(u);
      setUpdateState((s) => ({ ...s, [key]: { status: "updated", message } }));
    } catch (e) {
      setUpdateState((s) => ({ ...s, [key]: { status: "failed", message: e instanceof Error ? e.message : String(e) } }));
    }
  };

  return (
    <section className="panel" aria-labelledby="registries-title">
      <h2 id="registries-title">Registries</h2>
      <p className="muted">The marketplaces you import from. Browse one, or check the skills you imported from it for newer versions.</p>
      <ErrorBox error={settings.error} onRetry={settings.reload} />
      {settings.loading && !settings.data && <Spinner label="Loading registries…" />}
      {settings.data && registries.length === 0 && <p className="muted">No registries yet: add one below.</p>}
      {registries.length > 0 && (
        <ul className="registries" aria-label="Registries">
          {registries.map((r, i) => {
            const found = updates[r.source_url];
            return (
              <li key={r.source_url} className="registry">
                <div className="row gap-s wrap">
                  <span className="grow">
                    <strong>{r.name}</strong> <span className="muted small break">{r.source_url}</span>
                  </span>
                  <label className="inline small">
                    <input
                      type="checkbox"
                      checked={r.enabled}
                      onChange={(e) => save(registries.map((x, j) => (j === i ? { ...x, enabled: e.target.checked } : x)))}
                    />{" "}
                    Enabled
                  </label>
                  <button type="button" className="btn btn-small" aria-label={`Browse ${r.name}`} onClick={() => onBrowse(r.source_url)}>
                    Browse
                  </button>
                  <button type="button" className="btn btn-small" aria-label={`Check ${r.name} for updates`} disabled={!!checking} onClick={() => check(r)}>
                    {checking === r.source_url ? "Checking…" : "Check for updates"}
                  </button>
                  <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove ${r.name}`} onClick={() => save(registries.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </div>
                {found && found.length === 0 && (
                  <p className="muted small" role="status">
                    Everything imported from {r.name} is up to date.
                  </p>
                )}
                {found && found.length > 0 && (
                  <ul className="updates" aria-label={`Updates from ${r.name}`}>
                    {found.map((u) => {
                      const st = updateState[`${u.target}:${u.name}`];
                      return (
                        <li key={`${u.target}:${u.name}`} className="row gap-s wrap">
                          <span className="grow">
                            <strong>{u.name}</strong> <span className="tag">v{u.version}</span>{" "}
                            <span className="muted small">{u.target === "library" ? "in the library" : "workspace skill"}</span>
                          </span>
                          {st && (
                            <span className={`badge badge-${st.status === "updated" ? "done" : st.status === "updating" ? "importing" : "failed"}`} role="status">
                              {st.status}
                              {st.message ? `: ${st.message}` : ""}
                            </span>
                          )}
                          {st?.status !== "updated" && (
                            <button type="button" className="btn btn-small btn-primary" aria-label={`Update ${u.name}`} disabled={st?.status === "updating"} onClick={() => update(u)}>
                              Update
                            </button>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <SignInOffer error={error} onSignedIn={() => setError(null)} />
      <form className="row gap-s wrap" onSubmit={add} aria-label="Add a registry">
        <label>
          Registry name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Team skills" />
        </label>
        <label className="grow">
          Registry URL
          <input value={newUrl} onChange={(e) => setNewUrl(e.target.value)} placeholder="https://github.com/owner/repo" spellCheck={false} />
        </label>
        <button type="submit" className="btn">
          Add registry
        </button>
      </form>
    </section>
  );
}

export function ImportPage() {
  const [request, setRequest] = useState<{ url: string; n: number } | null>(null);
  const gh = useRef<HTMLDivElement>(null);
  return (
    <div className="page">
      <h1>Import skills</h1>
      <ZipUpload />
      <div ref={gh}>
        <GitHubImport request={request} />
      </div>
      <GitImport />
      <Registries
        onBrowse={(url) => {
          setRequest((r) => ({ url, n: (r?.n ?? 0) + 1 }));
          gh.current?.scrollIntoView?.({ block: "start" });
        }}
      />
    </div>
  );
}
