import { isCode, messageOf } from '../../client/errors.ts';
import type { Resource } from '../../client/types.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { durationFlag, intFlag, type Options, type Parsed } from '../flags.ts';
import { mutate } from './mutate.ts';
import type { Verb } from './verb.ts';

/** How long kubectl drain waits before asking again for an eviction a budget refused. */
const EVICTION_RETRY_MS = 5000;
const POLL_MS = 500;

type PodLike = Resource & {
  spec?: { volumes?: Array<{ emptyDir?: unknown }> };
  status?: { phase?: string };
};

/** Marks the node (un)schedulable; prints what kubectl prints, "already" when it was. */
async function setUnschedulable(cli: Cli, node: string, unschedulable: boolean): Promise<void> {
  const word = unschedulable ? 'cordoned' : 'uncordoned';
  const current = await cli.client().get<Resource & { spec?: { unschedulable?: boolean } }>('Node', node);
  if (!current) throw new UsageError(`nodes "${node}" not found`);
  if ((current.spec?.unschedulable ?? false) === unschedulable)
    return cli.out(`node/${node} already ${word}`);
  await mutate(
    cli,
    `mutation($name: String!, $patch: JSON!) { patchNode(name: $name, patch: $patch) { kind } }`,
    {
      name: node,
      // null removes the field, as kubectl's patch leaves an uncordoned node.
      patch: { spec: { unschedulable: unschedulable || null } },
    },
  );
  cli.out(`node/${node} ${word}`);
}

function nodeArgs(positionals: string[], verb: string): string[] {
  const nodes = positionals.map((arg) => arg.replace(/^(nodes?|no)\//, ''));
  if (!nodes.length) throw new UsageError(`kq ${verb} needs the name of a node`);
  return nodes;
}

export const cordon: Verb = {
  usage: `Mark nodes unschedulable: new pods are not placed there; those running stay.

Usage: kq cordon NODE...`,
  options: {},
  run: async (cli, { positionals }) => {
    for (const node of nodeArgs(positionals, 'cordon')) await setUnschedulable(cli, node, true);
  },
};

export const uncordon: Verb = {
  usage: `Mark nodes schedulable again.

Usage: kq uncordon NODE...`,
  options: {},
  run: async (cli, { positionals }) => {
    for (const node of nodeArgs(positionals, 'uncordon')) await setUnschedulable(cli, node, false);
  },
};

const drainOptions = {
  'ignore-daemonsets': { type: 'boolean' },
  'delete-emptydir-data': { type: 'boolean' },
  force: { type: 'boolean' },
  'grace-period': { type: 'string' },
  timeout: { type: 'string' },
  'pod-selector': { type: 'string' },
  'dry-run': { type: 'string' },
} as const satisfies Options;

export const drain: Verb<typeof drainOptions> = {
  usage: `Drain a node for maintenance: cordon it, then evict its pods, each only when its
PodDisruptionBudget allows (a refused eviction is asked again every 5 s), and wait until
they are gone.

Examples:
  kq drain node-1 --ignore-daemonsets
  kq drain node-1 --pod-selector=app=web --timeout=2m

Usage: kq drain NODE [flags]

Flags:
      --ignore-daemonsets     leave DaemonSet pods (they would come back at once); without it they refuse the drain
      --delete-emptydir-data  evict pods with emptyDir volumes too (their data is lost)
      --force                 evict pods no controller manages too (nothing recreates them)
      --grace-period=SECONDS  instead of each pod's terminationGracePeriodSeconds
      --pod-selector=SELECTOR only the pods this label selector matches
      --timeout=DURATION      give up after this long (e.g. 60s, 5m; default: wait for ever)
      --dry-run=server        check every eviction without evicting`,
  options: drainOptions,
  run: runDrain,
};

async function runDrain(cli: Cli, { values, positionals }: Parsed<typeof drainOptions>): Promise<number> {
  const [node, ...extra] = nodeArgs(positionals, 'drain');
  if (extra.length) throw new UsageError('kq drain takes one node');
  const timeout = durationFlag('timeout', values.timeout);
  const deadline = timeout === undefined ? Infinity : Date.now() + timeout * 1000;
  const gracePeriodSeconds = intFlag('grace-period', values['grace-period']);
  const dryRun = values['dry-run'] !== undefined && values['dry-run'] !== 'none';
  if (!dryRun) await setUnschedulable(cli, node, true);

  const { items } = await cli.client().listAll<PodLike>('Pod', {
    fieldSelector: `spec.nodeName=${node}`,
    labelSelector: values['pod-selector'],
  });
  const { evict, refusals } = sortPods(items, values);
  if (refusals.length) {
    cli.err(`error: unable to drain node "${node}" due to error: cannot delete ${refusals.join(', ')}`);
    return 1;
  }
  const pending = new Set(evict.map(keyOf));
  await Promise.all(
    evict.map((pod) => evictUntilAllowed(cli, pod, { gracePeriodSeconds, dryRun, deadline })),
  );
  if (!dryRun) await waitUntilGone(cli, evict, pending, deadline);
  if (pending.size && !dryRun) {
    cli.err(
      `error: unable to drain node "${node}": timed out waiting for ${[...pending].map((p) => `pod/${p}`).join(', ')}`,
    );
    return 1;
  }
  cli.out(`node/${node} drained${dryRun ? ' (server dry run)' : ''}`);
  return 0;
}

/** The pods to evict, and kubectl's refusals for those that need a flag first. */
function sortPods(pods: PodLike[], values: Parsed<typeof drainOptions>['values']) {
  const evict: PodLike[] = [];
  const unmanaged: string[] = [];
  const daemons: string[] = [];
  const local: string[] = [];
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') {
      evict.push(pod);
      continue;
    }
    const controller = pod.metadata.ownerReferences?.find((ref) => ref.controller);
    if (controller?.kind === 'DaemonSet') {
      if (!values['ignore-daemonsets']) daemons.push(keyOf(pod));
      continue;
    }
    if (!controller && !values.force) unmanaged.push(keyOf(pod));
    else if (pod.spec?.volumes?.some((v) => v.emptyDir) && !values['delete-emptydir-data'])
      local.push(keyOf(pod));
    else evict.push(pod);
  }
  const refusals = [
    unmanaged.length && `Pods that declare no controller (use --force to override): ${unmanaged.join(', ')}`,
    daemons.length && `DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${daemons.join(', ')}`,
    local.length && `Pods with local storage (use --delete-emptydir-data to override): ${local.join(', ')}`,
  ].filter((text): text is string => !!text);
  return { evict, refusals };
}

