import { useObjects } from '../api/hooks.ts';

/** All namespaces, or one: the list of them is itself live. */
export function NamespacePicker({ value, onChange }: { value: string; onChange(namespace: string): void }) {
  const { items } = useObjects('Namespace');
  const names = items.map((n) => n.metadata.name ?? '').sort();
  if (value && !names.includes(value)) names.unshift(value);
  return (
    <select aria-label="Namespace" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">All namespaces</option>
      {names.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
}
