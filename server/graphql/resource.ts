import { builder } from './builder.ts';
import { ObjectMeta } from '../../schema/kinds/meta.ts';
import { outputRef } from './shape-types.ts';
import { idOf } from './global-id.ts';
import type { Resource } from '../../schema/kind.ts';
import { withoutManagedFields } from '../apply/managed-fields.ts';

/** What every object of every kind has; `apply` returns these, whatever the kinds applied. */
export const ResourceRef = builder.interfaceRef<Resource>('Resource');

builder.interfaceType(ResourceRef, {
  description:
    'Any Kubernetes-style object: apiVersion, kind and metadata, and an `id` that client caches key it by. ' +
    "Relay's Node interface, under kubeql's name: `Node` is the kind of the cluster's machines.",
  resolveType: (obj: Resource) => obj.kind,
  fields: (t) => ({
    id: t.id({
      nullable: false,
      description:
        'Opaque and globally unique; the same through every update of the object, new when it is deleted and created again. `resource(id:)` reads the object back.',
      resolve: idOf,
    }),
    // Read as exposeString would: `Resource` has an index signature, which `expose*` cannot take apart.
    apiVersion: t.string({ nullable: false, resolve: (obj) => obj.apiVersion }),
    kind: t.string({ nullable: false, resolve: (obj) => obj.kind }),
    metadata: t.field({
      type: outputRef(ObjectMeta),
      nullable: false,
      resolve: (obj) => obj.metadata,
    }),
    manifest: t.field({
      type: 'JSON',
      nullable: false,
      description:
        'The whole object as stored, as `kubectl get -o json` prints it: for caches, YAML views and tools that need every field. Without metadata.managedFields unless `showManagedFields` (as kubectl).',
      args: { showManagedFields: t.arg.boolean({ defaultValue: false }) },
      resolve: (obj, args) => (args.showManagedFields ? obj : withoutManagedFields(obj)),
    }),
    owner: t.field({
      type: ResourceRef,
      description: 'The object that controls this one (its controller owner reference), if it still exists.',
      resolve: (obj, _args, ctx) => {
        const ref =
          obj.metadata.ownerReferences?.find((r) => r.controller) ?? obj.metadata.ownerReferences?.[0];
        return ref ? ctx.resources.byUid(ref.uid) : undefined;
      },
    }),
  }),
});

/**
 * The object a write left stored, for the non-null fields of the writes that always
 * leave one (create, replace, patch, updateStatus, scale, bindPod; not delete). Were it
 * ever missing, GraphQL itself would reject the null for the non-null field.
 */
export async function stored(write: Promise<Resource | undefined>): Promise<Resource> {
  return (await write)!;
}

/**
 * A `namespace: String = "default"` argument as the rollout verbs take it. GraphQL applies
 * the default only when the argument is left out, and an explicit null (a client passing
 * its variable unset) gets through: it means the default namespace too, as it does for
 * the kinds' own reads and writes and for podLogs and execPod.
 */
export function namespaceArg(args: { namespace?: string | null }): string {
  return args.namespace ?? 'default';
}

export const ListMetaRef = builder
  .objectRef<{ resourceVersion: string; continue?: string; remainingItemCount?: number }>('ListMeta')
  .implement({
    description: 'The revision a list was read at, and how to get its next page.',
    fields: (t) => ({
      resourceVersion: t.exposeString('resourceVersion', {
        nullable: false,
        description: 'Start a watch here to see every change after this list, none missed.',
      }),
      continue: t.exposeString('continue', {
        description: 'Pass as `continue` to read the next page, at the same revision as this one.',
      }),
      remainingItemCount: t.exposeInt('remainingItemCount', {
        description: 'How many objects come after this page (only for lists without selectors).',
      }),
    }),
  });

export const WatchEventTypeRef = builder.enumType('WatchEventType', {
  values: {
    ADDED: { description: 'The object now exists (or has started to match the watch).' },
    MODIFIED: { description: 'The object changed.' },
    DELETED: { description: 'The object is gone (or has stopped matching the watch).' },
    BOOKMARK: { description: 'No change: only the resourceVersion the watch has reached.' },
  } as const,
});

export const PropagationPolicyRef = builder.enumType('PropagationPolicy', {
  description: 'What happens to the objects an object owns when it is deleted.',
  values: {
    Background: { description: 'Delete the owner now; the garbage collector deletes the dependents.' },
    Foreground: { description: 'Keep the owner (marked) until its blocking dependents are deleted.' },
    Orphan: { description: 'Delete the owner and leave the dependents, without the owner reference.' },
  } as const,
});
