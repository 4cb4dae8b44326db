// The app's record of agent runs. Live output belongs to the app, not to a page: every
// `agent-message`, `agent-exit` and `agent-shutdown` is kept here from start-up on, so leaving a
// running step and coming back shows everything streamed so far. A run that started before this
// page was loaded is completed from its transcript (`{workspace}/{skill}/logs/*.jsonl`).

import { useEffect, useState, useSyncExternalStore } from "react";
import { invoke, subscribe } from "../api/transport";

export interface StreamItem {
  kind: "text" | "tool" | "result" | "error" | "info";
  text: string;
  detail?: string;
}

export type RunKind = "step" | "refine" | "test-with" | "test-without" | "test-eval" | "gate-eval" | "other";
export type RunStatus = "running" | "completed" | "error" | "stopped";

interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface AgentRun {
  id: string;
  skill: string | null;
  kind: RunKind;
  /** The workflow step id (0–3) of a step run. */
  step: number | null;
  items: StreamItem[];
  status: RunStatus;
  startedAt: number;
  endedAt: number | null;
  model: string | null;
  mock: boolean;
  /** Tokens so far (input, output and cache), summed over the agent's API messages. */
  tokens: number;
  /** Cost estimated from the tokens so far; `cost` replaces it once the agent reports it. */
  estimatedCost: number;
  cost: number | null;
  turns: number | null;
  /** The final answer text of the agent (its `result`), when it reported one. */
  resultText: string | null;
  /** The run's first message (its config) was seen: nothing before it is missing. */
  complete: boolean;
}

interface Entry {
  key: string;
  items: StreamItem[];
}

interface Internal {
  run: AgentRun;
  entries: Entry[];
  keys: Set<string>;
  usage: Map<string, Usage>;
  stopRequested: boolean;
}

const runs = new Map<string, Internal>();
/** Skill of each skill test, by the timestamp its three agent ids share. */
const testSkills = new Map<string, string>();
const listeners = new Set<() => void>();
let version = 0;

function changed() {
  version++;
  listeners.forEach((l) => l());
}

// ---- what an agent message shows ----

function short(s: string, n = 140) {
  const line = s.split("\n").find((l) => l.trim()) ?? "";
  return line.length > n ? line.slice(0, n - 1) + "…" : line;
}

/** What one `agent-message` contributes to the visible stream. */
export function streamItems(message: any): StreamItem[] {
  if (!message || typeof message !== "object") return [];
  switch (message.type) {
    case "assistant": {
      const out: StreamItem[] = [];
      for (const b of message.message?.content ?? []) {
        if (b.type === "text" && b.text?.trim()) out.push({ kind: "text", text: b.text });
        else if (b.type === "tool_use") {
          const input = b.input ?? {};
          const target = input.file_path ?? input.path ?? input.pattern ?? input.command ?? input.description ?? "";
          out.push({ kind: "tool", text: b.name ?? "tool", detail: short(String(target), 160) });
        }
      }
      return out;
    }
    case "result": {
      const cost = typeof message.total_cost_usd === "number" ? ` · ${formatCost(message.total_cost_usd)}` : "";
      const turns = message.num_turns != null ? ` · ${plural(message.num_turns, "turn")}` : "";
      const ok = !message.is_error && !String(message.subtype ?? "").startsWith("error");
      return [{ kind: ok ? "result" : "error", text: ok ? `Finished${turns}${cost}` : `Ended with ${message.subtype ?? "an error"}${turns}` }];
    }
    case "error":
      return [{ kind: "error", text: String(message.error ?? message.message ?? "error") }];
    case "config":
      return [{ kind: "info", text: `Agent started${message.config?.model ? ` with ${message.config.model}` : ""}` }];
    default:
      return [];
  }
}

// ---- words and numbers ----

/** "1 turn", "3 turns", "1,234 tokens". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}

export function formatCost(usd: number): string {
  if (usd === 0) return "$0.00";
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** "0:07", "12:45", "1:02:03". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export function formatTokens(n: number): string {
  if (n < 1000) return plural(n, "token");
  return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k tokens`;
}

/** Public list prices in USD per million tokens (input, output); an estimate while the agent runs. */
function prices(model: string | null): [number, number] {
  const m = (model ?? "").toLowerCase();
  if (m.includes("haiku")) return m.includes("3-5") || m.includes("3.5") ? [0.8, 4] : m.includes("-3-") ? [0.25, 1.25] : [1, 5];
  if (m.includes("opus")) return /opus-4-(0|1)|opus-4-2025|opus-3|3-opus/.test(m) ? [15, 75] : [5, 25];
  return [3, 15];
}

function estimate(model: string | null, u: Usage): number {
  const [inp, out] = prices(model);
  return (u.input * inp + u.cacheWrite * inp * 1.25 + u.cacheRead * inp * 0.1 + u.output * out) / 1_000_000;
}

