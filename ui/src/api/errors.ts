// Turns any failure into a message that says what happened and what to do next.
// The UI matches on error kinds and HTTP statuses, never on message text.

import { ApiError } from "./transport";

export const NOT_AVAILABLE = "This feature is not available in this build yet.";

export interface Explained {
  title: string;
  detail: string;
  next: string;
  kind: string;
  notImplemented: boolean;
}

const NEXT: Record<string, { title: string; next: string }> = {
  invalid_input: { title: "Some input was not accepted", next: "Check the highlighted field and the message above, correct it and try again." },
  locked: {
    title: "The skill is locked",
    next: "Close the skill in the other window (or wait for its run to finish), then try again.",
  },
  network: {
    title: "Network problem",
    next: "Check your connection (and that the Skill Builder server is still running), then try again.",
  },
  not_found: {
    title: "Not found",
    next: "It may have been deleted, renamed or not created yet — go back to the list, refresh and try again.",
  },
  conflict: {
    title: "Conflict",
    next: "Something with that name already exists or is already running — choose another name, or wait for it to finish and refresh.",
  },
  agent: {
    title: "The agent failed",
    next: "See the agent log (the live stream above and the transcript in the skill's logs folder), fix the cause (API key, model) and run the step again.",
  },
  io: {
    title: "File system error",
    next: "Check that the folders in Settings exist and are writable, then try again.",
  },
  internal: {
    title: "Unexpected error",
    next: "Try again; if it keeps happening, look at the log file (its path is shown in Settings) and report it.",
  },
  unknown_command: { title: "Not available", next: NOT_AVAILABLE },
  unauthorized: {
    title: "Not signed in to this server",
    next: "Open the URL printed by `skill-builder serve` again (it ends with ?token=…).",
  },
  forbidden: {
    title: "Request refused",
    next: "Use the page served by Skill Builder itself (the URL printed by `skill-builder serve`).",
  },
  too_large: { title: "File too large", next: "Choose a smaller file and try again." },
};

export function explain(e: unknown): Explained {
  if (e instanceof ApiError) {
    if (e.notImplemented) {
      return {
        title: "Not available yet",
        detail: e.command ? `The command '${e.command}' is not implemented in this build.` : e.message,
        next: NOT_AVAILABLE,
        kind: e.kind,
        notImplemented: true,
      };
    }
    const n = NEXT[e.kind] ?? NEXT.internal;
    return { title: n.title, detail: e.message, next: n.next, kind: e.kind, notImplemented: false };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { title: NEXT.internal.title, detail: msg, next: NEXT.internal.next, kind: "internal", notImplemented: false };
}

export function isNotImplemented(e: unknown): boolean {
  return e instanceof ApiError && e.notImplemented;
}
