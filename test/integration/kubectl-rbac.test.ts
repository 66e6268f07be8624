import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';

// RBAC and ServiceAccount tokens as the real kubectl sees them: `create token`, `auth
// can-i` (SelfSubjectAccessReview), `auth whoami` (SelfSubjectReview) and Forbidden errors.

const BINARIES = kubectlBinaries('kubectl-rbac', ['1.33']);
const kubectl = BINARIES['1.33'];

let cluster: TestCluster;
let env: { home: string; kubeconfig: string };

beforeAll(async () => {
  if (!kubectl) return;
  // kubectl sends its token only over TLS.
  cluster = await startCluster({ tls: { serve: true } });
  env = await kubectlHome(cluster, 'kubectl-rbac');
  const manifests = path.join(env.home, 'rbac.yaml');
  fs.writeFileSync(
    manifests,
    `
apiVersion: v1
kind: ServiceAccount
metadata: { name: ci, namespace: default }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: pod-reader, namespace: default }
rules: [{ apiGroups: [""], resources: [pods], verbs: [get, list] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: ci, namespace: default }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader }
subjects: [{ kind: ServiceAccount, name: ci, namespace: default }]
`,
  );
  const applied = await run(['apply', '-f', manifests]);
  if (applied.code !== 0) throw new Error(`kubectl apply failed: ${applied.stderr}`);
}, 30_000);

afterAll(async () => {
  await cluster?.stop();
});

const run = (args: string[]) => runKubectl(kubectl!, args, env);

describe.skipIf(!kubectl)('kubectl 1.33', () => {
  let token: string;

  beforeAll(async () => {
    const created = await run(['create', 'token', 'ci', '--duration', '15m']);
    expect(created.stderr).toBe('');
    token = created.stdout.trim();
  });

  it('auth whoami names the ServiceAccount and its groups', async () => {
    const result = await run(['auth', 'whoami', '--token', token]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('system:serviceaccount:default:ci');
    expect(result.stdout).toContain('system:serviceaccounts:default');
  });

  it('auth can-i answers from the same authorizer as the requests', async () => {
    const yes = await run(['auth', 'can-i', 'list', 'pods', '--token', token]);
    expect(yes).toMatchObject({ code: 0, stdout: 'yes\n' });
    const no = await run(['auth', 'can-i', 'list', 'secrets', '--token', token]);
    expect(no.stdout).toBe('no\n');
    expect(no.code).not.toBe(0);
    expect((await run(['auth', 'can-i', 'list', 'pods', '-A', '--token', token])).stdout).toBe('no\n');
  });

  it('prints Forbidden as kubectl prints it', async () => {
    expect((await run(['get', 'pods', '--token', token])).code).toBe(0);
    const refused = await run(['get', 'secrets', '--token', token]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:default:ci" cannot list resource "secrets" in API group "" in the namespace "default"',
    );
  });
});
