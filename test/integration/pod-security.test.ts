import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustingFetch } from '../../client/node-tls.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';

// Pod Security admission through the real endpoints: pods refused by their namespace's
// enforce level (403 over REST, FORBIDDEN over GraphQL, the same message), workloads
// warned about in `Warning` headers, namespace labels validated, and the cluster default
// (baseline, kube-system privileged). No controllers or nodes: the refusal comes first.

const BINARIES = kubectlBinaries('pod-security', ['1.33']);

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let tls: ReturnType<typeof trustingFetch>;

const LABEL = 'pod-security.kubernetes.io';

beforeAll(async () => {
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'pod-security'));
  tls = trustingFetch(cluster.server.ca!);
  for (const [name, enforce] of [
    ['strict', 'restricted'],
    ['open', 'privileged'],
    ['kubectl-strict', 'restricted'],
  ]) {
    const created = await rest('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { [`${LABEL}/enforce`]: enforce } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
}, 30_000);

afterAll(async () => {
  tls?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

/** A REST call with the admin token: the status, the body and the `Warning` headers' texts. */
async function rest(method: string, url: string, body?: unknown, contentType = 'application/json') {
  const res = await tls.fetch(`${cluster.url.replace(/\/graphql$/, '')}${url}`, {
    method,
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const warnings = [...(res.headers.get('warning') ?? '').matchAll(/299 - ("(?:[^"\\]|\\.)*")/g)].map(
    (m) => JSON.parse(m[1]) as string,
  );
  return { status: res.status, body: (await res.json()) as Untyped, warnings };
}

function pod(name: string, spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', ...container }], ...spec },
  };
}

const HARDENED = {
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
};
const HARDENED_CONTAINER = {
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
};

const RESTRICTED_PLAIN =
  'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

const hostPathDeployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: 'app', image: 'nginx:1.27' }],
        volumes: [{ name: 'root', hostPath: { path: '/' } }],
      },
    },
  },
});

describe('Pod Security over REST', () => {
  it('refuses a pod in a restricted namespace with 403 and Kubernetes message, and admits a hardened one', async () => {
    const refused = await rest('POST', '/api/v1/namespaces/strict/pods', pod('plain'));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message: `pods "plain" is forbidden: ${RESTRICTED_PLAIN}`,
    });
    const admitted = await rest(
      'POST',
      '/api/v1/namespaces/strict/pods',
      pod('hard', HARDENED, HARDENED_CONTAINER),
    );
    expect(admitted.status).toBe(201);
    expect(admitted.warnings).toEqual([]);
  });

  it('enforces baseline in namespaces without labels, but not in kube-system', async () => {
    const refused = await rest(
      'POST',
      '/api/v1/namespaces/default/pods',
      pod('hostnet', { hostNetwork: true }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'pods "hostnet" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
    );
    const docker = pod('docker', { volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }] });
    const system = await rest('POST', '/api/v1/namespaces/kube-system/pods', docker);
    expect(system.status).toBe(201);
    const plain = await rest('POST', '/api/v1/namespaces/default/pods', pod('plain'));
    expect(plain.status).toBe(201);
  });

  it('warns about a workload whose pods would be refused, and stores it', async () => {
    const created = await rest(
      'POST',
      '/apis/apps/v1/namespaces/default/deployments',
      hostPathDeployment('disk'),
    );
    expect(created.status).toBe(201);
    expect(created.warnings).toEqual([
      'would violate PodSecurity "baseline:latest": hostPath volumes (volume "root")',
    ]);
    // Scaling changes no pod: no warning, as the scale subresource has none in Kubernetes.
    const scaled = await rest(
      'PATCH',
      '/apis/apps/v1/namespaces/default/deployments/disk',
      { spec: { replicas: 3 } },
      'application/merge-patch+json',
    );
    expect(scaled.status).toBe(200);
    expect(scaled.warnings).toEqual([]);
  });

  it('validates the labels of a namespace with Kubernetes messages', async () => {
    const invalid = await rest('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'typo',
        labels: { [`${LABEL}/enforce`]: 'strict', [`${LABEL}/warn-version`]: '1.30' },
      },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toBe(
      'Namespace "typo" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, ' +
        'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.30": must be "latest" or "v1.x"',
    );
  });

  it('warns about the existing pods a stricter enforce level refuses, and lets their metadata change', async () => {
    for (const name of ['agent-1', 'agent-2']) {
      const created = await rest(
        'POST',
        '/api/v1/namespaces/open/pods',
        pod(name, { hostPID: true }, { securityContext: { privileged: true } }),
      );
      expect(created.status).toBe(201);
    }
    const raised = await rest(
      'PATCH',
      '/api/v1/namespaces/open',
      { metadata: { labels: { [`${LABEL}/enforce`]: 'baseline' } } },
      'application/merge-patch+json',
    );
    expect(raised.status).toBe(200);
    expect(raised.warnings).toEqual([
      'existing pods in namespace "open" violate the new PodSecurity enforce level "baseline:latest"',
      'agent-1 (and 1 other pod): host namespaces, privileged',
    ]);
    // An update that changes no image is not evaluated again.
    const labelled = await rest(
      'PATCH',
      '/api/v1/namespaces/open/pods/agent-1',
      { metadata: { labels: { tier: 'node' } } },
      'application/merge-patch+json',
    );
    expect(labelled.status).toBe(200);
    const reimaged = await rest(
      'PATCH',
      '/api/v1/namespaces/open/pods/agent-1',
      { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } },
      'application/strategic-merge-patch+json',
    );
    expect(reimaged.status).toBe(403);
    expect(reimaged.body.message).toBe(
      'pods "agent-1" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true), privileged (container "app" must not set securityContext.privileged=true)',
    );
  });
});

