import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { codeOf, collect, startCluster, type TestCluster, type Untyped } from '../support/harness.ts';

/**
 * Secrets encrypted at rest, through the real endpoints: the database files never hold a
 * Secret's value once it is written, updated or deleted through REST or GraphQL; reads and
 * watches see plaintext; restarts, key rotation and a missing key behave as Kubernetes'.
 */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-secrets-'));
const DB_FILES = ['kubeql.db', 'kubeql.db-wal', 'kubeql.db-shm'];
const b64 = (text: string) => Buffer.from(text).toString('base64');
const marker = (label: string) => `${label}-${crypto.randomBytes(12).toString('hex')}`;

/**
 * What of `text` shows in base64 wherever it starts in the encoded input: one core per
 * alignment, without the groups it shares with its neighbours.
 */
function base64Cores(text: string): string[] {
  return [0, 1, 2].map((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), Buffer.from(text)]).toString('base64');
    return encoded.slice(shift === 0 ? 0 : 4, Math.floor((shift + text.length) / 3) * 4);
  });
}

/** The value plain, in base64 (as Secret.data holds it) and base64 again (a JSON body encoded once more). */
function forms(value: string): string[] {
  return [value, ...base64Cores(value), ...base64Cores(b64(value))];
}

/** Every form of every value found in the SQLite file and its -wal and -shm, as "file: form". */
function foundOnDisk(dir: string, values: string[]): string[] {
  const found: string[] = [];
  for (const name of DB_FILES) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const bytes = fs.readFileSync(file).toString('latin1');
    for (const value of values)
      for (const form of forms(value)) if (bytes.includes(form)) found.push(`${name}: ${form}`);
  }
  return found;
}

/** The stored rows of one object: its current row and its history, as the database holds them. */
function rawRows(dir: string, name: string): { object?: string; history: string[] } {
  const db = new Database(path.join(dir, 'kubeql.db'), { readonly: true });
  try {
    const object = db.prepare(`SELECT data FROM objects WHERE kind = 'Secret' AND name = ?`).get(name) as
      { data: string } | undefined;
    const events = db
      .prepare(`SELECT data, prev FROM events WHERE kind = 'Secret' AND name = ?`)
      .all(name) as Array<{
      data: string;
      prev: string | null;
    }>;
    return { object: object?.data, history: events.flatMap((e) => (e.prev ? [e.data, e.prev] : [e.data])) };
  } finally {
    db.close();
  }
}

async function rest(cluster: TestCluster, method: string, url: string, body?: unknown) {
  const res = await fetch(cluster.url.replace(/\/graphql$/, '') + url, {
    method,
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Untyped };
}

const SECRETS = '/api/v1/namespaces/default/secrets';
const SECRET_FIELDS = 'metadata { name resourceVersion } data';

function writeConfig(name: string, providers: unknown[]): string {
  const file = path.join(dataDir, name);
  const config = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers }],
  };
  fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

/** The key the first start wrote into the data directory's own configuration. */
function defaultKey(): string {
  const text = fs.readFileSync(path.join(dataDir, 'encryption-config.yaml'), 'utf8');
  return /name: key1\s+secret: (\S+)/.exec(text)![1];
}

let cluster: TestCluster | undefined;
afterAll(() => cluster?.stop());

async function restart(options: Parameters<typeof startCluster>[0] = {}): Promise<TestCluster> {
  await cluster?.stop();
  cluster = await startCluster({ dataDir, ...options });
  return cluster;
}

