import { defineKind } from '../kind.ts';
import { keyedBy, s, type Infer } from '../shape.ts';
import { LocalObjectReference, ObjectMeta, ObjectReference } from './meta.ts';

const description =
  'An identity for the processes of pods: what a pod runs as (spec.serviceAccountName) and what RBAC bindings name.';

export const ServiceAccount = s.object(
  'ServiceAccount',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    secrets: keyedBy(
      s.list(
        ObjectReference,
        'Secrets in the same namespace that pods of this account may use (legacy tokens).',
      ),
      'name',
    ),
    imagePullSecrets: s.list(
      LocalObjectReference,
      'Secrets used to pull the images of pods running as this account, added to their own.',
    ),
    automountServiceAccountToken: s.bool(
      "Whether pods of this account get an API token mounted; a pod's own setting wins.",
    ),
  },
  description,
);
export type ServiceAccount = Infer<typeof ServiceAccount>;

export const serviceAccountKind = defineKind({
  kind: 'ServiceAccount',
  apiVersion: 'v1',
  plural: 'serviceaccounts',
  shortNames: ['sa'],
  namespaced: true,
  shape: ServiceAccount,
  description,
});
