import { describe, expect, it } from 'vitest';
import { serviceAccountController } from '../../agent/controllers/service-account.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';

/** Every namespace has its `default` ServiceAccount, as in Kubernetes. */

describe('service account controller', () => {
  const env = controllerCluster([serviceAccountController]);
  const defaultAccount = (namespace: string) => env.client.get('ServiceAccount', 'default', namespace);

  it('gives the namespaces there already and every new one a default ServiceAccount', async () => {
    for (const ns of ['default', 'kube-system'])
      await until(() => defaultAccount(ns), { what: `default in ${ns}` });
    await env.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    const sa = await until(() => defaultAccount('team-a'), { what: 'default in team-a' });
    expect(sa.metadata.ownerReferences).toBeUndefined();
  });

  it('makes it again when it is deleted', async () => {
    const before = await until(() => defaultAccount('default'), { what: 'default in default' });
    await env.writer.delete('ServiceAccount', 'default', 'default');
    const after = await until(
      async () => {
        const sa = await defaultAccount('default');
        return sa && sa.metadata.uid !== before.metadata.uid ? sa : undefined;
      },
      { what: 'a new default ServiceAccount' },
    );
    expect(after.metadata.name).toBe('default');
  });

  it('leaves a namespace being deleted alone', async () => {
    await env.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'leaving' } });
    await until(() => defaultAccount('leaving'), { what: 'default in leaving' });
    await env.writer.delete('Namespace', 'leaving', undefined);
    await env.writer.delete('ServiceAccount', 'default', 'leaving');
    // Nothing else deletes the namespace's content here: a recreated account would show within this wait.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await defaultAccount('leaving')).toBeNull();
  });
});
