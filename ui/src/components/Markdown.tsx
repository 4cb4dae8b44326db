// Markdown of a skill (SKILL.md, references, decisions) rendered for reading, with a raw toggle
// and the YAML frontmatter as a small key/value card.
//
// Safety: the text comes from agents and imported skills, so no HTML of its own ever reaches the
// page. Raw HTML blocks and inline tags are shown as text (escaped), links keep only http(s),
// mailto and in-page targets, and images become links (nothing is fetched from a skill's text).

import { useMemo, useState } from "react";
import { Marked, type Tokens } from "marked";

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Only addresses that cannot run code: http(s), mailto, in-page anchors and relative paths. */
export function safeHref(href: string): string | null {
  const h = href.trim();
  if (/^(https?:|mailto:)/i.test(h)) return h;
  if (/^[a-z][a-z0-9+.-]*:/i.test(h) || h.startsWith("//")) return null;
  return h;
}

const md = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    // The page has its own title: the file's headings sit two levels below it (# → h3).
    heading({ tokens, depth }: Tokens.Heading) {
      const level = Math.min(6, depth + 2);
      return `<h${level} class="md-h${depth}">${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      const safe = safeHref(href);
      if (!safe) return inner;
      const t = title ? ` title="${escapeHtml(title)}"` : "";
      const external = /^https?:/i.test(safe) ? ` target="_blank" rel="noopener noreferrer"` : "";
      return `<a href="${escapeHtml(safe)}"${t}${external}>${inner}</a>`;
    },
    image({ href, text }: Tokens.Image) {
      const safe = safeHref(href);
      const label = escapeHtml(text || href);
      return safe ? `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">[image: ${label}]</a>` : `[image: ${label}]`;
    },
  },
});

/** Splits `---\nkey: value\n---\nbody` into its frontmatter lines and the body. */
export function splitFrontmatter(text: string): { front: [string, string][] | null; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return { front: null, body: text };
  const front: [string, string][] = [];
  let last: [string, string] | null = null;
  for (const line of m[1].split(/\r?\n/)) {
    const kv = /^([A-Za-z0-9_-][^:]*):\s?(.*)$/.exec(line);
    if (kv && !/^\s/.test(line)) {
      last = [kv[1].trim(), kv[2].trim()];
      front.push(last);
    } else if (last && line.trim()) {
      // Nested or continued values (lists, folded text) stay with their key.
      last[1] = `${last[1]}${last[1] ? " " : ""}${line.trim()}`;
    }
  }
  return { front, body: text.slice(m[0].length) };
}

export function renderMarkdown(text: string): string {
  return md.parse(text, { async: false }) as string;
}

export function isMarkdownPath(path: string): boolean {
  return /\.(md|markdown)$/i.test(path);
}

function FrontmatterCard({ entries }: { entries: [string, string][] }) {
  return (
    <dl className="frontmatter" aria-label="Frontmatter">
      {entries.map(([k, v], i) => (
        <div key={`${k}-${i}`}>
          <dt>{k}</dt>
          <dd>{v.replace(/^(["'])(.*)\1$/, "$2") || "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A Markdown file: rendered (frontmatter as a card) or raw, switched by the user. */
export function MarkdownView({ text, label }: { text: string; label: string }) {
  const [raw, setRaw] = useState(false);
  const { front, body } = useMemo(() => splitFrontmatter(text), [text]);
  const html = useMemo(() => (raw ? "" : renderMarkdown(body)), [body, raw]);
  return (
    <div className="md-file">
      <div className="row gap-s md-toolbar">
        <button type="button" className="btn btn-small btn-ghost" aria-pressed={raw} onClick={() => setRaw((r) => !r)}>
          {raw ? "Show formatted" : "Show raw"}
        </button>
      </div>
      {raw ? (
        <pre className="file-view" aria-label={label}>
          {text}
        </pre>
      ) : (
        <div className="file-view markdown" aria-label={label}>
          {front && front.length > 0 && <FrontmatterCard entries={front} />}
          <div dangerouslySetInnerHTML={{ __html: html }} />
        </div>
      )}
    </div>
  );
}

/** Any file of a skill: Markdown rendered with a raw toggle, everything else as text. */
export function FileContent({ path, text }: { path: string; text: string }) {
  if (isMarkdownPath(path)) return <MarkdownView key={path} text={text} label={path} />;
  return (
    <pre className="file-view" aria-label={path}>
      {text}
    </pre>
  );
}
