import { isCode } from '../../client/errors.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { durationFlag, intFlag, type Options, type Parsed } from '../flags.ts';
import { notFound, objectRef, oneObject, qualifiedResource, type Kind } from '../kinds.ts';
import { DESCRIBE, formatTabs } from '../tabwriter.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import { podTemplateLines } from '../describe/template.ts';
import type { DeploymentObject } from '../../schema/columns/objects.ts';
import { DescribeWriter } from '../describe/writer.ts';
import { mutate } from './mutate.ts';
import type { Verb } from './verb.ts';

const options = {
  timeout: { type: 'string' },
  watch: { type: 'boolean', short: 'w' },
  revision: { type: 'string' },
  'to-revision': { type: 'string' },
} as const satisfies Options;

export const rollout: Verb<typeof options> = {
  usage: `Manage the rollout of a deployment (history, undo and restart: stateful and daemon sets too).

Examples:
  kq rollout status deployment/web
  kq rollout history deployment/web
  kq rollout history deployment/web --revision=2
  kq rollout undo deployment/web --to-revision=1
  kq rollout undo statefulset/db
  kq rollout pause deployment/web
  kq rollout resume deployment/web
  kq rollout restart deployment/web

Usage: kq rollout (status|history|undo|pause|resume|restart) (TYPE NAME | TYPE/NAME) [flags]

Flags:
      --timeout      status: give up after this long (e.g. 60s, 5m; default: wait for ever)
  -w, --watch        status: keep watching until the rollout ends (default true)
      --revision     history: show this revision's pod template
      --to-revision  undo: the revision to go back to (default: the previous one)`,
  options,
  run: runRollout,
};

const ROLLOUT_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

async function runRollout(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const [sub, ...args] = positionals;
  const subcommands: Record<string, (kind: Kind, name: string) => Promise<number>> = {
    status: (kind, name) => status(cli, kind, name, values),
    history: (kind, name) => history(cli, kind, name, values),
    undo: (kind, name) => undo(cli, kind, name, values),
    pause: (kind, name) => pause(cli, kind, name, true),
    resume: (kind, name) => pause(cli, kind, name, false),
    restart: (kind, name) => restart(cli, kind, name),
  };
  if (!sub || !Object.hasOwn(subcommands, sub)) {
    throw new UsageError(
      sub
        ? `unknown command "${sub}" for "kq rollout"`
        : 'kq rollout needs a subcommand: status, history, undo, pause, resume or restart',
    );
  }
  const { kind, name } = oneObject(args, `rollout ${sub}`);
  if (!ROLLOUT_KINDS.has(kind.kind))
    throw new UsageError(
      `no rollout for ${qualifiedResource(kind)}: deployments, statefulsets and daemonsets`,
    );
  const deploymentOnly = ['status', 'pause', 'resume'];
  if (kind.kind !== 'Deployment' && deploymentOnly.includes(sub)) {
    throw new UsageError(`kq rollout ${sub} supports deployments only`);
  }
  return subcommands[sub](kind, name);
}

/**
 * The rolloutStatus subscription, line by line as kubectl prints them: 0 once rolled
 * out, 1 on ProgressDeadlineExceeded or when --timeout runs out.
 */
async function status(
  cli: Cli,
  kind: Kind,
  name: string,
  values: Parsed<typeof options>['values'],
): Promise<number> {
  const timeoutSeconds = durationFlag('timeout', values.timeout);
  const items = cli
    .client()
    .subscribe<{ rolloutStatus: { message: string; done: boolean; failed: boolean } }>(
      `subscription($namespace: String, $name: String!, $timeoutSeconds: Int) {
      rolloutStatus(namespace: $namespace, name: $name, timeoutSeconds: $timeoutSeconds) { message done failed }
    }`,
      { namespace: cli.namespace, name, timeoutSeconds },
    );
  let last = '';
  try {
    for await (const { rolloutStatus: item } of items) {
      if (item.failed) {
        cli.err(`error: ${item.message}`);
        return 1;
      }
      if (item.message !== last) cli.out(item.message);
      last = item.message;
      if (item.done) return 0;
      if (values.watch === false) return 0;
    }
  } catch (error) {
    if (isCode(error, 'TIMEOUT')) {
      cli.err('error: timed out waiting for the condition');
      return 1;
    }
    if (isCode(error, 'NOT_FOUND')) throw notFound(kind, name);
    throw error;
  }
  return 0;
}

