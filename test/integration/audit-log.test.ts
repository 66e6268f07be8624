import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collect, startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { rbacCallers } from '../support/rbac-callers.ts';
import { eventually } from '../support/wait.ts';

// The audit log through the real endpoints: REST, GraphQL over HTTP and over WebSocket,
// each request written as audit.k8s.io/v1 Events to the file the server was given.

type AuditEvent = Untyped;

function eventsIn(file: string): AuditEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** Waits until an event of the log satisfies `match`, and returns it. */
async function eventMatching(file: string, match: (event: AuditEvent) => boolean, what: string) {
  const events = await eventually(
    () => eventsIn(file).filter(match),
    (found) => found.length > 0,
    { what },
  );
  return events[0];
}

describe('the audit log at its default policy (Metadata)', () => {
  let cluster: TestCluster;
  let callers: ReturnType<typeof rbacCallers>;
  let log: string;
  let nobody: string;

  beforeAll(async () => {
    cluster = await startCluster();
    log = path.join(cluster.dataDir, 'audit.log');
    callers = rbacCallers(cluster);
    nobody = await callers.tokenOf('default', 'nobody');
  });
  afterAll(async () => {
    await callers.dispose();
    await cluster.stop();
  });

  it('writes an allowed REST write with who, what, the outcome and the decision', async () => {
    const res = await callers.restAs(cluster.token, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'audited' },
      data: { k: 'v' },
    });
    expect(res.status).toBe(201);
    const event = await eventMatching(
      log,
      (e) =>
        e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.requestURI.startsWith('/api/'),
      'the REST create',
    );
    expect(event).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/default/configmaps',
      user: { username: 'admin', groups: ['system:masters'] },
      objectRef: { resource: 'configmaps', namespace: 'default', apiGroup: '', apiVersion: 'v1' },
      responseStatus: { code: 201 },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(event.sourceIPs).toContain('127.0.0.1');
    expect(event.requestObject).toBeUndefined();
    expect(Date.parse(event.stageTimestamp)).toBeGreaterThanOrEqual(
      Date.parse(event.requestReceivedTimestamp),
    );
  });

  it('writes a denied REST read as forbidden, with the reason', async () => {
    const res = await callers.restAs(nobody, 'GET', '/api/v1/namespaces/default/pods/web');
    expect(res.status).toBe(403);
    const event = await eventMatching(
      log,
      (e) => e.user.username === 'system:serviceaccount:default:nobody' && e.objectRef?.resource === 'pods',
      'the denied read',
    );
    expect(event).toMatchObject({
      verb: 'get',
      objectRef: { resource: 'pods', namespace: 'default', name: 'web' },
      responseStatus: { code: 403, reason: 'Forbidden' },
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
    });
    expect(event.annotations['authorization.k8s.io/reason']).toBe(res.body.message);
  });

  it('writes an unauthenticated request as system:anonymous, 401', async () => {
    const res = await callers.restAs(undefined, 'GET', '/api/v1/namespaces/kube-system/secrets');
    expect(res.status).toBe(401);
    const event = await eventMatching(
      log,
      (e) => e.user.username === 'system:anonymous' && e.objectRef?.resource === 'secrets',
      'the unauthenticated request',
    );
    expect(event).toMatchObject({
      verb: 'list',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      responseStatus: { code: 401 },
    });
    expect(event.annotations?.['authorization.k8s.io/decision']).toBeUndefined();
  });

  it('writes each root field of a GraphQL mutation as the request it stands for', async () => {
    const result = await callers.gqlAs(
      nobody,
      `mutation { mine: createConfigMap(namespace: "default", configMap: { metadata: { name: "gql" } }) { kind } }`,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const denied = await eventMatching(
      log,
      (e) => e.annotations?.['graphql.kubeql.io/field'] === 'mine',
      'the denied mutation',
    );
    expect(denied).toMatchObject({
      verb: 'create',
      requestURI: '/graphql',
      user: { username: 'system:serviceaccount:default:nobody' },
      objectRef: { resource: 'configmaps', namespace: 'default', apiGroup: '' },
      responseStatus: { code: 403, reason: 'Forbidden', message: result.errors![0].message },
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
    });

    await cluster.ok(
      `mutation { ok: createConfigMap(namespace: "default", configMap: { metadata: { name: "gql" } }) { kind } }`,
    );
    const allowed = await eventMatching(
      log,
      (e) => e.annotations?.['graphql.kubeql.io/field'] === 'ok',
      'the allowed mutation',
    );
    expect(allowed).toMatchObject({
      verb: 'create',
      user: { username: 'admin' },
      responseStatus: { code: 200 },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
  });

  it('writes a GraphQL request refused before it runs as the request it was (401)', async () => {
    const res = await fetch(cluster.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'audit-test/anonymous' },
      body: JSON.stringify({ query: '{ pods(namespace: "default") { items { kind } } }' }),
    });
    expect(res.status).toBe(401);
    const event = await eventMatching(log, (e) => e.userAgent === 'audit-test/anonymous', 'the 401');
    expect(event).toMatchObject({
      verb: 'post',
      requestURI: '/graphql',
      user: { username: 'system:anonymous' },
      responseStatus: { code: 401 },
    });
  });

  it('writes a subscription over WebSocket when it starts and when it ends', async () => {
    const client = cluster.wsClient();
    const watch = collect(client, `subscription { audited: watchPods(namespace: "default") { type } }`);
    const started = await eventMatching(
      log,
      (e) => e.annotations?.['graphql.kubeql.io/field'] === 'audited' && e.stage === 'ResponseStarted',
      'the subscription starting',
    );
    expect(started).toMatchObject({
      verb: 'watch',
      objectRef: { resource: 'pods', namespace: 'default' },
      user: { username: 'admin' },
      responseStatus: { code: 200 },
    });
    watch.unsubscribe();
    const complete = await eventMatching(
      log,
      (e) => e.auditID === started.auditID && e.stage === 'ResponseComplete',
      'the subscription ending',
    );
    expect(complete.verb).toBe('watch');
  });

  it('writes a WebSocket connection refused for its token as a 401', async () => {
    const socket = new WebSocket(cluster.wsUrl, 'graphql-transport-ws', {
      headers: { 'user-agent': 'audit-test/ws' },
    });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer wrong' } })),
    );
    const code = await new Promise<number>((resolve) => socket.on('close', resolve));
    expect(code).toBe(4403);
    const event = await eventMatching(log, (e) => e.userAgent === 'audit-test/ws', 'the refused connection');
    expect(event).toMatchObject({
      verb: 'get',
      requestURI: '/graphql',
      user: { username: 'system:anonymous' },
      responseStatus: { code: 401, reason: 'Unauthorized' },
    });
  });

  it('leaves out health probes and counts what it writes on /metrics', async () => {
    await fetch(cluster.url.replace(/\/graphql$/, '/healthz?probe=audit'));
    const metrics = await callers.restAs(cluster.token, 'GET', '/metrics');
    expect(metrics.body).toMatch(/^apiserver_audit_event_total [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^apiserver_audit_error_total\{plugin="log"\} 0$/m);
    await eventMatching(log, (e) => e.requestURI === '/metrics', 'the /metrics read');
    expect(eventsIn(log).some((e) => e.requestURI.startsWith('/healthz'))).toBe(false);
  });
});

