import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';

/** The newer kinds through kubectl: discovery, short names and the columns kubectl prints. */

const BINARIES = kubectlBinaries('kubectl-kinds', ['1.33']);

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let api: KubeqlClient;

const MANIFESTS = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: default }
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  resources: { requests: { storage: 3Gi } }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: default }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [foo.example.com], secretName: tls }]
  rules:
  - host: foo.example.com
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: read-pods, namespace: default }
subjects: [{ kind: User, name: jane }, { kind: ServiceAccount, name: ci, namespace: default }]
roleRef: { kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io }
---
apiVersion: v1
kind: ReplicationController
metadata: { name: nginx, namespace: default }
spec:
  replicas: 2
  template:
    metadata: { labels: { app: nginx } }
    spec: { containers: [{ name: nginx, image: nginx:1.27 }] }
`;

beforeAll(async () => {
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'kubectl-kinds'));
  api = createClient({ url: cluster.url, token: cluster.token, ca: cluster.server.ca });
  await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, { m: MANIFESTS });
}, 30_000);

afterAll(async () => {
  await api?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version}`, () => {
    const ok = async (args: string[]) => {
      const run = await runKubectl(binary!, args, { home, kubeconfig });
      if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
      return run.stdout;
    };

    it('api-resources lists the newer kinds with their groups and short names', async () => {
      const out = await ok(['api-resources']);
      expect(out).toMatch(/^replicationcontrollers\s+rc\s+v1\s+true\s+ReplicationController$/m);
      expect(out).toMatch(/^persistentvolumes\s+pv\s+v1\s+false\s+PersistentVolume$/m);
      expect(out).toMatch(/^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/m);
      expect(out).toMatch(/^networkpolicies\s+netpol\s+networking\.k8s\.io\/v1\s+true\s+NetworkPolicy$/m);
      expect(out).toMatch(
        /^clusterrolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRoleBinding$/m,
      );
      expect(out).toMatch(/^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass$/m);
      expect(out).toMatch(/^poddisruptionbudgets\s+pdb\s+policy\/v1\s+true\s+PodDisruptionBudget$/m);
    });

    it('get pvc,ingress,rolebindings prints each kind with its own columns', async () => {
      const out = await ok(['get', 'pvc,ingress,rolebindings', '-n', 'default']);
      expect(out).toMatch(
        /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/m,
      );
      expect(out).toMatch(/^persistentvolumeclaim\/data\s+Pending\s+manual\s+<unset>\s+\S+$/m);
      expect(out).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/m);
      expect(out).toMatch(/^ingress\.networking\.k8s\.io\/web\s+nginx\s+foo\.example\.com\s+80, 443\s+\S+$/m);
      expect(out).toMatch(/^NAME\s+ROLE\s+AGE$/m);
      expect(out).toMatch(/^rolebinding\.rbac\.authorization\.k8s\.io\/read-pods\s+Role\/pod-reader\s+\S+$/m);
      const wide = await ok(['get', 'rolebinding', 'read-pods', '-o', 'wide']);
      expect(wide).toMatch(/^read-pods\s+Role\/pod-reader\s+\S+\s+jane\s+default\/ci$/m);
    });

    it('get rc -o wide shows the defaulted equality selector', async () => {
      const out = await ok(['get', 'rc', '-o', 'wide']);
      expect(out.split('\n')[0]).toMatch(
        /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/,
      );
      expect(out).toMatch(/^nginx\s+2\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.27\s+app=nginx$/m);
    });
  });
}
