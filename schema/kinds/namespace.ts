import { defineKind } from '../kind.ts';
import { alwaysSet, keyedBy, s, type Infer } from '../shape.ts';
import { conditionShape, ObjectMeta } from './meta.ts';

export const NamespaceSpec = s.object('NamespaceSpec', {
  finalizers: s.list(
    s.string(),
    'Must be empty before the namespace is removed. "kubernetes" is taken off once everything in the namespace is deleted.',
  ),
});
export type NamespaceSpec = Infer<typeof NamespaceSpec>;

export const NamespaceStatus = s.object('NamespaceStatus', {
  phase: alwaysSet(
    s.enum(
      'NamespacePhase',
      ['Active', 'Terminating'],
      'Active from creation; Terminating once deletion was requested. The namespace goes away when its contents and finalizers are gone.',
    ),
  ),
  conditions: keyedBy(s.list(conditionShape('NamespaceCondition')), 'type'),
});
export type NamespaceStatus = Infer<typeof NamespaceStatus>;

export const Namespace = s.object(
  'Namespace',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: NamespaceSpec,
    status: alwaysSet(NamespaceStatus),
  },
  'A scope for the names of namespaced objects; deleting it deletes everything in it.',
);
export type Namespace = Infer<typeof Namespace>;

export const namespaceKind = defineKind({
  kind: 'Namespace',
  apiVersion: 'v1',
  plural: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  shape: Namespace,
  description: 'A scope for the names of namespaced objects; deleting it deletes everything in it.',
  fieldSelectors: { 'status.phase': (ns) => ns.status?.phase },
});
