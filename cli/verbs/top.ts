import type { operations } from '../../client/index.ts';
import type { Cli } from '../context.ts';
import { noResourcesFound } from '../printers/output.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { formatTabs, TABLE } from '../tabwriter.ts';
import type { Verb } from './verb.ts';

const options = {
  selector: { type: 'string', short: 'l' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  containers: { type: 'boolean' },
  'sort-by': { type: 'string' },
  'no-headers': { type: 'boolean' },
} as const satisfies Options;

export const top: Verb<typeof options> = {
  usage: `Show the CPU and memory use of pods or nodes, from the agents' latest samples.

Examples:
  kq top pods
  kq top pods -A --sort-by=memory
  kq top pod -l app=web --containers
  kq top nodes

Usage: kq top (pods|nodes) [NAME] [flags]

Flags:
  -l, --selector        label selector
  -A, --all-namespaces  pods of every namespace
      --containers      a line per container
      --sort-by         cpu or memory
      --no-headers      no header line`,
  options,
  run: runTop,
};

type Usage<F extends keyof operations.ResourceUsage> = Pick<operations.ResourceUsage, F>;

/** A pod's metrics, as topPods asks for them. */
interface PodMetrics {
  top: Omit<operations.PodTopRow, '__typename'>;
  usage: Usage<'cpuNanoCores' | 'memoryBytes'>;
  containers: Array<{ name: string; usage: Usage<'cpuMillicores' | 'memoryBytes' | 'cpuNanoCores'> }>;
}

/** A node's metrics, as topNodes asks for them. */
interface NodeMetrics {
  top: Omit<operations.NodeTopRow, '__typename'>;
  usage: Usage<'cpuNanoCores' | 'memoryBytes'>;
}

const table = (rows: string[][], headers: string[], noHeaders: boolean) =>
  formatTabs(`${(noHeaders ? rows : [headers, ...rows]).map((r) => r.join('\t')).join('\n')}\n`, TABLE);

async function runTop(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const [what, name] = positionals;
  const sortBy = values['sort-by'];
  if (sortBy !== undefined && sortBy !== 'cpu' && sortBy !== 'memory')
    throw new UsageError('--sort-by accepts cpu or memory');
  if (['pod', 'pods', 'po'].includes(what)) return topPods(cli, name, values);
  if (['node', 'nodes', 'no'].includes(what)) return topNodes(cli, name, values);
  throw new UsageError(
    what ? `unknown command "${what}" for "kq top": pods or nodes` : 'kq top needs pods or nodes',
  );
}

async function topPods(
  cli: Cli,
  name: string | undefined,
  values: Parsed<typeof options>['values'],
): Promise<number> {
  const allNamespaces = values['all-namespaces'] === true;
  const { podMetrics } = await cli.client().request<{ podMetrics: PodMetrics[] }>(
    `query($namespace: String, $name: String, $labelSelector: String) {
      podMetrics(namespace: $namespace, name: $name, labelSelector: $labelSelector) {
        top { namespace name cpu memory } usage { cpuNanoCores memoryBytes }
        containers { name usage { cpuMillicores memoryBytes cpuNanoCores } }
      }
    }`,
    { namespace: allNamespaces ? undefined : cli.namespace, name, labelSelector: values.selector },
  );
  if (!podMetrics.length) {
    if (name) throw new Error(`pod metrics not available yet for ${cli.namespace}/${name}`);
    cli.err(noResourcesFound(allNamespaces ? undefined : cli.namespace));
    return 0;
  }
  const key = (usage: PodMetrics['usage']) =>
    values['sort-by'] === 'memory' ? usage.memoryBytes : usage.cpuNanoCores;
  const pods = values['sort-by'] ? [...podMetrics].sort((a, b) => key(b.usage) - key(a.usage)) : podMetrics;
  const ns = (m: PodMetrics) => (allNamespaces ? [m.top.namespace] : []);
  if (values.containers) {
    const rows = pods.flatMap((m) =>
      m.containers.map((c) => [
        ...ns(m),
        m.top.name,
        c.name,
        `${c.usage.cpuMillicores}m`,
        `${Math.floor(c.usage.memoryBytes / 1048576)}Mi`,
      ]),
    );
    cli.io.stdout.write(
      table(
        rows,
        [...(allNamespaces ? ['NAMESPACE'] : []), 'POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
        values['no-headers'] === true,
      ),
    );
    return 0;
  }
  const rows = pods.map((m) => [...ns(m), m.top.name, m.top.cpu, m.top.memory]);
  cli.io.stdout.write(
    table(
      rows,
      [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
      values['no-headers'] === true,
    ),
  );
  return 0;
}

async function topNodes(
  cli: Cli,
  name: string | undefined,
  values: Parsed<typeof options>['values'],
): Promise<number> {
  const { nodeMetrics } = await cli.client().request<{ nodeMetrics: NodeMetrics[] }>(
    `query($name: String, $labelSelector: String) {
      nodeMetrics(name: $name, labelSelector: $labelSelector) {
        top { name cpu cpuPercent memory memoryPercent } usage { cpuNanoCores memoryBytes }
      }
    }`,
    { name, labelSelector: values.selector },
  );
  if (!nodeMetrics.length) throw new Error('metrics not available yet');
  const key = (m: NodeMetrics) =>
    values['sort-by'] === 'memory' ? m.usage.memoryBytes : m.usage.cpuNanoCores;
  const nodes = values['sort-by'] ? [...nodeMetrics].sort((a, b) => key(b) - key(a)) : nodeMetrics;
  const rows = nodes.map((m) => [m.top.name, m.top.cpu, m.top.cpuPercent, m.top.memory, m.top.memoryPercent]);
  cli.io.stdout.write(
    table(rows, ['NAME', 'CPU(cores)', 'CPU%', 'MEMORY(bytes)', 'MEMORY%'], values['no-headers'] === true),
  );
  return 0;
}
