// Whether the Skill Builder server can be reached. A lost server is one global banner (see
// OfflineBanner), not an error box per failed request: boxes for "cannot reach the server"
// render nothing while this says offline.

import { useSyncExternalStore } from "react";
import { ApiError, onConnectionChange, transportName } from "../api/transport";

let offline = false;
let probing = false;
const listeners = new Set<() => void>();

function set(v: boolean) {
  if (v === offline) return;
  offline = v;
  listeners.forEach((l) => l());
}

/** Asks the server for its start page until it answers (any HTTP answer means it is up). */
async function probe() {
  if (probing) return;
  probing = true;
  try {
    for (;;) {
      try {
        await fetch("/", { method: "HEAD", cache: "no-store", credentials: "same-origin" });
        set(false);
        return;
      } catch {
        set(true);
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    probing = false;
  }
}

/** The HTTP transport could not reach the server at all (not an error the server sent). */
export function isServerUnreachable(e: unknown): boolean {
  return e instanceof ApiError && e.kind === "network" && e.status === 0 && transportName() === "http";
}

/** A request found no server: check, and show the banner until it answers again. */
export function reportUnreachable() {
  set(true);
  probe();
}

let watching = false;

/** Follows the event stream: when it drops, check whether the server is still there. */
export function watchServer() {
  if (watching || transportName() !== "http") return;
  watching = true;
  let timer: ReturnType<typeof setTimeout> | null = null;
  onConnectionChange((open) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (open) set(false);
    else timer = setTimeout(probe, 800);
  });
}

export function useOffline(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => offline,
  );
}
