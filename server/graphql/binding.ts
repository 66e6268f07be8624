import type { ObjectRef } from '@pothos/core';
import { builder, type Types } from './builder.ts';
import { onKind, requires } from './field-access.ts';
import { stored } from './resource.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { Resource } from '../../schema/kind.ts';

/** Binding, the scheduler's one write: assigns a pending Pod to a Node, once. */
export function registerBinding(podRef: ObjectRef<Types, Resource>): void {
  builder.mutationField('bindPod', (t) =>
    t.field({
      type: podRef,
      nullable: false,
      description:
        'Binds a Pod to a Node (sets spec.nodeName and PodScheduled=True). A Pod already bound fails with CONFLICT, so two schedulers cannot both place it.',
      args: {
        namespace: t.arg.string({ defaultValue: 'default' }),
        name: t.arg.string({ required: true }),
        nodeName: t.arg.string({ required: true }),
      },
      // The scheduler's Binding: `create pods/binding`, as Kubernetes authorizes it.
      ...requires((args: { namespace?: string | null; name: string }) =>
        onKind('Pod', 'create', args.namespace ?? 'default', args.name, 'binding'),
      ),
      resolve: (_root, args, ctx) =>
        stored(ctx.resources.bind(kindByName('Pod')!, args.namespace ?? 'default', args.name, args.nodeName)),
    }),
  );
}
