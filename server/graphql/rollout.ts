import type { ObjectRef } from '@pothos/core';
import { rolloutRestart, pauseDeployment, resumeDeployment } from '../resources/rollout.ts';
import { ROLLOUT_KINDS, rolloutHistory, type Revision } from '../resources/rollout-history.ts';
import { rolloutUndo, type UndoResult } from '../resources/rollout-undo.ts';
import { rolloutUndoSet, type SetUndoResult } from '../resources/rollout-undo-set.ts';
import { IMAGE_KINDS, setImage } from '../resources/set-image.ts';
import { builder, type ArgsBuilder, type Types } from './builder.ts';
import { onKind, requires } from './field-access.ts';
import type { Resource } from '../../schema/kind.ts';
import { namespaceArg, ResourceRef } from './resource.ts';
import { registerRolloutStatus, revisionsRequest } from './rollout-status.ts';

type Refs = Record<string, ObjectRef<Types, Resource>>;

const WorkloadKindRef = builder.enumType('WorkloadKind', {
  description: 'A kind whose objects run containers, and so have images to set.',
  values: IMAGE_KINDS,
});

const RolloutKindRef = builder.enumType('RolloutKind', {
  description: 'A kind that rolls out a new pod template over its pods.',
  values: ROLLOUT_KINDS,
});

const ImageUpdateInputRef = builder.inputType('ImageUpdateInput', {
  description: 'One image to set: `kubectl set image <kind>/<name> <container>=<image>`.',
  fields: (t) => ({
    container: t.string({
      required: true,
      description: 'A container or init container name; `*` sets every one.',
    }),
    image: t.string({ required: true }),
  }),
});

/**
 * The everyday rollout verbs of kubectl (`set image`, `rollout undo|pause|resume|restart|history|status`)
 * as fields: the logic is in server/resources/, shared with any other caller.
 */
