import { useEffect, useState } from 'react';
import { usePermissions } from '../api/access.ts';
import { useObjects } from '../api/hooks.ts';
import { kindInfo, type KindInfo } from '../kinds.ts';

/**
 * All namespaces, or one. The choices follow the caller's permissions: "All namespaces"
 * only when it may list `info` everywhere, the live list of namespaces only when it may
 * list them; otherwise the user types the namespace, as the Kubernetes dashboard lets them.
 */
export function NamespacePicker({
  info,
  value,
  onChange,
}: {
  info: KindInfo;
  value: string;
  onChange(namespace: string): void;
}) {
  const permissions = usePermissions();
  const canListNamespaces = !permissions || permissions.listScope(kindInfo('Namespace')!) === 'cluster';
  const everywhere = !permissions || permissions.listScope(info) === 'cluster';
  if (!canListNamespaces) return <TypedNamespace value={value} onChange={onChange} />;
  return <NamespaceSelect value={value} onChange={onChange} everywhere={everywhere} />;
}

function NamespaceSelect({
  value,
  onChange,
  everywhere,
}: {
  value: string;
  onChange(namespace: string): void;
  everywhere: boolean;
}) {
  const { items } = useObjects('Namespace');
  const names = items.map((n) => n.metadata.name ?? '').sort();
  if (value && !names.includes(value)) names.unshift(value);
  return (
    <select aria-label="Namespace" value={value} onChange={(e) => onChange(e.target.value)}>
      {(everywhere || !value) && <option value="">All namespaces</option>}
      {names.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
}

function TypedNamespace({ value, onChange }: { value: string; onChange(namespace: string): void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => {
    setDraft(value);
  }, [value]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onChange(draft.trim());
      }}
    >
      <input
        aria-label="Namespace"
        placeholder="Namespace"
        title="This token may not list namespaces: type the one to show"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => draft.trim() !== value && onChange(draft.trim())}
      />
    </form>
  );
}
