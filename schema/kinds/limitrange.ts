import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

export const LimitRangeItem = s.object(
  'LimitRangeItem',
  {
    type: required(s.string('Container, Pod or PersistentVolumeClaim (or a domain-qualified type).')),
    max: s.resources('The most of each resource one object may have.'),
    min: s.resources('The least of each resource one object must have.'),
    default: s.resources('Limits given to a container that sets none (not for type Pod).'),
    defaultRequest: s.resources('Requests given to a container that sets none (not for type Pod).'),
    maxLimitRequestRatio: s.resources('The greatest limit / request ratio allowed, by resource.'),
  },
  'Constraints for one type of object.',
);
export type LimitRangeItem = Infer<typeof LimitRangeItem>;

const description =
  'Default, minimum and maximum resources for the containers, pods and claims of a namespace.';

export const LimitRange = s.object(
  'LimitRange',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: s.object(
      'LimitRangeSpec',
      { limits: required(s.list(LimitRangeItem, 'One item per type.')) },
      'The limits, by object type.',
    ),
  },
  description,
);
export type LimitRange = Infer<typeof LimitRange>;

export const limitRangeKind = defineKind({
  kind: 'LimitRange',
  apiVersion: 'v1',
  plural: 'limitranges',
  shortNames: ['limits'],
  namespaced: true,
  shape: LimitRange,
  description,
});
