import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { ControllerRevisionObject } from '../../agent/controllers/controller-revision.ts';
import { daemonSetController } from '../../agent/controllers/daemonset.ts';
import { garbageCollector } from '../../agent/controllers/garbage-collector.ts';
import { startControllers, type ControllerManager } from '../../agent/controllers/manager.ts';
import { statefulSetController } from '../../agent/controllers/statefulset.ts';
import { kq } from '../support/cli.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { eventually } from '../support/wait.ts';

// StatefulSet and DaemonSet history as ControllerRevision objects, on a hollow cluster
// whose controller manager the test starts and restarts itself.

const NS = 'history';
const CONTROLLERS = [statefulSetController, daemonSetController, garbageCollector];

type SetObject = Resource & { status?: { currentRevision?: string; updateRevision?: string } };
type Template = { spec: { containers: Array<{ image: string }> } };

let hollow: HollowCluster;
let manager: ControllerManager;

async function startManager(): Promise<void> {
  manager = startControllers(hollow.client, CONTROLLERS, { log: () => {} });
  await manager.synced;
}

beforeAll(async () => {
  hollow = await startHollowCluster({ nodes: 2, controllers: [] });
  await startManager();
  await hollow.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
}, 60_000);

afterAll(async () => {
  await manager?.stop();
  await hollow?.stop();
});

async function revisions(): Promise<ControllerRevisionObject[]> {
  const data = await hollow.client.request<{ controllerRevisions: { items: Array<{ manifest: unknown }> } }>(
    `query($ns: String) { controllerRevisions(namespace: $ns) { items { manifest } } }`,
    { ns: NS },
  );
  return data.controllerRevisions.items
    .map((item) => item.manifest as ControllerRevisionObject)
    .sort((a, b) => a.revision - b.revision);
}

async function ownedBy(name: string): Promise<ControllerRevisionObject[]> {
  return (await revisions()).filter((r) => r.metadata.ownerReferences?.some((ref) => ref.name === name));
}

/** The image of each revision, lowest number first: `1:v1 2:v2`. */
function imagesOf(list: ControllerRevisionObject[]): string {
  return list
    .map((r) => {
      const data = r.data as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
      return `${r.revision}:${data.spec.template.spec.containers[0].image.split(':')[1]}`;
    })
    .join(' ');
}

function template(app: string, tag: string) {
  return {
    metadata: { labels: { app } },
    spec: { containers: [{ name: 'c', image: `nginx:${tag}` }] },
  };
}

async function setImage(kind: string, name: string, tag: string): Promise<void> {
  await hollow.writer.patch(kind, name, NS, { spec: { template: template(name, tag) } });
}

async function get(kind: string, name: string): Promise<SetObject | undefined> {
  const field = kind === 'StatefulSet' ? 'statefulSet' : 'daemonSet';
  const data = await hollow.client.request<Record<string, { manifest: SetObject } | null>>(
    `query($ns: String, $name: String!) { ${field}(namespace: $ns, name: $name) { manifest } }`,
    { ns: NS, name },
  );
  return data[field]?.manifest;
}

/** Every pod of the set runs `tag`, and none is being replaced. */
async function podsRun(app: string, tag: string, count: number): Promise<boolean> {
  const data = await hollow.client.request<{
    pods: { items: Array<{ manifest: Resource & { spec: { containers: Array<{ image: string }> } } }> };
  }>(`query($ns: String, $s: String) { pods(namespace: $ns, labelSelector: $s) { items { manifest } } }`, {
    ns: NS,
    s: `app=${app}`,
  });
  const pods = data.pods.items.map((item) => item.manifest);
  return (
    pods.length === count &&
    pods.every((pod) => !pod.metadata.deletionTimestamp && pod.spec.containers[0].image === `nginx:${tag}`)
  );
}