export function registerRollout(refs: Refs): void {
  const { Deployment, ReplicaSet, ControllerRevision } = refs;
  const target = (t: ArgsBuilder) => ({
    namespace: t.arg.string({ defaultValue: 'default' }),
    name: t.arg.string({ required: true }),
  });

  const RevisionRef = builder.objectRef<Revision>('RolloutRevision').implement({
    description: 'One revision of a rollout, as `kubectl rollout history` lists it.',
    fields: (t) => ({
      revision: t.exposeInt('revision', { nullable: false }),
      changeCause: t.exposeString('changeCause', {
        description: 'The `kubernetes.io/change-cause` annotation of the revision (setImage records it).',
      }),
      template: t.field({
        type: 'JSON',
        description:
          "The revision's pod template, as its ReplicaSet stores it (with the pod-template-hash label) or its ControllerRevision holds it.",
        resolve: (r) => r.template,
      }),
      replicaSet: t.field({
        type: ReplicaSet,
        description: "A Deployment's revision: the ReplicaSet that holds it.",
        resolve: (r) => r.replicaSet,
      }),
      controllerRevision: t.field({
        type: ControllerRevision,
        description: "A StatefulSet's or DaemonSet's revision: the ControllerRevision that holds it.",
        resolve: (r) => r.controllerRevision,
      }),
    }),
  });

  const UndoResultRef = builder.objectRef<UndoResult>('RolloutUndoResult').implement({
    description: 'What `rolloutUndoDeployment` did.',
    fields: (t) => ({
      deployment: t.field({ type: Deployment, nullable: false, resolve: (r) => r.deployment }),
      revision: t.exposeInt('revision', { nullable: false, description: 'The revision rolled back to.' }),
      skipped: t.exposeBoolean('skipped', {
        nullable: false,
        description: "True when the Deployment's template already was that revision's: nothing changed.",
      }),
      message: t.exposeString('message', { nullable: false }),
    }),
  });

  const RolloutUndoOutcomeRef = builder.objectRef<SetUndoResult>('RolloutUndoOutcome').implement({
    description: 'What `rolloutUndo` did.',
    fields: (t) => ({
      object: t.field({
        type: ResourceRef,
        nullable: false,
        description: 'The object rolled back, as stored (as it was, when skipped).',
        resolve: (r) => r.object,
      }),
      revision: t.exposeInt('revision', { nullable: false, description: 'The revision rolled back to.' }),
      skipped: t.exposeBoolean('skipped', {
        nullable: false,
        description: "True when the object's template already was that revision's: nothing changed.",
      }),
      message: t.exposeString('message', { nullable: false }),
    }),
  });

  builder.queryField('rolloutHistory', (t) =>
    t.field({
      type: [RevisionRef],
      nullable: false,
      description:
        "`kubectl rollout history`: the revisions, oldest first: a Deployment's from the ReplicaSets it controls (their `deployment.kubernetes.io/revision` and `kubernetes.io/change-cause` annotations), a StatefulSet's or DaemonSet's from the ControllerRevisions it controls (their `revision`).",
      args: { kind: t.arg({ type: RolloutKindRef, required: true }), ...target(t) },
      ...requires((args: Target & { kind: string }) => [
        onKind(args.kind, 'get', namespaceArg(args), args.name),
        revisionsRequest(args.kind, namespaceArg(args)),
      ]),
      resolve: (_root, args, ctx) => rolloutHistory(ctx.resources, args.kind, namespaceArg(args), args.name),
    }),
  );

  builder.mutationFields((t) => ({
    setImage: t.field({
      type: ResourceRef,
      nullable: false,
      description:
        '`kubectl set image`: sets the images of containers (and init containers) by name in the pod template (a Pod: its spec), in one compare-and-swap write. A name matching no container fails with INVALID. `changeCause` is recorded in the `kubernetes.io/change-cause` annotation, which rolloutHistory shows.',
      args: {
        kind: t.arg({ type: WorkloadKindRef, required: true }),
        ...target(t),
        images: t.arg({ type: [ImageUpdateInputRef], required: true }),
        changeCause: t.arg.string(),
      },
      ...patching((args: Target & { kind: string }) => args.kind),
      resolve: (_root, args, ctx) =>
        setImage(
          ctx.resources,
          args.kind,
          namespaceArg(args),
          args.name,
          args.images,
          args.changeCause ?? undefined,
        ),
    }),
    rolloutUndoDeployment: t.field({
      type: UndoResultRef,
      nullable: false,
      description:
        "`kubectl rollout undo`: puts revision `toRevision`'s pod template (without pod-template-hash) back into the Deployment; 0 or omitted means the previous revision. A missing revision fails with NOT_FOUND; a template already equal is skipped; a paused Deployment is refused.",
      args: { ...target(t), toRevision: t.arg.int() },
      ...requires((args: Target) => [
        onKind('Deployment', 'patch', namespaceArg(args), args.name),
        revisionsRequest('Deployment', namespaceArg(args)),
      ]),
      resolve: (_root, args, ctx) =>
        rolloutUndo(ctx.resources, namespaceArg(args), args.name, args.toRevision ?? 0),
    }),
    rolloutUndo: t.field({
      type: RolloutUndoOutcomeRef,
      nullable: false,
      description:
        "`kubectl rollout undo` for any kind that rolls out: puts revision `toRevision`'s pod template back (a Deployment's from its ReplicaSet, as rolloutUndoDeployment; a StatefulSet's or DaemonSet's from its ControllerRevision); 0 or omitted means the previous revision. A missing revision fails with NOT_FOUND; a template already equal is skipped.",
      args: { kind: t.arg({ type: RolloutKindRef, required: true }), ...target(t), toRevision: t.arg.int() },
      ...requires((args: Target & { kind: string }) => [
        onKind(args.kind, 'patch', namespaceArg(args), args.name),
        revisionsRequest(args.kind, namespaceArg(args)),
      ]),
      resolve: async (_root, args, ctx) => {
        const namespace = namespaceArg(args);
        if (args.kind !== 'Deployment') {
          return rolloutUndoSet(ctx.resources, args.kind, namespace, args.name, args.toRevision ?? 0);
        }
        const { deployment, ...result } = await rolloutUndo(
          ctx.resources,
          namespace,
          args.name,
          args.toRevision ?? 0,
        );
        return { object: deployment, ...result };
      },
    }),
    pauseDeployment: t.field({
      type: Deployment,
      nullable: false,
      description: '`kubectl rollout pause`: sets spec.paused; template changes no longer start a rollout.',
      args: target(t),
      ...patching(() => 'Deployment'),
      resolve: (_root, args, ctx) => pauseDeployment(ctx.resources, namespaceArg(args), args.name),
    }),
    resumeDeployment: t.field({
      type: Deployment,
      nullable: false,
      description: '`kubectl rollout resume`: clears spec.paused; what changed meanwhile rolls out.',
      args: target(t),
      ...patching(() => 'Deployment'),
      resolve: (_root, args, ctx) => resumeDeployment(ctx.resources, namespaceArg(args), args.name),
    }),
    rolloutRestart: t.field({
      type: ResourceRef,
      nullable: false,
      description:
        '`kubectl rollout restart`: sets the pod template annotation `kubectl.kubernetes.io/restartedAt` to now (RFC 3339), which replaces every pod by the update strategy. A paused Deployment is refused.',
      args: { kind: t.arg({ type: RolloutKindRef, required: true }), ...target(t) },
      ...patching((args: Target & { kind: string }) => args.kind),
      resolve: (_root, args, ctx) => rolloutRestart(ctx.resources, args.kind, namespaceArg(args), args.name),
    }),
  }));

  registerRolloutStatus();
}

interface Target {
  namespace?: string | null;
  name: string;
}

/** A rollout verb is a patch of the object, as kubectl sends it. */
function patching<A extends Target>(kindOf: (args: A) => string) {
  return requires((args: A) => onKind(kindOf(args), 'patch', namespaceArg(args), args.name));
}
