import type { ReactNode } from 'react';

/** The label/value facts at the top of a detail page. */
export function Stats({ values }: { values: Array<[string, ReactNode]> }) {
  return (
    <dl className="stats">
      {values.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
