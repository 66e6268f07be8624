import type { ArgumentRef, ObjectRef } from '@pothos/core';
import { apiNames } from '../../schema/api-names.ts';
import { BOOKMARK_INTERVAL_ANNOTATION } from '../../schema/watch-bookmarks.ts';
import { builder, warnInto, type ArgsBuilder, type Types } from './builder.ts';
import { onKind, requires } from './field-access.ts';
import { selectedName } from '../auth/selected-name.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import type { ListResult } from '../resources/reads.ts';
import type { WatchEvent } from '../watch/hub.ts';
import { ListMetaRef, PropagationPolicyRef, ResourceRef, stored, WatchEventTypeRef } from './resource.ts';
import { inputRef, outputFields } from './shape-types.ts';
import type { ObjectShape } from '../../schema/shape.ts';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, pageSize } from '../../schema/list-limits.ts';

/** The `namespace` argument: optional, and null means the same as left out. */
type NamespaceArg = ArgumentRef<Types, string | null | undefined>;

/** What a list or a watch selects by, as the resolvers receive it. */
interface SelectionArgs {
  namespace?: string | null;
  labelSelector?: string | null;
  fieldSelector?: string | null;
}

/** The kinds whose spec.replicas the `scale<Kind>` mutation changes. */
const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);

/**
 * Registers one kind's whole API: its object type (implementing Resource), its list
 * and watch-event types, get and list queries, the write mutations, and the watch
 * subscription. Every kind gets the same operations with the same semantics, which is
 * what lets one SDK, one CLI and one dashboard serve them all.
 */
