import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isCode, KubeqlError, resourceWriter, type KubeqlClient, type Resource } from '../../client/index.ts';
import type { PodObject } from '../../agent/objects.ts';
import { AtomicWriter } from '../../agent/node/atomic-writer.ts';
import {
  ConfigSources,
  type ConfigMapObject,
  type ConfigReader,
  type SecretObject,
} from '../../agent/node/config-sources.ts';
import { ContainerConfigError } from '../../agent/node/container-config-error.ts';
import { VolumeManager } from '../../agent/node/volumes.ts';
import type { Container, Volume } from '../../schema/kinds/pod.ts';
import { startConfigSources } from '../support/config-sources-cluster.ts';
import { waitFor } from '../support/wait.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** An in-memory ConfigReader over namespace "ns" that tests change between calls. */
class Objects implements ConfigReader {
  readonly configMaps = new Map<string, Partial<ConfigMapObject>>();
  readonly secrets = new Map<string, Partial<SecretObject>>();
  configMap(namespace: string, name: string) {
    const found = namespace === 'ns' ? this.configMaps.get(name) : undefined;
    return (
      found &&
      ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, ...found } as ConfigMapObject)
    );
  }
  secret(namespace: string, name: string) {
    const found = namespace === 'ns' ? this.secrets.get(name) : undefined;
    return (
      found && ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, ...found } as SecretObject)
    );
  }
}

function podWith(volumes: Volume[], uid = 'uid-1'): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'ns', uid },
    spec: { containers: [{ name: 'app', image: 'busybox' }], volumes },
  };
}

const container = (volumeMounts: Container['volumeMounts']): Container => ({
  name: 'app',
  image: 'busybox',
  volumeMounts,
});

async function failure(promise: Promise<unknown>): Promise<ContainerConfigError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a ContainerConfigError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContainerConfigError);
  return error as ContainerConfigError;
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const read = (file: string) => fs.readFileSync(file, 'utf8');
/** The entries of a volume directory, without the timestamped one (its name varies). */
const entries = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((name) => !/^\.\.\d{4}_/.test(name))
    .sort();

let tmp: string;
let objects: Objects;
let volumes: VolumeManager;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-volumes-'));
  objects = new Objects();
  volumes = new VolumeManager({ root: path.join(tmp, 'agent'), sources: objects });
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The AtomicWriter

