import type { Resource } from '../../client/types.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { intFlag, type Options, type Parsed } from '../flags.ts';
import { notFound, oneObject } from '../kinds.ts';
import { isKind } from '../../schema/columns/objects.ts';
import { checkOutputFormat, formatObjects } from '../printers/output.ts';
import { dryRunMode, dryRunSuffix } from './apply.ts';
import { createAll } from './create.ts';
import type { Verb } from './verb.ts';

const options = {
  port: { type: 'string' },
  'target-port': { type: 'string' },
  type: { type: 'string' },
  protocol: { type: 'string' },
  name: { type: 'string' },
  'node-port': { type: 'string' },
  selector: { type: 'string' },
  'dry-run': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies Options;

export const expose: Verb<typeof options> = {
  usage: `Expose a deployment, replica set, stateful set, pod or service as a new Service that
selects the same pods.

Examples:
  kq expose deployment web --port=80 --target-port=8080
  kq expose deployment web --type=NodePort --port=80 --name=web-public

Usage: kq expose (deployment|replicaset|statefulset|pod|service) NAME [--port=PORT] [flags]

Flags:
      --port         the service's port (default: the container's first port)
      --target-port  the container port traffic goes to (default: --port)
      --type         ClusterIP (default), NodePort or LoadBalancer
      --protocol     TCP (default), UDP or SCTP
      --name         the service's name (default: the exposed object's)
      --node-port    the node port of a NodePort service
      --selector     the pods to select (default: the object's selector)
      --dry-run      client|server|none
  -o, --output       yaml|json|name`,
  options,
  run: runExpose,
};

const EXPOSABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'Pod', 'Service']);
/** The exposable kinds with a selector and a pod template. */
const WORKLOADS = ['Deployment', 'ReplicaSet', 'StatefulSet'] as const;

async function runExpose(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const { kind, name } = oneObject(positionals, 'expose');
  if (!EXPOSABLE.has(kind.kind)) throw new UsageError(`cannot expose a ${kind.kind}`);
  const mode = dryRunMode(values['dry-run']);
  checkOutputFormat(values.output);
  const type = values.type ?? 'ClusterIP';
  if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type))
    throw new UsageError(`invalid --type "${type}": ClusterIP, NodePort or LoadBalancer`);
  const target = await cli.client().get(kind.kind, name, cli.namespace);
  if (!target) throw notFound(kind, name);

  const selector = values.selector ? parseSelector(values.selector) : selectorOf(target, kind.kind, name);
  const podSpec = isKind(target, 'Pod')
    ? target.spec
    : isKind(target, ...WORKLOADS)
      ? target.spec?.template?.spec
      : undefined;
  const firstPort = (podSpec?.containers ?? []).flatMap((c) => c.ports ?? [])[0];
  const servicePort = isKind(target, 'Service') ? target.spec?.ports?.[0]?.port : undefined;
  const port = intFlag('port', values.port, 1) ?? firstPort?.containerPort ?? servicePort;
  if (port === undefined) throw new Error(`couldn't find port via --port flag or introspection`);
  const targetPort =
    values['target-port'] === undefined
      ? port
      : /^\d+$/.test(values['target-port'])
        ? Number(values['target-port'])
        : values['target-port'];

  const service: Resource = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: values.name ?? name,
      namespace: cli.namespace,
      ...(target.metadata.labels ? { labels: target.metadata.labels } : {}),
    },
    spec: {
      type,
      selector,
      ports: [
        {
          port,
          targetPort,
          protocol: values.protocol ?? firstPort?.protocol ?? 'TCP',
          ...(values['node-port'] ? { nodePort: intFlag('node-port', values['node-port'], 1) } : {}),
        },
      ],
    },
  };
  const [created] = await createAll(cli, [service], mode);
  if (values.output) cli.io.stdout.write(await formatObjects([created], values.output, true, () => ''));
  else cli.out(`service/${created.metadata.name} exposed${dryRunSuffix(mode)}`);
  return 0;
}

function selectorOf(target: Resource, kind: string, name: string): Record<string, string> {
  if (isKind(target, 'Pod')) {
    if (!target.metadata.labels) throw new Error(`the pod ${name} has no labels and cannot be exposed`);
    return target.metadata.labels;
  }
  if (isKind(target, 'Service')) return target.spec?.selector ?? {};
  const selector = isKind(target, ...WORKLOADS) ? target.spec?.selector : undefined;
  if (selector?.matchExpressions?.length) {
    throw new Error(
      `couldn't retrieve selectors via --selector flag or introspection: the ${kind.toLowerCase()} uses matchExpressions, which a Service cannot`,
    );
  }
  return selector?.matchLabels ?? {};
}

function parseSelector(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split(',').map((part) => {
      const [key, value] = part.split('=');
      if (!key || value === undefined) throw new UsageError(`invalid --selector "${text}": only k=v pairs`);
      return [key.trim(), value.trim()];
    }),
  );
}
