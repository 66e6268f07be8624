import type { Resource } from '../../../client/types.ts';
import type { Manifest } from '../kinds.ts';

/** A ConfigMap's data, or a Secret's keys (their values stay in the YAML tab, base64 as stored). */
export function ConfigPanel({ obj }: { obj: Resource }) {
  const secret = obj.kind === 'Secret';
  const data = (obj as Manifest<'ConfigMap'>).data ?? {};
  const keys = Object.keys({ ...data, ...((obj as Manifest<'ConfigMap'>).binaryData ?? {}) }).sort();
  if (keys.length === 0) return <p className="muted">No data.</p>;
  return (
    <div className="plain-wrap">
      <table className="plain" aria-label="Data">
        <thead>
          <tr>
            <th>Key</th>
            <th>{secret ? 'Size' : 'Value'}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key}>
              <td className="name">{key}</td>
              <td>
                {secret ? (
                  `${(data[key] ?? '').length} characters (base64)`
                ) : (
                  <pre className="value">{data[key]}</pre>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
