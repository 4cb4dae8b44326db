// One agent run in detail: tokens, cost, turns, timings, and its transcript — the JSONL file
// the agent wrote in `{workspace}/{skill}/logs/` — shown as a readable list of messages.

import { useState } from "react";
import { invoke } from "../api/transport";
import { getSettings } from "../api/hooks";
import { STEP_NAMES, type AgentRunRecord, type SkillFileEntry } from "../api/types";
import { ErrorBox, Spinner } from "./ErrorBox";

export const money = (v: number) => `$${v.toFixed(v < 1 ? 4 : 2)}`;

/** As the backend's `usage::step_name` names them. */
export function stepLabel(stepId: number) {
  if (STEP_NAMES[stepId]) return STEP_NAMES[stepId];
  if (stepId === 10) return "Refine";
  if (stepId === 11) return "Skill Test";
  return stepId < 0 ? "Other agents" : `Step ${stepId + 1}`;
}

function duration(ms: number | null | undefined) {
  if (ms == null) return "—";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** `step2-20261203T090830.972Z.jsonl` → its time (ms), or null. */
function stampOf(fileName: string): number | null {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?Z\.jsonl$/.exec(fileName);
  if (!m) return null;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(parseFloat(m[7]) * 1000) : 0);
}

/** When the run started: the epoch milliseconds at the end of its agent id, else `started_at`. */
function startOf(run: AgentRunRecord): number {
  const m = /-(\d{12,14})$/.exec(run.agent_id);
  return m ? Number(m[1]) : Date.parse(run.started_at);
}

/**
 * The run's transcript: among the skill's `logs/*.jsonl` (those of its step first), the files
 * created closest to its start; the one whose messages carry the run's agent id wins.
 */
async function findTranscript(run: AgentRunRecord): Promise<{ path: string; text: string } | null> {
  const s = await getSettings();
  const files = await invoke<SkillFileEntry[]>("list_skill_files", { workspacePath: s.workspace_path ?? "", skillName: run.skill_name });
  const start = startOf(run);
  const stepPrefix = run.step_id >= 0 && run.step_id <= 3 ? `step${run.step_id}-` : null;
  const candidates = files
    .filter((f) => !f.is_directory && /^logs\/[^/]+\.jsonl$/.test(f.relative_path))
    .map((f) => ({ f, at: stampOf(f.name) }))
    .filter((c): c is { f: SkillFileEntry; at: number } => c.at != null && c.at >= start - 5_000 && c.at - start < 10 * 60_000)
    .filter((c) => !stepPrefix || c.f.name.startsWith(stepPrefix))
    .sort((a, b) => Math.abs(a.at - start) - Math.abs(b.at - start))
    .slice(0, 3);
  let nearest: { path: string; text: string } | null = null;
  for (const c of candidates) {
    const text = await invoke<string>("read_file", { filePath: c.f.absolute_path });
    if (text.includes(`"request_id":"${run.agent_id}"`)) return { path: c.f.absolute_path, text };
    nearest ??= { path: c.f.absolute_path, text };
  }
  return nearest;
}

type Entry = { kind: string; title: string; body?: string; detail?: string };

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c === "string" ? c : c?.text ?? "")).join("\n");
  return "";
}

function short(s: string, n: number) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** One transcript line → what a person reads. */
function entriesOf(m: any): Entry[] {
  if (!m || typeof m !== "object") return [];
  switch (m.type) {
    case "config": {
      const c = m.config ?? {};
      return [{ kind: "config", title: `Agent started${c.agentName ? ` (${c.agentName})` : ""}${c.model ? ` with ${c.model}` : ""}`, detail: typeof c.prompt === "string" ? c.prompt : undefined }];
    }
    case "assistant": {
      const out: Entry[] = [];
      for (const b of m.message?.content ?? []) {
        if (b.type === "text" && b.text?.trim()) out.push({ kind: "assistant", title: "Assistant", body: b.text });
        else if (b.type === "thinking" && b.thinking?.trim()) out.push({ kind: "thinking", title: "Thinking", detail: b.thinking });
        else if (b.type === "tool_use") {
          const input = b.input ?? {};
          const target = input.file_path ?? input.path ?? input.pattern ?? input.command ?? input.description ?? "";
          out.push({ kind: "tool", title: `Tool: ${b.name ?? "tool"}`, body: short(String(target), 200), detail: JSON.stringify(input, null, 2) });
        }
      }
      return out;
    }
    case "user": {
      const content = m.message?.content;
      if (typeof content === "string") return content.trim() ? [{ kind: "user", title: "User", body: content }] : [];
      const out: Entry[] = [];
      for (const b of content ?? []) {
        if (b.type === "tool_result") {
          const t = textOf(b.content);
          out.push({ kind: b.is_error ? "error" : "tool-result", title: b.is_error ? "Tool error" : "Tool result", body: short(t.trim().split("\n")[0]?.replace(/^\s*\d+\t/, "") ?? "", 160), detail: t });
        } else if (b.type === "text" && b.text?.trim()) out.push({ kind: "user", title: "User", body: b.text });
      }
      return out;
    }
    case "result": {
      const ok = !m.is_error && !String(m.subtype ?? "").startsWith("error");
      const bits = [m.num_turns != null ? `${m.num_turns} turns` : null, typeof m.total_cost_usd === "number" ? money(m.total_cost_usd) : null, m.duration_ms != null ? duration(m.duration_ms) : null].filter(Boolean);
      return [{ kind: ok ? "result" : "error", title: ok ? "Finished" : `Ended: ${m.subtype ?? "error"}`, body: bits.join(" · "), detail: typeof m.result === "string" ? m.result : undefined }];
    }
    case "error":
      return [{ kind: "error", title: "Error", body: String(m.error ?? m.message ?? "error") }];
    case "system":
      return m.subtype === "init" ? [{ kind: "info", title: "Session started", body: [m.model, Array.isArray(m.tools) ? `${m.tools.length} tools` : null].filter(Boolean).join(" · ") }] : [];
    default:
      return [];
  }
}

