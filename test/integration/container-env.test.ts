import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceWriter, type KubeqlClient, type Resource } from '../../client/index.ts';
import type { PodObject } from '../../agent/objects.ts';
import {
  ConfigSources,
  type ConfigKind,
  type ConfigMapObject,
  type ConfigReader,
  type SecretObject,
} from '../../agent/node/config-sources.ts';
import { ContainerConfigError } from '../../agent/node/container-config-error.ts';
import { containerEnv, type ContainerEnvOptions } from '../../agent/node/container-env.ts';
import { expand, expandArgs } from '../../agent/node/env-expansion.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import { startConfigSources } from '../support/config-sources-cluster.ts';
import { waitFor } from '../support/wait.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** ConfigMaps and Secrets of namespace "ns" as the store keeps them (Secret data in base64). */
function reader(
  configMaps: Record<string, Record<string, string>>,
  secrets: Record<string, Record<string, string>> = {},
): ConfigReader {
  const object = (kind: string, name: string) => ({
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: 'ns' },
  });
  return {
    configMap: (namespace, name) =>
      namespace === 'ns' && configMaps[name]
        ? ({ ...object('ConfigMap', name), data: configMaps[name] } as ConfigMapObject)
        : undefined,
    secret: (namespace, name) =>
      namespace === 'ns' && secrets[name]
        ? ({
            ...object('Secret', name),
            data: Object.fromEntries(Object.entries(secrets[name]).map(([k, v]) => [k, b64(v)])),
          } as SecretObject)
        : undefined,
  };
}

function pod(
  container: Partial<Container>,
  extra: Partial<PodObject['metadata']> = {},
): [PodObject, Container] {
  const c: Container = { name: 'app', image: 'busybox', ...container };
  const p: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'ns', uid: 'uid-1', ...extra },
    spec: { containers: [c], nodeName: 'node-a', serviceAccountName: 'robot' },
  };
  return [p, c];
}

function envOf(
  container: Partial<Container>,
  sources: ConfigReader = reader({}),
  options: ContainerEnvOptions = {},
) {
  const [p, c] = pod(container);
  return containerEnv(p, c, sources, options);
}

const asRecord = (env: Array<{ name: string; value: string }>) =>
  Object.fromEntries(env.map(({ name, value }) => [name, value]));

function configError(run: () => unknown): ContainerConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ContainerConfigError);
    return error as ContainerConfigError;
  }
  throw new Error('expected a ContainerConfigError');
}

// ---------------------------------------------------------------------------------------------
// $(VAR) expansion

