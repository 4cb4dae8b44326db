// Validate a library skill (`lint_skill`): findings inline with what to do about each, and
// "Fix frontmatter" when the lint found keys `fix: true` moves under `metadata`.

import { useCallback, useEffect, useState } from "react";
import { invoke } from "../api/transport";
import type { LintFinding, LintResult } from "../api/types";
import { ErrorBox, Notice, Spinner } from "./ErrorBox";

type Mode = "spec" | "claude-code";

/** What to do about a finding, by its stable code. */
const FIX_HINTS: Record<string, string> = {
  unknown_keys: "Move these keys under `metadata` with Fix frontmatter, or check in Claude Code mode if they are Claude Code keys.",
  bom: "Fix frontmatter removes the byte-order mark.",
  missing_skill_md: "Build the skill first: Generate Skill (step 4) writes SKILL.md.",
  lowercase_skill_md: "Rename skill.md to SKILL.md.",
  no_frontmatter: "Start SKILL.md with a YAML block between two --- lines holding name and description.",
  invalid_frontmatter: "Correct the YAML between the --- lines (indentation, quotes, colons).",
  unsupported_yaml: "Use plain YAML keys and values (no anchors, tags or multiple documents).",
  missing_name: "Add `name:` with the skill's folder name.",
  invalid_name: "Use lower-case letters, digits and single hyphens, at most 64 characters.",
  bad_name: "Use lower-case letters, digits and single hyphens, at most 64 characters.",
  name_not_importable: "Use ASCII kebab-case (a–z, 0–9, hyphens) so every tool can use it as a folder name.",
  name_folder_mismatch: "Make `name` equal the folder name, or rename the skill so both match.",
  missing_description: "Add a description: what the skill does and when an agent should use it.",
  invalid_description: "Make the description a non-empty line of text.",
  description_too_long: "Shorten the description to at most 1,024 characters; move detail into the body.",
  compatibility_too_long: "Shorten `compatibility` to at most 500 characters.",
  invalid_type: "Give the key the type the specification expects (see the message).",
  invalid_value: "Correct the value (see the message).",
  broken_link: "Create the linked file or correct the link.",
  link_outside_skill: "Link only to files inside the skill folder: copy the file into references/.",
  body_too_long: "Keep SKILL.md under 500 lines: move detail into references/ files and link to them.",
};

/** Findings that `lint_skill` with `fix: true` would change. */
function fixable(f: LintFinding) {
  return f.code === "unknown_keys" || f.code === "bom";
}

export function SkillValidate({ skill, onFixed }: { skill: string; onFixed?: () => void }) {
  const [mode, setMode] = useState<Mode>("spec");
  const [result, setResult] = useState<LintResult | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [fixNote, setFixNote] = useState<string | null>(null);
  // After a fix that changed nothing (only Claude Code keys left), offering it again is noise.
  const [nothingToFix, setNothingToFix] = useState(false);

  const run = useCallback(
    async (fix: boolean) => {
      setBusy(fix ? "Fixing the frontmatter…" : "Validating…");
      setError(null);
      if (!fix) {
        setFixNote(null);
        setNothingToFix(false);
      }
      try {
        const r = await invoke<LintResult>("lint_skill", { skillName: skill, mode, ...(fix ? { fix: true } : {}) });
        setResult(r);
        if (fix && r.fix) {
          const parts: string[] = [];
          if (r.fix.moved.length) parts.push(`moved under metadata: ${r.fix.moved.join(", ")}`);
          if (r.fix.bom_removed) parts.push("byte-order mark removed");
          setFixNote(r.fix.changed ? `Frontmatter fixed (${parts.join("; ")}).${r.fix.commit ? " The change is a new version in the history." : ""}` : "Nothing to fix in the frontmatter.");
          if (r.fix.changed) onFixed?.();
          else setNothingToFix(true);
        }
      } catch (e) {
        setError(e);
      } finally {
        setBusy(null);
      }
    },
    [skill, mode, onFixed],
  );

  useEffect(() => {
    run(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [skill, mode]);

  const errors = result?.findings.filter((f) => f.severity === "error") ?? [];
  const warnings = result?.findings.filter((f) => f.severity === "warning") ?? [];
  const canFix = !nothingToFix && (result?.findings.some(fixable) ?? false);

  return (
    <div className="validate">
      <div className="row gap-s wrap">
        <h2>Validate “{skill}”</h2>
        <fieldset className="segmented">
          <legend className="sr-only">Check against</legend>
          <label>
            <input type="radio" name="lint-mode" checked={mode === "spec"} onChange={() => setMode("spec")} /> Agent Skills specification
          </label>
          <label>
            <input type="radio" name="lint-mode" checked={mode === "claude-code"} onChange={() => setMode("claude-code")} /> Claude Code
          </label>
        </fieldset>
        <button type="button" className="btn btn-small" onClick={() => run(false)} disabled={!!busy}>
          Validate again
        </button>
      </div>
      {busy && <Spinner label={busy} />}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      {fixNote && <Notice>{fixNote}</Notice>}
      {result && !busy && (
        <>
          <p className={result.ok ? "lint-verdict lint-ok" : "lint-verdict lint-fail"} role="status" aria-label="Validation result">
            {result.ok
              ? result.findings.length === 0
                ? "Valid: no problems found."
                : `Valid, with ${warnings.length} warning${warnings.length === 1 ? "" : "s"}.`
              : `Not valid: ${errors.length} error${errors.length === 1 ? "" : "s"}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : ""}.`}
            {result.claude_code_only && " Uses Claude Code's own keys: meant for Claude Code only."}
          </p>
          {result.findings.length > 0 && (
            <ul className="lint-findings" aria-label="Findings">
              {result.findings.map((f, i) => (
                <li key={i} className={`lint-finding lint-${f.severity}`}>
                  <span className={`badge ${f.severity === "error" ? "badge-error" : "badge-skipped"}`}>{f.severity}</span>{" "}
                  <code>{f.code}</code>
                  {f.field && <span className="muted"> [{f.field}]</span>}: {f.message}
                  {FIX_HINTS[f.code] && <p className="help">How to fix: {FIX_HINTS[f.code]}</p>}
                </li>
              ))}
            </ul>
          )}
          {canFix && (
            <div className="row gap-s">
              <button type="button" className="btn btn-primary" onClick={() => run(true)} disabled={!!busy}>
                Fix frontmatter
              </button>
              <span className="help">Moves keys the specification does not know under `metadata` (values kept); Claude Code's own keys stay.</span>
            </div>
          )}
        </>
      )}
    </div>
  );
}
