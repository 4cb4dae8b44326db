// Create a skill: kebab-case name checked as you type, purpose, description, tags.

import { useState, type FormEvent } from "react";
import { ApiError, invoke } from "../api/transport";
import { getSettings } from "../api/hooks";
import { PURPOSES, kebabProblem } from "../api/types";
import { ErrorBox } from "../components/ErrorBox";
import { SuggestDescription } from "../components/SuggestDescription";
import { navigate } from "../router";

export function parseTags(s: string): string[] {
  return Array.from(new Set(s.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean)));
}

export function CreateSkillPage() {
  const [name, setName] = useState("");
  const [touched, setTouched] = useState(false);
  const [purpose, setPurpose] = useState("domain");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const problem = kebabProblem(name);
  const serverNameProblem = error instanceof ApiError && (error.kind === "invalid_input" || error.kind === "conflict");
  const showProblem = (touched || name.length > 0) && !!problem;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      const s = await getSettings();
      await invoke("create_skill", {
        workspacePath: s.workspace_path ?? "",
        name,
        purpose,
        description: description.trim() || null,
        tags: parseTags(tags),
      });
      navigate(`/skills/${encodeURIComponent(name)}/build?autostart=1`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page narrow">
      <h1>Create skill</h1>
      <p className="muted">The guided workflow researches the domain, asks you a few questions, and writes the skill.</p>
      <form onSubmit={submit} className="form" noValidate>
        <div className="field">
          <label htmlFor="skill-name">Skill name</label>
          <input
            id="skill-name"
            value={name}
            autoFocus
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={showProblem || serverNameProblem ? true : undefined}
            aria-describedby="skill-name-help"
            placeholder="e.g. sales-pipeline"
          />
          <p id="skill-name-help" className={showProblem ? "field-error" : "help"} aria-live="polite">
            {showProblem ? problem : name && !problem ? "✓ Valid kebab-case name" : "Lower-case words joined by hyphens."}
          </p>
        </div>
        <div className="field">
          <label htmlFor="skill-purpose">Purpose</label>
          <select id="skill-purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)}>
            {PURPOSES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="skill-description">Description</label>
          <textarea id="skill-description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What the skill helps Claude do, and when to use it" />
          <SuggestDescription name={name} purpose={purpose} onAccept={setDescription} />
        </div>
        <div className="field">
          <label htmlFor="skill-tags">Tags</label>
          <input id="skill-tags" value={tags} onChange={(e) => setTags(e.target.value)} placeholder="comma, separated" aria-describedby="skill-tags-help" />
          <p id="skill-tags-help" className="help">
            {parseTags(tags).length ? parseTags(tags).map((t) => <span key={t} className="tag">{t}</span>) : "Optional; separate tags with commas."}
          </p>
        </div>
        <ErrorBox error={error} onDismiss={() => setError(null)} />
        <div className="row gap-s">
          <button type="submit" className="btn btn-primary" disabled={busy || (!!problem && touched)}>
            {busy ? "Creating…" : "Create and start building"}
          </button>
          <button type="button" className="btn btn-ghost" onClick={() => navigate("/")}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
