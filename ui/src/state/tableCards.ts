// On a phone every `.table` is shown as cards (styles.css); each cell then needs its column's
// name. This labels the cells of every table on the page from its header row (a cell that
// already has a `data-label` keeps it), whenever the page changes.

function label(table: HTMLTableElement) {
  const heads = Array.from(table.tHead?.rows[0]?.cells ?? [], (th) => th.textContent?.trim() ?? "");
  if (!heads.some(Boolean)) return;
  for (const body of Array.from(table.tBodies)) {
    for (const row of Array.from(body.rows)) {
      let col = 0;
      for (const cell of Array.from(row.cells)) {
        const head = heads[col];
        if (head && cell.colSpan === 1 && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", head);
        col += cell.colSpan;
      }
    }
  }
}

let started = false;

export function startTableCards(root: HTMLElement = document.body) {
  if (started || typeof MutationObserver === "undefined") return;
  started = true;
  let queued = false;
  const run = () => {
    queued = false;
    root.querySelectorAll<HTMLTableElement>("table.table").forEach(label);
  };
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(run);
  }).observe(root, { childList: true, subtree: true });
  run();
}
