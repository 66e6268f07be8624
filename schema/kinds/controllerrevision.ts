import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

const DESCRIPTION =
  "One immutable snapshot of a StatefulSet's or DaemonSet's pod template: the history `rollout history` lists and `rollout undo` goes back to.";

export const ControllerRevision = s.object(
  'ControllerRevision',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    data: s.json(
      'The state of the revision, as a patch of its owner: `{"spec":{"template":{...,"$patch":"replace"}}}`. Immutable.',
    ),
    revision: required(s.int('The revision number: the highest is the newest. At least 0.')),
  },
  DESCRIPTION,
);
export type ControllerRevision = Infer<typeof ControllerRevision>;

export const controllerRevisionKind = defineKind({
  kind: 'ControllerRevision',
  apiVersion: 'apps/v1',
  plural: 'controllerrevisions',
  shortNames: [],
  namespaced: true,
  shape: ControllerRevision,
  description: DESCRIPTION,
});
