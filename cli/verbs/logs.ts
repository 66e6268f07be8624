import type { Cli } from '../context.ts';
import type { PodObject } from '../../schema/columns/objects.ts';
import { noResourcesFound } from '../printers/output.ts';
import { UsageError } from '../failure.ts';
import { intFlag, type Options, type Parsed } from '../flags.ts';
import { defaultContainer, podTarget } from './pod-target.ts';
import type { Verb } from './verb.ts';

const options = {
  container: { type: 'string', short: 'c' },
  follow: { type: 'boolean', short: 'f' },
  tail: { type: 'string' },
  previous: { type: 'boolean', short: 'p' },
  timestamps: { type: 'boolean' },
  since: { type: 'string' },
  selector: { type: 'string', short: 'l' },
  prefix: { type: 'boolean' },
} as const satisfies Options;

export const logs: Verb<typeof options> = {
  usage: `Print the logs of a container in a pod, or of every pod a label selector matches.

Examples:
  kq logs web-6d4cf56db6-x2x7b
  kq logs -f deploy/web --tail=20
  kq logs web-6d4cf56db6-x2x7b -c sidecar --previous
  kq logs -l app=web --prefix --timestamps

Usage: kq logs (POD | TYPE/NAME | -l SELECTOR) [-c CONTAINER] [flags]

Flags:
  -c, --container   the container (default: the pod's default or first one)
  -f, --follow      keep printing lines as they come
      --tail        the last N lines only (default all; 10 with -l)
  -p, --previous    the instance before the current one (the container restarted)
      --timestamps  prefix each line with the time it was seen
      --since       only lines newer than this: 10s, 5m, 1h
  -l, --selector    every pod matching the label selector
      --prefix      prefix each line with [pod/NAME/CONTAINER] (default with -l)`,
  options,
  run: runLogs,
};

const LOG_QUERY = `query($namespace: String, $name: String!, $container: String, $previous: Boolean, $tailLines: Int, $timestamps: Boolean, $sinceSeconds: Int) {
  podLog(namespace: $namespace, name: $name, container: $container, previous: $previous, tailLines: $tailLines, timestamps: $timestamps, sinceSeconds: $sinceSeconds)
}`;
const LOGS_SUBSCRIPTION = `subscription($namespace: String, $name: String!, $container: String, $previous: Boolean, $tailLines: Int, $timestamps: Boolean, $sinceSeconds: Int, $follow: Boolean) {
  podLogs(namespace: $namespace, name: $name, container: $container, previous: $previous, tailLines: $tailLines, timestamps: $timestamps, sinceSeconds: $sinceSeconds, follow: $follow) { line }
}`;

function sinceSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(s|m|h)$/.exec(value);
  if (!match) throw new UsageError(`invalid argument "${value}" for "--since" flag: use e.g. 10s, 5m, 1h`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's'];
}

async function runLogs(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const tail = values.tail === '-1' ? undefined : intFlag('tail', values.tail);
  const common = {
    namespace: cli.namespace,
    previous: values.previous === true,
    timestamps: values.timestamps === true,
    sinceSeconds: sinceSeconds(values.since),
  };
  type Target = { pod: string | undefined; container: string };
  let targets: Target[];
  if (values.selector) {
    if (positionals.length) throw new UsageError('only one of a selector or a pod name may be given');
    const { items } = await cli
      .client()
      .listAll<PodObject>('Pod', { namespace: cli.namespace, labelSelector: values.selector });
    targets = items.map((pod) => ({
      pod: pod.metadata.name,
      container: values.container ?? defaultContainer(cli, pod),
    }));
    if (!targets.length) {
      cli.err(noResourcesFound(cli.namespace));
      return 0;
    }
  } else {
    if (positionals.length !== 1)
      throw new UsageError('expected exactly one pod: kq logs POD [-c CONTAINER]');
    const { pod, container } = await podTarget(cli, positionals[0], values.container);
    targets = [{ pod: pod.metadata.name, container }];
  }
  const prefixed = values.prefix ?? (values.selector !== undefined && targets.length > 1);
  const prefix = (t: Target) => (prefixed ? `[pod/${t.pod}/${t.container}] ` : '');
  const tailLines = tail ?? (values.selector ? 10 : undefined);

  if (!values.follow) {
    for (const t of targets) {
      const { podLog } = await cli.client().request<{ podLog: string }>(LOG_QUERY, {
        ...common,
        name: t.pod,
        container: t.container,
        tailLines,
      });
      cli.io.stdout.write(prefixed ? podLog.replace(/^(?=.)/gm, prefix(t)) : podLog);
    }
    return 0;
  }
  // -f: one subscription per container, printed as lines arrive, until every one ends.
  await Promise.all(
    targets.map(async (t) => {
      const lines = cli.client().subscribe<{ podLogs: { line: string } }>(LOGS_SUBSCRIPTION, {
        ...common,
        name: t.pod,
        container: t.container,
        tailLines,
        follow: true,
      });
      for await (const { podLogs } of lines) cli.io.stdout.write(`${prefix(t)}${podLogs.line}\n`);
    }),
  );
  return 0;
}
