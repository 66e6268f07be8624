import { useState } from 'react';
import { useApplyYaml } from '../api/apply-yaml.ts';
import { YamlEditor } from '../components/YamlEditor.tsx';
import { pathOf } from '../kinds.ts';
import { Link, navigate } from '../router.tsx';

const EXAMPLE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: kubeql/demo-web:v1
          ports:
            - containerPort: 8000
`;

/** Create (or update) anything from YAML: several documents separated by --- are applied all or none. */
export function ApplyPage() {
  const [text, setText] = useState(EXAMPLE);
  const { submit, problems, conflict, busy } = useApplyYaml();
  const [applied, setApplied] = useState<Array<{ kind: string; name: string; namespace?: string | null }>>(
    [],
  );
  const apply = async () => {
    const result = await submit(text);
    if (!result) return;
    const objects = result.map((o) => ({
      kind: o.kind,
      name: o.metadata.name ?? '',
      namespace: o.metadata.namespace,
    }));
    if (objects.length === 1) navigate(pathOf(objects[0].kind, objects[0].name, objects[0].namespace));
    else setApplied(objects);
  };
  return (
    <div className="page">
      <h1>Create from YAML</h1>
      <p className="hint">
        The same manifests kubectl applies. Several documents separated by <code>---</code> are applied all or
        none; an object that exists is updated.
      </p>
      <YamlEditor label="Manifests" value={text} onChange={setText} problems={problems} />
      {conflict && <p className="error">{conflict}</p>}
      <div className="actions">
        <button className="primary" disabled={busy} onClick={apply}>
          {busy ? 'Applying…' : 'Apply'}
        </button>
      </div>
      {applied.length > 0 && (
        <ul className="applied">
          {applied.map((o) => (
            <li key={`${o.kind}/${o.namespace}/${o.name}`}>
              <Link href={pathOf(o.kind, o.name, o.namespace)}>
                {o.kind.toLowerCase()}/{o.name}
              </Link>{' '}
              applied
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
