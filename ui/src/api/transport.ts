// The one transport adapter: commands and events go through Tauri IPC inside the desktop
// shell, and through the local HTTP server (`POST /api/<name>`, SSE on `/api/events`) in a browser.

/** Machine-readable error kinds of the backend, plus the transport's own. */
export type ErrorKind =
  | "not_found"
  | "invalid_input"
  | "conflict"
  | "locked"
  | "io"
  | "network"
  | "agent"
  | "internal"
  | "unknown_command"
  | "unauthorized"
  | "forbidden"
  | "too_large"
  | string;

/** Every failed `invoke` throws one of these. `status` is the HTTP status (0 = no answer / IPC). */
export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly command: string;

  constructor(kind: ErrorKind, message: string, status: number, command = "") {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
    this.command = command;
  }

  /** This build's backend has no such command (a UI newer than its backend): retrying cannot help. */
  get notImplemented(): boolean {
    return this.kind === "unknown_command";
  }
}

interface TauriGlobal {
  core: { invoke: (cmd: string, args?: Record<string, unknown>) => Promise<unknown> };
  event: {
    listen: (
      event: string,
      handler: (e: { payload: unknown }) => void,
    ) => Promise<() => void>;
  };
  window?: { getCurrentWindow: () => { destroy: () => Promise<void> } };
}

declare global {
  interface Window {
    __TAURI__?: TauriGlobal;
  }
}

function tauri(): TauriGlobal | undefined {
  return typeof window !== "undefined" ? window.__TAURI__ : undefined;
}

/** Which transport is in use (shown in Settings → About). */
export function transportName(): "tauri" | "http" {
  return tauri()?.core?.invoke ? "tauri" : "http";
}

/** Turns whatever a Tauri command rejected with into an ApiError. */
function fromTauriError(name: string, e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  let v: unknown = e;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return new ApiError("internal", e as string, 0, name);
    }
  }
  if (v && typeof v === "object") {
    const o = ((v as { error?: unknown }).error ?? v) as { kind?: string; message?: string };
    if (typeof o.message === "string") {
      const kind = o.kind ?? "internal";
      return new ApiError(kind, o.message, 0, name);
    }
  }
  return new ApiError("internal", String(e), 0, name);
}

function kindForStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
      return "invalid_input";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 413:
      return "too_large";
    case 423:
      return "locked";
    case 502:
    case 503:
    case 504:
      return "network";
    default:
      return "internal";
  }
}

/** Invokes a backend command with camelCase args and returns its JSON result. */
export async function invoke<T = unknown>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const t = tauri();
  if (t?.core?.invoke) {
    try {
      return (await t.core.invoke(name, args)) as T;
    } catch (e) {
      throw fromTauriError(name, e);
    }
  }
  let res: Response;
  try {
    res = await fetch(`/api/${encodeURIComponent(name)}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(args),
    });
  } catch (e) {
    throw new ApiError(
      "network",
      `cannot reach the Skill Builder server (${e instanceof Error ? e.message : String(e)})`,
      0,
      name,
    );
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const err = (body as { error?: { kind?: string; message?: string } } | null)?.error;
    let kind = err?.kind ?? kindForStatus(res.status);
    // The status decides for the security layer and the body limit, whatever a proxy sent.
    if (res.status === 401) kind = "unauthorized";
    if (res.status === 403) kind = "forbidden";
    if (res.status === 413) kind = "too_large";
    const message = err?.message ?? (text.trim() || `HTTP ${res.status} ${res.statusText}`);
    throw new ApiError(kind, message, res.status, name);
  }
  return body as T;
}

// ---- events ----

export type EventName =
  | "agent-message"
  | "agent-exit"
  | "agent-init-progress"
  | "agent-init-error"
  | "agent-shutdown"
  | "close-requested";

type Listener = (payload: any) => void;

const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;
const attached = new Set<string>();
const connectionListeners = new Set<(open: boolean) => void>();
let connected = false;

function setConnected(open: boolean) {
  if (open === connected) return;
  connected = open;
  connectionListeners.forEach((l) => l(open));
}

function dispatch(name: string, payload: unknown) {
  listeners.get(name)?.forEach((l) => {
    try {
      l(payload);
    } catch (e) {
      console.error(`listener of ${name} failed`, e);
    }
  });
}

/** The one shared EventSource of the browser; each event name is attached once. */
function ensureSource(name: string) {
  if (!source) {
    source = new EventSource("/api/events", { withCredentials: true });
    // The server may hold its response headers until the first event, so `open` can come
    // late: count the stream as live until it reports an error.
    setConnected(true);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(source?.readyState === EventSource.OPEN);
  }
  if (!attached.has(name)) {
    attached.add(name);
    source.addEventListener(name, (ev) => {
      setConnected(true);
      const data = (ev as MessageEvent).data;
      let payload: unknown = null;
      try {
        payload = JSON.parse(data);
      } catch {
        payload = data;
      }
      dispatch(name, payload);
    });
  }
}

/** Opens the event stream early so no event of a command started right after is missed. */
export function connectEvents(names: EventName[] = ["agent-message", "agent-exit", "agent-init-progress", "agent-init-error", "agent-shutdown"]) {
  if (tauri()?.event?.listen) return;
  names.forEach(ensureSource);
}

/** Is the browser's event stream open (always true under Tauri)? */
export function eventsConnected(): boolean {
  return tauri() ? true : connected;
}

export function onConnectionChange(cb: (open: boolean) => void): () => void {
  connectionListeners.add(cb);
  return () => connectionListeners.delete(cb);
}

/** Subscribes to a backend event; returns the unsubscribe function. */
export function subscribe<T = any>(name: EventName | string, cb: (payload: T) => void): () => void {
  const t = tauri();
  if (t?.event?.listen) {
    let unlisten: (() => void) | null = null;
    let cancelled = false;
    t.event
      .listen(name, (e) => cb(e.payload as T))
      .then((u) => {
        if (cancelled) u();
        else unlisten = u;
      })
      .catch((e) => console.error(`cannot listen to ${name}`, e));
    return () => {
      cancelled = true;
      unlisten?.();
    };
  }
  let set = listeners.get(name);
  if (!set) {
    set = new Set();
    listeners.set(name, set);
  }
  set.add(cb as Listener);
  ensureSource(name);
  return () => {
    set!.delete(cb as Listener);
  };
}

/** Desktop only: destroys the app window (after `graceful_shutdown`); a no-op in a browser. */
export async function destroyWindow(): Promise<void> {
  const w = tauri()?.window;
  if (w) await w.getCurrentWindow().destroy();
}
