import { describe, expect, it } from 'vitest';
import { isCode, messageOf, type Resource } from '../../client/index.ts';
import { resourceQuotaController } from '../../agent/controllers/resource-quota.ts';
import { controllerCluster, eventually } from '../support/controller-cluster.ts';
import type { Untyped } from '../support/harness.ts';

// LimitRanger and ResourceQuota admission (server/admission/) and the quota controller's
// status, through the real endpoint: GraphQL through the SDK, REST with plain HTTP.

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

function pod(namespace: string, name: string, containers: Array<{ name: string; resources?: Resources }>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: containers.map((c) => ({ image: 'nginx:1.27', ...c })) },
  };
}

const one = (namespace: string, name: string, resources?: Resources) =>
  pod(namespace, name, [{ name: 'app', resources }]);

describe('LimitRange and ResourceQuota', () => {
  const env = controllerCluster([resourceQuotaController]);

  async function namespace(name: string, ...objects: Resource[]) {
    await env.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    for (const obj of objects)
      await env.writer.create({ ...obj, metadata: { ...obj.metadata, namespace: name } });
  }

  /** The refusal of a create, as the SDK reports it (code and message). */
  async function refusal(obj: Resource): Promise<{ code: string; message: string }> {
    try {
      await env.writer.create(obj);
    } catch (error) {
      return { code: isCode(error, 'FORBIDDEN') ? 'FORBIDDEN' : 'OTHER', message: messageOf(error) };
    }
    throw new Error(`${obj.kind} ${obj.metadata.name} was admitted`);
  }

  async function rest(method: string, url: string, body?: unknown) {
    const res = await fetch(`${new URL(env.cluster.url).origin}${url}`, {
      method,
      headers: { authorization: `Bearer ${env.cluster.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Untyped };
  }

  const limitRange = (limits: unknown[]): Resource => ({
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits' },
    spec: { limits },
  });
  const quota = (name: string, hard: Record<string, string>, scopes?: string[]): Resource => ({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name },
    spec: { hard, ...(scopes ? { scopes } : {}) },
  });

  describe('LimitRanger', () => {
    it('fills missing requests and limits from the Container defaults and says so in an annotation', async () => {
      await namespace(
        'lr-defaults',
        limitRange([
          { type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } },
        ]),
      );
      const created = await env.writer.create(
        pod('lr-defaults', 'web', [
          { name: 'app' },
          { name: 'side', resources: { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } } },
        ]) as Resource,
      );
      const containers = (created as Untyped).spec.containers;
      expect(containers[0].resources).toEqual({
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '256Mi' },
      });
      expect(containers[1].resources).toEqual({
        requests: { cpu: '100m', memory: '64Mi' },
        limits: { cpu: '500m', memory: '128Mi' },
      });
      expect(created.metadata.annotations?.['kubernetes.io/limit-ranger']).toBe(
        'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; ' +
          'cpu request for container side; cpu limit for container side',
      );
      expect((created as Untyped).status.qosClass).toBe('Burstable');
    });

    it('defaults the request to the limit default, and the limit to max, when only those exist', async () => {
      await namespace(
        'lr-derived',
        limitRange([{ type: 'Container', max: { cpu: '2' }, default: { memory: '1Gi' } }]),
      );
      const created = (await env.writer.create(one('lr-derived', 'web') as Resource)) as Untyped;
      expect(created.spec.containers[0].resources).toEqual({
        requests: { cpu: '2', memory: '1Gi' },
        limits: { cpu: '2', memory: '1Gi' },
      });
    });

    it('leaves pods of namespaces without LimitRanges as they are', async () => {
      await namespace('lr-none');
      const created = await env.writer.create(one('lr-none', 'web') as Resource);
      expect((created as Untyped).spec.containers[0].resources).toBeUndefined();
      expect(created.metadata.annotations?.['kubernetes.io/limit-ranger']).toBeUndefined();
    });

    it("refuses containers outside min, max and the ratio with Kubernetes' messages, 403 over REST", async () => {
      await namespace(
        'lr-bounds',
        limitRange([
          {
            type: 'Container',
            max: { cpu: '500m' },
            min: { memory: '100Mi' },
            maxLimitRequestRatio: { cpu: '2' },
          },
        ]),
      );
      expect(
        await refusal(
          one('lr-bounds', 'big', { requests: { cpu: '500m', memory: '200Mi' }, limits: { cpu: '1' } }),
        ),
      ).toEqual({
        code: 'FORBIDDEN',
        message: 'pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1',
      });
      expect(
        (
          await refusal(
            one('lr-bounds', 'small', { requests: { cpu: '200m', memory: '50Mi' }, limits: { cpu: '400m' } }),
          )
        ).message,
      ).toBe('pods "small" is forbidden: minimum memory usage per Container is 100Mi, but request is 50Mi');
      const ratio = await rest(
        'POST',
        '/api/v1/namespaces/lr-bounds/pods',
        one('lr-bounds', 'skewed', { requests: { cpu: '100m', memory: '200Mi' }, limits: { cpu: '400m' } }),
      );
      expect(ratio.status).toBe(403);
      expect(ratio.body).toMatchObject({
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
        message:
          'pods "skewed" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000',
      });
      const fits = one('lr-bounds', 'fits', {
        requests: { cpu: '250m', memory: '200Mi' },
        limits: { cpu: '500m' },
      });
      expect((await rest('POST', '/api/v1/namespaces/lr-bounds/pods', fits)).status).toBe(201);
    });

    it('bounds the sum over a pod for type Pod, and claims for type PersistentVolumeClaim', async () => {
      await namespace(
        'lr-pod',
        limitRange([
          { type: 'Pod', max: { cpu: '1' } },
          { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
        ]),
      );
      const big = pod('lr-pod', 'pair', [
        { name: 'a', resources: { limits: { cpu: '600m' } } },
        { name: 'b', resources: { limits: { cpu: '600m' } } },
      ]);
      expect((await refusal(big)).message).toBe(
        'pods "pair" is forbidden: maximum cpu usage per Pod is 1, but limit is 1200m',
      );
      const claim = (name: string, storage: string) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace: 'lr-pod' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
      });
      expect((await refusal(claim('huge', '20Gi'))).message).toBe(
        'persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
      );
      expect((await refusal(claim('tiny', '500Mi'))).message).toBe(
        'persistentvolumeclaims "tiny" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
      );
      await env.writer.create(claim('right', '5Gi'));
    });
  });

  describe('ResourceQuota', () => {
    const status = (ns: string, name: string) =>
      env.client.get('ResourceQuota', name, ns) as Promise<Untyped>;

    it('refuses compute beyond requests.cpu with 403 and reports status.used as pods come and go', async () => {
      await namespace(
        'rq-compute',
        quota('compute', { 'requests.cpu': '1', 'limits.memory': '1Gi', pods: '10' }),
      );
      const sized = (name: string, cpu: string) =>
        one('rq-compute', name, { requests: { cpu }, limits: { cpu, memory: '256Mi' } }) as Resource;
      await env.writer.create(sized('a', '500m'));
      await env.writer.create(sized('b', '300m'));
      const over = await rest('POST', '/api/v1/namespaces/rq-compute/pods', sized('c', '500m'));
      expect(over.status).toBe(403);
      expect(over.body).toMatchObject({
        reason: 'Forbidden',
        message:
          'pods "c" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1',
      });
      await eventually(
        () => status('rq-compute', 'compute'),
        (q) => q?.status?.used?.['requests.cpu'] === '800m',
      );
      const q = await status('rq-compute', 'compute');
      expect(q.status).toEqual({
        hard: { 'requests.cpu': '1', 'limits.memory': '1Gi', pods: '10' },
        used: { 'requests.cpu': '800m', 'limits.memory': '512Mi', pods: '2' },
      });
      await env.writer.delete('Pod', 'a', 'rq-compute');
      await eventually(
        () => status('rq-compute', 'compute'),
        (q) => q?.status?.used?.['requests.cpu'] === '300m' && q.status.used.pods === '1',
      );
      await env.writer.create(sized('c', '500m'));
    });

    it('refuses a pod that states no request or limit the quota limits', async () => {
      await namespace('rq-explicit', quota('compute', { 'requests.cpu': '4', 'limits.memory': '4Gi' }));
      const bare = pod('rq-explicit', 'bare', [
        { name: 'x' },
        { name: 'y', resources: { requests: { cpu: '100m' } } },
      ]);
      expect(await refusal(bare)).toEqual({
        code: 'FORBIDDEN',
        message:
          'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: x,y; requests.cpu for: x',
      });
    });

    it('counts services, node ports, config maps, secrets, claims and count/<resource>', async () => {
      await namespace(
        'rq-counts',
        quota('objects', {
          services: '2',
          'services.nodeports': '1',
          configmaps: '1',
          secrets: '1',
          persistentvolumeclaims: '1',
          'requests.storage': '5Gi',
          'count/deployments.apps': '1',
        }),
      );
      const service = (name: string, type = 'ClusterIP') => ({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'rq-counts' },
        spec: { type, selector: { app: name }, ports: [{ port: 80 }] },
      });
      await env.writer.create(service('np', 'NodePort'));
      expect((await refusal(service('np2', 'NodePort'))).message).toBe(
        'services "np2" is forbidden: exceeded quota: objects, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1',
      );
      await env.writer.create(service('ip'));
      // An update is charged what it adds: turning a ClusterIP Service into a NodePort one.
      await expect(
        env.writer.patch('Service', 'ip', 'rq-counts', { spec: { type: 'NodePort' } }),
      ).rejects.toThrow(
        'services "ip" is forbidden: exceeded quota: objects, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1',
      );
      expect((await refusal(service('third'))).message).toMatch(
        /exceeded quota: objects, requested: services=1/,
      );
      const data = (kind: string, name: string) => ({
        apiVersion: 'v1',
        kind,
        metadata: { name, namespace: 'rq-counts' },
      });
      await env.writer.create(data('ConfigMap', 'one'));
      expect((await refusal(data('ConfigMap', 'two'))).message).toBe(
        'configmaps "two" is forbidden: exceeded quota: objects, requested: configmaps=1, used: configmaps=1, limited: configmaps=1',
      );
      await env.writer.create(data('Secret', 'one'));
      expect((await refusal(data('Secret', 'two'))).code).toBe('FORBIDDEN');
      const claim = (name: string, storage: string) => ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace: 'rq-counts' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
      });
      expect((await refusal(claim('big', '10Gi'))).message).toBe(
        'persistentvolumeclaims "big" is forbidden: exceeded quota: objects, requested: requests.storage=10Gi, used: requests.storage=0, limited: requests.storage=5Gi',
      );
      await env.writer.create(claim('small', '1Gi'));
      const deployment = (name: string) => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: 'rq-counts' },
        spec: {
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'a', image: 'nginx' }] },
          },
        },
      });
      await env.writer.create(deployment('first'));
      expect((await refusal(deployment('second'))).message).toBe(
        'deployments.apps "second" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
      );
      await eventually(
        () => status('rq-counts', 'objects'),
        (q) => q?.status?.used?.['count/deployments.apps'] === '1',
      );
      expect((await status('rq-counts', 'objects')).status.used).toEqual({
        services: '2',
        'services.nodeports': '1',
        configmaps: '1',
        secrets: '1',
        persistentvolumeclaims: '1',
        'requests.storage': '1Gi',
        'count/deployments.apps': '1',
      });
    });

    it('admits exactly as many of 20 concurrent pod creates as `pods: 5` allows', async () => {
      await namespace('rq-race', quota('pods', { pods: '5' }));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => env.writer.create(one('rq-race', `p${i}`) as Resource)),
      );
      const admitted = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      expect(admitted).toHaveLength(5);
      for (const r of refused) expect(isCode(r.reason, 'FORBIDDEN')).toBe(true);
      expect((await env.client.list('Pod', { namespace: 'rq-race' })).items).toHaveLength(5);
    });

    it('counts only the pods in its scopes, and not finished pods', async () => {
      await namespace('rq-scopes', quota('best-effort', { pods: '1' }, ['BestEffort']));
      await env.writer.create(one('rq-scopes', 'free'));
      expect((await refusal(one('rq-scopes', 'free2'))).message).toMatch(/exceeded quota: best-effort/);
      await env.writer.create(one('rq-scopes', 'sized', { requests: { cpu: '100m' } }));
      await env.writer.updateStatus((await env.client.get('Pod', 'free', 'rq-scopes'))!, {
        phase: 'Succeeded',
      });
      await env.writer.create(one('rq-scopes', 'free2'));
    });

    it('leaves other namespaces alone', async () => {
      await namespace('rq-zero', quota('none', { pods: '0', configmaps: '0' }));
      expect((await refusal(one('rq-zero', 'p'))).code).toBe('FORBIDDEN');
      await namespace('rq-free');
      await env.writer.create(one('rq-free', 'p'));
      await env.writer.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'rq-free' },
      });
    });
  });
});