describe('the audit log at RequestResponse', () => {
  const SECRET_MARKER = 'audit-marker-7c1f0e';
  const CONFIG_MARKER = 'audit-visible-3b9d';
  let cluster: TestCluster;
  let callers: ReturnType<typeof rbacCallers>;
  let log: string;

  beforeAll(async () => {
    cluster = await startCluster();
    const policy = path.join(cluster.dataDir, 'policy.yaml');
    fs.writeFileSync(
      policy,
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: RequestResponse\n',
    );
    log = path.join(cluster.dataDir, 'everything.log');
    await cluster.stop();
    cluster = await startCluster({ dataDir: cluster.dataDir, audit: { policyFile: policy, logPath: log } });
    callers = rbacCallers(cluster);
  });
  afterAll(async () => {
    await callers.dispose();
    await cluster.stop();
  });

  it("never writes a Secret's data, through REST or GraphQL, while other bodies are written", async () => {
    const secret = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name },
      stringData: { password: SECRET_MARKER },
    });
    const base = '/api/v1/namespaces/default/secrets';
    expect((await callers.restAs(cluster.token, 'POST', base, secret('rest'))).status).toBe(201);
    expect((await callers.restAs(cluster.token, 'PUT', `${base}/rest`, secret('rest'))).status).toBe(200);
    expect((await callers.restAs(cluster.token, 'GET', `${base}/rest`)).status).toBe(200);
    expect((await callers.restAs(cluster.token, 'DELETE', `${base}/rest`)).status).toBe(200);
    await cluster.ok(
      `mutation($s: SecretInput!) {
        created: createSecret(namespace: "default", secret: $s) { data }
        applied: apply(namespace: "default", manifests: ${JSON.stringify(JSON.stringify(secret('applied')))}) { kind }
      }`,
      { s: secret('gql') },
    );
    await cluster.ok(
      `mutation($s: SecretInput!) {
        replaced: replaceSecret(namespace: "default", name: "gql", secret: $s) { data }
      }`,
      { s: secret('gql') },
    );
    await cluster.ok(`{ read: secret(namespace: "default", name: "gql") { data } }`);
    await cluster.ok(`mutation { deleted: deleteSecret(namespace: "default", name: "gql") { kind } }`);
    await cluster.ok(
      `mutation { cm: createConfigMap(namespace: "default", configMap: { metadata: { name: "seen" }, data: { v: "${CONFIG_MARKER}" } }) { data } }`,
    );

    const restWrite = await callers.restAs(cluster.token, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'seen-rest' },
      data: { v: `${CONFIG_MARKER}-rest` },
    });
    expect(restWrite.status).toBe(201);

    const rest = await eventMatching(
      log,
      (e) =>
        e.objectRef?.resource === 'configmaps' && e.requestURI.startsWith('/api/') && e.verb === 'create',
      'the REST ConfigMap',
    );
    expect(rest.requestObject.data.v).toBe(`${CONFIG_MARKER}-rest`);
    expect(rest.responseObject.metadata.name).toBe('seen-rest');
    const gql = await eventMatching(
      log,
      (e) => e.annotations?.['graphql.kubeql.io/field'] === 'cm',
      'the ConfigMap',
    );
    expect(gql.requestObject.arguments.configMap.data.v).toBe(CONFIG_MARKER);
    expect(gql.responseObject).toEqual({ data: { v: CONFIG_MARKER } });
    const text = fs.readFileSync(log, 'utf8');
    expect(text).not.toContain(SECRET_MARKER);
    expect(text).not.toContain(Buffer.from(SECRET_MARKER).toString('base64'));
    const secretEvents = eventsIn(log).filter((e) => e.objectRef?.resource === 'secrets');
    expect(secretEvents.length).toBeGreaterThanOrEqual(7);
    expect(secretEvents.every((e) => e.level === 'Metadata')).toBe(true);
  });
});

describe('the audit log rotated by size', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ audit: { maxBytes: 4096, maxBackups: 2 } });
  });
  afterAll(() => cluster.stop());

  it('renames a full file aside and keeps the newest backups only', async () => {
    for (let i = 0; i < 40; i++) {
      await cluster.ok(`{ n${i}: namespaces { items { metadata { name } } } }`);
    }
    const backups = await eventually(
      () => fs.readdirSync(cluster.dataDir).filter((f) => /^audit-.+\.log$/.test(f)),
      (found) => found.length === 2,
      { what: 'two rotated files' },
    );
    expect(backups.every((f) => /^audit-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.log$/.test(f))).toBe(
      true,
    );
    // The current file is made again by the first write after a rotation: there may be none yet.
    const current = fs.existsSync(path.join(cluster.dataDir, 'audit.log')) ? ['audit.log'] : [];
    for (const file of [...backups, ...current]) {
      expect(fs.statSync(path.join(cluster.dataDir, file)).size).toBeLessThanOrEqual(4096);
    }
  });
});
