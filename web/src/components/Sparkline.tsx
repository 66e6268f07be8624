/**
 * A small line chart of recent values (oldest left), with the latest value as text.
 * SVG by hand: a chart library would outweigh the rest of the dashboard.
 */
export function Sparkline({
  values,
  max,
  label,
  format,
  width = 220,
  height = 48,
}: {
  values: number[];
  /** The top of the scale (e.g. the node's allocatable); default: the largest value. */
  max?: number;
  label: string;
  format(value: number): string;
  width?: number;
  height?: number;
}) {
  const top = Math.max(max ?? 0, ...values, 1e-9);
  // One sample is drawn as a level line across the chart.
  const series = values.length === 1 ? [values[0], values[0]] : values;
  const step = width / Math.max(1, series.length - 1);
  const y = (v: number) => (height - (v / top) * (height - 4) - 2).toFixed(1);
  const points = series.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(' ');
  const latest = values.at(-1);
  return (
    <figure className="spark" aria-label={label}>
      <figcaption>
        <span>{label}</span>
        <strong>{latest === undefined ? '—' : format(latest)}</strong>
      </figcaption>
      <svg
        width="100%"
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
      >
        <line x1="0" x2={width} y1={height - 1} y2={height - 1} className="spark-base" />
        {values.length > 0 && <polyline points={points} className="spark-line" />}
      </svg>
      {values.length === 0 && <div className="spark-empty">no usage reported yet</div>}
    </figure>
  );
}