describe('ControllerRevision admission', () => {
  const revision = (name: string, extra: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, namespace: NS },
    data: { spec: { template: { $patch: 'replace' } } },
    ...extra,
  });

  it('requires a revision of at least 0, and keeps data as written while the number may change', async () => {
    await expect(hollow.writer.create(revision('negative', { revision: -1 }))).rejects.toThrow(
      /revision.*must be greater than or equal to 0/,
    );
    await expect(hollow.writer.create(revision('unnumbered', {}))).rejects.toThrow(/revision/);
    await hollow.writer.create(revision('kept', { revision: 0 }));
    await expect(
      hollow.writer.patch('ControllerRevision', 'kept', NS, { data: { other: true } }),
    ).rejects.toThrow(/data.*field is immutable/);
    const renumbered = await hollow.writer.patch<ControllerRevisionObject>('ControllerRevision', 'kept', NS, {
      revision: 3,
    });
    expect(renumbered).toMatchObject({ revision: 3, data: { spec: { template: { $patch: 'replace' } } } });
    await hollow.writer.delete('ControllerRevision', 'kept', NS);
  });
});

describe('StatefulSet history in ControllerRevisions', () => {
  it('records each template as a numbered revision owned by the set, labelled and holding the template as a patch', async () => {
    await hollow.writer.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 2,
        revisionHistoryLimit: 2,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: template('web', 'v1'),
      },
    });
    const [first] = await eventually(
      () => ownedBy('web'),
      (list) => list.length === 1,
    );
    const set = (await get('StatefulSet', 'web'))!;
    expect(first.revision).toBe(1);
    expect(first.metadata.name).toMatch(/^web-[a-z0-9]+$/);
    const hash = first.metadata.name!.slice('web-'.length);
    expect(first.metadata.labels).toEqual({ app: 'web', 'controller.kubernetes.io/hash': hash });
    expect(first.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true }),
    ]);
    // The template as stored, defaults and all, with the directive that makes it a whole-template patch.
    expect(first.data).toMatchObject({ spec: { template: { ...template('web', 'v1'), $patch: 'replace' } } });
    await eventually(
      () => get('StatefulSet', 'web'),
      (s) =>
        s?.status?.updateRevision === first.metadata.name &&
        s?.status?.currentRevision === first.metadata.name,
    );
  });

  it('numbers new templates upwards and trims to revisionHistoryLimit, keeping the revisions pods run', async () => {
    for (const tag of ['v2', 'v3', 'v4']) {
      await setImage('StatefulSet', 'web', tag);
      await eventually(
        () => ownedBy('web'),
        (list) => imagesOf(list).endsWith(`:${tag}`),
      );
    }
    await eventually(() => podsRun('web', 'v4', 2), Boolean, { ms: 30_000 });
    // v1 goes once no pod runs it; v2 and v3 stay as the two of history beyond the live v4.
    const list = await eventually(
      () => ownedBy('web'),
      (l) => imagesOf(l) === '2:v2 3:v3 4:v4',
    );
    const set = await eventually(
      () => get('StatefulSet', 'web'),
      (s) => s?.status?.currentRevision === list[2].metadata.name,
    );
    expect(set?.status?.updateRevision).toBe(list[2].metadata.name);
  });

  it('renumbers the revision of a template that comes back instead of copying it', async () => {
    const before = await ownedBy('web');
    await setImage('StatefulSet', 'web', 'v2');
    const after = await eventually(
      () => ownedBy('web'),
      (l) => imagesOf(l) === '3:v3 4:v4 5:v2',
    );
    expect(after[2].metadata.name).toBe(before[0].metadata.name);
    expect(after[2].metadata.uid).toBe(before[0].metadata.uid);
    await eventually(() => podsRun('web', 'v2', 2), Boolean, { ms: 30_000 });
  });

  it('keeps its history across a controller restart: numbering goes on from the stored revisions', async () => {
    await manager.stop();
    await startManager();
    await setImage('StatefulSet', 'web', 'v6');
    await eventually(
      () => ownedBy('web'),
      (l) => imagesOf(l) === '4:v4 5:v2 6:v6',
      { ms: 30_000 },
    );
  });

  it('serves its history and undo through rolloutHistory and rolloutUndo', async () => {
    const history = await hollow.client.request<{
      rolloutHistory: Array<{
        revision: number;
        template: Template;
        controllerRevision: { metadata: { name: string } };
      }>;
    }>(
      `query($ns: String) { rolloutHistory(kind: StatefulSet, namespace: $ns, name: "web") {
        revision template controllerRevision { metadata { name } } } }`,
      { ns: NS },
    );
    const stored = await ownedBy('web');
    expect(history.rolloutHistory.map((r) => [r.revision, r.controllerRevision.metadata.name])).toEqual(
      stored.map((r) => [r.revision, r.metadata.name]),
    );
    expect(history.rolloutHistory.map((r) => r.template.spec.containers[0].image)).toEqual([
      'nginx:v4',
      'nginx:v2',
      'nginx:v6',
    ]);

    const UNDO = `mutation($ns: String, $to: Int) { rolloutUndo(kind: StatefulSet, namespace: $ns, name: "web", toRevision: $to) {
      skipped revision message object { metadata { name } } } }`;
    const undo = await hollow.client.request<{
      rolloutUndo: { skipped: boolean; revision: number; message: string };
    }>(UNDO, { ns: NS, to: 4 });
    expect(undo.rolloutUndo).toMatchObject({
      skipped: false,
      revision: 4,
      message: 'statefulset "web" rolled back to revision 4',
    });
    await eventually(
      () => ownedBy('web'),
      (l) => imagesOf(l) === '5:v2 6:v6 7:v4',
    );
    await eventually(() => podsRun('web', 'v4', 2), Boolean, { ms: 30_000 });
    const again = await hollow.client.request<{ rolloutUndo: { skipped: boolean } }>(UNDO, { ns: NS, to: 7 });
    expect(again.rolloutUndo.skipped).toBe(true);
    await expect(hollow.client.request(UNDO, { ns: NS, to: 1 })).rejects.toThrow(
      'unable to find specified revision 1 in history',
    );
  });

  it('answers kq rollout history and undo', async () => {
    const target = { url: hollow.url, token: hollow.token };
    const listed = await kq(target, ['rollout', 'history', 'statefulset/web', '-n', NS]);
    expect(listed.stdout).toMatch(/^REVISION\s+CHANGE-CAUSE\n5\s+<none>\n6\s+<none>\n7\s+<none>\n/m);
    const shown = await kq(target, ['rollout', 'history', 'statefulset/web', '-n', NS, '--revision=6']);
    expect(shown.stdout).toContain('statefulset.apps/web with revision #6');
    expect(shown.stdout).toMatch(/Image:\s+nginx:v6/);
    const undone = await kq(target, ['rollout', 'undo', 'statefulset/web', '-n', NS]);
    expect(undone).toMatchObject({ code: 0, stdout: 'statefulset.apps/web rolled back\n' });
    expect(await get('StatefulSet', 'web')).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'nginx:v6' }] } } },
    });
    await eventually(
      () => ownedBy('web'),
      (l) => imagesOf(l).endsWith('8:v6'),
    );

    const table = await kq(target, ['get', 'controllerrevisions', '-n', NS]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+CONTROLLER\s+REVISION\s+AGE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(1, 3).join(' '))).toContain(
      'statefulset.apps/web 8',
    );
  });

  it('loses its revisions with the set', async () => {
    await hollow.writer.delete('StatefulSet', 'web', NS);
    await eventually(
      () => ownedBy('web'),
      (l) => l.length === 0,
      { ms: 20_000 },
    );
  });
});

