// Import skills from any git URL (issue 17), beside the GitHub import: https, ssh, git@host:…
// or file://, at an optional branch, tag or commit. List (`list_git_skills`) fetches the
// repository once and shows its skills; Import (`import_git_skills`) brings the chosen ones into
// the library or the workspace, each with its own result (a re-import of an unchanged skill is
// "skipped (unchanged)").

import { useState, type FormEvent } from "react";
import { ApiError, invoke } from "../api/transport";
import { gitSkillState, importInWords, markImported, type GitImportResult, type GitSkillListing } from "../api/sharing";
import { Link } from "../router";
import { ErrorBox, Spinner } from "./ErrorBox";

type Target = "library" | "workspace";

const TARGET_WORDS: Record<Target, string> = { library: "the library", workspace: "the workspace" };

export function GitImport() {
  const [url, setUrl] = useState("");
  const [ref, setRef] = useState("");
  const [listing, setListing] = useState<GitSkillListing | null>(null);
  const [asked, setAsked] = useState<{ url: string; ref: string } | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState<Target>("library");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<GitImportResult | null>(null);

  const list = async (e: FormEvent) => {
    e.preventDefault();
    const u = url.trim();
    setError(null);
    setResult(null);
    setListing(null);
    setSelected(new Set());
    if (!u) {
      setError(new ApiError("invalid_input", "Enter a git URL, e.g. https://gitlab.com/team/skills.git, git@host:team/skills.git or file:///path/to/repo.git.", 0));
      return;
    }
    setBusy(`Fetching ${u}…`);
    try {
      const r = ref.trim();
      const l = await invoke<GitSkillListing>("list_git_skills", { url: u, ...(r ? { ref: r } : {}) });
      setListing(l);
      setAsked({ url: u, ref: r });
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

  const skills = listing?.skills ?? [];
  const importable = skills.filter((s) => !s.error);
  const allOn = importable.length > 0 && importable.every((s) => selected.has(s.path));

  const runImport = async () => {
    if (!listing || !asked || selected.size === 0) return;
    setError(null);
    setResult(null);
    const paths = skills.filter((s) => selected.has(s.path)).map((s) => s.path);
    setBusy(`Importing ${paths.length} skill${paths.length === 1 ? "" : "s"} into ${TARGET_WORDS[target]}…`);
    try {
      const r = await invoke<GitImportResult>("import_git_skills", {
        url: asked.url,
        ...(asked.ref ? { ref: asked.ref } : {}),
        paths,
        target,
      });
      setResult(r);
      const ok = new Set(r.results.filter((x) => importInWords(x).status !== "failed").map((x) => x.path));
      setListing((l) => (l ? { ...l, skills: l.skills.map((s) => (ok.has(s.path) ? markImported(s, r.target) : s)) } : l));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const resultOf = (path: string) => result?.results.find((x) => x.path === path);
  const resultTarget = (result?.target === "workspace" ? "workspace" : "library") as Target;
  const landed = result?.results.filter((x) => ["imported", "updated", "skipped"].includes(String(importInWords(x).status))) ?? [];

  return (
    <section className="panel" aria-labelledby="git-title">
      <h2 id="git-title">From a git URL</h2>
      <p className="muted">
        Any git repository: GitLab, Bitbucket, your own server, a teammate's published library, or a folder (<code>file://</code>). Skills are found
        the way the GitHub import finds them (<code>marketplace.json</code>, <code>skills/</code>, the root).
      </p>
      <form onSubmit={list} className="row gap-s wrap url-row" aria-label="List skills in a git repository">
        <label className="grow">
          Git URL
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://gitlab.com/team/skills.git" spellCheck={false} autoComplete="off" />
        </label>
        <label>
          Branch, tag or commit (optional)
          <input value={ref} onChange={(e) => setRef(e.target.value)} placeholder="default branch" spellCheck={false} autoComplete="off" />
        </label>
        <button type="submit" className="btn" disabled={!!busy}>
          List skills
        </button>
      </form>
      {busy && <Spinner label={busy} />}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {listing && (
        <p className="muted small" role="status">
          {skills.length === 0 ? "No skills found" : `${skills.length} skill${skills.length === 1 ? "" : "s"}`} in <span className="break">{listing.url}</span> at{" "}
          <code>{listing.ref.replace(/^refs\/(heads|tags)\//, "")}</code> (commit <code>{listing.commit.slice(0, 7)}</code>).
          {listing.unsupported_sources.length > 0 && ` Not imported from here (their source is outside the repository): ${listing.unsupported_sources.join(", ")}.`}
        </p>
      )}
      {listing && skills.length === 0 && <p className="muted">Check that the repository has SKILL.md files (at its root, under skills/, or listed in .claude-plugin/marketplace.json).</p>}
      {skills.length > 0 && (
        <>
          <fieldset className="segmented">
            <legend>Import the chosen skills into</legend>
            <label>
              <input type="radio" name="git-target" checked={target === "library"} onChange={() => setTarget("library")} /> The library
            </label>
            <label>
              <input type="radio" name="git-target" checked={target === "workspace"} onChange={() => setTarget("workspace")} /> The workspace
            </label>
          </fieldset>
          <div className="row gap-s">
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setSelected(allOn ? new Set() : new Set(importable.map((s) => s.path)))}>
              {allOn ? "Select none" : "Select all"}
            </button>
          </div>
          <ul className="available" aria-label="Skills in the git repository">
            {skills.map((s) => {
              const on = selected.has(s.path);
              const st = gitSkillState(s);
              const r = resultOf(s.path);
              const words = r ? importInWords(r) : null;
              return (
                <li key={s.path} className={on ? "on" : ""} data-path={s.path}>
                  <label className="choice">
                    <input type="checkbox" checked={on} disabled={!!s.error} onChange={() => toggle(s.path)} aria-label={`Import ${s.name}`} />
                    <span>
                      <strong>{s.name}</strong> {s.version && <span className="tag">v{s.version}</span>}{" "}
                      {st.imported && <span className="badge badge-done">imported{st.importedInto.length > 0 && ` (${st.importedInto.join(", ")})`}</span>}{" "}
                      {st.updateAvailable && <span className="badge badge-importing">update available{st.updateIn.length > 0 && ` (${st.updateIn.join(", ")})`}</span>}
                      <br />
                      <code className="small break">{s.path || "/"}</code>
                      {s.description && (
                        <>
                          <br />
                          <span className="muted small">{s.description}</span>
                        </>
                      )}
                      {s.error && (
                        <>
                          <br />
                          <span className="req">Cannot be imported: {s.error}</span>
                        </>
                      )}
                    </span>
                  </label>
                  {words && (
                    <span className={`badge badge-${words.status === "updated" || words.status === "imported" ? "done" : words.status}`} role="status" aria-label={`${r!.skill_name}: ${words.text}`}>
                      {words.text}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
          <div className="row gap-s">
            <button type="button" className="btn btn-primary" disabled={!!busy || selected.size === 0} onClick={runImport}>
              {selected.size === 0 ? `Import into ${TARGET_WORDS[target]}` : `Import ${selected.size} skill${selected.size === 1 ? "" : "s"} into ${TARGET_WORDS[target]}`}
            </button>
          </div>
        </>
      )}
      {result && (
        <div className="alert alert-success" role="status" aria-label="Git import results">
          <p>
            From commit <code>{result.commit.slice(0, 7)}</code>
            {listing && listing.commit !== result.commit ? " (the remote moved on since the list was made)" : ""}:
          </p>
          <ul>
            {result.results.map((x) => (
              <li key={x.path ?? x.skill_name}>
                <strong>{x.skill_name}</strong>: {importInWords(x).text}
              </li>
            ))}
          </ul>
          {landed.length > 0 &&
            (resultTarget === "library" ? (
              <p>
                See {landed.length === 1 ? "it" : "them"} in the <Link to="/">skills library</Link>.
              </p>
            ) : (
              <p>
                See {landed.length === 1 ? "it" : "them"} in <Link to="/workspace">workspace skills</Link>.
              </p>
            ))}
        </div>
      )}
    </section>
  );
}