describe('AtomicWriter', () => {
  it('keeps the files in a timestamped directory behind the ..data link, with user-visible links through it', async () => {
    const dir = path.join(tmp, 'vol');
    fs.mkdirSync(dir);
    const writer = new AtomicWriter(dir);
    const file = (text: string, m = 0o644) => ({ data: Buffer.from(text), mode: m });

    expect(await writer.write({ a: file('1'), 'conf/b.yaml': file('b: 1', 0o600) })).toBe(true);
    const first = fs.readlinkSync(path.join(dir, '..data'));
    expect(first).toMatch(/^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\w+$/);
    expect(fs.readlinkSync(path.join(dir, 'a'))).toBe('..data/a');
    expect(fs.readlinkSync(path.join(dir, 'conf'))).toBe('..data/conf');
    expect(read(path.join(dir, 'conf/b.yaml'))).toBe('b: 1');
    expect(mode(path.join(dir, 'conf/b.yaml'))).toBe(0o600);
    expect(entries(dir)).toEqual(['..data', 'a', 'conf']);

    // Same content: nothing written.
    expect(await writer.write({ a: file('1'), 'conf/b.yaml': file('b: 1', 0o600) })).toBe(false);
    expect(fs.readlinkSync(path.join(dir, '..data'))).toBe(first);
    // A mode change alone is a change.
    expect(await writer.write({ a: file('1', 0o400), 'conf/b.yaml': file('b: 1', 0o600) })).toBe(true);
    expect(mode(path.join(dir, 'a'))).toBe(0o400);

    // New content: a new directory swapped in, the old one and the names no longer there gone.
    expect(await writer.write({ a: file('2'), c: file('3') })).toBe(true);
    const third = fs.readlinkSync(path.join(dir, '..data'));
    expect(third).not.toBe(first);
    expect(fs.existsSync(path.join(dir, first))).toBe(false);
    expect(entries(dir)).toEqual(['..data', 'a', 'c']);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('..2'))).toEqual([third]);
    expect(read(path.join(dir, 'a'))).toBe('2');
  });

  it('refuses paths that would leave the directory', async () => {
    const writer = new AtomicWriter(tmp);
    const data = { data: Buffer.from('x'), mode: 0o644 };
    await expect(writer.write({ '/etc/passwd': data })).rejects.toThrow(
      'invalid path: must be relative path: /etc/passwd',
    );
    await expect(writer.write({ 'a/../../b': data })).rejects.toThrow(
      "invalid path: must not contain '..': a/../../b",
    );
    await expect(writer.write({ '..data': data })).rejects.toThrow(
      "invalid path: must not start with '..': ..data",
    );
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Volumes

describe('VolumeManager', () => {
  it('gives an emptyDir volume a writable directory the containers share, kept across set-ups', async () => {
    const pod = podWith([
      { name: 'scratch', emptyDir: {} },
      { name: 'ram', emptyDir: { medium: 'Memory' } },
    ]);
    await volumes.setUp(pod);
    const dir = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~empty-dir/scratch');
    expect(mode(dir)).toBe(0o777);
    fs.writeFileSync(path.join(dir, 'state'), 'kept');
    await volumes.setUp(pod);
    expect(read(path.join(dir, 'state'))).toBe('kept');

    const mounts = await volumes.mountsFor(
      pod,
      container([
        { name: 'scratch', mountPath: '/data' },
        { name: 'ram', mountPath: '/cache', readOnly: true },
        { name: 'scratch', mountPath: '/logs', subPath: 'logs/app' },
      ]),
    );
    expect(mounts).toEqual([
      { source: dir, target: '/data', readOnly: false },
      {
        source: path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~empty-dir/ram'),
        target: '/cache',
        readOnly: true,
      },
      { source: fs.realpathSync(path.join(dir, 'logs/app')), target: '/logs', readOnly: false },
    ]);
    // The subPath was made with the volume's mode.
    expect(mode(path.join(dir, 'logs/app'))).toBe(0o777);
  });

  it('projects a ConfigMap as files, all keys or the items asked for, with their modes', async () => {
    objects.configMaps.set('web', {
      data: { 'nginx.conf': 'server {}', extra: 'x' },
      binaryData: { 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') },
    });
    const pod = podWith([
      { name: 'all', configMap: { name: 'web' } },
      {
        name: 'some',
        configMap: {
          name: 'web',
          defaultMode: 0o440,
          items: [
            { key: 'nginx.conf', path: 'conf.d/default.conf' },
            { key: 'logo.png', path: 'img/logo.png', mode: 0o400 },
          ],
        },
      },
    ]);
    await volumes.setUp(pod);
    const all = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~configmap/all');
    expect(entries(all)).toEqual(['..data', 'extra', 'logo.png', 'nginx.conf']);
    expect(read(path.join(all, 'nginx.conf'))).toBe('server {}');
    expect([...fs.readFileSync(path.join(all, 'logo.png'))]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(mode(path.join(all, 'extra'))).toBe(0o644);

    const some = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~configmap/some');
    expect(entries(some)).toEqual(['..data', 'conf.d', 'img']);
    expect(read(path.join(some, 'conf.d/default.conf'))).toBe('server {}');
    expect(mode(path.join(some, 'conf.d/default.conf'))).toBe(0o440);
    expect(mode(path.join(some, 'img/logo.png'))).toBe(0o400);

    // Always read-only; a subPath of a key binds the file itself (it then no longer updates, as in Kubernetes).
    const mounts = await volumes.mountsFor(
      pod,
      container([
        { name: 'all', mountPath: '/etc/nginx' },
        { name: 'some', mountPath: '/etc/nginx/conf.d/default.conf', subPath: 'conf.d/default.conf' },
      ]),
    );
    expect(mounts.map((m) => m.readOnly)).toEqual([true, true]);
    expect(mounts[1].source).toBe(fs.realpathSync(path.join(some, '..data/conf.d/default.conf')));
    expect(read(mounts[1].source)).toBe('server {}');
  });

  it('projects a Secret decoded from its stored base64', async () => {
    objects.secrets.set('tls', { data: { 'tls.key': b64('KEY'), 'tls.crt': b64('CERT') } });
    const pod = podWith([{ name: 'certs', secret: { secretName: 'tls', defaultMode: 0o400 } }]);
    await volumes.setUp(pod);
    const dir = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~secret/certs');
    expect(read(path.join(dir, 'tls.key'))).toBe('KEY');
    expect(read(path.join(dir, 'tls.crt'))).toBe('CERT');
    expect(mode(path.join(dir, 'tls.key'))).toBe(0o400);
    const [mount] = await volumes.mountsFor(
      pod,
      container([{ name: 'certs', mountPath: '/tls', readOnly: false }]),
    );
    expect(mount).toEqual({ source: dir, target: '/tls', readOnly: true });
  });

  it('refreshes ConfigMap and Secret volumes only when their content changed', async () => {
    objects.configMaps.set('cfg', { data: { a: '1', b: '2' } });
    objects.secrets.set('sec', { data: { s: b64('one') } });
    const pod = podWith([
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'sec', secret: { secretName: 'sec' } },
      { name: 'tmp', emptyDir: {} },
    ]);
    await volumes.setUp(pod);
    const cfg = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~configmap/cfg');
    const before = fs.readlinkSync(path.join(cfg, '..data'));
    expect(await volumes.refresh(pod)).toEqual({ updated: [], errors: [] });
    expect(fs.readlinkSync(path.join(cfg, '..data'))).toBe(before);

    objects.configMaps.set('cfg', { data: { a: '10', c: '3' } });
    expect(await volumes.refresh(pod)).toEqual({ updated: ['cfg'], errors: [] });
    expect(entries(cfg)).toEqual(['..data', 'a', 'c']);
    expect(read(path.join(cfg, 'a'))).toBe('10');
    expect(fs.readlinkSync(path.join(cfg, '..data'))).not.toBe(before);

    objects.secrets.set('sec', { data: { s: b64('two') } });
    expect((await volumes.refresh(pod)).updated).toEqual(['sec']);
    expect(read(path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~secret/sec/s'))).toBe('two');

    // Deleted: the files stay as they were, and the failure is reported.
    objects.configMaps.delete('cfg');
    const { updated, errors } = await volumes.refresh(pod);
    expect(updated).toEqual([]);
    expect(errors.map((e) => e.eventMessage)).toEqual([
      'MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found',
    ]);
    expect(read(path.join(cfg, 'a'))).toBe('10');
  });

  it('fails with the kubelet messages when a needed ConfigMap, Secret or key is missing, and not when optional', async () => {
    const cases: Array<[Volume, string]> = [
      [{ name: 'v', configMap: { name: 'nope' } }, 'configmap "nope" not found'],
      [{ name: 'v', secret: { secretName: 'nope' } }, 'secret "nope" not found'],
      [
        { name: 'v', configMap: { name: 'cm', items: [{ key: 'missing', path: 'm' }] } },
        'configmap references non-existent config key: missing',
      ],
      [
        { name: 'v', secret: { secretName: 'sec', items: [{ key: 'missing', path: 'm' }] } },
        'references non-existent secret key: missing',
      ],
      [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }, 'persistentvolumeclaim "data" not found'],
    ];
    objects.configMaps.set('cm', { data: { a: '1' } });
    objects.secrets.set('sec', { data: { a: b64('1') } });
    for (const [volume, message] of cases) {
      const error = await failure(volumes.setUp(podWith([volume])));
      expect(error.message).toBe(message);
      expect(error.volume).toBe('v');
      expect(error.reason).toBe('ContainerCreating');
      expect(error.eventReason).toBe('FailedMount');
    }

    const optional = podWith(
      [
        { name: 'cm', configMap: { name: 'nope', optional: true } },
        { name: 'sec', secret: { secretName: 'nope', optional: true } },
        {
          name: 'keys',
          configMap: {
            name: 'cm',
            optional: true,
            items: [
              { key: 'missing', path: 'm' },
              { key: 'a', path: 'a' },
            ],
          },
        },
      ],
      'uid-2',
    );
    await volumes.setUp(optional);
    const dir = path.join(tmp, 'agent/pods/uid-2/volumes');
    expect(entries(path.join(dir, 'kubernetes.io~configmap/cm'))).toEqual(['..data']);
    expect(entries(path.join(dir, 'kubernetes.io~secret/sec'))).toEqual(['..data']);
    expect(entries(path.join(dir, 'kubernetes.io~configmap/keys'))).toEqual(['..data', 'a']);

    // Created later: the next set-up writes it.
    objects.configMaps.set('nope', { data: { late: 'yes' } });
    await volumes.setUp(optional);
    expect(read(path.join(dir, 'kubernetes.io~configmap/cm/late'))).toBe('yes');
  });

  it('checks and creates hostPath volumes as their type asks', async () => {
    const host = path.join(tmp, 'host');
    fs.mkdirSync(host);
    fs.writeFileSync(path.join(host, 'file'), 'f');
    const hostPath = (p: string, type?: NonNullable<Volume['hostPath']>['type']): Volume => ({
      name: 'h',
      hostPath: { path: path.join(host, p), type },
    });

    await volumes.setUp(podWith([hostPath('new/dir', 'DirectoryOrCreate')]));
    expect(fs.statSync(path.join(host, 'new/dir')).isDirectory()).toBe(true);
    await volumes.setUp(podWith([hostPath('new/file.log', 'FileOrCreate')]));
    expect(fs.statSync(path.join(host, 'new/file.log')).isFile()).toBe(true);
    await volumes.setUp(podWith([hostPath('file', 'File'), hostPath('', 'Directory'), hostPath('missing')]));

    const socketPath = path.join(host, 'sock');
    const server = net.createServer().listen(socketPath);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await volumes.setUp(podWith([hostPath('sock', 'Socket')]));
    } finally {
      server.close();
    }

    const cases: Array<[Volume, string]> = [
      [hostPath('file', 'Directory'), `hostPath type check failed: ${host}/file is not a directory`],
      [hostPath('file', 'DirectoryOrCreate'), `hostPath type check failed: ${host}/file is not a directory`],
      [hostPath('missing', 'Directory'), `hostPath type check failed: ${host}/missing is not a directory`],
      [hostPath('', 'File'), `hostPath type check failed: ${host} is not a file`],
      [hostPath('file', 'Socket'), `hostPath type check failed: ${host}/file is not a socket file`],
      [hostPath('no/parent', 'FileOrCreate'), `open ${host}/no/parent: no such file or directory`],
    ];
    for (const [volume, message] of cases) {
      expect((await failure(volumes.setUp(podWith([volume])))).eventMessage).toBe(
        `MountVolume.SetUp failed for volume "h" : ${message}`,
      );
    }

    const pod = podWith([hostPath('new/dir')]);
    expect(await volumes.mountsFor(pod, container([{ name: 'h', mountPath: '/host' }]))).toEqual([
      { source: path.join(host, 'new/dir'), target: '/host', readOnly: false },
    ]);
  });

  it('writes downward API files from the pod metadata and container resources, and rewrites them when labels change', async () => {
    volumes = new VolumeManager({
      root: path.join(tmp, 'agent'),
      sources: objects,
      allocatable: { cpu: '4', memory: '8Gi' },
    });
    const pod = podWith([
      {
        name: 'podinfo',
        downwardAPI: {
          defaultMode: 0o444,
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
            { path: 'meta/name', fieldRef: { fieldPath: 'metadata.name' } },
            { path: 'tier', fieldRef: { fieldPath: "metadata.labels['tier']" }, mode: 0o400 },
            {
              path: 'cpu_limit',
              resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' },
            },
            {
              path: 'mem_limit',
              resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' },
            },
          ],
        },
      },
    ]);
    pod.metadata.labels = { tier: 'front', app: 'web' };
    pod.metadata.annotations = { note: 'line1\n"two"' };
    pod.spec!.containers[0].resources = { limits: { cpu: '500m' } };
    await volumes.setUp(pod);
    const dir = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~downward-api/podinfo');
    expect(entries(dir)).toEqual([
      '..data',
      'annotations',
      'cpu_limit',
      'labels',
      'mem_limit',
      'meta',
      'tier',
    ]);
    expect(read(path.join(dir, 'labels'))).toBe('app="web"\ntier="front"');
    expect(read(path.join(dir, 'annotations'))).toBe('note="line1\\n\\"two\\""');
    expect(read(path.join(dir, 'meta/name'))).toBe('web-1');
    expect(read(path.join(dir, 'tier'))).toBe('front');
    expect(mode(path.join(dir, 'tier'))).toBe(0o400);
    expect(mode(path.join(dir, 'labels'))).toBe(0o444);
    expect(read(path.join(dir, 'cpu_limit'))).toBe('500');
    // No memory limit: the node's allocatable.
    expect(read(path.join(dir, 'mem_limit'))).toBe('8192');

    expect((await volumes.refresh(pod)).updated).toEqual([]);
    pod.metadata.labels = { tier: 'back', app: 'web' };
    expect((await volumes.refresh(pod)).updated).toEqual(['podinfo']);
    expect(read(path.join(dir, 'tier'))).toBe('back');
    const [mount] = await volumes.mountsFor(pod, container([{ name: 'podinfo', mountPath: '/etc/podinfo' }]));
    expect(mount.readOnly).toBe(true);
  });

  it('merges ConfigMaps, Secrets and downward API files into one projected volume', async () => {
    objects.configMaps.set('cfg', { data: { 'app.conf': 'a=1', other: 'o' } });
    objects.secrets.set('creds', { data: { password: b64('pw') } });
    const projected = (optional?: boolean): Volume => ({
      name: 'all-in-one',
      projected: {
        defaultMode: 0o440,
        sources: [
          { configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'config/app.conf' }] } },
          { secret: { name: 'creds', items: [{ key: 'password', path: 'secrets/password', mode: 0o400 }] } },
          { downwardAPI: { items: [{ path: 'podname', fieldRef: { fieldPath: 'metadata.name' } }] } },
          { configMap: { name: 'absent', optional } },
        ],
      },
    });
    const error = await failure(volumes.setUp(podWith([projected()])));
    expect(error.eventMessage).toBe(
      'MountVolume.SetUp failed for volume "all-in-one" : configmap "absent" not found',
    );

    await volumes.setUp(podWith([projected(true)]));
    const dir = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~projected/all-in-one');
    expect(entries(dir)).toEqual(['..data', 'config', 'podname', 'secrets']);
    expect(read(path.join(dir, 'config/app.conf'))).toBe('a=1');
    expect(mode(path.join(dir, 'config/app.conf'))).toBe(0o440);
    expect(read(path.join(dir, 'secrets/password'))).toBe('pw');
    expect(mode(path.join(dir, 'secrets/password'))).toBe(0o400);
    expect(read(path.join(dir, 'podname'))).toBe('web-1');

    objects.secrets.set('creds', { data: { password: b64('new') } });
    expect((await volumes.refresh(podWith([projected(true)]))).updated).toEqual(['all-in-one']);
    expect(read(path.join(dir, 'secrets/password'))).toBe('new');
  });

  it('keeps subPath mounts inside their volume', async () => {
    const pod = podWith([
      { name: 'shared', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', optional: true } },
    ]);
    await volumes.setUp(pod);
    const dir = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~empty-dir/shared');
    // What a container could leave behind for another to mount.
    fs.symlinkSync('/etc', path.join(dir, 'escape'));
    const mount = (subPath: string, name = 'shared') =>
      failure(volumes.mountsFor(pod, container([{ name, mountPath: '/m', subPath }])));
    expect((await mount('escape')).message).toBe(
      `subpath "/etc" not within volume path "${fs.realpathSync(dir)}"`,
    );
    expect((await mount('escape/passwd')).message).toMatch(/^subpath "\/etc\/passwd" not within volume path/);
    expect((await mount('a/../..')).message).toBe(
      "unable to provision SubPath `a/../..`: must not contain '..'",
    );
    expect((await mount('/abs')).message).toBe('error SubPath `/abs` must not be an absolute path');
    const missing = await failure(volumes.mountsFor(pod, container([{ name: 'gone', mountPath: '/m' }])));
    expect(missing.message).toBe('cannot find volume "gone" to mount into container "app"');
    expect(missing.reason).toBe('CreateContainerConfigError');
  });

  it('tears a pod down to nothing and lists the pods it has directories for', async () => {
    objects.configMaps.set('cfg', { data: { a: '1' } });
    const host = path.join(tmp, 'host');
    fs.mkdirSync(host);
    await volumes.setUp(
      podWith([
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'tmp', emptyDir: {} },
        { name: 'h', hostPath: { path: host } },
      ]),
    );
    await volumes.setUp(podWith([{ name: 'tmp', emptyDir: {} }], 'uid-2'));
    expect(await volumes.podUids()).toEqual(['uid-1', 'uid-2']);
    await volumes.tearDown('uid-1');
    expect(fs.existsSync(volumes.podDir('uid-1'))).toBe(false);
    expect(fs.existsSync(host)).toBe(true);
    expect(await volumes.podUids()).toEqual(['uid-2']);
    await volumes.tearDown('uid-1');
  });
});