export function parseTranscript(text: string): Entry[] {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return entriesOf(JSON.parse(l));
      } catch {
        return [];
      }
    });
}

function Transcript({ run }: { run: AgentRunRecord }) {
  const [state, setState] = useState<{ loading?: boolean; error?: unknown; path?: string; entries?: Entry[]; none?: boolean }>({});
  const load = async () => {
    setState({ loading: true });
    try {
      const t = await findTranscript(run);
      setState(t ? { path: t.path, entries: parseTranscript(t.text) } : { none: true });
    } catch (e) {
      setState({ error: e });
    }
  };
  if (!state.loading && !state.entries && !state.none && !state.error) {
    return (
      <button type="button" className="btn btn-small" onClick={load}>
        Show transcript
      </button>
    );
  }
  return (
    <div className="transcript">
      {state.loading && <Spinner label="Reading the transcript…" />}
      <ErrorBox error={state.error} onRetry={load} />
      {state.none && <p className="muted">No transcript found for this run. Transcripts live in the skill's logs folder and old ones are pruned.</p>}
      {state.entries && (
        <>
          <p className="muted small break">
            <code>{state.path}</code>
          </p>
          <ol className="transcript-list" aria-label={`Transcript of ${run.agent_id}`}>
            {state.entries.map((e, i) => (
              <li key={i} className={`transcript-item transcript-${e.kind}`}>
                <span className="transcript-title">{e.title}</span>
                {e.body && <div className="transcript-body">{e.body}</div>}
                {e.detail && (
                  <details>
                    <summary>{e.kind === "config" ? "Prompt" : "Full text"}</summary>
                    <pre className="file-view">{e.detail}</pre>
                  </details>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

/** Tokens, cost, turns and timings of one run, and its transcript on request. */
export function RunDetails({ run }: { run: AgentRunRecord }) {
  return (
    <div className="run-details" role="group" aria-label={`Run ${run.agent_id}`}>
      <dl className="run-stats">
        <div>
          <dt>Step</dt>
          <dd>{stepLabel(run.step_id)}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd>{run.model}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{run.status}</dd>
        </div>
        <div>
          <dt>Input tokens</dt>
          <dd>{run.input_tokens.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Output tokens</dt>
          <dd>{run.output_tokens.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Cache read / write</dt>
          <dd>
            {run.cache_read_tokens.toLocaleString()} / {run.cache_write_tokens.toLocaleString()}
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{money(run.total_cost)}</dd>
        </div>
        <div>
          <dt>Turns</dt>
          <dd>{run.num_turns}</dd>
        </div>
        <div>
          <dt>Tool uses</dt>
          <dd>{run.tool_use_count}</dd>
        </div>
        <div>
          <dt>Duration (API)</dt>
          <dd>
            {duration(run.duration_ms)} ({duration(run.duration_api_ms)})
          </dd>
        </div>
        {run.stop_reason && (
          <div>
            <dt>Stop reason</dt>
            <dd>{run.stop_reason}</dd>
          </div>
        )}
        {run.compaction_count > 0 && (
          <div>
            <dt>Compactions</dt>
            <dd>{run.compaction_count}</dd>
          </div>
        )}
      </dl>
      <Transcript run={run} />
    </div>
  );
}
