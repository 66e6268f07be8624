import { describe, expect, it } from 'vitest';
import type { KubeqlClient, Resource } from '../../client/index.ts';
import type { EndpointSlice } from '../../schema/kinds/endpointslice.ts';
import type { HollowCluster } from '../support/hollow.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHollowCluster } from '../support/kubectl.ts';
import { eventually } from '../support/wait.ts';

/**
 * EndpointSlices on a hollow cluster: a Service of 105 pods gets two slices (100 and 5
 * endpoints), `kubectl get endpointslices` prints Kubernetes' columns, and the slices go
 * with the Service.
 */

type SliceObject = EndpointSlice & Resource;

const BINARIES = kubectlBinaries('kubectl-endpoint-slices');
const REPLICAS = 105;

describe('EndpointSlices of a Service beyond 100 pods', () => {
  let cluster: HollowCluster;
  let home: string;
  let kubeconfig: string;
  let api: KubeqlClient;
  kubectlHollowCluster(
    'kubectl-endpoint-slices',
    { nodes: 3 },
    (started) => ({ cluster, home, kubeconfig, api } = started),
  );

  const slices = async () =>
    (
      await api.list<SliceObject>('EndpointSlice', {
        namespace: 'default',
        labelSelector: 'kubernetes.io/service-name=many',
      })
    ).items;

  it('splits the endpoints into slices of at most 100, shown by kubectl, deleted with the Service', async () => {
    await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: `apiVersion: apps/v1
kind: Deployment
metadata: { name: many, namespace: default }
spec:
  replicas: ${REPLICAS}
  selector: { matchLabels: { app: many } }
  template:
    metadata: { labels: { app: many } }
    spec: { containers: [{ name: web, image: nginx:1.27, ports: [{ name: http, containerPort: 8080 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: many, namespace: default }
spec:
  selector: { app: many }
  ports: [{ name: http, port: 80, targetPort: http }]
`,
    });
    const split = await eventually(
      slices,
      (found) =>
        found.reduce(
          (sum, slice) => sum + (slice.endpoints ?? []).filter((e) => e.conditions?.ready).length,
          0,
        ) === REPLICAS,
      { ms: 60_000, what: `${REPLICAS} ready endpoints` },
    );
    expect(split.map((slice) => slice.endpoints!.length).sort((a, b) => b - a)).toEqual([100, 5]);
    const addresses = split.flatMap((slice) => slice.endpoints!.map((e) => e.addresses[0]));
    expect(new Set(addresses).size).toBe(REPLICAS);
    for (const slice of split) expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);

    for (const [version, binary] of Object.entries(BINARIES)) {
      if (!binary) continue;
      const run = await runKubectl(
        binary,
        ['get', 'endpointslices', '-n', 'default', '-l', 'kubernetes.io/service-name=many'],
        {
          home,
          kubeconfig,
        },
      );
      expect(run.code, `kubectl ${version}: ${run.stderr}`).toBe(0);
      const [header, ...rows] = run.stdout.trim().split('\n');
      expect(header.split(/\s{2,}/)).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row).toMatch(
          /^many-[a-z0-9]{5}\s+IPv4\s+8080\s+\d+\.\d+\.\d+\.\d+,\S+,\S+( \+ \d+ more\.\.\.)?\s+\S+$/,
        );
      }
      expect(rows.some((row) => row.includes(' + 97 more...'))).toBe(true);
      expect(rows.some((row) => row.includes(' + 2 more...'))).toBe(true);
    }

    await cluster.writer.delete('Service', 'many', 'default');
    await eventually(slices, (found) => found.length === 0, { ms: 15_000, what: 'the slices gone' });
  });
});
