import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { oneObject, objectRef } from '../kinds.ts';
import { mutate, pairs } from './mutate.ts';
import type { Verb } from './verb.ts';

const options = {
  record: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export const set: Verb<typeof options> = {
  usage: `Set the images of a workload's containers (kq set image), in one write that starts a rollout.

Examples:
  kq set image deployment/web app=nginx:1.26
  kq set image deployment web '*=nginx:1.26' --record

Usage: kq set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE... [flags]

Flags:
      --record        record the command in the kubernetes.io/change-cause annotation (rollout history shows it)
  -o, --output        name`,
  options,
  run: runSet,
};

async function runSet(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const [sub, ...args] = positionals;
  if (sub !== 'image')
    throw new UsageError(sub ? `unknown command "${sub}" for "kq set"` : 'kq set needs a subcommand: image');
  const { kind, name, rest } = oneObject(args, 'set image on');
  if (!rest.length) throw new UsageError('at least one image update is required: CONTAINER=IMAGE');
  const images = pairs(rest, 'image update').map(([container, image]) => ({ container, image }));
  await mutate(
    cli,
    `mutation($kind: WorkloadKind!, $namespace: String, $name: String!, $images: [ImageUpdateInput!]!, $changeCause: String) {
      setImage(kind: $kind, namespace: $namespace, name: $name, images: $images, changeCause: $changeCause) { kind }
    }`,
    {
      kind: kind.kind,
      namespace: cli.namespace,
      name,
      images,
      changeCause: values.record ? `kq set image ${args.join(' ')}` : undefined,
    },
  );
  cli.out(values.output === 'name' ? objectRef(kind, name) : `${objectRef(kind, name)} image updated`);
  return 0;
}
