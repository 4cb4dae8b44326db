// Hand-made horizontal SVG bar chart (no chart library).

export interface Bar {
  label: string;
  value: number;
  note?: string;
}

export function Bars({ title, bars, format }: { title: string; bars: Bar[]; format: (v: number) => string }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  const rowH = 28;
  const labelW = 150;
  const width = 560;
  const barW = width - labelW - 110;
  const h = Math.max(1, bars.length) * rowH + 8;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted">No data yet.</p>
      ) : (
        <svg role="img" aria-label={title} viewBox={`0 0 ${width} ${h}`} width="100%" preserveAspectRatio="xMinYMin meet">
          {bars.map((b, i) => {
            const w = max > 0 ? Math.max(2, (b.value / max) * barW) : 2;
            const y = i * rowH + 4;
            return (
              <g key={b.label + i}>
                <title>{`${b.label}: ${format(b.value)}${b.note ? ` (${b.note})` : ""}`}</title>
                <text x={labelW - 8} y={y + 16} textAnchor="end" className="chart-label">
                  {b.label.length > 22 ? b.label.slice(0, 21) + "…" : b.label}
                </text>
                <rect x={labelW} y={y + 3} width={w} height={rowH - 10} rx={3} className="chart-bar" />
                <text x={labelW + w + 6} y={y + 16} className="chart-value">
                  {format(b.value)}
                  {b.note ? ` · ${b.note}` : ""}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}