interface Revision {
  revision: number;
  changeCause: string | null;
  template: PodTemplateSpec | null;
}

async function history(
  cli: Cli,
  kind: Kind,
  name: string,
  values: Parsed<typeof options>['values'],
): Promise<number> {
  const revisions = await mutate<Revision[]>(
    cli,
    `query($kind: RolloutKind!, $namespace: String, $name: String!) {
      rolloutHistory(kind: $kind, namespace: $namespace, name: $name) { revision changeCause template }
    }`,
    { kind: kind.kind, namespace: cli.namespace, name },
  );
  const wanted = intFlag('revision', values.revision);
  if (wanted) {
    const revision = revisions.find((r) => r.revision === wanted);
    if (!revision) throw new Error(`unable to find the specified revision`);
    const w = new DescribeWriter();
    podTemplateLines(w, revision.template, 0);
    cli.out(`${objectRef(kind, name)} with revision #${wanted}`);
    cli.io.stdout.write(w.toString());
    return 0;
  }
  let text = 'REVISION\tCHANGE-CAUSE\n';
  for (const r of [...revisions].sort((a, b) => a.revision - b.revision))
    text += `${r.revision}\t${r.changeCause || '<none>'}\n`;
  cli.out(`${objectRef(kind, name)} `);
  cli.io.stdout.write(`${formatTabs(text, DESCRIBE)}\n`);
  return 0;
}

async function undo(
  cli: Cli,
  kind: Kind,
  name: string,
  values: Parsed<typeof options>['values'],
): Promise<number> {
  const result = await mutate<{ skipped: boolean; revision: number; message: string }>(
    cli,
    `mutation($kind: RolloutKind!, $namespace: String, $name: String!, $toRevision: Int) {
      rolloutUndo(kind: $kind, namespace: $namespace, name: $name, toRevision: $toRevision) { skipped revision message }
    }`,
    {
      kind: kind.kind,
      namespace: cli.namespace,
      name,
      toRevision: intFlag('to-revision', values['to-revision']) ?? 0,
    },
  );
  cli.out(
    result.skipped
      ? `${objectRef(kind, name)} skipped rollback (current template already matches revision ${result.revision})`
      : `${objectRef(kind, name)} rolled back`,
  );
  return 0;
}

async function pause(cli: Cli, kind: Kind, name: string, paused: boolean): Promise<number> {
  const current = await cli.client().get<DeploymentObject>(kind.kind, name, cli.namespace);
  if (!current) throw notFound(kind, name);
  if (Boolean(current.spec?.paused) === paused) {
    throw new Error(`${qualifiedResource(kind)} "${name}" is ${paused ? 'already paused' : 'not paused'}`);
  }
  await mutate(
    cli,
    `mutation($namespace: String, $name: String!) { ${paused ? 'pause' : 'resume'}Deployment(namespace: $namespace, name: $name) { kind } }`,
    { namespace: cli.namespace, name },
  );
  cli.out(`${objectRef(kind, name)} ${paused ? 'paused' : 'resumed'}`);
  return 0;
}

async function restart(cli: Cli, kind: Kind, name: string): Promise<number> {
  await mutate(
    cli,
    `mutation($kind: RolloutKind!, $namespace: String, $name: String!) { rolloutRestart(kind: $kind, namespace: $namespace, name: $name) { kind } }`,
    { kind: kind.kind, namespace: cli.namespace, name },
  );
  cli.out(`${objectRef(kind, name)} restarted`);
  return 0;
}
