// Horizontal bar chart in plain HTML/CSS (no chart library): the labels are text, so they stay
// readable at any width (on a phone the label sits above its bar instead of beside it).

export interface Bar {
  label: string;
  value: number;
  note?: string;
}

export function Bars({ title, bars, format }: { title: string; bars: Bar[]; format: (v: number) => string }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted">No data yet.</p>
      ) : (
        <ul className="bars" role="img" aria-label={title}>
          {bars.map((b, i) => {
            const pct = max > 0 ? Math.max(0.5, (b.value / max) * 100) : 0.5;
            const text = `${format(b.value)}${b.note ? ` · ${b.note}` : ""}`;
            return (
              <li key={b.label + i} className="bar-row" title={`${b.label}: ${text}`}>
                <span className="bar-label">{b.label}</span>
                <span className="bar-track" aria-hidden="true">
                  <span className="bar-fill" style={{ width: `${pct}%` }} />
                </span>
                <span className="bar-value">{text}</span>
              </li>
            );
          })}
        </ul>
      )}
    </figure>
  );
}
