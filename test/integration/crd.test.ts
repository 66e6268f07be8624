import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustingFetch, type Fetch } from '../../client/node-tls.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';

// CustomResourceDefinitions: the kind itself (admission, status, columns) over the REST API
// and through kubectl.

const BINARIES = kubectlBinaries('crd');

type Json = { [key: string]: Untyped };

const CRONTAB_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: {
      plural: 'crontabs',
      singular: 'crontab',
      kind: 'CronTab',
      shortNames: ['ct'],
      categories: ['all'],
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['cronSpec'],
                properties: {
                  cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
                  image: { type: 'string' },
                  replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
                },
              },
              status: { type: 'object', properties: { replicas: { type: 'integer' } } },
            },
          },
        },
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
};

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let https: { fetch: Fetch; close(): void };

beforeAll(async () => {
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'crd'));
  https = trustingFetch(cluster.server.ca!);
}, 30_000);

afterAll(async () => {
  https?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function rest(method: string, pathAndQuery: string, body?: unknown): Promise<Response> {
  const root = new URL(cluster.url).origin;
  return https.fetch(`${root}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

describe('the CustomResourceDefinition kind', () => {
  it('is created with its names defaulted and its status established', async () => {
    const res = await rest('POST', CRDS, CRONTAB_CRD);
    expect(res.status).toBe(201);
    const crd = (await res.json()) as Json;
    expect(crd.spec.names.listKind).toBe('CronTabList');
    const conditions = Object.fromEntries(crd.status.conditions.map((c: Json) => [c.type, c]));
    expect(conditions.NamesAccepted.status).toBe('True');
    expect(conditions.Established).toMatchObject({ status: 'True', reason: 'InitialNamesAccepted' });
    expect(crd.status.acceptedNames).toMatchObject({
      plural: 'crontabs',
      kind: 'CronTab',
      listKind: 'CronTabList',
    });
    expect(crd.status.storedVersions).toEqual(['v1']);
  });

  it('is refused with field paths when its name, versions or schema are wrong', async () => {
    const bad = structuredClone(CRONTAB_CRD) as Json;
    bad.metadata.name = 'crontab.stable.example.com';
    bad.spec.versions.push({ ...bad.spec.versions[0], name: 'v2' });
    bad.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.image = { description: 'no type' };
    const res = await rest('POST', CRDS, bad);
    expect(res.status).toBe(422);
    const status = (await res.json()) as Json;
    const causes = status.details.causes.map((c: Json) => `${c.field}: ${c.message}`);
    expect(causes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^metadata\.name: .*must be spec\.names\.plural\+"\."\+spec\.group/),
        expect.stringMatching(/^spec\.versions: .*must have exactly one version marked as storage version/),
        'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].type: Required value: must not be empty for specified object fields',
      ]),
    );
  });

  it('is refused with the supported scopes for an unknown scope', async () => {
    const bad = structuredClone(CRONTAB_CRD) as Json;
    bad.spec.scope = 'Global';
    const res = await rest('POST', CRDS, bad);
    expect(res.status).toBe(422);
    expect(((await res.json()) as Json).message).toMatch(/spec\.scope: Unsupported value: "Global"/);
  });

  it('keeps a type-less node that preserves unknown fields or is an int-or-string', async () => {
    const free = structuredClone(CRONTAB_CRD) as Json;
    free.metadata.name = 'widgets.free.example.com';
    free.spec.group = 'free.example.com';
    free.spec.names = { plural: 'widgets', kind: 'Widget' };
    free.spec.versions[0].schema.openAPIV3Schema.properties.spec = {
      'x-kubernetes-preserve-unknown-fields': true,
    };
    free.spec.versions[0].schema.openAPIV3Schema.properties.port = { 'x-kubernetes-int-or-string': true };
    const res = await rest('POST', CRDS, free);
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await rest('DELETE', `${CRDS}/widgets.free.example.com`)).status).toBe(200);
  });
});

const CRONTABS = '/apis/stable.example.com/v1/namespaces/default/crontabs';

describe('custom resources over REST', () => {
  it('are in discovery with their verbs, short names, categories and scope', async () => {
    const groups = (await (await rest('GET', '/apis')).json()) as Json;
    expect(groups.groups.map((g: Json) => g.name)).toContain('stable.example.com');
    const list = (await (await rest('GET', '/apis/stable.example.com/v1')).json()) as Json;
    const crontabs = list.resources.find((r: Json) => r.name === 'crontabs');
    expect(crontabs).toMatchObject({
      kind: 'CronTab',
      namespaced: true,
      shortNames: ['ct'],
      categories: ['all'],
      verbs: expect.arrayContaining(['create', 'get', 'list', 'watch', 'delete', 'patch', 'update']),
    });
    expect(list.resources.map((r: Json) => r.name)).toContain('crontabs/status');
  });

  it('are created with defaults applied and unknown fields pruned', async () => {
    const res = await rest('POST', CRONTABS, {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'nightly' },
      spec: { cronSpec: '0 3 * * *', image: 'backup:1', colour: 'blue' },
      status: { replicas: 7 },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const obj = (await res.json()) as Json;
    expect(obj.spec).toEqual({ cronSpec: '0 3 * * *', image: 'backup:1', replicas: 1 });
    expect(obj.status).toBeUndefined();
  });

  it("are refused with the schema's messages and field paths", async () => {
    const res = await rest('POST', CRONTABS, {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'broken' },
      spec: { cronSpec: 'whenever', replicas: 11 },
    });
    expect(res.status).toBe(422);
    const status = (await res.json()) as Json;
    expect(status.message).toMatch(/^CronTab\.stable\.example\.com "broken" is invalid: /);
    const causes = status.details.causes.map((c: Json) => `${c.field}: ${c.message}`);
    expect(causes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^spec\.cronSpec: Invalid value: "whenever": spec\.cronSpec in body should match/,
        ),
        'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      ]),
    );
    const missing = await rest('POST', CRONTABS, {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'empty' },
      spec: {},
    });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as Json).details.causes).toContainEqual(
      expect.objectContaining({ field: 'spec.cronSpec', reason: 'FieldValueRequired' }),
    );
  });

  it('write status only through the status subresource', async () => {
    const current = (await (await rest('GET', `${CRONTABS}/nightly`)).json()) as Json;
    const res = await rest('PUT', `${CRONTABS}/nightly/status`, { ...current, status: { replicas: 2 } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as Json).status).toEqual({ replicas: 2 });
    const updated = (await (await rest('GET', `${CRONTABS}/nightly`)).json()) as Json;
    const spec = await rest('PUT', `${CRONTABS}/nightly`, { ...updated, status: { replicas: 9 } });
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as Json).status).toEqual({ replicas: 2 });
  });

  it('print their additionalPrinterColumns in a Table', async () => {
    const root = new URL(cluster.url).origin;
    const res = await https.fetch(`${root}${CRONTABS}`, {
      headers: {
        authorization: `Bearer ${cluster.token}`,
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      },
    });
    const table = (await res.json()) as Json;
    expect(table.columnDefinitions.map((c: Json) => c.name)).toEqual(['NAME', 'SPEC', 'REPLICAS', 'AGE']);
    expect(table.rows[0].cells.slice(0, 3)).toEqual(['nightly', '0 3 * * *', '1']);
  });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version} and CRDs`, () => {
    const kubectl = (args: string[]) => runKubectl(binary!, args, { home, kubeconfig });
    const ok = async (args: string[]) => {
      const run = await kubectl(args);
      if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
      return run.stdout;
    };

    it('get crd prints NAME and CREATED AT, and finds it by its short names', async () => {
      const out = await ok(['get', 'crd']);
      expect(out.split('\n')[0]).toMatch(/^NAME\s+CREATED AT$/);
      expect(out).toMatch(/^crontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
      const yaml = await ok(['get', 'crds', 'crontabs.stable.example.com', '-o', 'yaml']);
      expect(yaml).toMatch(/reason: InitialNamesAccepted/);
    });

    it('applies, gets, watches and deletes custom objects', async () => {
      const name = `hourly-${version.replace('.', '')}`;
      const file = path.join(home, `${name}.yaml`);
      fs.writeFileSync(
        file,
        `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: { name: ${name}, namespace: default }\nspec: { cronSpec: "0 * * * *", image: "job:2", replicas: 3 }\n`,
      );
      expect(await ok(['apply', '-f', file])).toMatch(
        new RegExp(`^crontab\\.stable\\.example\\.com/${name} created`, 'm'),
      );
      const table = await ok(['get', 'crontabs', '-n', 'default']);
      expect(table.split('\n')[0]).toMatch(/^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
      expect(table).toMatch(new RegExp(`^${name}\\s+0 \\* \\* \\* \\*\\s+3\\s+\\d+s$`, 'm'));
      const yaml = await ok(['get', 'ct', name, '-n', 'default', '-o', 'yaml']);
      expect(yaml).toMatch(/cronSpec: 0 \* \* \* \*/);
      expect(yaml).toMatch(/kind: CronTab/);
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('replicas: 3', 'replicas: 4'));
      expect(await ok(['apply', '-f', file])).toMatch(/configured/);

      const watch = kubectl(['get', 'crontabs', '-n', 'default', '-w', '--request-timeout=3s']);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await ok(['delete', '-f', file]);
      const watched = await watch;
      expect(watched.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
      expect(await ok(['get', 'crontabs', '-n', 'default', '-o', 'name'])).not.toMatch(name);
    });

    it("refuses an invalid custom object with the schema's message", async () => {
      const file = path.join(home, `bad-${version}.yaml`);
      fs.writeFileSync(
        file,
        `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: { name: bad, namespace: default }\nspec: { cronSpec: "0 * * * *", replicas: 0 }\n`,
      );
      const run = await kubectl(['apply', '-f', file]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(
        /spec\.replicas: Invalid value: 0: spec\.replicas in body should be greater than or equal to 1/,
      );
    });

    it('applies a CRD from a file', async () => {
      const file = path.join(home, `gadgets-${version}.json`);
      const crd = structuredClone(CRONTAB_CRD) as Json;
      const plural = `gadgets${version.replace('.', '')}`;
      crd.metadata.name = `${plural}.stable.example.com`;
      crd.spec.names = { plural, kind: `Gadget${version.replace('.', '')}` };
      fs.writeFileSync(file, JSON.stringify(crd));
      expect(await ok(['apply', '-f', file])).toMatch(
        new RegExp(
          `customresourcedefinition\\.apiextensions\\.k8s\\.io/${plural}\\.stable\\.example\\.com created`,
        ),
      );
      expect(await ok(['get', 'crd', crd.metadata.name, '-o', 'jsonpath={.status.storedVersions}'])).toBe(
        '["v1"]',
      );
    });
  });
}
