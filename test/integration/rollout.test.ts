import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, collect, startCluster, type TestCluster } from '../support/harness.ts';

// No Deployment controller runs here: the tests create a Deployment's ReplicaSets by
// hand (owner reference, revision annotation, template) and write its status
// themselves, as the controller would.

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.stop());

const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

const TEMPLATE = `template {
  metadata { labels annotations }
  spec { containers { name image } initContainers { name image } }
}`;

interface DeploymentOptions {
  replicas?: number;
  image?: string;
  annotations?: Record<string, string>;
}

async function createDeployment(name: string, options: DeploymentOptions = {}) {
  const data = await cluster.ok(
    `mutation($d: DeploymentInput!) { createDeployment(deployment: $d) { metadata { uid generation } } }`,
    {
      d: {
        metadata: { name, annotations: options.annotations },
        spec: {
          replicas: options.replicas ?? 3,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              initContainers: [{ name: 'init', image: 'busybox:1' }],
              containers: [
                { name: 'web', image: options.image ?? 'nginx:1' },
                { name: 'log', image: 'fluentd:1' },
              ],
            },
          },
        },
      },
    },
  );
  return data.createDeployment.metadata as { uid: string; generation: number };
}

/** A ReplicaSet as the Deployment controller makes one for a revision. */
async function createRevision(
  deployment: string,
  uid: string,
  revision: number,
  image: string,
  changeCause?: string,
  controller = true,
) {
  const hash = `h${revision}${controller ? '' : 'x'}`;
  const labels = { app: deployment, 'pod-template-hash': hash };
  await cluster.ok(`mutation($rs: ReplicaSetInput!) { createReplicaSet(replicaSet: $rs) { kind } }`, {
    rs: {
      metadata: {
        name: `${deployment}-${hash}`,
        labels,
        annotations: {
          [REVISION]: String(revision),
          ...(changeCause ? { [CHANGE_CAUSE]: changeCause } : {}),
        },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, uid, controller }],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            initContainers: [{ name: 'init', image: 'busybox:1' }],
            containers: [
              { name: 'web', image },
              { name: 'log', image: 'fluentd:1' },
            ],
          },
        },
      },
    },
  });
}

async function getDeployment(name: string) {
  return (
    await cluster.ok(
      `query($n: String!) { deployment(name: $n) { metadata { generation annotations } spec { paused ${TEMPLATE} } } }`,
      { n: name },
    )
  ).deployment;
}

type NamedImage = { name: string; image: string };
/** A row of rolloutHistory, as HISTORY selects it. */
type Revision = { revision: number; changeCause: string | null; replicaSet: { metadata: { name: string } } };

const images = (template: { spec: { initContainers?: NamedImage[] | null; containers: NamedImage[] } }) =>
  Object.fromEntries(
    [...(template.spec.initContainers ?? []), ...template.spec.containers].map((c) => [c.name, c.image]),
  );

