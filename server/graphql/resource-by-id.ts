import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { DEFAULT_LIST_LIMIT } from '../../schema/list-limits.ts';
import { ApiError } from '../errors.ts';
import { builder, type Context } from './builder.ts';
import { perObject } from './field-access.ts';
import { parseGlobalId } from './global-id.ts';
import { ResourceRef } from './resource.ts';

/**
 * Relay's `node(id:)` and `nodes(ids:)`, named after the interface they return: `node`
 * and `nodes` read the kind Node. They let a client refetch any object it holds by the
 * one field every object has, whatever its kind.
 */
builder.queryFields((t) => ({
  resource: t.field({
    type: ResourceRef,
    description:
      'The object with this `id`, or null once it no longer exists. A string that is not an id is BAD_REQUEST.',
    args: { id: t.arg.id({ required: true }) },
    ...perObject('`get` of the object the id names, once it is found'),
    resolve: (_root, args, ctx) => byId(ctx, String(args.id)),
  }),
  resources: t.field({
    type: [ResourceRef],
    nullable: { list: false, items: true },
    description:
      `The objects with these ids, in their order: null for each that no longer exists, and an error ` +
      `(BAD_REQUEST, at its index) for each string that is not an id. At most ${DEFAULT_LIST_LIMIT} ids.`,
    args: { ids: t.arg.idList({ required: true }) },
    ...perObject('`get` of each object an id names, at its index'),
    resolve: (_root, args, ctx) => {
      if (args.ids.length > DEFAULT_LIST_LIMIT)
        throw new ApiError(
          'BAD_REQUEST',
          `at most ${DEFAULT_LIST_LIMIT} ids at once, not ${args.ids.length}`,
        );
      // One promise per id, so that a malformed id fails its own item, not the whole list.
      return args.ids.map(async (id) => byId(ctx, String(id)));
    },
  }),
}));

/**
 * An object is found by its uid; the kind must match too, or the id names some other
 * object. Reading it needs `get` on it, as `pod(name:)` would.
 */
function byId(ctx: Context, id: string): Resource | null {
  const { kind, uid } = parseGlobalId(id);
  const obj = ctx.resources.byUid(uid);
  if (obj?.kind !== kind) return null;
  ctx.access.requireKind(ctx.principal, kindByName(kind)!, 'get', obj.metadata.namespace, obj.metadata.name);
  return obj;
}
