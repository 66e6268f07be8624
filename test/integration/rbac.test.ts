import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ServiceAccountTokens } from '../../server/auth/service-account-tokens.ts';
import { kq } from '../support/cli.ts';
import {
  codeOf,
  collect,
  startCluster,
  type GraphQLResponse,
  type TestCluster,
  type Untyped,
} from '../support/harness.ts';

// RBAC and ServiceAccount tokens through the real endpoints: GraphQL over HTTP and
// WebSocket, and the Kubernetes REST API, each answering from the same authorizer.

let cluster: TestCluster;
let root: string;
const clients: Client[] = [];
/** A token of team/ci, whose Role reads pods in `team` only. */
let ciToken: string;
/** A token of team/viewer, bound to the `view` ClusterRole cluster-wide. */
let viewerToken: string;

const CI_USER = 'system:serviceaccount:team:ci';

beforeAll(async () => {
  cluster = await startCluster();
  root = cluster.url.replace(/\/graphql$/, '');
  await cluster.ok(`mutation {
    team: createNamespace(namespace: { metadata: { name: "team" } }) { kind }
    other: createNamespace(namespace: { metadata: { name: "other" } }) { kind }
  }`);
  await cluster.ok(`mutation {
    ci: createServiceAccount(namespace: "team", serviceAccount: { metadata: { name: "ci" } }) { kind }
    viewer: createServiceAccount(namespace: "team", serviceAccount: { metadata: { name: "viewer" } }) { kind }
    a: createPod(namespace: "team", pod: { metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "busybox:1" }] } }) { kind }
    b: createPod(namespace: "other", pod: { metadata: { name: "db" }, spec: { containers: [{ name: "c", image: "busybox:1" }] } }) { kind }
    s: createSecret(namespace: "team", secret: { metadata: { name: "creds" }, stringData: { password: "x" } }) { kind }
    d: createDeployment(namespace: "other", deployment: { metadata: { name: "api" }, spec: { selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "c", image: "busybox:1" }] } } } }) { kind }
    role: createRole(namespace: "team", role: { metadata: { name: "pod-reader" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] }) { kind }
    rb: createRoleBinding(namespace: "team", roleBinding: { metadata: { name: "ci-reads-pods" }, roleRef: { kind: "Role", name: "pod-reader" }, subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "team" }] }) { kind }
    crb: createClusterRoleBinding(clusterRoleBinding: { metadata: { name: "viewer-views" }, roleRef: { kind: "ClusterRole", name: "view" }, subjects: [{ kind: "ServiceAccount", name: "viewer", namespace: "team" }] }) { kind }
  }`);
  ciToken = await tokenFor('ci');
  viewerToken = await tokenFor('viewer');
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await cluster?.stop();
});

async function tokenFor(name: string, expirationSeconds?: number): Promise<string> {
  const data = await cluster.ok(
    `mutation($name: String!, $seconds: Int) {
      createToken(namespace: "team", serviceAccountName: $name, expirationSeconds: $seconds) { token expirationTimestamp }
    }`,
    { name, seconds: expirationSeconds },
  );
  return data.createToken.token;
}