/** Evicts one pod, asking again every 5 s while its budget refuses (TOO_MANY_REQUESTS), until the deadline. */
async function evictUntilAllowed(
  cli: Cli,
  pod: PodLike,
  options: { gracePeriodSeconds?: number; dryRun: boolean; deadline: number },
): Promise<void> {
  const { name, namespace } = pod.metadata;
  for (;;) {
    cli.out(`evicting pod ${namespace}/${name}`);
    try {
      await mutate(
        cli,
        `mutation($namespace: String, $name: String!, $grace: Int, $dryRun: Boolean) {
          evictPod(namespace: $namespace, name: $name, gracePeriodSeconds: $grace, dryRun: $dryRun) }`,
        { namespace, name, grace: options.gracePeriodSeconds, dryRun: options.dryRun },
      );
      return;
    } catch (error) {
      if (isCode(error, 'NOT_FOUND')) return;
      if (!isCode(error, 'TOO_MANY_REQUESTS') || Date.now() + EVICTION_RETRY_MS > options.deadline)
        throw error;
      cli.err(
        `error when evicting pods/"${name}" -n "${namespace}" (will retry after 5s): ${messageOf(error)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, EVICTION_RETRY_MS));
    }
  }
}

/** Waits for each evicted pod (that very pod: its uid) to be gone, printing each as it goes. */
async function waitUntilGone(
  cli: Cli,
  pods: PodLike[],
  pending: Set<string>,
  deadline: number,
): Promise<void> {
  while (pending.size && Date.now() < deadline) {
    for (const pod of pods) {
      const key = keyOf(pod);
      if (!pending.has(key)) continue;
      const now = await cli.client().get('Pod', pod.metadata.name!, pod.metadata.namespace);
      if (now?.metadata.uid === pod.metadata.uid) continue;
      pending.delete(key);
      cli.out(`pod/${pod.metadata.name} evicted`);
    }
    if (pending.size) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function keyOf(pod: Resource): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
