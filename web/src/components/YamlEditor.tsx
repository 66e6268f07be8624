import { useRef } from 'react';
import type { FieldProblem } from '../yaml-errors.ts';

/**
 * A plain textarea with line numbers, and the API's complaints marked at their lines
 * and listed below. Deliberately no editor library: the point is the round trip to the
 * API, which validates with field paths.
 */
export function YamlEditor({
  value,
  onChange,
  problems = [],
  readOnly = false,
  label,
}: {
  value: string;
  onChange?(text: string): void;
  problems?: FieldProblem[];
  readOnly?: boolean;
  label: string;
}) {
  const gutter = useRef<HTMLPreElement>(null);
  const bad = new Set(problems.map((p) => p.line));
  const count = value.split('\n').length;
  const numbers = Array.from({ length: count }, (_, i) => i + 1);
  return (
    <div className="yaml">
      {problems.length > 0 && (
        <ul className="problems" role="alert" aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i} className="field-error">
              {p.line > 0 && <span className="problem-line">line {p.line}</span>}
              {p.field && <code>{p.field}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      <div className="yaml-editor">
        <pre className="yaml-gutter" ref={gutter} aria-hidden="true">
          {numbers.map((n) => (
            <div key={n} className={bad.has(n) ? 'yaml-bad-line' : undefined}>
              {n}
            </div>
          ))}
        </pre>
        <textarea
          aria-label={label}
          spellCheck={false}
          value={value}
          readOnly={readOnly}
          rows={Math.min(32, Math.max(12, count + 1))}
          onChange={(e) => onChange?.(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
    </div>
  );
}
