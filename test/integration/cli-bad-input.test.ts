import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { expectOneLineError, files, kq, kqEnv, kqProcess } from '../support/cli.ts';

// Bad input through the real `kq` process: one clear line on stderr, nothing on stdout,
// exit code 1, never a stack trace. The in-process cases cover the rest of the table.

let cluster: HollowCluster;
let env: Record<string, string>;
beforeAll(async () => {
  cluster = await startHollowCluster({ nodes: 1 });
  env = kqEnv(cluster);
});
afterAll(() => cluster?.stop());

const dir = files({
  'broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n',
  'unknown-kind.yaml': 'apiVersion: v1\nkind: Gadget\nmetadata:\n  name: g\n',
  'invalid.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad\nspec:\n  replicas: -1\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n',
});

describe('kq process, bad input', () => {
  it('unknown kind', async () => {
    const result = await kqProcess(['get', 'gadgets'], { env });
    expect(expectOneLineError(result)).toBe('error: the server doesn\'t have a resource type "gadgets"');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
  });

  it('missing file', async () => {
    const result = await kqProcess(['apply', '-f', 'no/such.yaml'], { env, cwd: dir });
    expect(expectOneLineError(result)).toBe('error: the path "no/such.yaml" does not exist');
    expect(result.code).toBe(1);
  });

  it('invalid YAML, with its line number', async () => {
    const result = await kqProcess(['apply', '-f', 'broken.yaml'], { env, cwd: dir });
    expect(expectOneLineError(result)).toMatch(/^error: error parsing broken\.yaml: yaml: line 5: /);
    expect(await cluster.client.get('ConfigMap', 'x', 'default')).toBeNull();
  });

  it('unknown flag', async () => {
    const result = await kqProcess(['get', 'pods', '--colour=always'], { env });
    expect(expectOneLineError(result)).toBe('error: unknown flag: --colour');
    expect(result.stderr).toContain("See 'kq get --help' for usage.");
    expect(result.code).toBe(1);
  });

  it('unreachable server', async () => {
    const result = await kqProcess(['get', 'pods'], { env: { ...env, KQ_SERVER: 'http://127.0.0.1:9' } });
    expect(expectOneLineError(result)).toMatch(
      /^The connection to the server 127\.0\.0\.1:9 was refused - did you specify the right host or port\?/,
    );
    expect(result.code).toBe(1);
  });

  it('wrong token', async () => {
    const result = await kqProcess(['get', 'pods'], { env: { ...env, KQ_TOKEN: 'not-the-token' } });
    expect(expectOneLineError(result)).toBe('error: You must be logged in to the server (Unauthorized)');
    expect(result.code).toBe(1);
  });

  it('unknown command', async () => {
    const result = await kqProcess(['frobnicate'], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command "frobnicate" for "kq"/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('kq in-process, bad input', () => {
  const run = (argv: string[], options?: Parameters<typeof kq>[2]) => kq(cluster, argv, { env, ...options });

  it.each([
    [['get', 'pods', '-z'], "error: unknown shorthand flag: 'z' in -z"],
    [['get', 'pods', '-n'], 'error: flag needs an argument: --namespace'],
    [
      ['get', 'pods', '-o', 'table'],
      /^error: unable to match a printer suitable for the output format "table"/,
    ],
    [['get'], /^error: You must specify the type of resource to get/],
    [['scale', 'deployment', 'web'], 'error: required flag(s) "replicas" not set'],
    [['scale', 'deployment/web', '--replicas=-2'], 'error: invalid argument "-2" for "--replicas" flag'],
    [['scale', 'pod/web', '--replicas=2'], /^error: cannot scale a Pod/],
    [['delete', 'deployment', 'web', '--cascade=sometimes'], /^error: invalid cascade value \(sometimes\)/],
    [['rollout', 'rewind', 'deployment/web'], 'error: unknown command "rewind" for "kq rollout"'],
    [['create', 'deployment', 'web'], 'error: required flag(s) "image" not set'],
    [['apply'], 'error: must specify one of -f and -k'],
    [['get', 'pods', '-o', 'jsonpath={.items[0'], /^error: error parsing jsonpath/],
    [['completion', 'fish'], 'error: Unsupported shell type "fish".'],
  ])('%j', async (argv, message) => {
    const result = await run(argv as string[]);
    expect(result.code).toBe(1);
    const line = expectOneLineError(result);
    if (typeof message === 'string') expect(line).toBe(message);
    else expect(line).toMatch(message);
  });

  it('a missing object is NotFound from the server', async () => {
    const result = await run(['get', 'deployment', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
  });

  it('an invalid object is reported as kubectl reports it, with the field', async () => {
    const result = await run(['apply', '-f', 'invalid.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(expectOneLineError(result)).toMatch(/^The Deployment "bad" is invalid: .*spec\.replicas/);
  });

  it('a kind the server does not serve, in a manifest', async () => {
    const result = await run(['apply', '-f', 'unknown-kind.yaml'], { cwd: dir });
    expect(expectOneLineError(result)).toBe(
      'error: resource mapping not found for name: "g" namespace: "" from "unknown-kind.yaml": no matches for kind "Gadget" in version "v1"',
    );
  });

  it('creating what exists is AlreadyExists', async () => {
    expect((await run(['create', 'namespace', 'twice'])).code).toBe(0);
    const result = await run(['create', 'namespace', 'twice']);
    expect(result.stderr).toBe('Error from server (AlreadyExists): namespaces "twice" already exists\n');
    expect(result.code).toBe(1);
  });

  it('a broken config file is named', async () => {
    const bad = files({ 'config.json': '{ not json' });
    const result = await run(['get', 'pods'], { env: { ...env, KQ_CONFIG: `${bad}/config.json` } });
    expect(expectOneLineError(result)).toMatch(/^error: invalid config file .*config\.json: /);
  });
});
