// Line diff of two texts, side by side or unified (LCS; fine for skill-sized files).

import { useEffect, useMemo, useState } from "react";

type Op = { t: "same" | "del" | "add"; a?: string; b?: string; na?: number; nb?: number };

export function diffLines(oldText: string, newText: string): Op[] {
  const a = oldText === "" ? [] : oldText.split("\n");
  const b = newText === "" ? [] : newText.split("\n");
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    // Too big for LCS: show as full replacement.
    return [...a.map((x, i) => ({ t: "del" as const, a: x, na: i + 1 })), ...b.map((x, i) => ({ t: "add" as const, b: x, nb: i + 1 }))];
  }
  const L: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ t: "same", a: a[i], b: b[j], na: i + 1, nb: j + 1 });
      i++;
      j++;
    } else if (L[i + 1][j] >= L[i][j + 1]) {
      ops.push({ t: "del", a: a[i], na: i + 1 });
      i++;
    } else {
      ops.push({ t: "add", b: b[j], nb: j + 1 });
      j++;
    }
  }
  while (i < n) ops.push({ t: "del", a: a[i], na: ++i });
  while (j < m) ops.push({ t: "add", b: b[j], nb: ++j });
  return ops;
}

/** Pairs deletions with following additions so side-by-side rows line up. */
function rows(ops: Op[]) {
  const out: { left?: Op; right?: Op }[] = [];
  let k = 0;
  while (k < ops.length) {
    const o = ops[k];
    if (o.t === "same") {
      out.push({ left: o, right: o });
      k++;
      continue;
    }
    const dels: Op[] = [];
    const adds: Op[] = [];
    while (k < ops.length && ops[k].t === "del") dels.push(ops[k++]);
    while (k < ops.length && ops[k].t === "add") adds.push(ops[k++]);
    for (let x = 0; x < Math.max(dels.length, adds.length); x++) out.push({ left: dels[x], right: adds[x] });
  }
  return out;
}

/** Lines of unchanged context kept around each change. */
export const CONTEXT = 3;

type Piece<T> = { item: T; index: number } | { gap: number; from: number; count: number };

/**
 * The items to show: every change with `CONTEXT` unchanged items around it; each longer run of
 * unchanged items becomes one gap (numbered, so the user can open it), unless `whole`.
 */
export function collapse<T>(items: T[], changed: (t: T) => boolean, whole: boolean, opened: Set<number>): Piece<T>[] {
  const near = new Array(items.length).fill(whole);
  items.forEach((t, i) => {
    if (!changed(t)) return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(items.length - 1, i + CONTEXT); k++) near[k] = true;
  });
  const out: Piece<T>[] = [];
  let gap = 0;
  for (let i = 0; i < items.length; ) {
    if (near[i]) {
      out.push({ item: items[i], index: i });
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && !near[j]) j++;
    const id = gap++;
    if (opened.has(id)) for (let k = i; k < j; k++) out.push({ item: items[k], index: k });
    else out.push({ gap: id, from: i, count: j - i });
    i = j;
  }
  return out;
}

function useNarrow(): boolean {
  const q = "(max-width: 640px)";
  const [narrow, setNarrow] = useState(() => typeof window !== "undefined" && !!window.matchMedia?.(q).matches);
  useEffect(() => {
    const m = window.matchMedia?.(q);
    if (!m) return;
    const on = () => setNarrow(m.matches);
    m.addEventListener?.("change", on);
    return () => m.removeEventListener?.("change", on);
  }, []);
  return narrow;
}

function GapRow({ count, cols, onOpen }: { count: number; cols: number; onOpen: () => void }) {
  return (
    <tr className="d-gap">
      <td colSpan={cols}>
        <button type="button" className="link small" onClick={onOpen}>
          ⋯ {count === 1 ? "1 unchanged line" : `${count} unchanged lines`} — show
        </button>
      </td>
    </tr>
  );
}

/**
 * Line diff of two texts: unified (always on narrow screens) or side by side, each change with
 * 3 lines of context; unchanged stretches fold into rows that open on request, or the whole file.
 */
