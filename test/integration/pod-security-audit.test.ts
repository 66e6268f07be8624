import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { eventually } from '../support/wait.ts';

// Pod Security's audit mode through the REST API: a pod that violates its namespace's
// audit level is admitted, and its request's audit event says what it would violate.

const AUDIT_VIOLATIONS = 'pod-security.kubernetes.io/audit-violations';
const ENFORCE_POLICY = 'pod-security.kubernetes.io/enforce-policy';

let cluster: TestCluster;
let log: string;
beforeAll(async () => {
  cluster = await startCluster();
  log = path.join(cluster.dataDir, 'audit.log');
});
afterAll(() => cluster?.stop());

async function post(apiPath: string, body: unknown) {
  const res = await fetch(new URL(apiPath, cluster.url).href, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status;
}

function createEvent(namespace: string, resource: string): Promise<Untyped> {
  return eventually(
    () =>
      (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Untyped)
        .find(
          (e) =>
            e.verb === 'create' && e.objectRef?.resource === resource && e.objectRef?.namespace === namespace,
        ),
    (found) => found !== undefined,
    { what: `the audit event of the ${resource} create in ${namespace}` },
  );
}

const namespace = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

// Fine at baseline; restricted wants allowPrivilegeEscalation false, capabilities dropped,
// runAsNonRoot and a seccomp profile.
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'loose' },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
};

describe('Pod Security audit mode', () => {
  it("adds what a pod would violate at the audit level to its request's audit event", async () => {
    expect(
      await post(
        '/api/v1/namespaces',
        namespace('audited', { 'pod-security.kubernetes.io/audit': 'restricted' }),
      ),
    ).toBe(201);
    expect(await post('/api/v1/namespaces/audited/pods', pod)).toBe(201);
    const event = await createEvent('audited', 'pods');
    expect(event.annotations[AUDIT_VIOLATIONS]).toMatch(/^would violate PodSecurity "restricted:latest": /);
    expect(event.annotations[AUDIT_VIOLATIONS]).toContain('allowPrivilegeEscalation != false');
    expect(event.annotations).toMatchObject({
      [ENFORCE_POLICY]: 'baseline:latest',
      'authorization.k8s.io/decision': 'allow',
    });
  });

  it('adds none when the audit level is privileged', async () => {
    expect(
      await post(
        '/api/v1/namespaces',
        namespace('quiet', { 'pod-security.kubernetes.io/audit': 'privileged' }),
      ),
    ).toBe(201);
    expect(await post('/api/v1/namespaces/quiet/pods', pod)).toBe(201);
    const event = await createEvent('quiet', 'pods');
    expect(event.annotations[AUDIT_VIOLATIONS]).toBeUndefined();
    expect(event.annotations[ENFORCE_POLICY]).toBe('baseline:latest');
  });

  it('audits a refused pod too', async () => {
    expect(
      await post(
        '/api/v1/namespaces',
        namespace('strict', {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        }),
      ),
    ).toBe(201);
    expect(await post('/api/v1/namespaces/strict/pods', pod)).toBe(403);
    const event = await createEvent('strict', 'pods');
    expect(event.responseStatus.code).toBe(403);
    expect(event.annotations).toMatchObject({
      [ENFORCE_POLICY]: 'restricted:latest',
      [AUDIT_VIOLATIONS]: expect.stringMatching(/^would violate PodSecurity "restricted:latest": /),
    });
  });
});
