import type { KubeqlClient } from '../client/client.ts';
import { KubeqlError } from '../client/errors.ts';
import type { KindDefinition } from '../schema/kind.ts';
import { KINDS } from '../schema/kinds/index.ts';
import { UsageError } from './usage-error.ts';

/**
 * The kinds kq knows and how people name them: `po`, `pod`, `pods`, `Pod`,
 * `deploy`, `deployments.apps`. The names come from the API's own kind definitions
 * (plural, short names, scope), as kubectl's come from discovery.
 */
export type Kind = KindDefinition;
export const ALL_KINDS: readonly Kind[] = KINDS;

export const groupOf = (kind: Kind) => (kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '');

const names = new Map<string, Kind>();
for (const kind of KINDS) {
  const group = groupOf(kind);
  const spellings = [kind.kind.toLowerCase(), kind.plural, ...kind.shortNames];
  for (const name of spellings) {
    names.set(name, kind);
    if (group) names.set(`${name}.${group}`, kind);
  }
}

export function findKind(name: string): Kind | undefined {
  return names.get(name.toLowerCase());
}

/** kubectl's words for a name it cannot map. */
export function kindOf(name: string): Kind {
  const kind = findKind(name);
  if (!kind) throw new UsageError(`the server doesn't have a resource type "${name}"`);
  return kind;
}

export function kindByKindName(kindName: string): Kind | undefined {
  return KINDS.find((k) => k.kind === kindName);
}

/** `deployment.apps`, `pod`: how kubectl prefixes a name (`deployment.apps/web created`). */
export function qualifiedKind(kind: Kind): string {
  const group = groupOf(kind);
  return group ? `${kind.kind.toLowerCase()}.${group}` : kind.kind.toLowerCase();
}

/** `deployment.apps/web`: kubectl's -o name. */
export function objectRef(kind: Kind, name: string | undefined): string {
  return `${qualifiedKind(kind)}/${name ?? ''}`;
}

/** `deployments.apps`: how messages name a resource (`deployments.apps "web" not found`). */
export function qualifiedResource(kind: Kind): string {
  const group = groupOf(kind);
  return group ? `${kind.plural}.${group}` : kind.plural;
}

/**
 * `kq get po web`, `kq get deploy/web`, `kq get svc,deploy`: the kinds and names of a
 * command's arguments, in order.
 */
export function resourceArgs(args: string[]): Array<{ kind: Kind; names: string[] }> {
  if (args.length === 0) throw new UsageError('you must specify the type of resource to get');
  if (args.every((arg) => arg.includes('/'))) {
    const out: Array<{ kind: Kind; names: string[] }> = [];
    for (const arg of args) {
      const [type, name] = arg.split('/', 2);
      const kind = kindOf(type);
      const entry = out.find((e) => e.kind === kind);
      if (entry) entry.names.push(name);
      else out.push({ kind, names: [name] });
    }
    return out;
  }
  if (args.slice(1).some((arg) => arg.includes('/'))) {
    throw new UsageError(
      'there is no need to specify a resource type as a separate argument when passing arguments in resource/name form',
    );
  }
  const [types, ...rest] = args;
  return types
    .split(',')
    .filter(Boolean)
    .map((type) => ({ kind: kindOf(type), names: rest }));
}

/** One `TYPE NAME` or `TYPE/NAME` argument pair, for verbs that act on one object. */
export function oneObject(args: string[], verb: string): { kind: Kind; name: string; rest: string[] } {
  const [first, second, ...more] = args;
  if (!first) throw new UsageError(`you must specify the resource to ${verb}`);
  if (first.includes('/')) {
    const [type, name] = first.split('/', 2);
    return { kind: kindOf(type), name, rest: second === undefined ? more : [second, ...more] };
  }
  if (!second) throw new UsageError(`you must specify the name of the ${first} to ${verb}`);
  return { kind: kindOf(first), name: second, rest: more };
}

/** kubectl's NotFound for an object the user named. */
export function notFound(kind: Kind, name: string): KubeqlError {
  return new KubeqlError('NOT_FOUND', `${qualifiedResource(kind)} "${name}" not found`);
}

/** One object a command acts on. */
export interface ResourceTarget {
  kind: Kind;
  name: string;
  namespace?: string;
}

/** The objects of `kind` a selection lists (`kq delete -l`, `kq describe pods`), as targets. */
export async function listTargets(
  client: KubeqlClient,
  kind: Kind,
  selection: { namespace?: string; labelSelector?: string },
): Promise<ResourceTarget[]> {
  const { items } = await client.listAll(kind.kind, selection);
  return items.map((obj) => ({ kind, name: obj.metadata.name!, namespace: obj.metadata.namespace }));
}
