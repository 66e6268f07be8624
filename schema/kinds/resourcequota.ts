import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

const ResourceQuotaScope = s.enum('ResourceQuotaScope', [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
  'VolumeAttributesClass',
]);

export const ResourceQuotaSpec = s.object(
  'ResourceQuotaSpec',
  {
    hard: s.resources('The most of each resource the namespace may use: { pods: 10, requests.cpu: "4" }.'),
    scopes: s.list(ResourceQuotaScope, 'Only objects in every one of these scopes count.'),
    scopeSelector: s.object(
      'ScopeSelector',
      {
        matchExpressions: s.list(
          s.object('ScopedResourceSelectorRequirement', {
            scopeName: required(ResourceQuotaScope),
            operator: required(s.enum('ScopeSelectorOperator', ['In', 'NotIn', 'Exists', 'DoesNotExist'])),
            values: s.list(s.string(), 'For In and NotIn (priority class names).'),
          }),
        ),
      },
      'Scopes with values, ANDed.',
    ),
  },
  'The limits of a quota.',
);
export type ResourceQuotaSpec = Infer<typeof ResourceQuotaSpec>;

const ResourceQuotaStatus = s.object(
  'ResourceQuotaStatus',
  {
    hard: s.resources('The limits being enforced.'),
    used: s.resources('What the namespace uses now.'),
  },
  'Observed use against the quota.',
);

const description = 'Caps the total resources and object counts of a namespace.';

export const ResourceQuota = s.object(
  'ResourceQuota',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: ResourceQuotaSpec,
    status: ResourceQuotaStatus,
  },
  description,
);
export type ResourceQuota = Infer<typeof ResourceQuota>;

export const resourceQuotaKind = defineKind({
  kind: 'ResourceQuota',
  apiVersion: 'v1',
  plural: 'resourcequotas',
  shortNames: ['quota'],
  namespaced: true,
  shape: ResourceQuota,
  description,
});
