// Share the skills library with a team through git (issue 17): Publish pushes every library
// skill and `.claude-plugin/marketplace.json` to a remote (merging a teammate's changes to
// other skills first when the remote is ahead); Pull brings the remote's new and changed skills
// into the library. Both are `publish_library`; nothing local changes when either fails.

import { useState, type FormEvent } from "react";
import { ApiError, invoke } from "../api/transport";
import { publishInWords, skillsInConflict, type PublishResult } from "../api/sharing";
import { ErrorBox, Notice, Spinner } from "./ErrorBox";

type Mode = "publish" | "pull";

/** A `conflict`: which skills, that nothing was changed, and what to do. */
function ConflictBox({ error, mode, known, onDismiss }: { error: ApiError; mode: Mode; known: string[]; onDismiss: () => void }) {
  const skills = skillsInConflict(error.message, known);
  return (
    <div className="alert alert-error" role="alert" data-kind="conflict">
      <strong className="alert-title">{mode === "publish" ? "Publish" : "Pull"} stopped: a conflict with the remote</strong>
      {skills.length > 0 && (
        <>
          <p>Skill{skills.length === 1 ? "" : "s"} in conflict:</p>
          <ul aria-label="Skills in conflict">
            {skills.map((s) => (
              <li key={s}>
                <code>{s}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="alert-detail">{error.message}</p>
      <p>
        <strong>Nothing was changed:</strong> your library and the remote are as they were.
      </p>
      <p className="alert-next">
        <span className="muted">What to do next: </span>
        Do what the message says for the skill{skills.length === 1 ? "" : "s"} in conflict, then {mode === "publish" ? "publish" : "pull"} again.
      </p>
      <div className="row gap-s">
        <button type="button" className="btn btn-small btn-ghost" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}

/**
 * `known`: the library's skill names (to tell a new skill from an updated one, and to find the
 * skills a conflict names); `onChanged` is called when the remote's changes came in.
 */
export function SharePanel({ known, onChanged }: { known: string[]; onChanged?: () => void }) {
  const [remote, setRemote] = useState("");
  const [branch, setBranch] = useState("main");
  const [busy, setBusy] = useState<Mode | null>(null);
  const [error, setError] = useState<{ error: unknown; mode: Mode; remoteEmpty: boolean } | null>(null);
  const [done, setDone] = useState<{ text: string; commit: string } | null>(null);

  const run = async (mode: Mode) => {
    const url = remote.trim();
    const before = new Set(known);
    setError(null);
    setDone(null);
    setBusy(mode);
    try {
      const r = await invoke<PublishResult>("publish_library", {
        ...(url ? { remote: url } : {}),
        branch: branch.trim() || "main",
        ...(mode === "pull" ? { pull: true } : {}),
      });
      setDone({ text: publishInWords(r, mode === "pull", before), commit: r.commit });
      if (r.merged || r.pulledSkills.length > 0 || r.removedSkills.length > 0) onChanged?.();
    } catch (e) {
      setError({ error: e, mode, remoteEmpty: !url });
    } finally {
      setBusy(null);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    run("publish");
  };

  const where = remote.trim() || "the saved remote";
  const conflict = error && error.error instanceof ApiError && error.error.kind === "conflict" ? error.error : null;
  const remoteInvalid = !!error && error.remoteEmpty && error.error instanceof ApiError && error.error.kind === "invalid_input";

  return (
    <section className="panel share-panel" id="share-panel" aria-labelledby="share-title">
      <h2 id="share-title">Share with your team through git</h2>
      <p className="muted">
        <strong>Publish</strong> pushes every library skill (with its <code>context/</code> and <code>evals/</code>) and a{" "}
        <code>.claude-plugin/marketplace.json</code> to a git repository, first merging what teammates changed in other skills.{" "}
        <strong>Pull</strong> brings their new and changed skills into your library. Teammates can also add the repository in Claude Code (
        <code>/plugin marketplace add</code>) or with <code>npx skills add</code>.
      </p>
      <form className="row gap-s wrap url-row" onSubmit={submit} aria-label="Share through git">
        <label className="grow">
          Remote URL
          <input
            value={remote}
            onChange={(e) => setRemote(e.target.value)}
            placeholder="https://github.com/team/skills.git or git@github.com:team/skills.git"
            spellCheck={false}
            autoComplete="off"
            aria-invalid={remoteInvalid || undefined}
            aria-describedby="share-remote-help"
          />
        </label>
        <label>
          Branch
          <input value={branch} onChange={(e) => setBranch(e.target.value)} placeholder="main" spellCheck={false} autoComplete="off" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={!!busy}>
          {busy === "publish" ? "Publishing…" : "Publish"}
        </button>
        <button type="button" className="btn" disabled={!!busy} onClick={() => run("pull")}>
          {busy === "pull" ? "Pulling…" : "Pull"}
        </button>
      </form>
      <p id="share-remote-help" className="help">
        Leave the URL empty to use the saved remote: a URL is saved (as <code>origin</code>) once a publish or pull with it worked. GitHub https URLs
        use your GitHub sign-in, SSH URLs your SSH agent; <code>file://</code> works for a folder.
      </p>
      {busy && <Spinner label={busy === "publish" ? `Publishing to ${where}…` : `Pulling from ${where}…`} />}
      {conflict && error ? (
        <ConflictBox error={conflict} mode={error.mode} known={known} onDismiss={() => setError(null)} />
      ) : (
        <ErrorBox error={error?.error} onDismiss={() => setError(null)} />
      )}
      {remoteInvalid && <p className="field-error">Enter the remote URL above.</p>}
      {done && (
        <Notice>
          {done.text} <span className="muted small">Library at commit {done.commit.slice(0, 7)}.</span>
        </Notice>
      )}
    </section>
  );
}