describe('Pod Security over GraphQL', () => {
  const APPLY = `mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { metadata { name } } }`;

  it('refuses with FORBIDDEN and the same message', async () => {
    const result = await gql(APPLY, { m: JSON.stringify(pod('via-graphql')), ns: 'strict' });
    expect(result.errors?.[0]).toMatchObject({
      message: `pods "via-graphql" is forbidden: ${RESTRICTED_PLAIN}`,
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('answers a workload whose pods would be refused with extensions.warnings', async () => {
    const applied = await gql(APPLY, { m: JSON.stringify(hostPathDeployment('gql-disk')) });
    expect(applied.errors).toBeUndefined();
    expect(applied.extensions).toEqual({
      warnings: ['would violate PodSecurity "baseline:latest": hostPath volumes (volume "root")'],
    });
    const typed = await gql(
      `mutation($d: DeploymentInput!) { createDeployment(namespace: "default", deployment: $d) { metadata { name } } }`,
      { d: hostPathDeployment('gql-typed') },
    );
    expect(typed.errors).toBeUndefined();
    expect(typed.extensions?.warnings).toEqual([
      'would violate PodSecurity "baseline:latest": hostPath volumes (volume "root")',
    ]);
    const quiet = await gql(
      `mutation($p: PodInput!) { createPod(namespace: "default", pod: $p) { metadata { name } } }`,
      { p: pod('quiet') },
    );
    expect(quiet.errors).toBeUndefined();
    expect(quiet.extensions).toBeUndefined();
  });
});

/** A GraphQL operation with the admin token, over the cluster's TLS. */
async function gql(query: string, variables: Record<string, unknown>) {
  const res = await tls.fetch(cluster.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Untyped; errors?: Untyped[]; extensions?: Untyped };
}

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version}`, () => {
    const run = (args: string[]) => runKubectl(binary!, args, { home, kubeconfig });

    it('run in a restricted namespace prints the 403 message', async () => {
      const result = await run(['-n', 'kubectl-strict', 'run', 'web', '--image=nginx:1.27']);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        `Error from server (Forbidden): pods "web" is forbidden: ${RESTRICTED_PLAIN.replaceAll('"app"', '"web"')}`,
      );
    });

    it('apply of a Deployment whose pods baseline refuses prints the warning', async () => {
      const file = path.join(home, 'deployment.json');
      fs.writeFileSync(file, JSON.stringify(hostPathDeployment('kubectl-disk')));
      const result = await run(['apply', '-f', file]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        'Warning: would violate PodSecurity "baseline:latest": hostPath volumes (volume "root")',
      );
      expect(result.stdout).toContain('deployment.apps/kubectl-disk created');
    });
  });
}