describe('$(VAR) expansion', () => {
  const vars: Record<string, string> = { A: 'a', EMPTY: '' };
  const lookup = (name: string) => vars[name];

  it('expands defined references and keeps the rest as written, as Kubernetes does', () => {
    expect(expand('x$(A)y', lookup)).toBe('xay');
    expect(expand('$(EMPTY)|', lookup)).toBe('|');
    expect(expand('$(MISSING)', lookup)).toBe('$(MISSING)');
    expect(expand('$$(A)', lookup)).toBe('$(A)');
    expect(expand('$$$(A)', lookup)).toBe('$a');
    expect(expand('cost: $5 $$', lookup)).toBe('cost: $5 $');
    expect(expand('$(A', lookup)).toBe('$(A');
    expect(expand('end$', lookup)).toBe('end$');
    expect(expand('$()', lookup)).toBe('$()');
    expect(expand('héllo $(A) wörld', lookup)).toBe('héllo a wörld');
  });

  it('expands command and args against the final environment', () => {
    const env = [
      { name: 'PORT', value: '80' },
      { name: 'PORT', value: '8080' },
      { name: 'HOST', value: 'h' },
    ];
    expect(expandArgs(['serve', '--listen=$(HOST):$(PORT)', '$(NOPE)', '$$(HOST)'], env)).toEqual([
      'serve',
      '--listen=h:8080',
      '$(NOPE)',
      '$(HOST)',
    ]);
    expect(expandArgs(undefined, env)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// containerEnv

describe('containerEnv', () => {
  it('puts service variables first, then envFrom, then env, a redefined name taking its last value and place', () => {
    const sources = reader(
      { settings: { MODE: 'prod', LEVEL: 'info' } },
      { creds: { USER: 'admin', PASS: 's3cr3t' } },
    );
    const env = envOf(
      {
        envFrom: [{ configMapRef: { name: 'settings' } }, { prefix: 'DB_', secretRef: { name: 'creds' } }],
        env: [
          { name: 'LEVEL', value: 'debug' },
          {
            name: 'URL',
            value: 'http://$(DB_USER):$(DB_PASS)@$(DB_SERVICE_HOST):$(DB_SERVICE_PORT)/$(LATER)',
          },
          { name: 'LATER', value: 'x' },
          { name: 'EMPTY' },
        ],
      },
      sources,
      { serviceEnv: { DB_SERVICE_HOST: '10.96.0.5', DB_SERVICE_PORT: '5432', MODE: 'svc' } },
    );
    expect(env).toEqual([
      { name: 'DB_SERVICE_HOST', value: '10.96.0.5' },
      { name: 'DB_SERVICE_PORT', value: '5432' },
      { name: 'MODE', value: 'prod' },
      { name: 'DB_PASS', value: 's3cr3t' },
      { name: 'DB_USER', value: 'admin' },
      { name: 'LEVEL', value: 'debug' },
      // LATER is defined after URL: left as written.
      { name: 'URL', value: 'http://admin:s3cr3t@10.96.0.5:5432/$(LATER)' },
      { name: 'LATER', value: 'x' },
      { name: 'EMPTY', value: '' },
    ]);
  });

  it('skips envFrom keys that are not variable names and warns as the kubelet does', () => {
    const warnings: string[][] = [];
    const sources = reader({ mixed: { good: '1', 'with space': '2', '1st': '3', 'dotted.key-ok': '4' } });
    const env = envOf({ envFrom: [{ configMapRef: { name: 'mixed' } }] }, sources, {
      warn: (reason, message) => warnings.push([reason, message]),
    });
    expect(asRecord(env)).toEqual({ good: '1', 'dotted.key-ok': '4' });
    expect(warnings).toEqual([
      [
        'InvalidEnvironmentVariableNames',
        'Keys [1st, with space] from the EnvFrom configMap ns/mixed were skipped since they are considered invalid environment variable names.',
      ],
    ]);
    // A prefix can make a key valid.
    expect(
      asRecord(envOf({ envFrom: [{ prefix: 'K_', configMapRef: { name: 'mixed' } }] }, sources)),
    ).toMatchObject({
      K_1st: '3',
    });
  });

  it('takes values from ConfigMap and Secret keys, decoding Secrets', () => {
    const sources = reader({ cm: { color: 'blue' } }, { sec: { token: 'tök€n\n' } });
    const env = envOf(
      {
        env: [
          { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cm', key: 'color' } } },
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
          { name: 'REF', value: '$(COLOR)-$(TOKEN)' },
        ],
      },
      sources,
    );
    expect(asRecord(env)).toEqual({ COLOR: 'blue', TOKEN: 'tök€n\n', REF: 'blue-tök€n\n' });
  });

  it('fails with the kubelet messages when a needed ConfigMap, Secret or key is missing', () => {
    const sources = reader({ cm: { a: '1' } }, { sec: { a: '1' } });
    const cases: Array<[Partial<Container>, string]> = [
      [{ envFrom: [{ configMapRef: { name: 'nope' } }] }, 'configmap "nope" not found'],
      [{ envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found'],
      [
        { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'a' } } }] },
        'configmap "nope" not found',
      ],
      [
        { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'b' } } }] },
        "couldn't find key b in ConfigMap ns/cm",
      ],
      [
        { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'a' } } }] },
        'secret "nope" not found',
      ],
      [
        { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'b' } } }] },
        "couldn't find key b in Secret ns/sec",
      ],
      // A key every object inherits is still a key the ConfigMap or Secret lacks.
      [
        { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'constructor' } } }] },
        "couldn't find key constructor in ConfigMap ns/cm",
      ],
      [
        { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'sec', key: 'constructor' } } }] },
        "couldn't find key constructor in Secret ns/sec",
      ],
      [
        { env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }] },
        'unsupported fieldPath: spec.nope',
      ],
    ];
    for (const [container, message] of cases) {
      const error = configError(() => envOf(container, sources));
      expect(error.message).toBe(message);
      expect(error.reason).toBe('CreateContainerConfigError');
      expect(error.eventReason).toBe('Failed');
      expect(error.eventMessage).toBe(`Error: ${message}`);
    }
  });

  it('leaves out what is optional and missing', () => {
    const sources = reader({ cm: { a: '1' } }, { sec: { a: '1' } });
    const env = envOf(
      {
        envFrom: [
          { configMapRef: { name: 'nope', optional: true } },
          { secretRef: { name: 'nope', optional: true } },
        ],
        env: [
          { name: 'KEEP', value: 'before' },
          { name: 'KEEP', valueFrom: { configMapKeyRef: { name: 'cm', key: 'b', optional: true } } },
          { name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'a', optional: true } } },
          { name: 'B', valueFrom: { secretKeyRef: { name: 'sec', key: 'b', optional: true } } },
          { name: 'C', valueFrom: { secretKeyRef: { name: 'nope', key: 'a', optional: true } } },
        ],
      },
      sources,
    );
    expect(env).toEqual([{ name: 'KEEP', value: 'before' }]);
  });

  it('exposes pod fields through fieldRef', () => {
    const [p, c] = pod(
      {
        env: [
          'metadata.name',
          'metadata.namespace',
          'metadata.uid',
          "metadata.labels['app']",
          "metadata.labels['missing']",
          "metadata.annotations['example.com/note']",
          'spec.nodeName',
          'spec.serviceAccountName',
          'status.podIP',
          'status.podIPs',
          'status.hostIP',
          'status.hostIPs',
          "metadata.labels['constructor']",
        ].map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath } } })),
      },
      { labels: { app: 'web' }, annotations: { 'example.com/note': 'say "hi"' } },
    );
    const env = containerEnv(p, c, reader({}), {
      podIP: '10.244.0.7',
      podIPs: ['10.244.0.7', 'fd00::7'],
      hostIP: '192.168.1.2',
    });
    expect(env.map((e) => e.value)).toEqual([
      'web-1',
      'ns',
      'uid-1',
      'web',
      '',
      'say "hi"',
      'node-a',
      'robot',
      '10.244.0.7',
      '10.244.0.7,fd00::7',
      '192.168.1.2',
      '192.168.1.2',
      '',
    ]);
    const unbound = { ...p, spec: { ...p.spec!, nodeName: undefined } };
    expect(containerEnv(unbound, c, reader({}), { nodeName: 'node-b' })[6]).toEqual({
      name: 'F6',
      value: 'node-b',
    });
  });

  it('exposes resources through resourceFieldRef, rounded up in units of the divisor, the node allocatable standing in for a missing limit', () => {
    const ref = (resource: string, divisor?: string, containerName?: string) => ({
      name: `${resource}/${divisor ?? 1}${containerName ? `@${containerName}` : ''}`,
      valueFrom: { resourceFieldRef: { resource, divisor, containerName } },
    });
    const [p, c] = pod({
      resources: { limits: { cpu: '250m', memory: '128Mi' }, requests: { cpu: '0.1', memory: '100M' } },
      env: [
        ref('limits.cpu'),
        ref('limits.cpu', '1m'),
        ref('requests.cpu', '1m'),
        ref('requests.cpu', '100m'),
        ref('limits.memory'),
        ref('limits.memory', '1Mi'),
        ref('requests.memory', '1Mi'),
        ref('limits.ephemeral-storage', '1Gi'),
        ref('requests.ephemeral-storage'),
        ref('limits.cpu', undefined, 'side'),
        ref('limits.memory', '1Mi', 'side'),
      ],
    });
    p.spec!.containers.push({ name: 'side', image: 'busybox' });
    const env = containerEnv(p, c, reader({}), {
      allocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' },
    });
    expect(asRecord(env)).toEqual({
      'limits.cpu/1': '1',
      'limits.cpu/1m': '250',
      'requests.cpu/1m': '100',
      'requests.cpu/100m': '1',
      'limits.memory/1': String(128 * 2 ** 20),
      'limits.memory/1Mi': '128',
      'requests.memory/1Mi': '96',
      'limits.ephemeral-storage/1Gi': '100',
      'requests.ephemeral-storage/1': '0',
      'limits.cpu/1@side': '4',
      'limits.memory/1Mi@side': '8192',
    });
    const wrong = { ...c, env: [ref('limits.gpu')] };
    expect(configError(() => containerEnv(p, wrong, reader({}))).message).toBe(
      'unsupported container resource : limits.gpu',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// ConfigSources through a real API server

describe('ConfigSources', () => {
  let client: KubeqlClient;
  let sources: ConfigSources;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ client, sources, stop } = await startConfigSources());
  });
  afterAll(() => stop?.());

  it('sees ConfigMaps, Secrets and Services of every namespace and tells of each change', async () => {
    const writer = resourceWriter(client);
    const changes: Array<[ConfigKind, string, string]> = [];
    const off = sources.onChange((kind, namespace, name) => changes.push([kind, namespace, name]));

    await writer.create<Resource>({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'team' },
      data: { MODE: 'blue' },
    });
    // stringData is folded into data (base64) by the server: the agent decodes it.
    await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app-secret', namespace: 'team' },
      stringData: { password: 'hunter2' },
    });
    await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db', namespace: 'team' },
      spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] },
    });
    await waitFor(() => sources.secret('team', 'app-secret') && sources.services('team').length === 1, {
      what: 'caches',
    });
    expect(sources.configMap('team', 'app-config')?.data).toEqual({ MODE: 'blue' });
    expect(sources.secret('team', 'app-secret')?.data).toEqual({ password: b64('hunter2') });
    expect(sources.services('team').map((s) => s.metadata.name)).toEqual(['db']);
    expect(sources.configMap('default', 'app-config')).toBeUndefined();

    const p: PodObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'team', uid: 'u' },
      spec: { containers: [] },
    };
    const c: Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'app-config' } }],
      env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'password' } } }],
    };
    expect(asRecord(containerEnv(p, c, sources))).toEqual({ MODE: 'blue', PASSWORD: 'hunter2' });

    await writer.patch('ConfigMap', 'app-config', 'team', { data: { MODE: 'green' } });
    await waitFor(() => sources.configMap('team', 'app-config')?.data?.MODE === 'green', {
      what: 'the update',
    });
    expect(asRecord(containerEnv(p, c, sources))).toMatchObject({ MODE: 'green' });
    await writer.delete('Secret', 'app-secret', 'team');
    await waitFor(() => !sources.secret('team', 'app-secret'), { what: 'the deletion' });
    expect(configError(() => containerEnv(p, c, sources)).message).toBe('secret "app-secret" not found');

    await waitFor(() => changes.length >= 4, { what: 'four changes' });
    expect(changes).toEqual([
      ['ConfigMap', 'team', 'app-config'],
      ['Secret', 'team', 'app-secret'],
      ['ConfigMap', 'team', 'app-config'],
      ['Secret', 'team', 'app-secret'],
    ]);

    // Unregistered: no more calls.
    off();
    await writer.delete('ConfigMap', 'app-config', 'team');
    await waitFor(() => !sources.configMap('team', 'app-config'), { what: 'the second deletion' });
    expect(changes).toHaveLength(4);
  });
});
