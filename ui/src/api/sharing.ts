// Sharing through git (issue 17): the shapes of `publish_library`, `list_git_skills` and
// `import_git_skills`, and their results in words. Pure functions, so the words are the same
// wherever a result is shown.

import type { AvailableSkill, MarketplaceImportResult, WorkspaceSkill } from "./types";

/** `publish_library`'s result (camelCase, as crates/core/src/publish serialises it). */
export interface PublishResult {
  /** Without any credential the URL carried. */
  remote: string;
  branch: string;
  commit: string;
  /** The remote branch moved (false when it had everything already, and for a pull). */
  pushed: boolean;
  /** Changes from the remote were brought into the library. */
  merged: boolean;
  /** Skills new or changed from the remote. */
  pulledSkills: string[];
  /** Skills the remote deleted. */
  removedSkills: string[];
  /** What `marketplace.json` lists. */
  skills: string[];
}

/** A skill of `list_git_skills`. The import state fields are optional: a backend may not send them. */
export type GitAvailableSkill = AvailableSkill & {
  error?: string | null;
  plugins?: string[];
  imported?: unknown;
  updateAvailable?: boolean | null;
  update_available?: boolean | null;
};

export interface GitSkillListing {
  url: string;
  commit: string;
  ref: string;
  registry_name: string | null;
  skills: GitAvailableSkill[];
  unsupported_sources: string[];
}

export type ImportStatus = "imported" | "updated" | "skipped" | "failed";

/** One per skill, in the shape of the GitHub import into the same target. */
export type GitImportItem = (Partial<WorkspaceSkill> | Partial<MarketplaceImportResult>) & {
  skill_name: string;
  status?: ImportStatus | string;
  path?: string;
  error?: string | null;
  success?: boolean;
  warnings?: string[];
};

export interface GitImportResult {
  url: string;
  commit: string;
  ref: string;
  target: "workspace" | "library" | string;
  results: GitImportItem[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function list(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** What came in from the remote: "new skill X", "updated skills Y and Z", "removed W". */
export function pulledInWords(r: PublishResult, knownBefore: ReadonlySet<string> | null): string[] {
  const parts: string[] = [];
  if (knownBefore) {
    const added = r.pulledSkills.filter((s) => !knownBefore.has(s));
    const changed = r.pulledSkills.filter((s) => knownBefore.has(s));
    if (added.length) parts.push(`new skill${added.length === 1 ? "" : "s"} ${list(added)}`);
    if (changed.length) parts.push(`updated skill${changed.length === 1 ? "" : "s"} ${list(changed)}`);
  } else if (r.pulledSkills.length) {
    parts.push(`new or changed skill${r.pulledSkills.length === 1 ? "" : "s"} ${list(r.pulledSkills)}`);
  }
  if (r.removedSkills.length) parts.push(`removed on the remote: ${list(r.removedSkills)}`);
  return parts;
}

/** A publish or pull result as one sentence. */
export function publishInWords(r: PublishResult, pull: boolean, knownBefore: ReadonlySet<string> | null): string {
  const where = `${r.remote} (${r.branch})`;
  const incoming = pulledInWords(r, knownBefore);
  if (pull) {
    if (!r.merged && incoming.length === 0) return `Pulled from ${where}: already up to date, nothing new.`;
    return `Pulled from ${where}: ${incoming.length ? incoming.join("; ") : "the remote's changes"}.`;
  }
  const head = r.pushed ? `Published ${plural(r.skills.length, "skill")} to ${where}` : `${where} already has all ${plural(r.skills.length, "skill")}: nothing to push`;
  if (!r.merged) return `${head}.`;
  return `${head} — merged a teammate's changes${incoming.length ? `: ${incoming.join("; ")}` : ""}.`;
}

/** Skill names a `conflict` message lists. The backend's messages say "… changed a, b since …"
 * or "a, b have changes not yet in the history"; any library skill named in the message counts
 * too, so a reworded message still shows its skills. */
export function skillsInConflict(message: string, known: Iterable<string>): string[] {
  const found = new Set<string>();
  const name = /^[a-z0-9][a-z0-9._-]*$/i;
  const add = (group: string | undefined) =>
    group
      ?.split(/,\s*|\s+and\s+/)
      .map((s) => s.trim().replace(/^'|'$/g, ""))
      .filter((s) => name.test(s))
      .forEach((s) => found.add(s));
  add(/changed (.+?) since they last matched/.exec(message)?.[1]);
  add(/^(.+?) ha(?:s|ve) changes not yet in the history/.exec(message)?.[1]);
  const words = new Set(message.split(/[^a-z0-9._-]+/i).map((w) => w.replace(/\.+$/, "")));
  for (const k of known) if (words.has(k)) found.add(k);
  return Array.from(found);
}

/** A per-skill import result in words: "imported", "skipped (unchanged)", "failed: …". */
export function importInWords(r: GitImportItem): { status: ImportStatus | string; text: string } {
  const status = r.status ?? (r.success === false ? "failed" : "imported");
  switch (status) {
    case "imported":
      return { status, text: "imported" };
    case "updated":
      return { status, text: "updated" };
    case "skipped":
      return { status, text: r.error ? `skipped: ${r.error}` : "skipped (unchanged)" };
    case "failed":
      return { status, text: `failed: ${r.error ?? "unknown error"}` };
    default:
      return { status, text: String(status) };
  }
}

/** Where the skill was imported before (`library`, `workspace`), and where the listed commit
 * would update it — only when the backend says so (older backends send neither field).
 * `imported` is a list of pins ({target, updateAvailable, …}) or a flag. */
export function gitSkillState(s: GitAvailableSkill): { imported: boolean; importedInto: string[]; updateAvailable: boolean; updateIn: string[] } {
  const pins = Array.isArray(s.imported) ? (s.imported as unknown[]).filter((p): p is Record<string, unknown> => !!p && typeof p === "object") : [];
  const targetOf = (p: Record<string, unknown>) => (typeof p.target === "string" ? p.target : "");
  const importedInto = Array.from(new Set(pins.map(targetOf).filter(Boolean)));
  const updateIn = Array.from(new Set(pins.filter((p) => p.updateAvailable ?? p.update_available).map(targetOf).filter(Boolean)));
  const updateAvailable = !!(s.updateAvailable ?? s.update_available) || updateIn.length > 0;
  const imported = Array.isArray(s.imported) ? s.imported.length > 0 : !!s.imported;
  return { imported: imported || updateAvailable, importedInto, updateAvailable, updateIn };
}

/** The listing's import state after `target` took the listed commit (only the fields the
 * backend sent are changed; a backend without them shows the per-skill result only). */
export function markImported(s: GitAvailableSkill, target: string): GitAvailableSkill {
  const next: GitAvailableSkill = { ...s };
  if (Array.isArray(s.imported)) {
    const pins = (s.imported as Record<string, unknown>[]).map((p) =>
      p && typeof p === "object" && p.target === target ? { ...p, updateAvailable: false, update_available: false } : p,
    );
    if (!pins.some((p) => p && typeof p === "object" && p.target === target)) pins.push({ target, updateAvailable: false });
    next.imported = pins;
    const stillOld = pins.some((p) => p && typeof p === "object" && (p.updateAvailable || p.update_available));
    if ("updateAvailable" in s) next.updateAvailable = stillOld;
    if ("update_available" in s) next.update_available = stillOld;
  } else {
    if ("imported" in s) next.imported = true;
    if ("updateAvailable" in s) next.updateAvailable = false;
    if ("update_available" in s) next.update_available = false;
  }
  return next;
}
