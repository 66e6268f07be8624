import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCode, KubeqlError, resourceWriter, type KubeqlClient, type Resource } from '../../client/index.ts';
import type { PodObject } from '../../agent/objects.ts';
import type { ConfigSources } from '../../agent/node/config-sources.ts';
import { VolumeManager } from '../../agent/node/volumes.ts';
import { startConfigSources } from '../support/config-sources-cluster.ts';
import { container, podWith, read, volumeSandbox } from '../support/volume-fixtures.ts';
import { waitFor } from '../support/wait.ts';

// Through a real API server: a ConfigMap update reaches the files; downwardAPI and
// projected volumes are accepted or refused with their field paths.

let tmp: string;
volumeSandbox((sandbox) => ({ tmp } = sandbox));

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
        // This manager asks for no tokens: the pod goes without its API access volume.
        automountServiceAccountToken: false,
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