// One data directory through these tests, in order: written, restarted, rotated, its key lost.
describe('Secrets encrypted at rest', () => {
  const values = {
    rest: marker('rest'),
    gql: marker('gql'),
    restUpdate: marker('rest-upd'),
    gqlUpdate: marker('gql-upd'),
  };
  const kept = marker('kept');

  it('never stores a value: created, updated and deleted through REST and GraphQL, while reads and the watch see it', async () => {
    const c = await restart();
    const watch = collect(
      c.wsClient(),
      `subscription { watchSecrets(namespace: "default") { type object { ${SECRET_FIELDS} } } }`,
    );

    await c.ok(`mutation($s: SecretInput!) { createSecret(secret: $s) { metadata { name } } }`, {
      s: { metadata: { name: 'kept' }, data: { password: b64(kept) } },
    });
    // Live from here: the watch has seen the first Secret.
    await watch.until(() => watch.items.some((item) => item.watchSecrets.object.metadata.name === 'kept'));
    const created = await rest(c, 'POST', SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'by-rest' },
      data: { password: b64(values.rest) },
    });
    expect(created.status).toBe(201);
    await c.ok(`mutation($s: SecretInput!) { createSecret(secret: $s) { metadata { name } } }`, {
      s: { metadata: { name: 'by-gql' }, stringData: { password: values.gql } },
    });
    expect(foundOnDisk(dataDir, [...Object.values(values), kept])).toEqual([]);
    expect(rawRows(dataDir, 'by-rest').object).toMatch(/^k8s:enc:aesgcm:v1:key1:/);

    expect((await rest(c, 'GET', `${SECRETS}/by-rest`)).body.data.password).toBe(b64(values.rest));
    const read = await c.ok(`{ secret(name: "by-gql") { ${SECRET_FIELDS} } }`);
    expect(read.secret.data.password).toBe(b64(values.gql));

    const replaced = await rest(c, 'PUT', `${SECRETS}/by-rest`, {
      ...created.body,
      data: { password: b64(values.restUpdate) },
    });
    expect(replaced.status).toBe(200);
    await c.ok(
      `mutation($s: SecretInput!) { replaceSecret(name: "by-gql", secret: $s) { metadata { name } } }`,
      {
        s: { metadata: { name: 'by-gql' }, data: { password: b64(values.gqlUpdate) } },
      },
    );
    expect(foundOnDisk(dataDir, [...Object.values(values), kept])).toEqual([]);

    expect((await rest(c, 'DELETE', `${SECRETS}/by-rest`)).status).toBe(200);
    await c.ok(`mutation { deleteSecret(name: "by-gql") { metadata { name } } }`);
    await watch.until(() => watch.items.filter((item) => item.watchSecrets.type === 'DELETED').length === 2);
    const seen = watch.items.map((item) => item.watchSecrets.object.data?.password);
    for (const value of Object.values(values)) expect(seen).toContain(b64(value));
    expect(foundOnDisk(dataDir, [...Object.values(values), kept])).toEqual([]);
    for (const name of ['by-rest', 'by-gql']) {
      const rows = rawRows(dataDir, name);
      expect(rows.object).toBeUndefined();
      expect(rows.history.length).toBeGreaterThanOrEqual(4);
      for (const row of rows.history) expect(row).toMatch(/^k8s:enc:aesgcm:v1:key1:/);
    }
    watch.unsubscribe();
    await c.stop();
    cluster = undefined;
    expect(foundOnDisk(dataDir, [...Object.values(values), kept])).toEqual([]);
  });

  it('reads them back after a restart with the same key, through REST, GraphQL and the watch', async () => {
    const c = await restart();
    expect((await rest(c, 'GET', `${SECRETS}/kept`)).body.data.password).toBe(b64(kept));
    expect((await c.ok(`{ secret(name: "kept") { data } }`)).secret.data.password).toBe(b64(kept));
    const watch = collect(
      c.wsClient(),
      `subscription { watchSecrets(namespace: "default") { type object { ${SECRET_FIELDS} } } }`,
    );
    await watch.until(() => watch.items.some((item) => item.watchSecrets.object.metadata.name === 'kept'));
    expect(watch.items[0].watchSecrets.object.data.password).toBe(b64(kept));
    watch.unsubscribe();
  });

  it('rotates: a new first key writes, the old one still reads, and an unchanged replace of each Secret re-encrypts it', async () => {
    const rotated = writeConfig('rotated.json', [
      {
        aesgcm: {
          keys: [
            { name: 'key2', secret: crypto.randomBytes(32).toString('base64') },
            { name: 'key1', secret: defaultKey() },
          ],
        },
      },
      { identity: {} },
    ]);
    const c = await restart({ encryptionProviderConfig: rotated });
    expect(rawRows(dataDir, 'kept').object).toMatch(/^k8s:enc:aesgcm:v1:key1:/);
    const before = await rest(c, 'GET', `${SECRETS}/kept`);
    expect(before.body.data.password).toBe(b64(kept));

    await rest(c, 'POST', SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fresh' },
      data: { a: b64('x') },
    });
    expect(rawRows(dataDir, 'fresh').object).toMatch(/^k8s:enc:aesgcm:v1:key2:/);

    // Kubernetes' procedure, `kubectl get secrets -A -o json | kubectl replace -f -`: a PUT of each item as read.
    const list = await rest(c, 'GET', '/api/v1/secrets');
    for (const item of list.body.items) {
      const url = `/api/v1/namespaces/${item.metadata.namespace}/secrets/${item.metadata.name}`;
      const put = await rest(c, 'PUT', url, { apiVersion: 'v1', kind: 'Secret', ...item });
      expect(put.status).toBe(200);
    }
    expect(rawRows(dataDir, 'kept').object).toMatch(/^k8s:enc:aesgcm:v1:key2:/);
    const after = await rest(c, 'GET', `${SECRETS}/kept`);
    expect(after.body.data.password).toBe(b64(kept));
    expect(after.body.metadata.resourceVersion).not.toBe(before.body.metadata.resourceVersion);
    // Once moved, an unchanged replace is the no-op it always was.
    const again = await rest(c, 'PUT', `${SECRETS}/kept`, after.body);
    expect(again.body.metadata.resourceVersion).toBe(after.body.metadata.resourceVersion);
  });

  it('answers 500 "failed to decrypt" for a Secret no configured key opens, and serves everything else', async () => {
    const lost = writeConfig('lost.json', [
      { aesgcm: { keys: [{ name: 'key3', secret: crypto.randomBytes(32).toString('base64') }] } },
    ]);
    const c = await restart({ encryptionProviderConfig: lost });
    const get = await rest(c, 'GET', `${SECRETS}/kept`);
    expect(get.status).toBe(500);
    expect(get.body).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    expect(get.body.message).toBe(
      'Internal error occurred: failed to decrypt secrets "kept" in namespace "default": no aesgcm key "key2" is configured for it',
    );
    expect((await rest(c, 'GET', SECRETS)).status).toBe(500);
    const put = await rest(c, 'PUT', `${SECRETS}/kept`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'kept' },
    });
    expect(put.status).toBe(500);
    const viaGraphQL = await c.gql(`{ secret(name: "kept") { data } }`);
    expect(viaGraphQL.errors?.[0].extensions?.code).toBe('INTERNAL');
    expect(viaGraphQL.errors?.[0].message).toMatch(
      /^Internal error occurred: failed to decrypt secrets "kept"/,
    );
    const client = c.wsClient();
    const fresh = collect(client, `subscription { watchSecrets(namespace: "default") { type } }`);
    await fresh.until(() => fresh.completed);
    expect(codeOf(fresh.errors[0])).toBe('INTERNAL');
    // The history under the lost key cannot be replayed: a watch from before it lists again.
    const resumed = collect(
      client,
      `subscription { watchSecrets(namespace: "default", resourceVersion: "1") { type } }`,
    );
    await resumed.until(() => resumed.completed);
    expect(codeOf(resumed.errors[0])).toBe('EXPIRED');
    expect((await rest(c, 'GET', '/api/v1/namespaces/default/configmaps')).status).toBe(200);
    expect((await fetch(c.url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
  });
});

