import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';

// `kubectl auth can-i --list` (a SelfSubjectRulesReview) and `auth can-i` of paths outside the
// resources, as the real kubectl of each supported version asks them.

const BINARIES = kubectlBinaries('kubectl-rules-review');

let cluster: TestCluster;
let env: { home: string; kubeconfig: string };
/** Reads pods in `default`, and nothing else of its own. */
let token: string;

beforeAll(async () => {
  const setup = Object.values(BINARIES).find(Boolean);
  if (!setup) return;
  // kubectl sends its token only over TLS.
  cluster = await startCluster({ tls: { serve: true } });
  env = await kubectlHome(cluster, 'kubectl-rules-review');
  const manifests = path.join(env.home, 'rbac.yaml');
  fs.writeFileSync(
    manifests,
    `
apiVersion: v1
kind: ServiceAccount
metadata: { name: lister, namespace: default }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: pod-reader, namespace: default }
rules:
  - { apiGroups: [""], resources: [pods], verbs: [get, list] }
  - { apiGroups: [apps], resources: [deployments], resourceNames: [web], verbs: [get] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: lister, namespace: default }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader }
subjects: [{ kind: ServiceAccount, name: lister, namespace: default }]
`,
  );
  const applied = await runKubectl(setup, ['apply', '-f', manifests], env);
  if (applied.code !== 0) throw new Error(`kubectl apply failed: ${applied.stderr}`);
  const created = await runKubectl(setup, ['create', 'token', 'lister'], env);
  if (created.code !== 0) throw new Error(`kubectl create token failed: ${created.stderr}`);
  token = created.stdout.trim();
}, 30_000);

afterAll(async () => {
  await cluster?.stop();
});

for (const [version, kubectl] of Object.entries(BINARIES)) {
  describe.skipIf(!kubectl)(`kubectl ${version}`, () => {
    const run = (args: string[]) => runKubectl(kubectl!, [...args, '--token', token], env);

    it('auth can-i --list prints what the token may do in the namespace', async () => {
      const result = await run(['auth', 'can-i', '--list']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
      expect(lines).toContainEqual(expect.stringMatching(/^pods\s+\[\]\s+\[\]\s+\[get list\]$/));
      expect(lines).toContainEqual(expect.stringMatching(/^deployments\.apps\s+\[\]\s+\[web\]\s+\[get\]$/));
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/,
        ),
      );
      expect(lines).toContainEqual(expect.stringMatching(/^\s+\[\/apis\/\*\]\s+\[\]\s+\[get\]$/));
      expect(result.stdout).not.toContain('secrets');
    });

    it('auth can-i --list of another namespace leaves the Role out', async () => {
      const result = await run(['auth', 'can-i', '--list', '-n', 'kube-system']);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/^pods\s/m);
    });

    it('auth can-i of a path: discovery yes, /metrics no', async () => {
      expect((await run(['auth', 'can-i', 'get', '/apis'])).stdout).toBe('yes\n');
      const metrics = await run(['auth', 'can-i', 'get', '/metrics']);
      expect(metrics.stdout).toBe('no\n');
      expect(metrics.code).not.toBe(0);
    });
  });
}