async function gqlAs(token: string, query: string): Promise<GraphQLResponse & { httpStatus: number }> {
  const res = await fetch(cluster.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { httpStatus: res.status, ...((await res.json()) as GraphQLResponse) };
}

async function restAs(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(root + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Untyped };
}

function forbidden(result: GraphQLResponse): string {
  expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  return result.errors![0].message;
}

function wsClient(token: string): Client {
  const client = createClient({
    url: cluster.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

const names = (list: Untyped) => list.items.map((item: Untyped) => item.metadata.name);

describe('a ServiceAccount with a Role bound in one namespace', () => {
  it('lists pods there, over GraphQL and REST', async () => {
    const result = await gqlAs(ciToken, '{ pods(namespace: "team") { items { metadata { name } } } }');
    expect(result.errors).toBeUndefined();
    expect(names(result.data.pods)).toEqual(['web']);
    const rest = await restAs(ciToken, 'GET', '/api/v1/namespaces/team/pods');
    expect(rest.status).toBe(200);
    expect(names(rest.body)).toEqual(['web']);
    const one = await gqlAs(ciToken, '{ pod(namespace: "team", name: "web") { metadata { name } } }');
    expect(one.data.pod.metadata.name).toBe('web');
  });

  it('is forbidden Secrets there, with Kubernetes’ message and code', async () => {
    const message =
      `secrets is forbidden: User "${CI_USER}" cannot list resource "secrets" in API group "" ` +
      'in the namespace "team"';
    expect(forbidden(await gqlAs(ciToken, '{ secrets(namespace: "team") { items { data } } }'))).toBe(
      message,
    );
    const rest = await restAs(ciToken, 'GET', '/api/v1/namespaces/team/secrets');
    expect(rest.status).toBe(403);
    expect(rest.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, message });
    const named = await restAs(ciToken, 'GET', '/api/v1/namespaces/team/secrets/creds');
    expect(named.body.message).toBe(
      `secrets "creds" is forbidden: User "${CI_USER}" cannot get resource "secrets" in API group "" in the namespace "team"`,
    );
    expect(named.body.details).toMatchObject({ name: 'creds', kind: 'secrets' });
    // Nor by its global id, the way round a kind's own fields.
    const { secret } = await cluster.ok('{ secret(namespace: "team", name: "creds") { id } }');
    const byId = await gqlAs(ciToken, `{ resource(id: "${secret.id}") { id } }`);
    expect(forbidden(byId)).toBe(
      `secrets "creds" is forbidden: User "${CI_USER}" cannot get resource "secrets" in API group "" in the namespace "team"`,
    );
  });

  it('follows an edge only where it may: Pod.node is null with FORBIDDEN at its path, the rest stands', async () => {
    await cluster.ok(`mutation {
      createNode(node: { metadata: { name: "edge-node" } }) { kind }
      bindPod(namespace: "team", name: "web", nodeName: "edge-node") { kind }
    }`);
    const result = await gqlAs(
      ciToken,
      '{ pod(namespace: "team", name: "web") { metadata { name } node { metadata { name } } } }',
    );
    expect(result.data.pod).toEqual({ metadata: { name: 'web' }, node: null });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['pod', 'node']);
    expect(forbidden(result)).toBe(
      `nodes "edge-node" is forbidden: User "${CI_USER}" cannot get resource "nodes" in API group "" at the cluster scope`,
    );
    // The admin follows it.
    const admin = await cluster.ok('{ pod(namespace: "team", name: "web") { node { metadata { name } } } }');
    expect(admin.pod.node.metadata.name).toBe('edge-node');
  });

  it('is forbidden pods in another namespace and across all namespaces', async () => {
    expect(
      forbidden(await gqlAs(ciToken, '{ pods(namespace: "other") { items { metadata { name } } } }')),
    ).toBe(
      `pods is forbidden: User "${CI_USER}" cannot list resource "pods" in API group "" in the namespace "other"`,
    );
    expect(forbidden(await gqlAs(ciToken, '{ pods { items { metadata { name } } } }'))).toBe(
      `pods is forbidden: User "${CI_USER}" cannot list resource "pods" in API group "" at the cluster scope`,
    );
    expect((await restAs(ciToken, 'GET', '/api/v1/pods')).status).toBe(403);
    expect((await restAs(ciToken, 'GET', '/api/v1/namespaces/other/pods/db')).status).toBe(403);
  });

  it('may not delete, create or apply', async () => {
    forbidden(await gqlAs(ciToken, 'mutation { deletePod(namespace: "team", name: "web") { kind } }'));
    const rest = await restAs(ciToken, 'DELETE', '/api/v1/namespaces/team/pods/web');
    expect(rest.status).toBe(403);
    expect(rest.body.message).toContain('cannot delete resource "pods"');
    expect((await restAs(ciToken, 'DELETE', '/api/v1/namespaces/team/pods')).body.message).toContain(
      'cannot deletecollection resource "pods"',
    );
    const applied = await gqlAs(
      ciToken,
      `mutation { apply(namespace: "team", manifests: "{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"ConfigMap\\",\\"metadata\\":{\\"name\\":\\"x\\"}}") { kind } }`,
    );
    expect(forbidden(applied)).toContain('cannot create resource "configmaps"');
    const pods = await cluster.ok(
      '{ pods(namespace: "team") { items { metadata { name deletionTimestamp } } } }',
    );
    expect(pods.pods.items).toEqual([{ metadata: { name: 'web', deletionTimestamp: null } }]);
    expect(
      (await cluster.ok('{ configMaps(namespace: "team") { items { kind } } }')).configMaps.items,
    ).toEqual([]);
  });

  it('may not watch pods without the watch verb (subscription)', async () => {
    const watch = collect(wsClient(ciToken), 'subscription { watchPods(namespace: "team") { type } }');
    await watch.until(() => watch.errors.length > 0 || watch.completed);
    expect(watch.items).toEqual([]);
    expect(codeOf(watch.errors[0])).toBe('FORBIDDEN');
    expect((watch.errors[0] as Error).message).toContain('cannot watch resource "pods"');
    expect((await restAs(ciToken, 'GET', '/api/v1/namespaces/team/pods?watch=true')).status).toBe(403);
  });
});

describe('a ClusterRoleBinding to view', () => {
  it('reads everywhere, but not Secrets, and writes nothing', async () => {
    const result = await gqlAs(
      viewerToken,
      '{ pods { items { metadata { name } } } deployments(namespace: "other") { items { metadata { name } } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(names(result.data.pods).sort()).toEqual(['db', 'web']);
    expect(names(result.data.deployments)).toEqual(['api']);
    expect((await restAs(viewerToken, 'GET', '/apis/apps/v1/deployments')).status).toBe(200);
    forbidden(await gqlAs(viewerToken, '{ secrets(namespace: "team") { items { kind } } }'));
    expect((await restAs(viewerToken, 'GET', '/api/v1/secrets')).status).toBe(403);
    forbidden(
      await gqlAs(
        viewerToken,
        'mutation { createConfigMap(namespace: "team", configMap: { metadata: { name: "v" } }) { kind } }',
      ),
    );
    const watch = collect(
      wsClient(viewerToken),
      'subscription { watchPods { type object { metadata { name } } } }',
    );
    await watch.until(() => watch.items.length >= 2);
    expect(watch.errors).toEqual([]);
    watch.unsubscribe();
  });
});

describe('the admin token', () => {
  it('still does everything', async () => {
    const data = await cluster.ok(
      '{ secrets { items { metadata { name } } } clusterRoles { items { metadata { name } } } canI(verb: "delete", resource: "nodes") }',
    );
    expect(names(data.secrets)).toContain('creds');
    expect(names(data.clusterRoles)).toEqual(
      expect.arrayContaining(['admin', 'cluster-admin', 'edit', 'view']),
    );
    expect(data.canI).toBe(true);
    expect((await restAs(cluster.token, 'GET', '/api/v1/secrets')).status).toBe(200);
  });
});

describe('ServiceAccount tokens', () => {
  it('carry Kubernetes’ claims and are issued over REST too (TokenRequest)', async () => {
    const claims = JSON.parse(Buffer.from(ciToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({
      sub: CI_USER,
      'kubernetes.io': { namespace: 'team', serviceaccount: { name: 'ci' } },
    });
    expect(claims.exp - claims.iat).toBe(3600);
    const rest = await restAs(cluster.token, 'POST', '/api/v1/namespaces/team/serviceaccounts/ci/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600 },
    });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ kind: 'TokenRequest', spec: { expirationSeconds: 600 } });
    const who = await restAs(
      rest.body.status.token,
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      {},
    );
    expect(who.body.status.userInfo).toEqual({
      username: CI_USER,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
    });
  });

  it('are refused shorter than 600 seconds, and to callers without create on serviceaccounts/token', async () => {
    const short = await cluster.gql(
      'mutation { createToken(namespace: "team", serviceAccountName: "ci", expirationSeconds: 60) { token } }',
    );
    expect(short.errors?.[0]?.extensions?.code).toBe('INVALID');
    forbidden(
      await gqlAs(ciToken, 'mutation { createToken(namespace: "team", serviceAccountName: "ci") { token } }'),
    );
    const missing = await cluster.gql(
      'mutation { createToken(namespace: "team", serviceAccountName: "nobody") { token } }',
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('are refused once expired', async () => {
    const uid = (await cluster.ok('{ serviceAccount(namespace: "team", name: "ci") { metadata { uid } } }'))
      .serviceAccount.metadata.uid;
    const signer = new ServiceAccountTokens(cluster.dataDir);
    const { token } = signer.issue({ namespace: 'team', name: 'ci', uid }, 600, Date.now() - 3600_000);
    const fresh = signer.issue({ namespace: 'team', name: 'ci', uid }, 600);
    expect((await gqlAs(fresh.token, '{ pods(namespace: "team") { items { kind } } }')).httpStatus).toBe(200);
    expect((await gqlAs(token, '{ pods(namespace: "team") { items { kind } } }')).httpStatus).toBe(401);
    expect((await restAs(token, 'GET', '/api/v1/namespaces/team/pods')).status).toBe(401);
  });

  it('are refused once their ServiceAccount is deleted, even if one of the same name comes back', async () => {
    await cluster.ok(
      'mutation { createServiceAccount(namespace: "team", serviceAccount: { metadata: { name: "temp" } }) { kind } }',
    );
    const token = await tokenFor('temp');
    expect((await gqlAs(token, '{ canI(verb: "list", resource: "pods") }')).httpStatus).toBe(200);
    await cluster.ok('mutation { deleteServiceAccount(namespace: "team", name: "temp") { kind } }');
    expect((await gqlAs(token, '{ canI(verb: "list", resource: "pods") }')).httpStatus).toBe(401);
    await cluster.ok(
      'mutation { createServiceAccount(namespace: "team", serviceAccount: { metadata: { name: "temp" } }) { kind } }',
    );
    expect((await restAs(token, 'GET', '/api/v1/namespaces/team/pods')).status).toBe(401);
    const ws = collect(wsClient(token), 'subscription { watchPods(namespace: "team") { type } }');
    await ws.until(() => ws.completed);
    expect(ws.items).toEqual([]);
  });
});

describe('canI and SelfSubjectAccessReview', () => {
  const cases: Array<{ verb: string; resource: string; namespace?: string; query: string }> = [
    {
      verb: 'list',
      resource: 'pods',
      namespace: 'team',
      query: '{ pods(namespace: "team") { items { kind } } }',
    },
    {
      verb: 'list',
      resource: 'pods',
      namespace: 'other',
      query: '{ pods(namespace: "other") { items { kind } } }',
    },
    { verb: 'list', resource: 'pods', query: '{ pods { items { kind } } }' },
    {
      verb: 'get',
      resource: 'pods',
      namespace: 'team',
      query: '{ pod(namespace: "team", name: "web") { kind } }',
    },
    {
      verb: 'list',
      resource: 'secrets',
      namespace: 'team',
      query: '{ secrets(namespace: "team") { items { kind } } }',
    },
    {
      verb: 'list',
      resource: 'deployments.apps',
      namespace: 'other',
      query: '{ deployments(namespace: "other") { items { kind } } }',
    },
    { verb: 'list', resource: 'nodes', query: '{ nodes { items { kind } } }' },
  ];

  it.each([
    ['ci', () => ciToken],
    ['viewer', () => viewerToken],
  ])('agree with what actually happens (%s)', async (_name, token) => {
    let allowedSome = false;
    let refusedSome = false;
    for (const c of cases) {
      const actual = (await gqlAs(token(), c.query)).errors === undefined;
      const ns = c.namespace ? `, namespace: "${c.namespace}"` : '';
      const canI = await gqlAs(token(), `{ canI(verb: "${c.verb}", resource: "${c.resource}"${ns}) }`);
      const [resource, group] = c.resource.split(/\.(.*)/);
      const review = await restAs(token(), 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: { verb: c.verb, resource, group: group ?? '', namespace: c.namespace ?? '' },
        },
      });
      expect(review.status).toBe(201);
      expect({ case: c.query, canI: canI.data.canI, review: review.body.status.allowed }).toEqual({
        case: c.query,
        canI: actual,
        review: actual,
      });
      allowedSome ||= actual;
      refusedSome ||= !actual;
    }
    expect(allowedSome && refusedSome).toBe(true);
  });
});

describe('kq', () => {
  it('create token prints a token that authenticates as the ServiceAccount', async () => {
    const admin = { url: cluster.url, token: cluster.token };
    const created = await kq(admin, ['create', 'token', 'ci', '-n', 'team', '--duration', '20m']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const token = created.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(1200);
    const whoami = await kq({ url: cluster.url, token }, ['auth', 'whoami']);
    expect(whoami.stdout).toContain(`Username    ${CI_USER}`);
    expect(whoami.stdout).toContain('system:serviceaccounts:team');
  });

  it('auth can-i answers yes or no with the exit code kubectl gives', async () => {
    const ci = { url: cluster.url, token: ciToken };
    expect(await kq(ci, ['auth', 'can-i', 'list', 'pods', '-n', 'team'])).toMatchObject({
      code: 0,
      stdout: 'yes\n',
    });
    expect(await kq(ci, ['auth', 'can-i', 'list', 'pods', '-A'])).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(await kq(ci, ['auth', 'can-i', 'get', 'secrets', '-n', 'team'])).toMatchObject({
      code: 1,
      stdout: 'no\n',
    });
    const viewer = { url: cluster.url, token: viewerToken };
    expect(await kq(viewer, ['auth', 'can-i', 'list', 'deployments.apps', '-A'])).toMatchObject({ code: 0 });
  });
});
