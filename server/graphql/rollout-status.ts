import { watchRolloutStatus } from '../resources/rollout-status-stream.ts';
import type { RolloutStatus } from '../resources/rollout-status.ts';
import type { Request } from '../auth/access-control.ts';
import { builder } from './builder.ts';
import { onKind, requires } from './field-access.ts';
import { namespaceArg } from './resource.ts';

/** The `rolloutStatus` subscription: `kubectl rollout status deployment/<name>` as a stream. */
export function registerRolloutStatus(): void {
  const StatusRef = builder.objectRef<RolloutStatus>('RolloutStatus').implement({
    description: "Where a Deployment's rollout stands, as `kubectl rollout status` reports it.",
    fields: (t) => ({
      message: t.exposeString('message', {
        nullable: false,
        description:
          'kubectl\'s line, e.g. `Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...`.',
      }),
      done: t.exposeBoolean('done', {
        nullable: false,
        description: 'Every replica is updated and available and no old one is left: the last item.',
      }),
      failed: t.exposeBoolean('failed', {
        nullable: false,
        description: 'The rollout exceeded its progress deadline (ProgressDeadlineExceeded): the last item.',
      }),
      generation: t.exposeInt('generation', { nullable: false }),
      observedGeneration: t.exposeInt('observedGeneration', {
        description:
          'The generation the controller has acted on; until it reaches generation, counts are stale.',
      }),
      desiredReplicas: t.exposeInt('desiredReplicas', { description: 'spec.replicas.' }),
      replicas: t.exposeInt('replicas', {
        nullable: false,
        description: 'status.replicas: old and new pods.',
      }),
      updatedReplicas: t.exposeInt('updatedReplicas', { nullable: false }),
      availableReplicas: t.exposeInt('availableReplicas', { nullable: false }),
    }),
  });

  builder.subscriptionField('rolloutStatus', (t) =>
    t.field({
      type: StatusRef,
      nullable: false,
      description:
        "`kubectl rollout status`: a Deployment's rollout status now and after each change to it, completing after the item that is done or failed. With timeoutSeconds (0 or omitted: wait forever) an unfinished rollout ends with a TIMEOUT error; a missing or deleted Deployment with NOT_FOUND.",
      args: {
        namespace: t.arg.string({ defaultValue: 'default' }),
        name: t.arg.string({ required: true }),
        timeoutSeconds: t.arg.int(),
      },
      ...requires((args: { namespace?: string | null; name: string }) => [
        onKind('Deployment', 'get', namespaceArg(args), args.name),
        revisionsRequest('Deployment', namespaceArg(args)),
      ]),
      subscribe: (_root, args, ctx) =>
        watchRolloutStatus(ctx.resources, namespaceArg(args), args.name, args.timeoutSeconds ?? 0),
      resolve: (item) => {
        if ('error' in item) throw item.error;
        return item;
      },
    }),
  );
}

/**
 * Where a kind's revisions are read from: a Deployment's ReplicaSets, a StatefulSet's or
 * DaemonSet's ControllerRevisions (which this cluster does not serve, but RBAC names).
 */
export function revisionsRequest(kind: string, namespace: string): Request {
  if (kind === 'Deployment') return onKind('ReplicaSet', 'list', namespace);
  return { verb: 'list', apiGroup: 'apps', resource: 'controllerrevisions', namespace };
}
