import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { buildClientPackage } from '../../scripts/build-client.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

/**
 * The SDK as other people's projects meet it: built (scripts/build-client.ts), packed,
 * installed from the tarball into a project of its own under the OS temp dir (which
 * fetches graphql, graphql-ws and ws from the registry, or npm's cache), then run by
 * plain Node, type-checked by a strict tsc and bundled for a browser. Nothing of the
 * repository is on that project's module path.
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
/** npm's defaults retry an unreachable registry for minutes: the hook would time out instead of skipping. */
const QUICK_FAIL = [
  '--fetch-retries=1',
  '--fetch-retry-mintimeout=1000',
  '--fetch-retry-maxtimeout=2000',
  '--fetch-timeout=20000',
];
/** An install that failed with one of these could not reach the registry: the tests skip. */
const OFFLINE = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/;

let work: string;
let project: string;
let offline: string | undefined;
let cluster: TestCluster;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-sdk-'));
  project = path.join(work, 'app');
  fs.mkdirSync(project);
  // Built before the cluster starts: tsc runs synchronously and would stall the server.
  const packageDir = buildClientPackage(path.join(work, 'package'));
  const packed = await run('npm', ['pack', packageDir, '--json', '--pack-destination', work], { cwd: work });
  const tarball = path.join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
  write('package.json', JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }));
  // ws because Node 20 has no global WebSocket (the SDK's optional peer dependency).
  const install = ['install', tarball, 'ws@^8', '--no-audit', '--no-fund', '--prefer-offline', ...QUICK_FAIL];
  try {
    await run('npm', install, { cwd: project });
  } catch (error) {
    const output = String((error as { stderr?: unknown }).stderr ?? error);
    if (!OFFLINE.test(output)) throw error;
    offline = `the npm registry is unreachable (${output.match(OFFLINE)?.[0]}): the SDK package could not be installed`;
    console.warn(`\n*** sdk-package.test.ts SKIPPED: ${offline} ***\n`);
    return;
  }
  cluster = await startCluster();
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

function write(file: string, text: string): string {
  const full = path.join(project, file);
  fs.writeFileSync(full, text);
  return full;
}

function needsRegistry(ctx: TestContext): void {
  if (offline) ctx.skip(offline);
}

describe('the @kubeql/client package', () => {
  it('installs with graphql and graphql-ws as its only dependencies and ws as an optional peer', (ctx) => {
    needsRegistry(ctx);
    const installed = JSON.parse(fs.readFileSync(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies?: Record<string, string> }>;
    };
    // Everything in node_modules: the SDK, its dependencies (which have none of their own), and ws.
    const everything = Object.keys(installed.packages)
      .filter(Boolean)
      .map((location) => location.replace(/^node_modules\//, ''));
    expect(everything.sort()).toEqual(['@kubeql/client', 'graphql', 'graphql-ws', 'ws']);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules/@kubeql/client/package.json'), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['graphql', 'graphql-ws']);
    expect(manifest.peerDependenciesMeta.ws.optional).toBe(true);
  });

  it('lists and watches a real server from a plain Node ESM script', async (ctx) => {
    needsRegistry(ctx);
    const script = write(
      'list-and-watch.mjs',
      `import { createClient } from '@kubeql/client';

const client = createClient({ url: process.env.KUBEQL_URL, token: process.env.KUBEQL_TOKEN });
const namespaces = await client.list('Namespace');
const watch = client.watch('ConfigMap', { namespace: 'default', resourceVersion: namespaces.resourceVersion });
await client.request(
  'mutation { createConfigMap(namespace: "default", configMap: { metadata: { name: "from-node" } }) { kind } }',
);
const { value: event } = await watch.next();
console.log(JSON.stringify({
  namespaces: namespaces.items.map((ns) => ns.metadata.name),
  event: { type: event.type, name: event.object.metadata.name },
}));
await client.close();
`,
    );
    const { stdout } = await run(process.execPath, [script], {
      cwd: project,
      env: { ...process.env, KUBEQL_URL: cluster.url, KUBEQL_TOKEN: cluster.token },
      timeout: 20_000,
    });
    const seen = JSON.parse(stdout) as { namespaces: string[]; event: { type: string; name: string } };
    expect(seen.namespaces).toContain('default');
    expect(seen.event).toEqual({ type: 'ADDED', name: 'from-node' });
  }, 30_000);

  it('type-checks under tsc --strict with moduleResolution nodenext and bundler, without @types/node', async (ctx) => {
    needsRegistry(ctx);
    write(
      'consumer.ts',
      `import {
  createClient,
  createInformer,
  execute,
  isCode,
  operations,
  runWorkers,
  WorkQueue,
  type Resource,
  type WatchEvent,
} from '@kubeql/client';

const client = createClient({ url: 'http://127.0.0.1:8080/graphql', token: 'token' });
const { items }: { items: Resource[] } = await client.list('Namespace', { limit: 10 });
for await (const event of client.watch('Pod', { namespace: 'default' })) {
  const seen: WatchEvent = event;
  console.log(seen.type, seen.object.metadata.name);
}
const pods = createInformer(client, 'Pod').start();
await pods.waitForSync();
const queue = new WorkQueue<string>();
const workers = runWorkers(queue, 2, async (key) => console.log(pods.get(key)?.metadata.uid));
await workers[Symbol.asyncDispose]();
const applied = await execute(client, operations.ApplyDocument, { manifests: 'kind: Namespace' });
const kinds: string[] = applied.apply.map((obj) => obj.kind);
console.log(items.length, kinds, isCode(new Error('x'), 'NOT_FOUND'));
`,
    );
    // A plain strict project: no skipLibCheck, lib, types or other setting made for the SDK.
    const options = (module: string, moduleResolution: string) => ({
      compilerOptions: { strict: true, target: 'ES2022', module, moduleResolution, noEmit: true },
      files: ['consumer.ts'],
    });
    write('tsconfig.json', JSON.stringify(options('nodenext', 'nodenext')));
    write('tsconfig.bundler.json', JSON.stringify(options('preserve', 'bundler')));
    // Without skipLibCheck every declaration is checked, graphql's and the SDK's generated
    // types among them: some 4 s a program on an idle machine, far more on a busy one.
    const check = (config: string) =>
      run(process.execPath, [TSC, '-p', config], { cwd: project }).catch(
        (error: { stdout: string }) => error,
      );
    const [nodenext, bundler] = await Promise.all([check('tsconfig.json'), check('tsconfig.bundler.json')]);
    expect(nodenext.stdout, 'moduleResolution nodenext').toBe('');
    expect(bundler.stdout, 'moduleResolution bundler').toBe('');
  }, 60_000);

  it('bundles for the browser without ws or Node built-ins', async (ctx) => {
    needsRegistry(ctx);
    const entry = write(
      'browser.js',
      `import { createClient, createInformer } from '@kubeql/client';

const client = createClient({ url: '/graphql', token: 'token' });
createInformer(client, 'Pod').start();
`,
    );
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: project,
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('node_modules/@kubeql/client/client/socket.js');
    // The SDK's package.json maps ws to nothing in browsers ("(disabled):" inputs are empty).
    expect(
      inputs.filter((input) => /(^|\/)node_modules\/ws\//.test(input) && !input.startsWith('(disabled):')),
    ).toEqual([]);
    const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports);
    expect(imports.filter((imported) => imported.external || imported.path.startsWith('node:'))).toEqual([]);
  });
});