// ---------------------------------------------------------------------------------------------
// Through a real API server: a ConfigMap update reaches the files

describe('volumes over the API', () => {
  let client: KubeqlClient;
  let sources: ConfigSources;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ client, sources, stop } = await startConfigSources());
  });
  afterAll(() => stop?.());

  it('rewrites a ConfigMap volume after the ConfigMap changes through the API', async () => {
    const writer = resourceWriter(client);
    const manager = new VolumeManager({ root: tmp, sources });
    await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'site', namespace: 'default' },
      data: { 'index.html': '<h1>v1</h1>' },
    });
    await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'site-key', namespace: 'default' },
      stringData: { key: 'k1' },
    });
    const pod: PodObject = {
      ...podWith([
        { name: 'html', configMap: { name: 'site' } },
        { name: 'key', secret: { secretName: 'site-key' } },
      ]),
      metadata: { name: 'web', namespace: 'default', uid: 'uid-api' },
    };
    const changed = new Set<string>();
    const off = sources.onChange((kind, namespace, name) => changed.add(`${kind} ${namespace}/${name}`));
    try {
      await waitFor(() => changed.has('Secret default/site-key'));
      await manager.setUp(pod);
      const [html, key] = await manager.mountsFor(
        pod,
        container([
          { name: 'html', mountPath: '/usr/share/nginx/html' },
          { name: 'key', mountPath: '/key' },
        ]),
      );
      expect(read(path.join(html.source, 'index.html'))).toBe('<h1>v1</h1>');
      expect(read(path.join(key.source, 'key'))).toBe('k1');

      changed.clear();
      await writer.patch('ConfigMap', 'site', 'default', { data: { 'index.html': '<h1>v2</h1>' } });
      await waitFor(() => changed.has('ConfigMap default/site'));
      expect(await manager.refresh(pod)).toEqual({ updated: ['html'], errors: [] });
      expect(read(path.join(html.source, 'index.html'))).toBe('<h1>v2</h1>');
    } finally {
      off();
    }
  });

  it('accepts downwardAPI and projected volumes and rejects invalid ones with their field paths', async () => {
    const writer = resourceWriter(client);
    await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bundle', namespace: 'default' },
      data: { 'index.html': 'hello' },
    });
    await waitFor(() => sources.configMap('default', 'bundle') !== undefined);
    const created = await writer.create<PodObject & Resource>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'info', namespace: 'default', labels: { app: 'info' } },
      spec: {
        containers: [{ name: 'app', image: 'busybox' }],
        volumes: [
          {
            name: 'podinfo',
            downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
          },
          {
            name: 'bundle',
            projected: {
              sources: [
                { configMap: { name: 'bundle', items: [{ key: 'index.html', path: 'index.html' }] } },
                { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
              ],
            },
          },
        ],
      },
    });
    const manager = new VolumeManager({ root: tmp, sources });
    await manager.setUp(created);
    const uid = created.metadata.uid!;
    expect(read(path.join(manager.podDir(uid), 'volumes/kubernetes.io~downward-api/podinfo/labels'))).toBe(
      'app="info"',
    );
    expect(read(path.join(manager.podDir(uid), 'volumes/kubernetes.io~projected/bundle/name'))).toBe('info');
    expect(read(path.join(manager.podDir(uid), 'volumes/kubernetes.io~projected/bundle/index.html'))).toBe(
      'hello',
    );

    const invalid = await writer
      .create<Resource>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'bad', namespace: 'default' },
        spec: {
          containers: [{ name: 'app', image: 'busybox' }],
          volumes: [
            {
              name: 'podinfo',
              downwardAPI: {
                items: [
                  { path: '../x', fieldRef: { fieldPath: 'status.podIP' } },
                  { path: 'cpu', resourceFieldRef: { resource: 'limits.cpu' } },
                ],
              },
            },
            {
              name: 'bundle',
              projected: {
                sources: [
                  { configMap: { name: 'a', items: [{ key: 'k', path: 'same' }] }, secret: { name: 's' } },
                  { secret: { name: 's', items: [{ key: 'k', path: 'same' }] } },
                ],
              },
            },
          ],
        },
      })
      .catch((error: unknown) => error);
    expect(isCode(invalid, 'INVALID')).toBe(true);
    expect((invalid as KubeqlError).causes.map(({ field, message }) => `${field}: ${message}`)).toEqual([
      `spec.volumes[0].downwardAPI.items[0].path: Invalid value: "../x": must not contain '..'`,
      `spec.volumes[0].downwardAPI.items[0].path: Invalid value: "../x": must not start with '..'`,
      'spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: "status.podIP": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      'spec.volumes[0].downwardAPI.items[1].resourceFieldRef.containerName: Required value',
      'spec.volumes[1].projected.sources[0].configMap: may not specify more than 1 volume type',
      'spec.volumes[1].projected.sources[1].secret.items[0].path: Invalid value: "same": conflicting duplicate paths',
    ]);
  });
});
