import type { Resource } from '../../client/types.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { intFlag, many, type Options, type Parsed } from '../flags.ts';
import { kindByKindName, objectRef } from '../kinds.ts';
import { checkOutputFormat, formatObjects } from '../printers/output.ts';
import { dryRunMode, dryRunSuffix } from './apply.ts';
import { createAll } from './create.ts';
import { pairs } from './mutate.ts';
import type { Verb } from './verb.ts';

const options = {
  image: { type: 'string' },
  replicas: { type: 'string', short: 'r' },
  port: { type: 'string' },
  env: { type: 'string', multiple: true },
  labels: { type: 'string', short: 'l' },
  restart: { type: 'string' },
  command: { type: 'boolean' },
  'dry-run': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export const run: Verb<typeof options> = {
  usage: `Run an image: a Deployment (labelled run=NAME) by default, as kubectl run did; a bare
Pod with --restart=Never or --restart=OnFailure.

Examples:
  kq run web --image=nginx:1.25 --replicas=2 --port=80
  kq run once --image=busybox --restart=Never -- echo hello

Usage: kq run NAME --image=IMAGE [--replicas=N] [--port=PORT] [--env=K=V] [--labels=K=V,...] [-- COMMAND ARGS...]

Flags:
      --image     container image (required)
      --replicas  number of replicas (deployment; default 1)
      --port      the port the container exposes
      --env       environment variable K=V (repeatable)
  -l, --labels    labels K=V,K2=V2 (default run=NAME)
      --restart   Always (a Deployment), Never or OnFailure (a Pod)
      --command   the words after -- are the command, not the arguments
      --dry-run   client|server|none
  -o, --output    yaml|json|name`,
  options,
  run: runImage,
};

async function runImage(cli: Cli, { values, positionals, rest }: Parsed<typeof options>): Promise<number> {
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError('NAME is required for run');
  if (extra.length) rest = [...extra, ...rest];
  if (!values.image) throw new UsageError('required flag(s) "image" not set');
  const mode = dryRunMode(values['dry-run']);
  checkOutputFormat(values.output);
  const restart = values.restart ?? 'Always';
  if (!['Always', 'Never', 'OnFailure'].includes(restart))
    throw new UsageError(`invalid restart policy: ${restart}`);
  const labels = values.labels
    ? Object.fromEntries(pairs(String(values.labels).split(','), '--labels'))
    : { run: name };
  const port = intFlag('port', values.port, 1);
  const container = {
    name,
    image: values.image,
    ...(rest.length ? (values.command ? { command: rest } : { args: rest }) : {}),
    ...(port ? { ports: [{ containerPort: port }] } : {}),
    ...(values.env ? { env: pairs(many(values.env), '--env').map(([k, v]) => ({ name: k, value: v })) } : {}),
  };
  const obj: Resource =
    restart === 'Always'
      ? {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name, namespace: cli.namespace, labels },
          spec: {
            replicas: intFlag('replicas', values.replicas) ?? 1,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [container] } },
          },
        }
      : {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: cli.namespace, labels },
          spec: { restartPolicy: restart, containers: [container] },
        };
  const [created] = await createAll(cli, [obj], mode);
  if (values.output) cli.io.stdout.write(await formatObjects([created], values.output, true, () => ''));
  else
    cli.out(
      `${objectRef(kindByKindName(created.kind)!, created.metadata.name)} created${dryRunSuffix(mode)}`,
    );
  return 0;
}
