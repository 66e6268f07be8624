import type { Resource } from '../../../client/types.ts';
import { useObjects } from '../api/hooks.ts';
import { PodSection } from '../components/PodTable.tsx';
import { Stats } from '../components/Stats.tsx';
import { pathOf, type Manifest } from '../kinds.ts';
import { Link } from '../router.tsx';

type Endpoints = Manifest<'Endpoints'>;

/** Service → Endpoints (the ready addresses the endpoints controller keeps) → Pods (its selector). */
export function ServicePanel({ obj }: { obj: Resource }) {
  const svc = obj as Manifest<'Service'>;
  const namespace = svc.metadata.namespace ?? 'default';
  const selector = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const endpoints = useObjects<Endpoints>('Endpoints', {
    namespace,
    fieldSelector: `metadata.name=${svc.metadata.name}`,
  });
  // A Service without a selector selects no pods (its endpoints are managed by hand).
  const pods = useObjects<Manifest<'Pod'>>('Pod', selector ? { namespace, labelSelector: selector } : null);
  return (
    <div className="panel">
      <Stats
        values={[
          ['Type', svc.spec?.type ?? 'ClusterIP'],
          ['Cluster IP', svc.spec?.clusterIP ?? '—'],
          ['Selector', <code>{selector || '—'}</code>],
        ]}
      />
      <h2>Ports</h2>
      <div className="plain-wrap">
        <table className="plain" aria-label="Ports">
          <thead>
            <tr>
              <th>Name</th>
              <th>Port</th>
              <th>Target port</th>
              <th>Node port</th>
              <th>Protocol</th>
            </tr>
          </thead>
          <tbody>
            {(svc.spec?.ports ?? []).map((p) => (
              <tr key={`${p.port}/${p.protocol}`}>
                <td>{p.name ?? '—'}</td>
                <td>{p.port}</td>
                <td>{p.targetPort ?? p.port}</td>
                <td>{p.nodePort ?? '—'}</td>
                <td>{p.protocol ?? 'TCP'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>
        Endpoints{' '}
        {endpoints.items[0] && (
          <Link className="small" href={pathOf('Endpoints', svc.metadata.name ?? '', namespace)}>
            open
          </Link>
        )}
      </h2>
      <Addresses endpoints={endpoints.items[0]} />
      <PodSection {...pods} />
    </div>
  );
}

export function EndpointsPanel({ obj }: { obj: Resource }) {
  const endpoints = obj as Endpoints;
  return (
    <div className="panel">
      <p>
        Kept by the endpoints controller for{' '}
        <Link href={pathOf('Service', endpoints.metadata.name ?? '', endpoints.metadata.namespace)}>
          service/{endpoints.metadata.name}
        </Link>
        .
      </p>
      <Addresses endpoints={endpoints} />
    </div>
  );
}

/** Each address with its ports and the pod behind it; not-ready ones marked. */
function Addresses({ endpoints }: { endpoints?: Endpoints }) {
  const rows = (endpoints?.subsets ?? []).flatMap((subset) => {
    const ports = (subset.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
    return [
      ...(subset.addresses ?? []).map((a) => ({ address: a, ports, ready: true })),
      ...(subset.notReadyAddresses ?? []).map((a) => ({ address: a, ports, ready: false })),
    ];
  });
  if (rows.length === 0) return <p className="muted">No endpoints: no ready pod matches.</p>;
  return (
    <div className="plain-wrap">
      <table className="plain" aria-label="Endpoint addresses">
        <thead>
          <tr>
            <th>Address</th>
            <th>Ports</th>
            <th>Ready</th>
            <th>Pod</th>
            <th>Node</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ address, ports, ready }) => {
            const ref = address.targetRef;
            return (
              <tr key={`${address.ip}-${ref?.name}`}>
                <td>{address.ip}</td>
                <td>{ports}</td>
                <td>{ready ? 'yes' : <span className="warn-text">no</span>}</td>
                <td>
                  {ref?.kind === 'Pod' && ref.name ? (
                    <Link href={pathOf('Pod', ref.name, ref.namespace ?? endpoints?.metadata.namespace)}>
                      {ref.name}
                    </Link>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  {address.nodeName ? (
                    <Link href={pathOf('Node', address.nodeName)}>{address.nodeName}</Link>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