describe('Secrets stored before encryption was on', () => {
  it('are moved under the key by an unchanged replace, and once deleted leave no trace in the SQLite file', async () => {
    const legacyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-secrets-legacy-'));
    const identityOnly = path.join(legacyDir, 'identity.json');
    fs.writeFileSync(
      identityOnly,
      JSON.stringify({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'EncryptionConfiguration',
        resources: [{ resources: ['secrets'], providers: [{ identity: {} }] }],
      }),
    );
    const value = marker('legacy');
    let c = await startCluster({ dataDir: legacyDir, encryptionProviderConfig: identityOnly });
    await rest(c, 'POST', SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'legacy' },
      data: { p: b64(value) },
    });
    await c.stop();
    // The search finds a value that is there: plaintext, as stored without encryption.
    expect(foundOnDisk(legacyDir, [value])).not.toEqual([]);

    c = await startCluster({ dataDir: legacyDir, retainEvents: 1, compactEveryMs: 100 });
    try {
      const read = await rest(c, 'GET', `${SECRETS}/legacy`);
      expect(read.body.data.p).toBe(b64(value));
      expect(rawRows(legacyDir, 'legacy').object).toMatch(/^\{/);
      await rest(c, 'PUT', `${SECRETS}/legacy`, read.body);
      expect(rawRows(legacyDir, 'legacy').object).toMatch(/^k8s:enc:aesgcm:v1:key1:/);
      expect((await rest(c, 'DELETE', `${SECRETS}/legacy`)).status).toBe(200);
      // The plaintext history goes with compaction; SQLite's secure_delete zeroes what it freed.
      await expect
        .poll(() => rawRows(legacyDir, 'legacy').history.filter((row) => row.startsWith('{')))
        .toEqual([]);
    } finally {
      await c.stop();
    }
    expect(foundOnDisk(legacyDir, [value])).toEqual([]);
  });
});
