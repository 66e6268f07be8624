import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VolumeManager } from '../../agent/node/volumes.ts';
import type { Volume } from '../../schema/kinds/pod.ts';
import {
  b64,
  container,
  entries,
  failure,
  mode,
  Objects,
  podWith,
  read,
  volumeSandbox,
} from '../support/volume-fixtures.ts';

// The VolumeManager: a pod's volumes set up, refreshed, mounted and torn down, over
// ConfigMaps and Secrets held in memory.

let tmp: string;
let objects: Objects;
let volumes: VolumeManager;
volumeSandbox((sandbox) => ({ tmp, objects, volumes } = sandbox));

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

  it("expands a subPathExpr from the container's environment and passes mountPropagation on", async () => {
    const pod = podWith([{ name: 'scratch', emptyDir: {} }]);
    await volumes.setUp(pod);
    const dir = path.join(tmp, 'agent/pods/uid-1/volumes/kubernetes.io~empty-dir/scratch');
    const mounts = await volumes.mountsFor(
      pod,
      container([
        { name: 'scratch', mountPath: '/logs', subPathExpr: '$(POD_NAME)/logs' },
        { name: 'scratch', mountPath: '/shared', mountPropagation: 'HostToContainer' },
      ]),
      [{ name: 'POD_NAME', value: 'web-1' }],
    );
    expect(mounts).toEqual([
      { source: fs.realpathSync(path.join(dir, 'web-1/logs')), target: '/logs', readOnly: false },
      { source: dir, target: '/shared', readOnly: false, propagation: 'rslave' },
    ]);
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
      // Sources the API accepts and no node here mounts: never an empty directory in their place.
      [
        { name: 'v', awsElasticBlockStore: { volumeID: 'vol-0123', fsType: 'ext4' } },
        'driver name ebs.csi.aws.com not found in the list of registered CSI drivers (awsElasticBlockStore volumes are handled by that driver, which this node does not have)',
      ],
      [
        { name: 'v', nfs: { server: 'nfs.example.com', path: '/exports' } },
        'no volume plugin matched: this node cannot mount nfs volumes',
      ],
      [
        { name: 'v', rbd: { monitors: ['10.16.154.78:6789'], image: 'foo' } },
        'no volume plugin matched: the in-tree rbd volume type is no longer supported',
      ],
      [
        // A manager without a token manager has no way to ask for the pod's token.
        { name: 'v', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        'failed to fetch token: this node has no way to ask for tokens',
      ],
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
