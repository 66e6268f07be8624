import fs from 'node:fs';
import path from 'node:path';
import type { Resource } from '../../client/types.ts';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../schema/list-limits.ts';
import type { Cli } from '../context.ts';
import { describeFailure, UsageError } from '../failure.ts';
import { intFlag, type Options, type Parsed } from '../flags.ts';
import { kindOf, qualifiedKind, qualifiedResource, resourceArgs, type Kind } from '../kinds.ts';
import { checkOutputFormat, formatObjects, nameOf, noResourcesFound } from '../printers/output.ts';
import { Table } from '../printers/table.ts';
import type { Verb } from './verb.ts';

/** Reads a -o jsonpath-file=FILE template, relative to where kq runs. */
const readerIn = (cli: Cli) => (file: string) => fs.readFileSync(path.resolve(cli.io.cwd, file), 'utf8');

/** What `kubectl get all` means: the workload kinds and services. */
const ALL = [
  'pods',
  'services',
  'daemonsets',
  'deployments',
  'replicasets',
  'statefulsets',
  'jobs',
  'cronjobs',
  'horizontalpodautoscalers',
];

const options = {
  output: { type: 'string', short: 'o' },
  selector: { type: 'string', short: 'l' },
  'field-selector': { type: 'string' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  watch: { type: 'boolean', short: 'w' },
  'watch-only': { type: 'boolean' },
  'show-labels': { type: 'boolean' },
  'show-managed-fields': { type: 'boolean' },
  'no-headers': { type: 'boolean' },
  'ignore-not-found': { type: 'boolean' },
  'chunk-size': { type: 'string' },
} as const satisfies Options;

export const get: Verb<typeof options> = {
  usage: `Display one or many resources.

Examples:
  kq get pods
  kq get deploy web -o yaml
  kq get svc,deploy,pod -l app=web
  kq get pods -A --field-selector spec.nodeName=node-1
  kq get pods -w

Usage: kq get TYPE[,TYPE...] [NAME...] | TYPE/NAME... [flags]

Flags:
  -o, --output          wide|yaml|json|name|jsonpath=TEMPLATE|jsonpath-file=FILE|custom-columns=SPEC
  -l, --selector        label selector (app=web,tier!=db,env in (a,b))
      --field-selector  field selector (metadata.name=x, spec.nodeName=n1, status.phase=Running)
  -A, --all-namespaces  list across every namespace
  -w, --watch           after listing, print every change as it happens
      --watch-only      print changes only, not the current objects
      --show-labels     a LABELS column
      --show-managed-fields  with -o yaml|json|jsonpath: keep metadata.managedFields
      --no-headers      no header line
      --ignore-not-found  a missing named object is not an error
      --chunk-size      list in pages of this many objects (default ${DEFAULT_LIST_LIMIT}; 0: the
                        largest page the server gives, ${MAX_LIST_LIMIT})`,
  options,
  run: runGet,
};

/**
 * kubectl's --chunk-size: a list is read page by page (every page at the first one's
 * revision) and printed once whole, so columns line up across pages. Where kubectl's 0
 * asks for one unpaged list, the server gives no page larger than its maximum.
 */
function chunkSize(value: string | undefined): number {
  const size = intFlag('chunk-size', value) ?? DEFAULT_LIST_LIMIT;
  return size === 0 ? MAX_LIST_LIMIT : size;
}

interface Group {
  kind: Kind;
  objects: Resource[];
}

async function runGet(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const format: string | undefined = values.output;
  checkOutputFormat(format);
  if (positionals.length === 0) {
    throw new UsageError(
      'You must specify the type of resource to get. Use "kq api-resources" for a complete list of supported resources.',
    );
  }
  const isAll = positionals[0] === 'all';
  const requests = isAll
    ? ALL.map((name) => ({ kind: kindOf(name), names: positionals.slice(1) }))
    : resourceArgs(positionals);
  const allNamespaces = values['all-namespaces'] === true;
  const pageSize = chunkSize(values['chunk-size']);
  const scope = (kind: Kind) => (kind.namespaced && !allNamespaces ? cli.namespace : undefined);

  if (values.watch || values['watch-only']) {
    if (requests.length !== 1)
      throw new UsageError('you may only specify a single resource type with --watch');
    return watch(cli, requests[0].kind, requests[0].names, values, scope(requests[0].kind), pageSize);
  }

  const client = cli.client();
  const groups: Group[] = [];
  let failed = false;
  for (const { kind, names } of requests) {
    if (names.length) {
      const objects: Resource[] = [];
      for (const name of names) {
        const obj = await client.get(kind.kind, name, kind.namespaced ? cli.namespace : undefined, {
          showManagedFields: values['show-managed-fields'],
        });
        if (obj) objects.push(obj);
        else if (!values['ignore-not-found']) {
          cli.err(`Error from server (NotFound): ${qualifiedResource(kind)} "${name}" not found`);
          failed = true;
        }
      }
      groups.push({ kind, objects });
    } else {
      const { items } = await client.listAll(kind.kind, {
        showManagedFields: values['show-managed-fields'],
        namespace: scope(kind),
        labelSelector: values.selector,
        fieldSelector: values['field-selector'],
        pageSize,
      });
      groups.push({ kind, objects: items });
    }
  }

  const objects = groups.flatMap((g) => g.objects);
  const named = requests.some((r) => r.names.length > 0);
  if (format && format !== 'wide') {
    if (objects.length || !named) {
      const single = named && requests.length === 1 && requests[0].names.length === 1;
      cli.io.stdout.write(await formatObjects(objects, format, single, readerIn(cli)));
    }
    return failed ? 1 : 0;
  }
  const shown = groups.filter((g) => g.objects.length);
  if (!shown.length && !named) {
    const cluster = requests.every((r) => !r.kind.namespaced);
    cli.err(noResourcesFound(cluster || allNamespaces ? undefined : cli.namespace));
    return failed ? 1 : 0;
  }
  const prefixed = isAll || requests.length > 1;
  shown.forEach((group, i) => {
    if (i > 0) cli.out();
    const table = new Table(group.kind.kind, {
      wide: format === 'wide',
      allNamespaces: allNamespaces && group.kind.namespaced,
      prefix: prefixed ? qualifiedKind(group.kind) : undefined,
      showLabels: values['show-labels'],
      noHeaders: values['no-headers'],
      colour: cli.colour,
    });
    cli.io.stdout.write(table.render(group.objects));
  });
  return failed ? 1 : 0;
}

/**
 * `get -w`: the current objects (unless --watch-only), then a line per change from the
 * watch subscription that resumes where the list left off, until interrupted.
 */
async function watch(
  cli: Cli,
  kind: Kind,
  names: string[],
  values: Parsed<typeof options>['values'],
  namespace: string | undefined,
  pageSize: number,
): Promise<number> {
  if (names.length > 1) throw new UsageError('you may only specify a single name with --watch');
  const client = cli.client();
  const format: string | undefined = values.output;
  const fieldSelector =
    [values['field-selector'], names[0] && `metadata.name=${names[0]}`].filter(Boolean).join(',') ||
    undefined;
  const selection = { namespace, labelSelector: values.selector, fieldSelector };
  const table = new Table(kind.kind, {
    wide: format === 'wide',
    allNamespaces: values['all-namespaces'] && kind.namespaced,
    showLabels: values['show-labels'],
    noHeaders: values['no-headers'],
  });
  const print = async (objects: Resource[], first: boolean) => {
    if (format && format !== 'wide') {
      for (const obj of objects) {
        cli.io.stdout.write(
          format === 'name' ? `${nameOf(obj)}\n` : await formatObjects([obj], format, true, readerIn(cli)),
        );
      }
    } else if (first) cli.io.stdout.write(table.render(objects));
    else for (const obj of objects) cli.io.stdout.write(table.renderRow(obj));
  };
  const { items, resourceVersion } = await client.listAll(kind.kind, { ...selection, pageSize });
  let first = true;
  if (!values['watch-only']) {
    if (items.length) {
      await print(items, true);
      first = false;
    } else if (!names.length) cli.err(noResourcesFound(namespace));
  }
  const events = client.watch(kind.kind, { ...selection, resourceVersion });
  try {
    for await (const event of events) {
      if (event.type === 'BOOKMARK') continue;
      await print([event.object], first);
      first = false;
    }
  } catch (error) {
    cli.err(describeFailure(error, cli.server));
    return 1;
  }
  return 0;
}
