import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { garbageCollector } from '../../agent/controllers/garbage-collector.ts';
import {
  NAMESPACED_KINDS,
  NamespaceController,
  namespaceController,
} from '../../agent/controllers/namespace.ts';
import { controllerCluster, eventually } from '../support/controller-cluster.ts';
import { fixtureContext } from '../support/controller-fixture.ts';

function namespace(name: string, terminating: boolean, finalizers = ['kubernetes']): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: `rv-${name}`,
      ...(terminating ? { deletionTimestamp: '2030-01-01T00:00:00Z' } : {}),
    },
    spec: { finalizers },
    status: { phase: terminating ? 'Terminating' : 'Active' },
  };
}

const inNamespace = (kind: string, name: string, ns = 'doomed', meta: Partial<Resource['metadata']> = {}) =>
  ({
    apiVersion: kind === 'Pod' || kind === 'ConfigMap' || kind === 'Service' ? 'v1' : 'apps/v1',
    kind,
    metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`, ...meta },
  }) as Resource;

describe('namespace reconcile', () => {
  it('covers every namespaced kind the API serves', () => {
    expect(NAMESPACED_KINDS).toEqual(
      expect.arrayContaining(['Pod', 'ConfigMap', 'Event', 'Lease', 'Endpoints']),
    );
    expect(NAMESPACED_KINDS).not.toContain('Node');
    expect(NAMESPACED_KINDS).not.toContain('Namespace');
  });

  it('deletes everything in a terminating namespace and waits for what is still going', async () => {
    const { ctx, writes } = fixtureContext([
      namespace('doomed', true),
      namespace('other', false),
      inNamespace('ConfigMap', 'cm'),
      inNamespace('Deployment', 'web'),
      inNamespace('Pod', 'going', 'doomed', { deletionTimestamp: '2030-01-01T00:00:00Z' }),
      inNamespace('Pod', 'p'),
      inNamespace('ConfigMap', 'elsewhere', 'other'),
    ]);
    const result = await new NamespaceController(ctx).reconcile('doomed');
    expect(writes.map((w) => [w.verb, w.kind, w.namespace, w.name]).sort()).toEqual([
      ['delete', 'ConfigMap', 'doomed', 'cm'],
      ['delete', 'Deployment', 'doomed', 'web'],
      ['delete', 'Pod', 'doomed', 'p'],
    ]);
    expect(result).toEqual({ requeueAfterMs: expect.any(Number) });
  });

  it('releases the kubernetes finalizer of an empty terminating namespace, keeping the others', async () => {
    const { ctx, writes } = fixtureContext([namespace('doomed', true, ['example.com/keep', 'kubernetes'])]);
    await new NamespaceController(ctx).reconcile('doomed');
    expect(writes).toEqual([
      {
        verb: 'patch',
        kind: 'Namespace',
        name: 'doomed',
        namespace: undefined,
        body: { metadata: { resourceVersion: 'rv-doomed' }, spec: { finalizers: ['example.com/keep'] } },
      },
    ]);
  });

  it('leaves active namespaces, released ones and missing ones alone', async () => {
    const { ctx, writes } = fixtureContext([
      namespace('active', false),
      namespace('released', true, ['example.com/keep']),
      inNamespace('ConfigMap', 'cm', 'active'),
      inNamespace('ConfigMap', 'cm', 'released'),
    ]);
    const controller = new NamespaceController(ctx);
    for (const name of ['active', 'released', 'missing']) await controller.reconcile(name);
    expect(writes).toEqual([]);
  });
});

describe('namespace controller against a server', () => {
  const env = controllerCluster([namespaceController, garbageCollector]);

  const contentOf = async (ns: string) => {
    const names: string[] = [];
    for (const kind of NAMESPACED_KINDS) {
      const { items } = await env.client.list(kind, { namespace: ns });
      names.push(...items.map((obj) => `${kind}/${obj.metadata.name}`));
    }
    return names.sort();
  };

  it('deletes everything in a deleted namespace, then the namespace', async () => {
    const { writer } = env;
    const ns = 'doomed';
    await writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await writer.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'ns-node' } });
    const template = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    const deployment = await writer.create<Resource>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { matchLabels: { app: 'web' } }, template },
    });
    await writer.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: 'web-1',
        namespace: ns,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'web',
            uid: deployment.metadata.uid!,
            controller: true,
          },
        ],
      },
      spec: { selector: { matchLabels: { app: 'web' } }, template },
    });
    await writer.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: ns },
    });
    await writer.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'token', namespace: ns },
      stringData: { a: 'b' },
    });
    await writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    await writer.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lock', namespace: ns },
      spec: { holderIdentity: 'me' },
    });
    for (const name of ['loose', 'running']) {
      await writer.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns },
        spec: template.spec,
      });
    }
    // On a node: its deletion is graceful, finished by the node agent (the test plays it).
    await writer.bind(ns, 'running', 'ns-node');
    await writer.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'survivor', namespace: 'default' },
    });

    await writer.delete('Namespace', ns, undefined);
    // Everything goes but the pod in its grace period; the namespace waits for it.
    await eventually(
      () => contentOf(ns),
      (names) => names.length === 1,
    );
    expect(await contentOf(ns)).toEqual(['Pod/running']);
    const running = await env.client.get('Pod', 'running', ns);
    expect(running?.metadata.deletionTimestamp).toBeTruthy();
    const terminating = await env.client.get('Namespace', ns);
    expect(terminating?.status).toMatchObject({ phase: 'Terminating' });
    expect(terminating?.spec).toMatchObject({ finalizers: ['kubernetes'] });

    await writer.delete('Pod', 'running', ns, { gracePeriodSeconds: 0 });
    await eventually(
      () => env.client.get('Namespace', ns),
      (found) => found === null,
    );
    expect(await env.client.get('ConfigMap', 'survivor', 'default')).not.toBeNull();
  });
});
