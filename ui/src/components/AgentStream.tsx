// Renders an agent's live stream: text, tool calls, results and errors from `agent-message`.

import { useEffect, useRef } from "react";

export interface StreamItem {
  kind: "text" | "tool" | "result" | "error" | "info";
  text: string;
  detail?: string;
}

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
      const cost = typeof message.total_cost_usd === "number" ? ` · $${message.total_cost_usd.toFixed(4)}` : "";
      const turns = message.num_turns != null ? ` · ${message.num_turns} turns` : "";
      const ok = !message.is_error && !String(message.subtype ?? "").startsWith("error");
      return [{ kind: ok ? "result" : "error", text: ok ? `Finished${turns}${cost}` : `Ended with ${message.subtype ?? "an error"}${turns}` }];
    }
    case "error":
      return [{ kind: "error", text: String(message.error ?? "error") }];
    case "config":
      return [{ kind: "info", text: `Agent started${message.config?.model ? ` with ${message.config.model}` : ""}` }];
    default:
      return [];
  }
}

export function AgentStream({ items, running, label }: { items: StreamItem[]; running: boolean; label: string }) {
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "nearest" });
  }, [items.length]);
  return (
    <section className="stream" aria-label={label} aria-live="polite">
      {items.length === 0 && <p className="muted">{running ? "Waiting for the agent…" : "No output yet."}</p>}
      <ol className="stream-list">
        {items.map((it, i) => (
          <li key={i} className={`stream-${it.kind}`}>
            {it.kind === "tool" ? (
              <>
                <span className="tool-name">{it.text}</span> <code>{it.detail}</code>
              </>
            ) : (
              it.text
            )}
          </li>
        ))}
        {running && (
          <li className="stream-info" ref={end}>
            <span className="spinner" aria-hidden="true" /> working…
          </li>
        )}
      </ol>
    </section>
  );
}
