import type { Resource } from '../../client/types.ts';
import { apiNames } from '../../schema/api-names.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { listTargets, notFound, resourceArgs, type Kind, type ResourceTarget } from '../kinds.ts';
import type {
  EndpointsObject,
  EventObject,
  PodObject,
  ReplicaSetObject,
} from '../../schema/columns/objects.ts';
import { noResourcesFound } from '../printers/output.ts';
import { describeObject, RELATED, type Described } from '../describe/index.ts';
import { nsOf } from './mutate.ts';
import type { Verb } from './verb.ts';

const options = {
  selector: { type: 'string', short: 'l' },
  'all-namespaces': { type: 'boolean', short: 'A' },
} as const satisfies Options;

export const describe: Verb<typeof options> = {
  usage: `Show the details of resources as kubectl lays them out: the object, the objects it
relates to (a Deployment's ReplicaSets, a Service's endpoints, a Node's pods) and its events.

Examples:
  kq describe pod web-6d4cf56db6-x2x7b
  kq describe deployment/web
  kq describe pods -l app=web

Usage: kq describe TYPE [NAME...] | TYPE/NAME... [flags]

Flags:
  -l, --selector        describe every object matching the label selector
  -A, --all-namespaces  across every namespace`,
  options,
  run: runDescribe,
};

interface Manifest<T> {
  manifest: T;
}

/** What describe's query answers for an object: the edges it asks for (RELATED) are there. */
interface DescribeResult {
  manifest: Resource;
  // Edges are null where the caller may not follow them.
  events?: Array<Manifest<EventObject>> | null;
  replicaSets?: Array<Manifest<ReplicaSetObject>> | null;
  pods?: Array<Manifest<PodObject>> | null;
  endpoints?: Manifest<EndpointsObject> | null;
}

const manifests = <T>(list: Array<Manifest<T>> | null | undefined) => list?.map((item) => item.manifest);

/** One object with its events and related objects, in one query through the API's graph edges. */
async function fetchDescribed(
  cli: Cli,
  kind: Kind,
  name: string,
  namespace: string | undefined,
): Promise<Described | null> {
  const field = apiNames(kind.kind).one;
  const related = RELATED[kind.kind] ?? '';
  const query = kind.namespaced
    ? `query($name: String!, $namespace: String) { ${field}(name: $name, namespace: $namespace) { manifest events { manifest } ${related} } }`
    : `query($name: String!) { ${field}(name: $name) { manifest events { manifest } ${related} } }`;
  const data = await cli
    .client()
    .request<Record<string, DescribeResult | null>>(query, kind.namespaced ? { name, namespace } : { name });
  const found = data[field];
  if (!found) return null;
  return {
    object: found.manifest,
    events: manifests(found.events) ?? [],
    replicaSets: manifests(found.replicaSets),
    pods: manifests(found.pods),
    endpoints: found.endpoints?.manifest,
  };
}

async function runDescribe(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  if (!positionals.length)
    throw new UsageError(
      'You must specify the type of resource to describe. Use "kq api-resources" for a complete list of supported resources.',
    );
  const targets: ResourceTarget[] = [];
  for (const { kind, names } of resourceArgs(positionals)) {
    if (names.length) {
      for (const name of names) targets.push({ kind, name, namespace: nsOf(cli, kind) });
    } else {
      const namespace = kind.namespaced && !values['all-namespaces'] ? cli.namespace : undefined;
      targets.push(...(await listTargets(cli.client(), kind, { namespace, labelSelector: values.selector })));
    }
  }
  if (!targets.length) {
    cli.err(noResourcesFound(values['all-namespaces'] ? undefined : cli.namespace));
    return 0;
  }
  let first = true;
  for (const { kind, name, namespace } of targets) {
    const described = await fetchDescribed(cli, kind, name, namespace);
    if (!described) throw notFound(kind, name);
    cli.io.stdout.write(`${first ? '' : '\n\n'}${describeObject(described, kind.namespaced)}`);
    first = false;
  }
  return 0;
}
