import { KubeqlError } from '../../client/errors.ts';
import { resourceWriter, type PropagationPolicy } from '../../client/writes.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { intFlag, many, type Options, type Parsed } from '../flags.ts';
import {
  kindOf,
  listTargets,
  qualifiedKind,
  qualifiedResource,
  resourceArgs,
  type ResourceTarget,
} from '../kinds.ts';
import { noResourcesFound } from '../printers/output.ts';
import { readManifests } from '../manifests.ts';
import { manifestKind, placeInNamespace } from './apply.ts';
import { nsOf } from './mutate.ts';
import type { Verb } from './verb.ts';

const options = {
  filename: { type: 'string', short: 'f', multiple: true },
  selector: { type: 'string', short: 'l' },
  all: { type: 'boolean' },
  cascade: { type: 'string' },
  'grace-period': { type: 'string' },
  now: { type: 'boolean' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  'ignore-not-found': { type: 'boolean' },
} as const satisfies Options;

export const remove: Verb<typeof options> = {
  usage: `Delete resources by name, by the objects in files, or by label selector. Waits until
they are gone (--wait=false to return at once).

Examples:
  kq delete deployment web
  kq delete -f web.yaml
  kq delete pods -l app=web
  kq delete deployment web --cascade=orphan
  kq delete pod web-1 --grace-period=0

Usage: kq delete (TYPE NAME... | TYPE/NAME... | -f FILENAME | TYPE -l SELECTOR | TYPE --all) [flags]

Flags:
  -f, --filename         the objects in these files (repeatable)
  -l, --selector         every object of the type matching the label selector
      --all              every object of the type in the namespace
      --cascade          background (default), foreground or orphan: what happens to dependents
      --grace-period     seconds a pod has to stop (-1: its own terminationGracePeriodSeconds)
      --now              --grace-period=1
      --wait             wait until the objects are gone (default true)
      --timeout          give up waiting after this many seconds (default 60)
      --ignore-not-found a missing object is not an error`,
  options,
  run: runDelete,
};

/** --cascade as kubectl reads it (true and false are its older spellings). */
function propagation(value: string | undefined): PropagationPolicy {
  switch (value ?? 'background') {
    case 'background':
    case 'true':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
    case 'false':
      return 'Orphan';
    default:
      throw new UsageError(
        `invalid cascade value (${value}). Must be "background", "foreground", or "orphan".`,
      );
  }
}

async function runDelete(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const policy = propagation(values.cascade);
  const grace = values.now ? 1 : intFlag('grace-period', values['grace-period'], -1);
  const targets: ResourceTarget[] = [];
  const client = cli.client();
  const files = many(values.filename);
  if (files.length) {
    for (const m of await readManifests(files, cli.io)) {
      const kind = manifestKind(m);
      placeInNamespace(cli, m, kind);
      targets.push({ kind, name: m.object.metadata.name!, namespace: m.object.metadata.namespace });
    }
  } else if (values.selector || values.all) {
    if (positionals.length !== 1) throw new UsageError('one resource type is required with -l or --all');
    for (const type of positionals[0].split(',')) {
      const kind = kindOf(type);
      targets.push(
        ...(await listTargets(client, kind, { namespace: nsOf(cli, kind), labelSelector: values.selector })),
      );
    }
    if (!targets.length) {
      const namespaced = kindOf(positionals[0].split(',')[0]).namespaced;
      cli.err(noResourcesFound(namespaced ? cli.namespace : undefined));
      return 0;
    }
  } else {
    if (!positionals.length)
      throw new UsageError('You must provide one or more resources by argument or filename.');
    for (const { kind, names } of resourceArgs(positionals)) {
      if (!names.length) throw new UsageError(`resource(s) were provided, but no name was specified`);
      for (const name of names) targets.push({ kind, name, namespace: nsOf(cli, kind) });
    }
  }

  const writer = resourceWriter(client);
  let failed = false;
  const deleted: typeof targets = [];
  for (const target of targets) {
    try {
      const result = await writer.delete(
        target.kind.kind,
        target.name,
        target.kind.namespaced ? target.namespace : undefined,
        {
          propagationPolicy: policy,
          ...(grace !== undefined && grace >= 0 ? { gracePeriodSeconds: grace } : {}),
        },
      );
      if (result === null && !values['ignore-not-found'])
        throw new KubeqlError('NOT_FOUND', `${qualifiedResource(target.kind)} "${target.name}" not found`);
      cli.out(`${qualifiedKind(target.kind)} "${target.name}" deleted`);
      deleted.push(target);
    } catch (error) {
      if (values['ignore-not-found'] && error instanceof KubeqlError && error.code === 'NOT_FOUND') continue;
      throw error;
    }
  }
  if (values.wait !== false && deleted.length) {
    const deadline = Date.now() + (intFlag('timeout', values.timeout) ?? 60) * 1000;
    for (const target of deleted) {
      while (
        await client.get(target.kind.kind, target.name, target.kind.namespaced ? target.namespace : undefined)
      ) {
        if (Date.now() > deadline) {
          cli.err(`error: timed out waiting for the condition on ${target.kind.plural}/${target.name}`);
          failed = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
  return failed ? 1 : 0;
}
