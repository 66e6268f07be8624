import { evictPod } from '../resources/eviction.ts';
import { builder } from './builder.ts';
import { onKind, requires } from './field-access.ts';

/** Eviction: a Pod's deletion that its PodDisruptionBudget must allow, as `kq drain` and `kubectl drain` ask for it. */
export function registerEviction(): void {
  builder.mutationField('evictPod', (t) =>
    t.field({
      type: 'Boolean',
      nullable: false,
      description:
        'Evicts a Pod (policy/v1 Eviction): deletes it when its PodDisruptionBudget allows one more disruption, spending it; TOO_MANY_REQUESTS when the budget allows none now (retry later, as drains do). A pod that is not running, or that no budget covers, is deleted. True once the deletion is accepted.',
      args: {
        namespace: t.arg.string({ defaultValue: 'default' }),
        name: t.arg.string({ required: true }),
        gracePeriodSeconds: t.arg.int({ description: "Overrides the pod's terminationGracePeriodSeconds." }),
        dryRun: t.arg.boolean({ description: 'Checks the budget and the deletion without writing either.' }),
      },
      // As Kubernetes authorizes the Eviction subresource: `create pods/eviction`.
      ...requires((args: { namespace?: string | null; name: string }) =>
        onKind('Pod', 'create', args.namespace ?? 'default', args.name, 'eviction'),
      ),
      resolve: async (_root, args, ctx) => {
        const namespace = args.namespace ?? 'default';
        await evictPod(ctx.resources, namespace, args.name, {
          gracePeriodSeconds: args.gracePeriodSeconds ?? undefined,
          dryRun: args.dryRun ?? false,
        });
        return true;
      },
    }),
  );
}