describe('setImage', () => {
  it('sets container and init container images by name, bumps the generation and records the change cause', async () => {
    await createDeployment('si');
    const data = await cluster.ok(
      `mutation($images: [ImageUpdateInput!]!) {
        setImage(kind: Deployment, name: "si", images: $images, changeCause: "nginx to 2") {
          kind
          ... on Deployment { metadata { generation annotations } spec { ${TEMPLATE} } }
        }
      }`,
      {
        images: [
          { container: 'web', image: 'nginx:2' },
          { container: 'init', image: 'busybox:2' },
        ],
      },
    );
    const deployment = data.setImage;
    expect(deployment.kind).toBe('Deployment');
    expect(images(deployment.spec.template)).toEqual({ init: 'busybox:2', web: 'nginx:2', log: 'fluentd:1' });
    expect(deployment.metadata.generation).toBe(2);
    expect(deployment.metadata.annotations[CHANGE_CAUSE]).toBe('nginx to 2');

    const all = await cluster.ok(
      `mutation { setImage(kind: Deployment, name: "si", images: [{ container: "*", image: "alpine:3" }]) {
        ... on Deployment { metadata { generation } spec { ${TEMPLATE} } } } }`,
    );
    expect(images(all.setImage.spec.template)).toEqual({
      init: 'alpine:3',
      web: 'alpine:3',
      log: 'alpine:3',
    });
    expect(all.setImage.metadata.generation).toBe(3);
  });

  it('fails with INVALID and the field path for an unknown container, changing nothing', async () => {
    await createDeployment('si-bad');
    const result = await cluster.gql(
      `mutation { setImage(kind: Deployment, name: "si-bad", images: [{ container: "web", image: "nginx:2" }, { container: "nope", image: "x:1" }]) { kind } }`,
    );
    const error = result.errors?.[0];
    expect(error?.extensions?.code).toBe('INVALID');
    expect(error?.extensions?.causes).toEqual([
      {
        field: 'spec.template.spec.containers',
        reason: 'Invalid',
        message: 'unable to find container named "nope"',
      },
    ]);
    const after = await getDeployment('si-bad');
    expect(images(after.spec.template).web).toBe('nginx:1');
    expect(after.metadata.generation).toBe(1);

    const missing = await cluster.gql(
      `mutation { setImage(kind: Deployment, name: "absent", images: [{ container: "web", image: "a" }]) { kind } }`,
    );
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it("sets a bare Pod's container image (its spec, not a template)", async () => {
    await cluster.ok(
      `mutation { createPod(pod: { metadata: { name: "si-pod" }, spec: { containers: [{ name: "c", image: "busybox:1" }] } }) { kind } }`,
    );
    const data = await cluster.ok(
      `mutation { setImage(kind: Pod, name: "si-pod", images: [{ container: "c", image: "busybox:2" }]) {
        ... on Pod { spec { containers { image } } } } }`,
    );
    expect(data.setImage.spec.containers[0].image).toBe('busybox:2');
  });
});

describe('rolloutHistory and rolloutUndoDeployment', () => {
  const HISTORY = `query($kind: RolloutKind!, $n: String!) {
    rolloutHistory(kind: $kind, name: $n) { revision changeCause template replicaSet { metadata { name } } }
  }`;
  const UNDO = `mutation($n: String!, $to: Int) {
    rolloutUndoDeployment(name: $n, toRevision: $to) {
      revision skipped message
      deployment { metadata { generation annotations } spec { ${TEMPLATE} } }
    }
  }`;

  it('lists the revisions of the ReplicaSets the Deployment controls, with their change causes', async () => {
    const { uid } = await createDeployment('hist', {
      image: 'nginx:3',
      annotations: { [REVISION]: '3', [CHANGE_CAUSE]: 'nginx to 3' },
    });
    await createRevision('hist', uid, 3, 'nginx:3', 'nginx to 3');
    await createRevision('hist', uid, 1, 'nginx:1', 'initial');
    await createRevision('hist', uid, 2, 'nginx:2');
    // Owned but not controlled: not a revision of this Deployment.
    await createRevision('hist', uid, 7, 'nginx:7', 'stray', false);

    const { rolloutHistory } = await cluster.ok(HISTORY, { kind: 'Deployment', n: 'hist' });
    expect(
      rolloutHistory.map((r: Revision) => [r.revision, r.changeCause, r.replicaSet.metadata.name]),
    ).toEqual([
      [1, 'initial', 'hist-h1'],
      [2, null, 'hist-h2'],
      [3, 'nginx to 3', 'hist-h3'],
    ]);
    expect(rolloutHistory[0].template.metadata.labels).toEqual({ app: 'hist', 'pod-template-hash': 'h1' });
    expect(images(rolloutHistory[1].template).web).toBe('nginx:2');

    const missing = await cluster.gql(HISTORY, { kind: 'Deployment', n: 'absent' });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it("undo to a revision copies its ReplicaSet's template without pod-template-hash; again it is skipped", async () => {
    const { uid } = await createDeployment('undo', {
      image: 'nginx:3',
      annotations: { [REVISION]: '3', [CHANGE_CAUSE]: 'nginx to 3', team: 'a' },
    });
    await createRevision('undo', uid, 1, 'nginx:1', 'initial');
    await createRevision('undo', uid, 2, 'nginx:2', 'nginx to 2');
    await createRevision('undo', uid, 3, 'nginx:3', 'nginx to 3');

    const first = (await cluster.ok(UNDO, { n: 'undo', to: 1 })).rolloutUndoDeployment;
    expect(first).toMatchObject({ revision: 1, skipped: false });
    expect(first.message).toBe('deployment "undo" rolled back to revision 1');
    const template = first.deployment.spec.template;
    expect(template.metadata.labels).toEqual({ app: 'undo' });
    expect(images(template)).toEqual({ init: 'busybox:1', web: 'nginx:1', log: 'fluentd:1' });
    expect(first.deployment.metadata.generation).toBe(2);
    // The revision's annotations, except the Deployment's own revision, as kubectl does it.
    expect(first.deployment.metadata.annotations).toEqual({ [REVISION]: '3', [CHANGE_CAUSE]: 'initial' });

    const again = (await cluster.ok(UNDO, { n: 'undo', to: 1 })).rolloutUndoDeployment;
    expect(again).toMatchObject({
      revision: 1,
      skipped: true,
      message: 'skipped rollback (current template already matches revision 1)',
    });
    expect(again.deployment.metadata.generation).toBe(2);

    // Without toRevision: the revision before the latest (2 of 1, 2, 3).
    const previous = (await cluster.ok(UNDO, { n: 'undo' })).rolloutUndoDeployment;
    expect(previous).toMatchObject({ revision: 2, skipped: false });
    expect(images(previous.deployment.spec.template).web).toBe('nginx:2');
  });

  it('undo to a revision not in history fails with NOT_FOUND', async () => {
    const { uid } = await createDeployment('undo-missing');
    await createRevision('undo-missing', uid, 1, 'nginx:1');

    const missing = await cluster.gql(UNDO, { n: 'undo-missing', to: 4 });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0].message).toBe('unable to find specified revision 4 in history');

    const noPrevious = await cluster.gql(UNDO, { n: 'undo-missing' });
    expect(noPrevious.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(noPrevious.errors?.[0].message).toBe('no rollout history found for deployment "undo-missing"');

    const negative = await cluster.gql(UNDO, { n: 'undo-missing', to: -1 });
    expect(negative.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
  });
});

describe('pause, resume and restart', () => {
  const PAUSE = `mutation($n: String!) { pauseDeployment(name: $n) { metadata { generation } spec { paused } } }`;
  const RESUME = `mutation($n: String!) { resumeDeployment(name: $n) { metadata { generation } spec { paused } } }`;
  const RESTART = `mutation($kind: RolloutKind!, $n: String!) {
    rolloutRestart(kind: $kind, name: $n) { kind metadata { generation } manifest }
  }`;
  const restartedAt = (manifest: {
    spec: { template: { metadata: { annotations: Record<string, string> } } };
  }) => manifest.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];

  it('pause sets spec.paused, resume clears it; each is a no-op when already so', async () => {
    const { uid } = await createDeployment('pr');
    await createRevision('pr', uid, 1, 'nginx:1');
    await createRevision('pr', uid, 2, 'nginx:2');

    expect((await cluster.ok(PAUSE, { n: 'pr' })).pauseDeployment).toEqual({
      metadata: { generation: 2 },
      spec: { paused: true },
    });
    expect((await cluster.ok(PAUSE, { n: 'pr' })).pauseDeployment.metadata.generation).toBe(2);

    // A paused Deployment neither restarts nor rolls back.
    const restart = await cluster.gql(RESTART, { kind: 'Deployment', n: 'pr' });
    expect(restart.errors?.[0].extensions?.code).toBe('BAD_REQUEST');
    expect(restart.errors?.[0].message).toMatch(/paused/);
    const undo = await cluster.gql(
      `mutation { rolloutUndoDeployment(name: "pr", toRevision: 2) { skipped } }`,
    );
    expect(undo.errors?.[0].message).toMatch(/cannot rollback a paused deployment/);

    expect((await cluster.ok(RESUME, { n: 'pr' })).resumeDeployment).toEqual({
      metadata: { generation: 3 },
      spec: { paused: null },
    });
    expect((await cluster.ok(RESUME, { n: 'pr' })).resumeDeployment.metadata.generation).toBe(3);
  });

  it('restart stamps the pod template with kubectl.kubernetes.io/restartedAt for Deployments, StatefulSets and DaemonSets', async () => {
    await createDeployment('rs-web');
    const before = Date.now();
    const deployment = (await cluster.ok(RESTART, { kind: 'Deployment', n: 'rs-web' })).rolloutRestart;
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.metadata.generation).toBe(2);
    const stamp = restartedAt(deployment.manifest);
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(stamp)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(stamp)).toBeLessThanOrEqual(Date.now());
    // The template's other annotations and labels stay.
    expect(deployment.manifest.spec.template.metadata.labels).toEqual({ app: 'rs-web' });

    const template = (app: string) => ({
      metadata: { labels: { app } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    await cluster.ok(
      `mutation($s: StatefulSetInput!, $d: DaemonSetInput!) {
        createStatefulSet(statefulSet: $s) { kind }
        createDaemonSet(daemonSet: $d) { kind }
      }`,
      {
        s: {
          metadata: { name: 'rs-db' },
          spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template('db') },
        },
        d: {
          metadata: { name: 'rs-agent' },
          spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') },
        },
      },
    );
    for (const [kind, n] of [
      ['StatefulSet', 'rs-db'],
      ['DaemonSet', 'rs-agent'],
    ]) {
      const restarted = (await cluster.ok(RESTART, { kind, n })).rolloutRestart;
      expect(restarted.kind).toBe(kind);
      expect(restarted.metadata.generation).toBe(2);
      expect(restartedAt(restarted.manifest)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // Their revisions are ControllerRevisions, which only their controllers (not running here) write.
      const history = await cluster.ok(
        `query($kind: RolloutKind!, $n: String!) { rolloutHistory(kind: $kind, name: $n) { revision } }`,
        { kind, n },
      );
      expect(history.rolloutHistory).toEqual([]);
    }
  });
});

describe('an explicit null namespace', () => {
  // What a client sends when it passes its `$ns` variable unset: GraphQL applies the
  // argument's default only when the argument is left out.
  const ns = { ns: null };

  it('means "default" for every rollout verb, as leaving the argument out does', async () => {
    const { uid } = await createDeployment('null-ns');
    await createRevision('null-ns', uid, 1, 'nginx:1', 'initial');
    await createRevision('null-ns', uid, 2, 'nginx:2');

    const history = await cluster.ok(
      `query($ns: String) { rolloutHistory(kind: Deployment, namespace: $ns, name: "null-ns") { revision } }`,
      ns,
    );
    expect(history.rolloutHistory.map((r: Revision) => r.revision)).toEqual([1, 2]);

    const set = await cluster.ok(
      `mutation($ns: String) {
        setImage(kind: Deployment, namespace: $ns, name: "null-ns", images: [{ container: "web", image: "nginx:3" }]) {
          metadata { namespace generation }
        }
      }`,
      ns,
    );
    expect(set.setImage.metadata).toEqual({ namespace: 'default', generation: 2 });

    const undo = await cluster.ok(
      `mutation($ns: String) { rolloutUndoDeployment(namespace: $ns, name: "null-ns", toRevision: 1) { revision skipped } }`,
      ns,
    );
    expect(undo.rolloutUndoDeployment).toEqual({ revision: 1, skipped: false });

    const paused = await cluster.ok(
      `mutation($ns: String) { pauseDeployment(namespace: $ns, name: "null-ns") { spec { paused } } }`,
      ns,
    );
    expect(paused.pauseDeployment.spec.paused).toBe(true);
    const resumed = await cluster.ok(
      `mutation($ns: String) { resumeDeployment(namespace: $ns, name: "null-ns") { spec { paused } } }`,
      ns,
    );
    expect(resumed.resumeDeployment.spec.paused).toBeNull();

    const restarted = await cluster.ok(
      `mutation($ns: String) { rolloutRestart(kind: Deployment, namespace: $ns, name: "null-ns") { metadata { namespace generation } } }`,
      ns,
    );
    expect(restarted.rolloutRestart.metadata).toEqual({ namespace: 'default', generation: 6 });

    const status = collect<{ rolloutStatus: { message: string } }>(
      cluster.wsClient(),
      `subscription($ns: String) { rolloutStatus(namespace: $ns, name: "null-ns") { message } }`,
      ns,
    );
    try {
      await status.until(() => status.items.length >= 1 || status.completed);
      expect(status.errors).toEqual([]);
      expect(status.items[0].rolloutStatus.message).toBe(
        'Waiting for deployment spec update to be observed...',
      );
    } finally {
      status.unsubscribe();
    }
  });
});

describe('rolloutStatus', () => {
  const STATUS = `subscription($n: String!, $timeout: Int) {
    rolloutStatus(name: $n, timeoutSeconds: $timeout) {
      message done failed generation observedGeneration desiredReplicas replicas updatedReplicas availableReplicas
    }
  }`;
  type Item = { rolloutStatus: Record<string, unknown> };

  async function writeStatus(name: string, status: Record<string, unknown>) {
    await cluster.ok(
      `mutation($n: String!, $s: DeploymentStatusInput!) { updateDeploymentStatus(name: $n, status: $s) { kind } }`,
      {
        n: name,
        s: status,
      },
    );
  }

  it('streams the messages of kubectl rollout status as the status changes, and completes once rolled out', async () => {
    await createDeployment('web');
    const watch = collect<Item>(cluster.wsClient(), STATUS, { n: 'web' });
    const step = async (status: Record<string, unknown> | undefined, count: number) => {
      if (status) await writeStatus('web', { observedGeneration: 1, ...status });
      await watch.until(() => watch.items.length >= count);
    };
    await step(undefined, 1);
    await step({ replicas: 4, updatedReplicas: 1, availableReplicas: 3 }, 2);
    // A change that leaves the status as it was yields nothing.
    await cluster.ok(
      `mutation { patchDeployment(name: "web", patch: { metadata: { labels: { x: "y" } } }) { kind } }`,
    );
    await step({ replicas: 4, updatedReplicas: 3, availableReplicas: 3 }, 3);
    await step({ replicas: 3, updatedReplicas: 3, availableReplicas: 2 }, 4);
    await step({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 }, 5);
    await watch.until(() => watch.completed);

    expect(watch.errors).toEqual([]);
    const items = watch.items.map((i) => i.rolloutStatus);
    expect(items.map((i) => i.message)).toEqual([
      'Waiting for deployment spec update to be observed...',
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
      'deployment "web" successfully rolled out',
    ]);
    expect(items.map((i) => [i.done, i.failed])).toEqual([
      [false, false],
      [false, false],
      [false, false],
      [false, false],
      [true, false],
    ]);
    expect(items[1]).toMatchObject({
      generation: 1,
      observedGeneration: 1,
      desiredReplicas: 3,
      replicas: 4,
      updatedReplicas: 1,
      availableReplicas: 3,
    });
    expect(items[0].observedGeneration).toBeNull();
  });

  it('a rollout already finished is reported once, and the stream completes', async () => {
    await createDeployment('web-done', { replicas: 2 });
    await writeStatus('web-done', {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
    });
    const watch = collect<Item>(cluster.wsClient(), STATUS, { n: 'web-done' });
    await watch.until(() => watch.completed);
    expect(watch.items.map((i) => i.rolloutStatus.message)).toEqual([
      'deployment "web-done" successfully rolled out',
    ]);
  });

  it('reports failure on ProgressDeadlineExceeded and completes', async () => {
    await createDeployment('web-fail');
    const watch = collect<Item>(cluster.wsClient(), STATUS, { n: 'web-fail' });
    await watch.until(() => watch.items.length === 1);
    await writeStatus('web-fail', {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "web-fail-h1" has timed out progressing.',
        },
      ],
    });
    await watch.until(() => watch.completed);
    expect(watch.errors).toEqual([]);
    expect(watch.items.at(-1)!.rolloutStatus).toMatchObject({
      message: 'deployment "web-fail" exceeded its progress deadline',
      done: false,
      failed: true,
    });
  });

  it('releases its watch when it completes or the client unsubscribes', async () => {
    const hub = cluster.server.resources.hub;
    const before = hub.size;
    await createDeployment('web-leave');
    const watch = collect<Item>(cluster.wsClient(), STATUS, { n: 'web-leave' });
    await watch.until(() => watch.items.length === 1);
    expect(hub.size).toBe(before + 1);
    watch.unsubscribe();
    await expect.poll(() => hub.size).toBe(before);
  });

  it('ends with TIMEOUT after timeoutSeconds, with NOT_FOUND for a missing Deployment or one deleted meanwhile', async () => {
    await createDeployment('web-slow');
    const slow = collect<Item>(cluster.wsClient(), STATUS, { n: 'web-slow', timeout: 1 });
    await slow.until(() => slow.completed, 5000);
    expect(slow.items).toHaveLength(1);
    expect(codeOf(slow.errors[0])).toBe('TIMEOUT');

    const missing = collect<Item>(cluster.wsClient(), STATUS, { n: 'absent' });
    await missing.until(() => missing.completed);
    expect(codeOf(missing.errors.flat()[0])).toBe('NOT_FOUND');

    await createDeployment('web-gone');
    const gone = collect<Item>(cluster.wsClient(), STATUS, { n: 'web-gone' });
    await gone.until(() => gone.items.length === 1);
    await cluster.ok(`mutation { deleteDeployment(name: "web-gone") { kind } }`);
    await gone.until(() => gone.completed);
    expect(codeOf(gone.errors[0])).toBe('NOT_FOUND');
  });
});