export function DiffView({ oldText, newText, mode, label }: { oldText: string | null; newText: string | null; mode: "split" | "unified"; label: string }) {
  const ops = useMemo(() => diffLines(oldText ?? "", newText ?? ""), [oldText, newText]);
  const [whole, setWhole] = useState(false);
  const [opened, setOpened] = useState<Set<number>>(new Set());
  const narrow = useNarrow();
  const unified = mode === "unified" || narrow;
  const open = (id: number) => setOpened((o) => new Set(o).add(id));
  const stat = diffCounts(ops);
  const toolbar = (
    <div className="row gap-s diff-tools">
      <span className="muted small">{stat}</span>
      <button type="button" className="btn btn-small btn-ghost" aria-pressed={whole} onClick={() => setWhole((w) => !w)}>
        {whole ? "Show changes only" : "Show whole file"}
      </button>
    </div>
  );
  if (unified) {
    const pieces = collapse(ops, (o) => o.t !== "same", whole, opened);
    return (
      <>
        {toolbar}
        <table className="diff diff-unified" aria-label={`Unified diff of ${label}`}>
          <tbody>
            {pieces.map((p) =>
              "gap" in p ? (
                <GapRow key={`g${p.gap}`} count={p.count} cols={4} onOpen={() => open(p.gap)} />
              ) : (
                <tr key={p.index} className={`d-${p.item.t}`}>
                  <td className="ln">{p.item.t !== "add" ? p.item.na : ""}</td>
                  <td className="ln">{p.item.t !== "del" ? p.item.nb : ""}</td>
                  <td className="sign">{p.item.t === "add" ? "+" : p.item.t === "del" ? "−" : " "}</td>
                  <td className="code">{p.item.t === "add" ? p.item.b : p.item.a}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </>
    );
  }
  const pieces = collapse(rows(ops), (r) => !(r.left && r.left === r.right), whole, opened);
  return (
    <>
      {toolbar}
      <table className="diff diff-split" aria-label={`Side-by-side diff of ${label}`}>
        <tbody>
          {pieces.map((p) =>
            "gap" in p ? (
              <GapRow key={`g${p.gap}`} count={p.count} cols={4} onOpen={() => open(p.gap)} />
            ) : (
              <tr key={p.index}>
                <td className="ln">{p.item.left?.na ?? ""}</td>
                <td className={`code ${p.item.left ? (p.item.left.t === "same" ? "" : "d-del") : "d-empty"}`}>{p.item.left?.a ?? ""}</td>
                <td className="ln">{p.item.right?.nb ?? ""}</td>
                <td className={`code ${p.item.right ? (p.item.right.t === "same" ? "" : "d-add") : "d-empty"}`}>{p.item.right?.b ?? ""}</td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </>
  );
}

function lines(n: number, what: string): string {
  return `${n} ${n === 1 ? "line" : "lines"} ${what}`;
}

/** "4 lines added, 1 line removed" (or "no changes"). */
export function diffCounts(ops: Op[]): string {
  const add = ops.filter((o) => o.t === "add").length;
  const del = ops.filter((o) => o.t === "del").length;
  const parts = [add ? lines(add, "added") : "", del ? lines(del, "removed") : ""].filter(Boolean);
  return parts.length ? parts.join(", ") : "no changes";
}

/** "1 file changed, 4 lines added, 1 line removed" for unified diff texts (refine changes). */
export function diffTextStat(files: { diff: string }[]): string {
  if (files.length === 0) return "no changes";
  let add = 0;
  let del = 0;
  for (const f of files)
    for (const l of f.diff.split("\n")) {
      if (l.startsWith("+") && !l.startsWith("+++")) add++;
      else if (l.startsWith("-") && !l.startsWith("---")) del++;
    }
  const parts = [`${files.length} ${files.length === 1 ? "file" : "files"} changed`];
  if (add) parts.push(lines(add, "added"));
  if (del) parts.push(lines(del, "removed"));
  return parts.join(", ");
}

/** A unified diff text (from get_refine_diff) with coloured lines. */
export function UnifiedText({ text, label }: { text: string; label: string }) {
  return (
    <pre className="diff-text" aria-label={`Diff of ${label}`}>
      {text.split("\n").map((l, i) => (
        <span key={i} className={l.startsWith("+") ? "d-add" : l.startsWith("-") ? "d-del" : l.startsWith("@@") ? "d-hunk" : ""}>
          {l + "\n"}
        </span>
      ))}
    </pre>
  );
}