// ---- agent ids ----

function classify(id: string): { kind: RunKind; skill: string | null; step: number | null } {
  let m: RegExpExecArray | null;
  if ((m = /^(.+)-step(\d)-\d+$/.exec(id))) return { kind: "step", skill: m[1], step: Number(m[2]) };
  if ((m = /^refine-(.+)-\d+$/.exec(id))) return { kind: "refine", skill: m[1], step: null };
  if ((m = /^(.+)-gate-eval-\d+$/.exec(id))) return { kind: "gate-eval", skill: m[1], step: null };
  if ((m = /^__test_baseline__-test-(without|eval)-(\d+)$/.exec(id)))
    return { kind: m[1] === "without" ? "test-without" : "test-eval", skill: testSkills.get(m[2]) ?? null, step: null };
  if ((m = /^(.+)-test-with-(\d+)$/.exec(id))) {
    testSkills.set(m[2], m[1]);
    return { kind: "test-with", skill: m[1], step: null };
  }
  return { kind: "other", skill: null, step: null };
}

function blank(id: string, startedAt: number): Internal {
  return {
    run: {
      id,
      ...classify(id),
      items: [],
      status: "running",
      startedAt,
      endedAt: null,
      model: null,
      mock: false,
      tokens: 0,
      estimatedCost: 0,
      cost: null,
      turns: null,
      resultText: null,
      complete: false,
    },
    entries: [],
    keys: new Set(),
    usage: new Map(),
    stopRequested: false,
  };
}

function ensure(id: string): Internal {
  let r = runs.get(id);
  if (!r) {
    r = blank(id, Date.now());
    runs.set(id, r);
  }
  return r;
}

function messageKey(m: any): string {
  if (typeof m?.uuid === "string") return m.uuid;
  if (m?.type === "config") return "config";
  return JSON.stringify(m);
}

/** Folds one message into the run (a message already seen, by its uuid, is skipped). */
function absorb(r: Internal, m: any): boolean {
  const key = messageKey(m);
  if (r.keys.has(key)) return false;
  r.keys.add(key);
  r.entries.push({ key, items: streamItems(m) });
  const run = { ...r.run };
  // A baseline test agent learns its skill once the agent with the skill has been seen.
  if (run.skill == null && run.kind.startsWith("test-")) run.skill = classify(run.id).skill;
  if (m?.type === "config") {
    run.complete = true;
    run.model = m.config?.model ?? run.model;
    run.mock = m.config?.mock === true;
  }
  if (m?.type === "assistant" && m.message?.usage) {
    const u = m.message.usage;
    r.usage.set(m.message.id ?? key, {
      input: Number(u.input_tokens) || 0,
      output: Number(u.output_tokens) || 0,
      cacheRead: Number(u.cache_read_input_tokens) || 0,
      cacheWrite: Number(u.cache_creation_input_tokens) || 0,
    });
    run.model = m.message.model ?? run.model;
    let tokens = 0;
    let cost = 0;
    r.usage.forEach((x) => {
      tokens += x.input + x.output + x.cacheRead + x.cacheWrite;
      cost += estimate(run.model, x);
    });
    run.tokens = tokens;
    run.estimatedCost = cost;
  }
  if (m?.type === "result") {
    if (typeof m.total_cost_usd === "number") run.cost = m.total_cost_usd;
    if (typeof m.num_turns === "number") run.turns = m.num_turns;
    if (typeof m.result === "string") run.resultText = m.result;
  }
  run.items = r.entries.flatMap((e) => e.items);
  r.run = run;
  return true;
}

function end(id: string, status: RunStatus) {
  const r = runs.get(id);
  if (!r) return;
  if (r.run.status !== "running" && r.run.status !== "error") return;
  const final = r.stopRequested && status !== "completed" ? "stopped" : status;
  r.run = { ...r.run, status: final, endedAt: r.run.endedAt ?? Date.now() };
  changed();
}

let started = false;

/** Starts recording (once, at start-up, before any command runs). */
export function startAgentStore() {
  if (started) return;
  started = true;
  subscribe<{ agent_id: string; message: any }>("agent-message", (p) => {
    if (!p?.agent_id) return;
    const r = ensure(p.agent_id);
    if (absorb(r, p.message)) changed();
  });
  subscribe<{ agent_id: string; success: boolean }>("agent-exit", (p) => p?.agent_id && end(p.agent_id, p.success ? "completed" : "error"));
  subscribe<{ agent_id: string }>("agent-shutdown", (p) => p?.agent_id && end(p.agent_id, "stopped"));
}

// ---- reading ----

