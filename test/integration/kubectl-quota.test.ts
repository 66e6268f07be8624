import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceQuotaController } from '../../agent/controllers/resource-quota.ts';
import { startControllers, type ControllerManager } from '../../agent/controllers/manager.ts';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { eventually } from '../support/wait.ts';

/** ResourceQuota and LimitRange as kubectl users meet them: refusals, get and describe. */

const BINARIES = kubectlBinaries('kubectl-quota', ['1.33']);

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let api: KubeqlClient;
let controllers: ControllerManager;

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata: { name: team }
---
apiVersion: v1
kind: ResourceQuota
metadata: { name: compute, namespace: team }
spec:
  hard: { pods: "2", requests.cpu: "1", limits.cpu: "2" }
---
apiVersion: v1
kind: LimitRange
metadata: { name: defaults, namespace: team }
spec:
  limits:
  - type: Container
    default: { cpu: 500m }
    defaultRequest: { cpu: 250m }
    max: { cpu: "1" }
`;

beforeAll(async () => {
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'kubectl-quota'));
  api = createClient({ url: cluster.url, token: cluster.token, ca: cluster.server.ca });
  controllers = startControllers(api, [resourceQuotaController], { log: () => {} });
  await controllers.synced;
  await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, { m: MANIFESTS });
}, 30_000);

afterAll(async () => {
  await controllers?.stop();
  await api?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version}`, () => {
    const run = (args: string[]) => runKubectl(binary!, ['-n', 'team', ...args], { home, kubeconfig });
    const ok = async (args: string[]) => {
      const result = await run(args);
      if (result.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
      return result.stdout;
    };

    it('run gets the LimitRange defaults, and is refused past the quota with Forbidden', async () => {
      await ok(['run', 'one', '--image=nginx:1.27']);
      await ok(['run', 'two', '--image=nginx:1.27']);
      const pod = JSON.parse(await ok(['get', 'pod', 'one', '-o', 'json']));
      expect(pod.spec.containers[0].resources).toEqual({
        requests: { cpu: '250m' },
        limits: { cpu: '500m' },
      });
      const refused = await run(['run', 'three', '--image=nginx:1.27']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr.trim()).toBe(
        'Error from server (Forbidden): pods "three" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2',
      );
      const tooBig = await run([
        'run',
        'big',
        '--image=nginx:1.27',
        '--overrides',
        JSON.stringify({
          spec: { containers: [{ name: 'big', image: 'nginx:1.27', resources: { limits: { cpu: '2' } } }] },
        }),
      ]);
      expect(tooBig.stderr.trim()).toBe(
        'Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
      );
    });

    it('get quota and describe quota show the used amounts against the hard ones', async () => {
      await eventually(
        async () => ok(['get', 'quota']),
        (out) => /^compute\s+\S+\s+pods: 2\/2, requests\.cpu: 500m\/1\s+limits\.cpu: 1\/2$/m.test(out),
      );
      const out = await ok(['get', 'quota']);
      expect(out.split('\n')[0]).toMatch(/^NAME\s+AGE\s+REQUEST\s+LIMIT$/);
      const described = await ok(['describe', 'quota', 'compute']);
      expect(described).toMatch(/^Name:\s+compute$/m);
      expect(described).toMatch(/^Resource\s+Used\s+Hard$/m);
      expect(described).toMatch(/^limits\.cpu\s+1\s+2$/m);
      expect(described).toMatch(/^pods\s+2\s+2$/m);
      expect(described).toMatch(/^requests\.cpu\s+500m\s+1$/m);
      await ok(['delete', 'pod', 'one', '--wait=false']);
      await eventually(
        async () => ok(['describe', 'quota', 'compute']),
        (text) => /^pods\s+1\s+2$/m.test(text) && /^requests\.cpu\s+250m\s+1$/m.test(text),
      );
    });
  });
}
