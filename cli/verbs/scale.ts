import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { intFlag, type Options, type Parsed } from '../flags.ts';
import { objectRef, resourceArgs } from '../kinds.ts';
import { mutate } from './mutate.ts';
import type { Verb } from './verb.ts';

const options = { replicas: { type: 'string' } } as const satisfies Options;

export const scale: Verb<typeof options> = {
  usage: `Set a new size for a deployment, replica set or stateful set.

Examples:
  kq scale deployment/web --replicas=3
  kq scale deploy web api --replicas=0

Usage: kq scale (TYPE NAME... | TYPE/NAME...) --replicas=COUNT

Flags:
      --replicas  the new number of replicas (required)`,
  options,
  run: runScale,
};

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

async function runScale(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const replicas = intFlag('replicas', values.replicas);
  if (replicas === undefined) throw new UsageError('required flag(s) "replicas" not set');
  for (const { kind, names } of resourceArgs(positionals)) {
    if (!SCALABLE.has(kind.kind))
      throw new UsageError(
        `cannot scale a ${kind.kind}: deployments, replicasets, statefulsets and replicationcontrollers`,
      );
    if (!names.length) throw new UsageError('resource(s) were provided, but no name was specified');
    for (const name of names) {
      await mutate(
        cli,
        `mutation($namespace: String, $name: String!, $replicas: Int!) { scale${kind.kind}(namespace: $namespace, name: $name, replicas: $replicas) { kind } }`,
        { namespace: cli.namespace, name, replicas },
      );
      cli.out(`${objectRef(kind, name)} scaled`);
    }
  }
  return 0;
}