describe('DaemonSet history in ControllerRevisions', () => {
  it('records a revision per template, renumbers one that comes back, and loses them with the set', async () => {
    await hollow.writer.create({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: NS },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent', 'v1') },
    });
    await eventually(
      () => ownedBy('agent'),
      (l) => imagesOf(l) === '1:v1',
    );
    await setImage('DaemonSet', 'agent', 'v2');
    const two = await eventually(
      () => ownedBy('agent'),
      (l) => imagesOf(l) === '1:v1 2:v2',
    );
    await eventually(() => podsRun('agent', 'v2', 2), Boolean, { ms: 30_000 });
    // A pod's controller-revision-hash is the revision's hash label.
    expect(two[1].metadata.labels?.['controller.kubernetes.io/hash']).toBe(two[1].metadata.name!.slice(6));

    await setImage('DaemonSet', 'agent', 'v1');
    const back = await eventually(
      () => ownedBy('agent'),
      (l) => imagesOf(l) === '2:v2 3:v1',
    );
    expect(back[1].metadata.uid).toBe(two[0].metadata.uid);

    await hollow.writer.delete('DaemonSet', 'agent', NS);
    await eventually(
      () => ownedBy('agent'),
      (l) => l.length === 0,
      { ms: 20_000 },
    );
  });
});

