import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { groupOf, kindOf } from '../kinds.ts';
import type { Verb } from './verb.ts';

const options = { recursive: { type: 'boolean' } } as const satisfies Options;

export const explain: Verb<typeof options> = {
  usage: `Describe the fields of a resource, from the descriptions in the API's schema.

Examples:
  kq explain pods
  kq explain deployment.spec.strategy
  kq explain pod.spec.containers.livenessProbe --recursive

Usage: kq explain TYPE[.FIELD...] [flags]

Flags:
      --recursive  every field below, as a tree, without descriptions`,
  options,
  run: runExplain,
};

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface Field {
  name: string;
  description: string | null;
  type: TypeRef;
}
interface GqlType {
  name: string;
  kind: string;
  description: string | null;
  fields: Field[] | null;
}

const TYPE_QUERY = `query($name: String!) {
  __type(name: $name) {
    name kind description
    fields { name description type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
  }
}`;

/** What Kubernetes says of the fields every object has, where the schema says nothing. */
const STANDARD: Record<string, string> = {
  apiVersion:
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.',
  kind: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.',
  metadata: "Standard object's metadata.",
};

/** The named type under lists and non-nulls. */
const named = (t: TypeRef): TypeRef => (t.ofType ? named(t.ofType) : t);
const required = (t: TypeRef) => t.kind === 'NON_NULL';

/** How kubectl explain writes a field's type: <string>, <integer>, <[]Container>, <map[string]string>. */
function typeText(t: TypeRef): string {
  if (t.kind === 'NON_NULL') return typeText(t.ofType!);
  if (t.kind === 'LIST') return `[]${typeText(t.ofType!)}`;
  const scalars: Record<string, string> = {
    String: 'string',
    Int: 'integer',
    Float: 'number',
    Boolean: 'boolean',
    StringMap: 'map[string]string',
    JSON: 'Object',
    ResourceList: 'map[string]Quantity',
  };
  return scalars[t.name ?? ''] ?? t.name ?? 'Object';
}

const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => (line ? ' '.repeat(spaces) + line : line))
    .join('\n');

async function runExplain(cli: Cli, { values, positionals }: Parsed<typeof options>): Promise<number> {
  const [path] = positionals;
  if (!path)
    throw new UsageError(
      'You must specify the type of resource to explain. Use "kq api-resources" for a complete list of supported resources.',
    );
  const [type, ...fieldPath] = path.split('.');
  // `deployments.apps.spec`: a group suffix belongs to the type.
  const kind = kindOf(type);
  if (groupOf(kind) && fieldPath[0] === groupOf(kind)) fieldPath.shift();
  const client = cli.client();
  const cache = new Map<string, GqlType | null>();
  const load = async (name: string) => {
    if (!cache.has(name))
      cache.set(name, (await client.request<{ __type: GqlType | null }>(TYPE_QUERY, { name })).__type);
    return cache.get(name) ?? null;
  };
  // The manifest's own fields: the object type also has graph edges (events, pods, ...).
  const manifestFields = new Set(['apiVersion', 'kind', ...Object.keys(kind.shape.fields)]);
  const root = await load(kind.kind);
  if (!root) throw new Error(`the server has no type ${kind.kind}`);
  const fields = (root.fields ?? [])
    .filter((f) => manifestFields.has(f.name))
    .map((f) => ({ ...f, description: f.description ?? STANDARD[f.name] ?? null }));
  let current: GqlType = { ...root, fields };
  let field: Field | undefined;
  for (const [i, part] of fieldPath.entries()) {
    field = current.fields?.find((f) => f.name === part);
    if (!field) throw new Error(`field "${part}" does not exist`);
    const next = await load(named(field.type).name!);
    if (!next || !next.fields) {
      if (i < fieldPath.length - 1) throw new Error(`field "${fieldPath[i + 1]}" does not exist`);
      current = { name: named(field.type).name!, kind: 'SCALAR', description: null, fields: null };
    } else current = next;
  }

  const [group, version] = kind.apiVersion.includes('/') ? kind.apiVersion.split('/') : ['', kind.apiVersion];
  let out = group ? `GROUP:      ${group}\n` : '';
  out += `KIND:       ${kind.kind}\nVERSION:    ${version}\n\n`;
  if (field)
    out += `FIELD: ${field.name} <${typeText(field.type)}>${required(field.type) ? ' -required-' : ''}\n\n`;
  const description = field ? field.description : (kind.description ?? root.description);
  out += `DESCRIPTION:\n${indent(description || '<empty>', 4)}\n`;
  if (current.fields?.length) {
    out += `    \nFIELDS:\n`;
    if (values.recursive) out += await tree(current, 1, load, new Set());
    else {
      for (const f of [...current.fields].sort((a, b) => a.name.localeCompare(b.name))) {
        out += `  ${f.name}\t<${typeText(f.type)}>${required(f.type) ? ' -required-' : ''}\n`;
        out += `${indent(f.description || '<no description>', 4)}\n\n`;
      }
    }
  }
  cli.io.stdout.write(out.replace(/\n\n$/, '\n'));
  return 0;
}

async function tree(
  type: GqlType,
  level: number,
  load: (name: string) => Promise<GqlType | null>,
  seen: Set<string>,
): Promise<string> {
  let out = '';
  for (const f of [...(type.fields ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    out += `${'  '.repeat(level)}${f.name}\t<${typeText(f.type)}>\n`;
    const inner = named(f.type).name!;
    if (seen.has(inner)) continue;
    const next = await load(inner);
    if (next?.fields) out += await tree(next, level + 1, load, new Set([...seen, inner]));
  }
  return out;
}