export function registerKind(def: KindDefinition): ObjectRef<Types, Resource> {
  const { one, many, Many } = apiNames(def.kind);
  const ref = builder.objectRef<Resource>(def.kind);
  builder.objectType(ref, {
    description: def.description,
    interfaces: [ResourceRef],
    isTypeOf: (obj) => (obj as Resource).kind === def.kind,
    // apiVersion, kind and metadata come from the Resource interface, non-null.
    fields: (t) => outputFields(def.shape, t, ['apiVersion', 'kind', 'metadata']),
  });

  const listRef = builder.objectRef<ListResult>(`${def.kind}List`).implement({
    description: `A page of ${def.kind} objects.`,
    fields: (t) => ({
      apiVersion: t.string({ nullable: false, resolve: () => def.apiVersion }),
      kind: t.string({ nullable: false, resolve: () => `${def.kind}List` }),
      metadata: t.field({ type: ListMetaRef, nullable: false, resolve: (list) => list.metadata }),
      items: t.field({ type: [ref], nullable: false, resolve: (list) => list.items }),
    }),
  });

  const eventRef = builder.objectRef<WatchEvent>(`${def.kind}WatchEvent`).implement({
    description: `One change to a ${def.kind}, in resourceVersion order.`,
    fields: (t) => ({
      type: t.field({ type: WatchEventTypeRef, nullable: false, resolve: (e) => e.type }),
      object: t.field({
        type: ref,
        nullable: false,
        description:
          `The object after the change, with the \`id\` its reads have, so that an event updates a client's cached copy. ` +
          `For BOOKMARK only its metadata: the resourceVersion reached, and an annotation, ${BOOKMARK_INTERVAL_ANNOTATION} (the interval to the next, in ms) or k8s.io/initial-events-end; ` +
          `its id is shared by every bookmark of the kind and is never an object's.`,
        resolve: (e) => e.object,
      }),
    }),
  });

  // Only namespaced kinds take a namespace.
  const scope = (t: ArgsBuilder, required = false): { namespace?: NamespaceArg } =>
    def.namespaced
      ? {
          namespace: t.arg.string({
            required: false,
            defaultValue: required ? 'default' : undefined,
            description: required ? undefined : 'Omit to list across all namespaces.',
          }),
        }
      : {};
  const ns = (args: { namespace?: string | null }) => args.namespace ?? undefined;
  // What a list and a watch select by: namespace (all when omitted), labels, fields.
  const selection = (t: ArgsBuilder) => ({
    ...scope(t),
    labelSelector: t.arg.string({ description: 'app=web,tier!=db,env in (a,b),!legacy' }),
    fieldSelector: t.arg.string({
      description: 'metadata.name=x and per-kind fields, e.g. spec.nodeName=n1',
    }),
  });
  const selected = (args: SelectionArgs) => ({
    namespace: ns(args),
    labelSelector: args.labelSelector ?? undefined,
    fieldSelector: args.fieldSelector ?? undefined,
  });
  // The object written, under the kind's own name (`pod: PodInput!`): read with `input(args)`.
  const inputArg = (t: ArgsBuilder) => ({
    [one]: t.arg({ type: inputRef(def.shape), required: true }),
  });
  const input = (args: Record<string, unknown>) => args[one];
  // Every field asks RBAC first; a list or watch without a namespace needs a cluster-wide grant.
  const on = (verb: string, subresource?: string) =>
    requires((args: { namespace?: string | null; name?: string; fieldSelector?: string | null }) =>
      onKind(
        def,
        verb,
        ns(args),
        args.name ?? (verb === 'list' || verb === 'watch' ? selectedName(args.fieldSelector) : undefined),
        subresource,
      ),
    );

  builder.queryFields((t) => ({
    [one]: t.field({
      type: ref,
      description: `One ${def.kind} by name, or null.`,
      args: { ...scope(t, true), name: t.arg.string({ required: true }) },
      ...on('get'),
      resolve: (_root, args, ctx) => ctx.resources.get(def, ns(args), args.name),
    }),
    [many]: t.field({
      type: listRef,
      nullable: false,
      description:
        `${def.kind} objects in key order, filtered by selectors, one page at a time: ` +
        `at most \`limit\` of them, and \`metadata.continue\` to read the rest.`,
      args: {
        ...selection(t),
        limit: t.arg.int({
          description:
            `The most objects this page holds. Without it (or with 0 or less) a page holds ` +
            `${DEFAULT_LIST_LIMIT}; more than ${MAX_LIST_LIMIT} is clamped to ${MAX_LIST_LIMIT}. ` +
            'A page may hold fewer and still have a `continue`.',
        }),
        continue: t.arg.string({
          description:
            "The previous page's `metadata.continue`: the next page, read at the same revision, with the same selectors.",
        }),
      },
      // The bound is applied here, at the API's edge: the server's own readers of the
      // store (edges, metrics) list what they need in one piece.
      ...on('list'),
      resolve: (_root, args, ctx) =>
        ctx.resources.list(def, {
          ...selected(args),
          limit: pageSize(args.limit),
          continue: args.continue ?? undefined,
        }),
    }),
  }));

  const dryRun = (t: ArgsBuilder) => ({
    dryRun: t.arg.boolean({ description: 'Validate and default, store nothing.' }),
  });
  const target = (t: ArgsBuilder) => ({ ...scope(t, true), name: t.arg.string({ required: true }) });

  builder.mutationFields((t) => ({
    [`create${def.kind}`]: t.field({
      type: ref,
      nullable: false,
      args: { ...scope(t, true), ...inputArg(t), ...dryRun(t) },
      ...on('create'),
      resolve: (_root, args, ctx) =>
        stored(
          ctx.resources.create(def, ns(args), input(args), {
            dryRun: args.dryRun ?? false,
            ...warnInto(ctx),
          }),
        ),
    }),
    [`replace${def.kind}`]: t.field({
      type: ref,
      nullable: false,
      description:
        'Replaces the whole object; with metadata.resourceVersion set, fails with CONFLICT if it is stale.',
      args: { ...target(t), ...inputArg(t), ...dryRun(t) },
      ...on('update'),
      resolve: (_root, args, ctx) =>
        stored(
          ctx.resources.replace(def, ns(args), args.name, input(args), {
            dryRun: args.dryRun ?? false,
            ...warnInto(ctx),
          }),
        ),
    }),
    [`patch${def.kind}`]: t.field({
      type: ref,
      nullable: false,
      description:
        'Applies a JSON merge patch (RFC 7386); metadata.resourceVersion in the patch is a precondition.',
      args: { ...target(t), patch: t.arg({ type: 'JSON', required: true }), ...dryRun(t) },
      ...on('patch'),
      resolve: (_root, args, ctx) =>
        stored(
          ctx.resources.patch(def, ns(args), args.name, args.patch, {
            dryRun: args.dryRun ?? false,
            ...warnInto(ctx),
          }),
        ),
    }),
    [`delete${def.kind}`]: t.field({
      type: ref,
      description: 'Deletes, or marks for deletion while finalizers or a grace period hold the object.',
      args: {
        ...target(t),
        propagationPolicy: t.arg({ type: PropagationPolicyRef }),
        gracePeriodSeconds: t.arg.int(),
        resourceVersion: t.arg.string({ description: 'Precondition: only delete this version.' }),
        ...dryRun(t),
      },
      ...on('delete'),
      resolve: (_root, args, ctx) =>
        ctx.resources.delete(def, ns(args), args.name, {
          propagationPolicy: args.propagationPolicy ?? undefined,
          gracePeriodSeconds: args.gracePeriodSeconds ?? undefined,
          resourceVersion: args.resourceVersion ?? undefined,
          dryRun: args.dryRun ?? false,
        }),
    }),
    ...(def.hasStatus
      ? {
          [`update${def.kind}Status`]: t.field({
            type: ref,
            nullable: false,
            description: 'The status subresource: replaces status only (controllers and node agents).',
            args: {
              ...target(t),
              status: t.arg({ type: inputRef(def.shape.fields.status as ObjectShape), required: true }),
              resourceVersion: t.arg.string(),
            },
            ...on('update', 'status'),
            resolve: (_root, args, ctx) =>
              stored(
                ctx.resources.updateStatus(
                  def,
                  ns(args),
                  args.name,
                  args.status,
                  args.resourceVersion ?? undefined,
                ),
              ),
          }),
        }
      : {}),
    ...(SCALABLE.has(def.kind)
      ? {
          [`scale${def.kind}`]: t.field({
            type: ref,
            nullable: false,
            args: { ...target(t), replicas: t.arg.int({ required: true }) },
            ...on('update', 'scale'),
            resolve: (_root, args, ctx) =>
              stored(ctx.resources.scale(def, ns(args), args.name, args.replicas)),
          }),
        }
      : {}),
  }));

  builder.subscriptionFields((t) => ({
    [`watch${Many}`]: t.field({
      type: eventRef,
      nullable: false,
      description:
        'Every change after resourceVersion, in order, none missed or repeated. Without resourceVersion (or with sendInitialEvents) the current objects come first as ADDED. A compacted resourceVersion ends with EXPIRED: list again.',
      args: {
        ...selection(t),
        resourceVersion: t.arg.string(),
        sendInitialEvents: t.arg.boolean(),
        allowBookmarks: t.arg.boolean(),
      },
      ...on('watch'),
      subscribe: (_root, args, ctx) =>
        ctx.resources.watch(def, {
          ...selected(args),
          resourceVersion: args.resourceVersion ?? undefined,
          sendInitialEvents: args.sendInitialEvents ?? undefined,
          allowBookmarks: args.allowBookmarks ?? false,
        }),
      resolve: (item) => {
        if (item.type === 'ERROR') throw item.error;
        return item;
      },
    }),
  }));

  return ref;
}
