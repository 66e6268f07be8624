import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import { many, type Options, type Parsed } from '../flags.ts';
import { kindOf } from '../kinds.ts';
import type { EventObject } from '../../schema/columns/objects.ts';
import { lastSeen } from '../../schema/columns/columns.ts';
import { checkOutputFormat, formatObjects } from '../printers/output.ts';
import { Table } from '../printers/table.ts';
import type { Verb } from './verb.ts';

const options = {
  'all-namespaces': { type: 'boolean', short: 'A' },
  for: { type: 'string' },
  types: { type: 'string', multiple: true },
  watch: { type: 'boolean', short: 'w' },
  output: { type: 'string', short: 'o' },
  'no-headers': { type: 'boolean' },
} as const satisfies Options;

export const events: Verb<typeof options> = {
  usage: `List events, oldest first, as kubectl events does.

Examples:
  kq events
  kq events -A --types=Warning
  kq events --for deployment/web
  kq events -w

Usage: kq events [flags]

Flags:
  -A, --all-namespaces  across every namespace
      --for             only events about this object: TYPE/NAME
      --types           only these types: Normal,Warning
  -w, --watch           print new events as they happen
  -o, --output          yaml|json|name|jsonpath=...
      --no-headers      no header line`,
  options,
  run: runEvents,
};

async function runEvents(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  if (positionals.length)
    throw new UsageError(`unexpected arguments: ${positionals.join(' ')} (use --for TYPE/NAME)`);
  checkOutputFormat(values.output);
  const allNamespaces = values['all-namespaces'] === true;
  const types = many(values.types)
    .flatMap((t) => t.split(','))
    .map((t) => t.toLowerCase());
  let about: { kind: string; name: string } | undefined;
  if (values.for) {
    const [type, name] = String(values.for).split('/', 2);
    if (!name) throw new UsageError(`--for must be TYPE/NAME, e.g. pod/web-1`);
    about = { kind: kindOf(type).kind, name };
  }
  const wanted = (e: EventObject) =>
    (!types.length || types.includes(String(e.type).toLowerCase())) &&
    (!about || (e.involvedObject?.kind === about.kind && e.involvedObject?.name === about.name));
  const namespace = allNamespaces ? undefined : cli.namespace;
  const client = cli.client();
  const { items, resourceVersion } = await client.listAll<EventObject>('Event', { namespace });
  const shown = items
    .filter(wanted)
    .sort((a, b) => Date.parse(lastSeen(a) ?? '') - Date.parse(lastSeen(b) ?? ''));
  const table = new Table('Event', { allNamespaces, noHeaders: values['no-headers'] });
  if (values.output) cli.io.stdout.write(await formatObjects(shown, values.output, false, () => ''));
  else if (shown.length) cli.io.stdout.write(table.render(shown));
  else if (!values.watch)
    cli.err(allNamespaces ? 'No events found.' : `No events found in ${cli.namespace} namespace.`);
  if (!values.watch) return 0;
  let headed = shown.length > 0;
  for await (const event of client.watch<EventObject>('Event', { namespace, resourceVersion })) {
    if (event.type === 'BOOKMARK' || event.type === 'DELETED' || !wanted(event.object)) continue;
    cli.io.stdout.write(headed ? table.renderRow(event.object) : table.render([event.object]));
    headed = true;
  }
  return 0;
}
