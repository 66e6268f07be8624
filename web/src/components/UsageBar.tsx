/** used / total as a bar, with the numbers spelled out beside it. */
export function UsageBar({ used, total, label }: { used: number; total: number; label: string }) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const level = share > 0.9 ? 'bad' : share > 0.7 ? 'warn' : 'ok';
  return (
    <div className="usage" title={label}>
      <div className="usage-track">
        <div className={`usage-fill usage-${level}`} style={{ width: `${share * 100}%` }} />
      </div>
      <span className="usage-label">{label}</span>
    </div>
  );
}
