import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { ResourceQuota } from '../../schema/kinds/resourcequota.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { KindAdmission } from './admission.ts';
import * as v from './validation.ts';

type ResourceQuotaObject = ResourceQuota & Resource;
type Scope = NonNullable<NonNullable<ResourceQuotaObject['spec']>['scopes']>[number];

/** Counted resources, whose quantities must be whole numbers. */
const INTEGER_RESOURCES = new Set([
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

/** The resources a quota may name without a domain (IsStandardQuotaResourceName). */
const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  ...INTEGER_RESOURCES,
]);

const isStandard = (name: string) =>
  STANDARD_QUOTA_RESOURCES.has(name) || /^(requests\.)?hugepages-/.test(name);
const isInteger = (name: string) => INTEGER_RESOURCES.has(name) || name.startsWith('count/');

function hard(map: Record<string, string | number> | undefined, path: string, errors: FieldError[]): void {
  for (const [name, quantity] of Object.entries(map ?? {})) {
    const at = `${path}[${name}]`;
    v.qualifiedName(name, at, errors);
    if (!name.includes('/') && !isStandard(name)) {
      errors.push(
        fieldError(at, 'Invalid', `Invalid value: "${name}": must be a standard resource for quota`),
      );
    }
    const amount = parseQuantity(quantity);
    if (amount === undefined) continue;
    if (amount < 0)
      errors.push(
        fieldError(at, 'Invalid', `Invalid value: "${quantity}": must be greater than or equal to 0`),
      );
    else if (isInteger(name) && !Number.isInteger(amount)) {
      errors.push(fieldError(at, 'Invalid', `Invalid value: "${quantity}": must be an integer`));
    }
  }
}

const CONFLICTING: Array<[Scope, Scope]> = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];
/** Scopes that only say whether a pod is in them, so only Exists may select them. */
const EXISTS_ONLY = new Set<Scope>([
  'BestEffort',
  'NotBestEffort',
  'Terminating',
  'NotTerminating',
  'CrossNamespacePodAffinity',
]);

function conflicting(scopes: Scope[], path: string, errors: FieldError[]): void {
  for (const [a, b] of CONFLICTING) {
    if (scopes.includes(a) && scopes.includes(b))
      errors.push(fieldError(path, 'Invalid', 'conflicting scopes'));
  }
}

export const resourceQuotaAdmission: KindAdmission<ResourceQuotaObject> = {
  validate(quota, ctx) {
    const errors: FieldError[] = [];
    const spec = quota.spec;
    hard(spec?.hard, 'spec.hard', errors);
    conflicting(spec?.scopes ?? [], 'spec.scopes', errors);
    const expressions = spec?.scopeSelector?.matchExpressions ?? [];
    const path = 'spec.scopeSelector.matchExpressions';
    for (const req of expressions) {
      if (EXISTS_ONLY.has(req.scopeName) && req.operator !== 'Exists') {
        const message = `Invalid value: "${req.operator}": must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity`;
        errors.push(fieldError(joinPath(path, 'operator'), 'Invalid', message));
      }
      const hasValues = (req.values?.length ?? 0) > 0;
      if ((req.operator === 'In' || req.operator === 'NotIn') && !hasValues) {
        const message = "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector";
        errors.push(fieldError(joinPath(path, 'values'), 'Required', message));
      } else if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && hasValues) {
        const message = "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector";
        errors.push(fieldError(joinPath(path, 'values'), 'Invalid', message));
      }
    }
    conflicting(
      expressions.map((req) => req.scopeName),
      path,
      errors,
    );
    if (ctx.old) {
      const scopes = (q: ResourceQuotaObject) => [...new Set(q.spec?.scopes ?? [])].sort();
      v.immutable(scopes(quota), scopes(ctx.old), 'spec.scopes', errors);
    }
    return errors;
  },
};