describe('ControllerRevision adoption and name collisions', () => {
  const orphanRevision = (name: string, app: string, number: number, image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, namespace: NS, labels: { app } },
    data: {
      spec: { template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image }] } } },
    },
    revision: number,
  });

  /** A set of `kind` that runs no pod: no node has the label its template asks for. */
  const podlessSet = (kind: string, name: string, app: string) => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { nodeSelector: { 'history-test': 'nowhere' }, containers: [{ name: 'c', image: 'nginx:v1' }] },
      },
      ...(kind === 'StatefulSet' ? { replicas: 0, serviceName: name } : {}),
    },
  });

  async function revision(name: string): Promise<ControllerRevisionObject | undefined> {
    return (await revisions()).find((r) => r.metadata.name === name);
  }

  it('adopts the orphan revisions its selector matches, numbering its own above them', async () => {
    await hollow.writer.create(orphanRevision('adopter-old', 'adopter', 4, 'nginx:v0'));
    await hollow.writer.create(orphanRevision('stranger', 'not-adopter', 9, 'nginx:v0'));
    const set = await hollow.writer.create<Resource>(podlessSet('StatefulSet', 'adopter', 'adopter'));
    const owned = await eventually(
      () => ownedBy('adopter'),
      (list) => list.length === 2,
    );
    expect(owned.map((r) => [r.metadata.name, r.revision])).toEqual([
      ['adopter-old', 4],
      [expect.stringMatching(/^adopter-/), 5],
    ]);
    expect(owned[0].metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'StatefulSet',
        name: 'adopter',
        uid: set.metadata.uid,
        controller: true,
      }),
    ]);
    expect((await revision('stranger'))?.metadata.ownerReferences).toBeUndefined();
  });

  for (const kind of ['StatefulSet', 'DaemonSet']) {
    it(`${kind}: a revision name taken by other data raises status.collisionCount and takes the next hash`, async () => {
      const app = `clash-${kind.toLowerCase()}`;
      // The probe tells the name the set's template hashes to; its revisions go with it.
      await hollow.writer.create(podlessSet(kind, `${app}-probe`, app));
      const probed = await eventually(
        () => ownedBy(`${app}-probe`),
        (list) => list.length === 1,
      );
      const hash = probed[0].metadata.name!.slice(`${app}-probe-`.length);
      await hollow.writer.delete(kind, `${app}-probe`, NS);
      await eventually(
        () => ownedBy(`${app}-probe`),
        (list) => list.length === 0,
      );

      const taken = `${app}-${hash}`;
      await hollow.writer.create(orphanRevision(taken, 'someone-else', 1, 'nginx:other'));
      await hollow.writer.create(podlessSet(kind, app, app));
      const set = await eventually(
        () => get(kind, app),
        (found) => (found?.status as { collisionCount?: number } | undefined)?.collisionCount === 1,
      );
      const owned = await eventually(
        () => ownedBy(app),
        (list) => list.length === 1,
      );
      expect(owned[0].metadata.name).not.toBe(taken);
      expect(imagesOf(owned)).toBe('1:v1');
      if (kind === 'StatefulSet') expect(set?.status?.updateRevision).toBe(owned[0].metadata.name);
      // The other revision is left as it was.
      expect(await revision(taken)).toMatchObject({
        revision: 1,
        metadata: { labels: { app: 'someone-else' } },
        data: { spec: { template: { spec: { containers: [{ image: 'nginx:other' }] } } } },
      });
      expect((await revision(taken))?.metadata.ownerReferences).toBeUndefined();
    });
  }
});
