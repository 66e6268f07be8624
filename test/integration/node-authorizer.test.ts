import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSources } from '../../agent/node/config-sources.ts';
import { startHollowNode, type HollowNode } from '../../agent/node/hollow.ts';
import { nodeCredential } from '../../agent/node/node-credential.ts';
import { ReferenceCheckEnvironment } from '../../agent/node/reference-check-environment.ts';
import type { PodObject } from '../../agent/objects.ts';
import {
  createClient,
  isCode,
  resourceWriter,
  type KubeqlClient,
  type Resource,
} from '../../client/index.ts';
import { kq, kqEnv, kqStream } from '../support/cli.ts';
import { startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

// Nodes join with a bootstrap token, run as system:node:<name>, and reach only what the pods
// bound to them name (the Node authorizer), writing only their own Node and pods (NodeRestriction).

let cluster: TestCluster;
let bootstrapToken: string;
const clients: KubeqlClient[] = [];
const nodes: HollowNode[] = [];
const credentials: Record<string, string> = {};

beforeAll(async () => {
  cluster = await startCluster();
  const made = await kq({ url: cluster.url, token: cluster.token }, ['create', 'token', '--bootstrap']);
  expect(made.stderr).toBe('');
  bootstrapToken = made.stdout.trim();
  const writer = resourceWriter(client(cluster.token));
  for (const obj of [
    secret('app-secret', { password: 'hunter2' }),
    secret('other-secret', { password: 'other' }),
    secret('unused-secret', { password: 'unused' }),
    configMap('app-config', { mode: 'blue' }),
    // What a pod's ServiceAccount volume projects, published by a controller this server runs without.
    configMap('kube-root-ca.crt', { 'ca.crt': 'none' }),
    pod('app', 'n1', 'app-secret', 'app-config'),
    pod('other', 'n2', 'other-secret'),
  ])
    await writer.create(obj);
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await Promise.all(clients.map((c) => c.close()));
  await cluster?.stop();
});

function client(token: string): KubeqlClient {
  const made = createClient({ url: cluster.url, token });
  clients.push(made);
  return made;
}

/** The credential node `name` gets for the bootstrap token, kept in a data directory of its own. */
async function join(name: string, dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-node-'))) {
  credentials[name] = await nodeCredential({
    nodeName: name,
    dataDir,
    exchange: () => createClient({ url: cluster.url, token: bootstrapToken }),
  });
  return { token: credentials[name], dataDir };
}

async function rest(token: string, method: string, urlPath: string, body?: unknown): Promise<Response> {
  return fetch(new URL(urlPath, cluster.url), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/merge-patch+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function gql(
  token: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse> {
  const res = await fetch(cluster.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse;
}

describe('joining with a bootstrap token', () => {
  it('exchanges the token for a credential of system:node:<name>, kept and reused on restart', async () => {
    expect(bootstrapToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const { token, dataDir } = await join('n1');
    const who = await gql(token, '{ whoami { username groups } }');
    expect(who.data?.whoami ?? who.errors).toMatchObject({
      username: 'system:node:n1',
      groups: expect.arrayContaining(['system:nodes', 'system:authenticated']),
    });
    // A restart finds the credential in its data directory and asks for nothing.
    const again = await nodeCredential({
      nodeName: 'n1',
      dataDir,
      exchange: () => {
        throw new Error('exchanged again');
      },
    });
    expect(again).toBe(token);
    await join('n2');
  });

  it('refuses an unknown or expired bootstrap token, and a node asking for another node', async () => {
    await resourceWriter(client(cluster.token)).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'bootstrap-token-old123', namespace: 'kube-system' },
      type: 'bootstrap.kubernetes.io/token',
      stringData: {
        'token-id': 'old123',
        'token-secret': '0123456789abcdef',
        'usage-bootstrap-authentication': 'true',
        expiration: '2020-01-01T00:00:00Z',
      },
    });
    const ask = 'mutation { nodeCredential(nodeName: "n9") { token } }';
    for (const token of ['old123.0123456789abcdef', 'abcdef.0123456789abcdef']) {
      const res = await fetch(cluster.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: ask }),
      });
      expect(res.status).toBe(401);
    }
    const own = await gql(credentials.n1, 'mutation { nodeCredential(nodeName: "n1") { token } }');
    expect(own.errors).toBeUndefined();
    const other = await gql(credentials.n1, ask);
    expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('kq agent --bootstrap-token', () => {
  it('joins as its own node, and starts again from the credential it kept once the token is gone', async () => {
    const admin = client(cluster.token);
    const made = await kq({ url: cluster.url, token: cluster.token }, ['create', 'token', '--bootstrap']);
    const token = made.stdout.trim();
    const rootDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-agent-'));
    const run = () =>
      kqStream(
        [
          'agent',
          '--runtime',
          'simulated',
          '--name',
          'joined',
          '--root-dir',
          rootDir,
          '--server',
          cluster.url,
          '--bootstrap-token',
          token,
        ],
        kqEnv(undefined),
      );
    const agent = run();
    try {
      await agent.waitFor(/node joined registered/, 60_000);
    } finally {
      await agent.stop();
    }
    const credential = fs.readFileSync(path.join(rootDir, 'node-credential.token'), 'utf8').trim();
    const who = await gql(credential, '{ whoami { username } }');
    expect(who.data?.whoami.username).toBe('system:node:joined');
    expect((fs.statSync(path.join(rootDir, 'node-credential.token')).mode & 0o777).toString(8)).toBe('600');
    expect((await admin.get('Node', 'joined'))?.metadata.name).toBe('joined');

    await resourceWriter(admin).delete('Secret', `bootstrap-token-${token.split('.')[0]}`, 'kube-system');
    const restarted = run();
    try {
      await restarted.waitFor(/node joined registered/, 60_000);
    } finally {
      await restarted.stop();
    }
  });
});

describe('the Node authorizer', () => {
  it("lets a node read its own pod's Secret and ConfigMap, one by one, and nothing else of them", async () => {
    const n1 = credentials.n1;
    expect((await rest(n1, 'GET', '/api/v1/namespaces/default/secrets/app-secret')).status).toBe(200);
    expect((await rest(n1, 'GET', '/api/v1/namespaces/default/configmaps/app-config')).status).toBe(200);
    const refused = await rest(n1, 'GET', '/api/v1/namespaces/default/secrets/other-secret');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toContain(
      "no relationship found between node 'n1' and this object",
    );
    expect((await rest(n1, 'GET', '/api/v1/namespaces/default/secrets/unused-secret')).status).toBe(403);
    expect((await rest(n1, 'GET', '/api/v1/namespaces/default/secrets')).status).toBe(403);
    // A list or watch of the one object, as the kubelet watches each it needs.
    const selected = '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dapp-secret';
    expect((await rest(n1, 'GET', selected)).status).toBe(200);
    const othersSelected = '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dother-secret';
    expect((await rest(n1, 'GET', othersSelected)).status).toBe(403);

    const read = (name: string) =>
      gql(n1, 'query($name: String!) { secret(namespace: "default", name: $name) { metadata { name } } }', {
        name,
      });
    expect((await read('app-secret')).data?.secret.metadata.name).toBe('app-secret');
    expect((await read('other-secret')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const listed = await gql(
      n1,
      '{ secrets(namespace: "default", fieldSelector: "metadata.name=app-secret") { items { metadata { name } } } }',
    );
    expect(listed.data?.secrets.items).toEqual([{ metadata: { name: 'app-secret' } }]);
    // Tokens for its pods' ServiceAccount only.
    await resourceWriter(client(cluster.token))
      .create({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: 'default' },
      })
      .catch((error: unknown) => {
        if (!isCode(error, 'ALREADY_EXISTS')) throw error;
      });
    const token = (account: string) =>
      gql(n1, 'mutation($account: String!) { createToken(serviceAccountName: $account) { token } }', {
        account,
      });
    expect((await token('default')).data?.createToken.token).toMatch(/^ey/);
    expect((await token('builder')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // Reads every node may do.
    expect((await rest(n1, 'GET', '/api/v1/pods')).status).toBe(200);
    expect((await rest(n1, 'GET', '/api/v1/namespaces/default/services')).status).toBe(200);
  });

  it('follows the pods: a pod bound to the node grants its objects, and its deletion takes them back', async () => {
    const n1 = credentials.n1;
    const writer = resourceWriter(client(cluster.token));
    expect((await rest(n1, 'GET', '/api/v1/namespaces/default/secrets/unused-secret')).status).toBe(403);
    await writer.create(pod('late', 'n1', 'unused-secret'));
    expect((await rest(n1, 'GET', '/api/v1/namespaces/default/secrets/unused-secret')).status).toBe(200);
    await writer.delete('Pod', 'late', 'default', { gracePeriodSeconds: 0 });
    await waitFor(
      async () => (await rest(n1, 'GET', '/api/v1/namespaces/default/secrets/unused-secret')).status === 403,
      {
        what: 'the grant gone with the pod',
      },
    );
  });

  it("refuses a node writing another node's status, another node's pod's status, or another node's Node", async () => {
    const n1 = credentials.n1;
    const condition = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    await resourceWriter(client(cluster.token)).create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n2' },
    } as Resource);
    expect((await rest(n1, 'PATCH', '/api/v1/nodes/n2/status', condition)).status).toBe(403);
    expect((await rest(n1, 'PATCH', '/api/v1/nodes/n2', { metadata: { labels: { x: 'y' } } })).status).toBe(
      403,
    );
    const othersPod = await rest(n1, 'PATCH', '/api/v1/namespaces/default/pods/other/status', {
      status: { message: 'mine now' },
    });
    expect(othersPod.status).toBe(403);
    expect(
      (await rest(n1, 'PATCH', '/api/v1/namespaces/default/pods/app/status', { status: { message: 'ok' } }))
        .status,
    ).toBe(200);
    // NodeRestriction: what a create names is in its body.
    const created = await gql(
      credentials.n2,
      'mutation($node: NodeInput!) { createNode(node: $node) { metadata { name } } }',
      {
        node: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3' } },
      },
    );
    expect(created.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await rest(n1, 'DELETE', '/api/v1/namespaces/default/pods/other')).status).toBe(403);
  });
});

describe('a node running under its own identity', () => {
  it('starts a pod with its ConfigMap and Secret, and one whose Secret appears later once it does', async () => {
    const nodeClient = client(credentials.n1);
    const sources = new ConfigSources({ client: nodeClient, nodeName: 'n1' }, { onError: () => {} });
    const node = await startHollowNode(nodeClient, 'n1', {
      environment: new ReferenceCheckEnvironment(sources),
      log: () => {},
    });
    nodes.push(node);
    const admin = client(cluster.token);
    const phase = async (name: string) =>
      ((await admin.get<PodObject>('Pod', name, 'default')) as PodObject | undefined)?.status;
    await waitFor(async () => (await phase('app'))?.phase === 'Running', { ms: 15_000, what: 'app Running' });

    await resourceWriter(admin).create(pod('waits', 'n1', 'later-secret'));
    await waitFor(
      async () =>
        (await phase('waits'))?.containerStatuses?.[0]?.state?.waiting?.reason ===
        'CreateContainerConfigError',
      { ms: 15_000, what: 'CreateContainerConfigError' },
    );
    await resourceWriter(admin).create(secret('later-secret', { password: 'late' }));
    await waitFor(async () => (await phase('waits'))?.phase === 'Running', {
      ms: 15_000,
      what: 'waits Running',
    });
    // The node's Lease, its own, renewed under its identity.
    expect(await admin.get('Lease', 'n1', 'kube-node-lease')).toBeDefined();
  });

  it('is refused, without a stack trace, what it may not read', async () => {
    const attempt = client(credentials.n1).get('Secret', 'other-secret', 'default');
    await expect(attempt).rejects.toSatisfy((error: unknown) => isCode(error, 'FORBIDDEN'));
  });
});

function secret(name: string, data: Record<string, string>): Resource {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, stringData: data };
}

function configMap(name: string, data: Record<string, string>): Resource {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

/** A pod bound to `node` whose container takes a key of `secretName` (and `configMapName` as a volume). */
function pod(name: string, node: string, secretName: string, configMapName?: string): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sleep', '3600'],
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: secretName, key: 'password' } } }],
        },
      ],
      ...(configMapName ? { volumes: [{ name: 'config', configMap: { name: configMapName } }] } : {}),
    },
  };
}
