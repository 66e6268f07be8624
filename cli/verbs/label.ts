import type { Resource } from '../../client/types.ts';
import { resourceWriter } from '../../client/writes.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { kindOf, notFound, objectRef, resourceArgs, type Kind } from '../kinds.ts';
import { nsOf } from './mutate.ts';
import type { Verb } from './verb.ts';

const usage = (
  field: string,
  verb: string,
  example: string,
) => `Update the ${field} of resources: KEY=VALUE sets one, KEY- removes one.

Examples:
  kq ${verb} pods web-1 ${example}
  kq ${verb} deployment/web ${example.split('=')[0]}-
  kq ${verb} pods -l app=web ${example} --overwrite

Usage: kq ${verb} (TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR | TYPE --all) KEY=VALUE... KEY-... [flags]

Flags:
      --overwrite     replace values that are already set
  -l, --selector      act on every object matching the label selector
      --all           act on every object of the type in the namespace
      --list          print the ${field} instead`;

const options = {
  overwrite: { type: 'boolean' },
  selector: { type: 'string', short: 'l' },
  all: { type: 'boolean' },
  list: { type: 'boolean' },
} as const satisfies Options;

export const label: Verb<typeof options> = {
  usage: usage('labels', 'label', 'tier=frontend'),
  options,
  run: (cli, args) => changeMap(cli, args, 'labels', 'labeled'),
};

export const annotate: Verb<typeof options> = {
  usage: usage('annotations', 'annotate', "description='the web tier'"),
  options,
  run: (cli, args) => changeMap(cli, args, 'annotations', 'annotated'),
};

/**
 * label and annotate, as kubectl does them: a JSON merge patch of the map, after
 * checking --overwrite against what is there. `not labeled` when nothing changes.
 */
async function changeMap(
  cli: Cli,
  { values, positionals }: Parsed<typeof options>,
  field: 'labels' | 'annotations',
  done: string,
) {
  const isChange = (arg: string) => arg.includes('=') || (arg.endsWith('-') && !arg.includes('/'));
  const targets = positionals.filter((arg) => !isChange(arg));
  const changes = positionals.filter(isChange);
  if (!changes.length && !values.list)
    throw new UsageError(`at least one ${field === 'labels' ? 'label' : 'annotation'} update is required`);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const change of changes) {
    if (change.endsWith('-') && !change.includes('=')) remove.push(change.slice(0, -1));
    else set[change.slice(0, change.indexOf('='))] = change.slice(change.indexOf('=') + 1);
  }
  const client = cli.client();
  const objects: Array<{ kind: Kind; obj: Resource }> = [];
  if (values.selector || values.all) {
    if (targets.length !== 1) throw new UsageError('one resource type is required with -l or --all');
    const kind = kindOf(targets[0]);
    const { items } = await client.listAll(kind.kind, {
      namespace: nsOf(cli, kind),
      labelSelector: values.selector,
    });
    objects.push(...items.map((obj) => ({ kind, obj })));
  } else {
    for (const { kind, names } of resourceArgs(targets)) {
      if (!names.length) throw new UsageError('resource(s) were provided, but no name was specified');
      for (const name of names) {
        const obj = await client.get(kind.kind, name, nsOf(cli, kind));
        if (!obj) throw notFound(kind, name);
        objects.push({ kind, obj });
      }
    }
  }
  const writer = resourceWriter(client);
  for (const { kind, obj } of objects) {
    const current = (obj.metadata[field] ?? {}) as Record<string, string>;
    if (values.list) {
      for (const [k, v] of Object.entries(current)) cli.out(`${k}=${v}`);
      continue;
    }
    // Own keys only: `constructor` is a valid label key, and every object inherits one.
    for (const [key, value] of Object.entries(set)) {
      if (Object.hasOwn(current, key) && current[key] !== value && !values.overwrite) {
        throw new Error(`'${key}' already has a value (${current[key]}), and --overwrite is false`);
      }
    }
    const patch: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(set)) if (current[key] !== value) patch[key] = value;
    for (const key of remove) if (Object.hasOwn(current, key)) patch[key] = null;
    if (!Object.keys(patch).length) {
      cli.out(`${objectRef(kind, obj.metadata.name)} not ${done}`);
      continue;
    }
    await writer.patch(kind.kind, obj.metadata.name!, nsOf(cli, kind), { metadata: { [field]: patch } });
    cli.out(`${objectRef(kind, obj.metadata.name)} ${done}`);
  }
  return 0;
}