function subscribeStore(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Re-renders on every change of the store; `pick` reads what the component needs. */
export function useAgentRuns<T>(pick: (all: AgentRun[]) => T): T {
  useSyncExternalStore(subscribeStore, () => version);
  return pick(Array.from(runs.values(), (r) => r.run));
}

export function allRuns(): AgentRun[] {
  return Array.from(runs.values(), (r) => r.run);
}

/** The latest run matching `test` (by start time). */
export function latest(all: AgentRun[], test: (r: AgentRun) => boolean): AgentRun | null {
  let best: AgentRun | null = null;
  for (const r of all) if (test(r) && (!best || r.startedAt >= best.startedAt)) best = r;
  return best;
}

export function getRun(id: string): AgentRun | null {
  return runs.get(id)?.run ?? null;
}

/** A clock that ticks every `ms` while `on`, for elapsed-time lines. */
export function useNow(on: boolean, ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [on, ms]);
  return now;
}

// ---- stopping ----

/** Stops the agents of `skill` (its sidecar; `__test_baseline__` too for a skill test). */
export async function stopAgents(skill: string, alsoBaseline = false): Promise<void> {
  runs.forEach((r) => {
    const isBaseline = r.run.id.startsWith("__test_baseline__-");
    if (r.run.status === "running" && (r.run.skill === skill || (alsoBaseline && isBaseline))) r.stopRequested = true;
  });
  const pools = alsoBaseline ? [skill, "__test_baseline__"] : [skill];
  await Promise.all(pools.map((p) => invoke("cleanup_skill_sidecar", { skillName: p })));
  // A request that ended before the sidecar went away sends no event; mark what is left.
  runs.forEach((r, id) => {
    if (r.stopRequested && r.run.status === "running") end(id, "stopped");
  });
}

// ---- transcripts ----

/** `step0-20260102T030405.678Z.jsonl` → the time it was created. */
function stampOf(path: string): number | null {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?Z\.jsonl$/.exec(path);
  if (!m) return null;
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}Z`);
}

interface LogFile {
  relative_path: string;
  absolute_path: string;
  is_directory: boolean;
}

/** The newest transcript of `skill` whose file name starts with `label-` (e.g. `step2`). */
export async function latestTranscript(workspacePath: string, skill: string, label: string): Promise<LogFile | null> {
  const files = await invoke<LogFile[]>("list_skill_files", { workspacePath, skillName: skill });
  const re = new RegExp(`^logs/${label.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&")}-\\d{8}T[\\d.]+Z\\.jsonl$`);
  const logs = files.filter((f) => !f.is_directory && re.test(f.relative_path)).sort((a, b) => a.relative_path.localeCompare(b.relative_path));
  return logs[logs.length - 1] ?? null;
}

/**
 * Completes (or creates) a run from its transcript: the lines already streamed are kept, the
 * ones missed before this page was loaded are put in front. `running` says whether the backend
 * still counts the run as running. Resolves with the run's id, or null without a transcript.
 */
export async function replayTranscript(file: LogFile, running: boolean): Promise<string | null> {
  const text = await invoke<string>("read_file", { filePath: file.absolute_path });
  const messages: any[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      messages.push(JSON.parse(line));
    } catch {
      /* a half-written last line */
    }
  }
  const id = messages.find((m) => typeof m?.request_id === "string")?.request_id ?? `transcript:${file.relative_path}`;
  const existing = runs.get(id);
  if (existing?.run.complete) return id;
  const fresh = blank(id, existing?.run.startedAt ?? stampOf(file.relative_path) ?? Date.now());
  if (existing) fresh.run.startedAt = Math.min(existing.run.startedAt, stampOf(file.relative_path) ?? Infinity);
  for (const m of messages) absorb(fresh, m);
  // What arrived live before the transcript was read follows it (dropping what it repeats).
  if (existing) {
    for (const e of existing.entries) {
      if (fresh.keys.has(e.key)) continue;
      fresh.keys.add(e.key);
      fresh.entries.push(e);
    }
    existing.usage.forEach((u, k) => fresh.usage.set(k, u));
    fresh.stopRequested = existing.stopRequested;
    fresh.run = {
      ...fresh.run,
      items: fresh.entries.flatMap((e) => e.items),
      status: existing.run.status,
      endedAt: existing.run.endedAt,
      cost: existing.run.cost ?? fresh.run.cost,
      turns: existing.run.turns ?? fresh.run.turns,
      resultText: existing.run.resultText ?? fresh.run.resultText,
    };
  } else {
    const ended = messages.some((m) => m?.type === "result" || m?.type === "error");
    const failed = messages.some((m) => m?.type === "error" || (m?.type === "result" && (m.is_error || String(m.subtype ?? "").startsWith("error"))));
    // How long a finished run took is not in its transcript: no end time is shown for it.
    if (!running || ended) fresh.run = { ...fresh.run, status: failed ? "error" : "completed", endedAt: null };
  }
  fresh.run = { ...fresh.run, complete: true };
  runs.set(id, fresh);
  changed();
  return id;
}
