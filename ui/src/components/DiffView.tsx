// Line diff of two texts, side by side or unified (LCS; fine for skill-sized files).

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

export function DiffView({ oldText, newText, mode, label }: { oldText: string | null; newText: string | null; mode: "split" | "unified"; label: string }) {
  const ops = diffLines(oldText ?? "", newText ?? "");
  if (mode === "unified") {
    return (
      <table className="diff diff-unified" aria-label={`Unified diff of ${label}`}>
        <tbody>
          {ops.map((o, i) => (
            <tr key={i} className={`d-${o.t}`}>
              <td className="ln">{o.t !== "add" ? o.na : ""}</td>
              <td className="ln">{o.t !== "del" ? o.nb : ""}</td>
              <td className="sign">{o.t === "add" ? "+" : o.t === "del" ? "−" : " "}</td>
              <td className="code">{o.t === "add" ? o.b : o.a}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <table className="diff diff-split" aria-label={`Side-by-side diff of ${label}`}>
      <tbody>
        {rows(ops).map((r, i) => (
          <tr key={i}>
            <td className="ln">{r.left?.na ?? ""}</td>
            <td className={`code ${r.left ? (r.left.t === "same" ? "" : "d-del") : "d-empty"}`}>{r.left?.a ?? ""}</td>
            <td className="ln">{r.right?.nb ?? ""}</td>
            <td className={`code ${r.right ? (r.right.t === "same" ? "" : "d-add") : "d-empty"}`}>{r.right?.b ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
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
