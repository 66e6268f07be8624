import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type {
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
} from '../../schema/kinds/persistentvolumeclaim.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { KindAdmission } from './admission.ts';
import { accessModes, className, positiveQuantity } from './storage-validation.ts';
import * as v from './validation.ts';
import { defaultClass } from './default-class.ts';

type PVCObject = PersistentVolumeClaim & Resource;

/** A claim's spec, as Kubernetes checks it (also a StatefulSet's claim templates' and ephemeral volumes'). */
export function validateClaimSpec(
  spec: PersistentVolumeClaimSpec | undefined,
  path: string,
  errors: FieldError[],
): void {
  const at = (field: string) => `${path}.${field}`;
  accessModes(spec?.accessModes, at('accessModes'), errors, 'at least 1 access mode is required');
  v.labelSelector(spec?.selector, at('selector'), errors);
  const storage = spec?.resources?.requests?.storage;
  if (storage === undefined)
    errors.push(fieldError(`${path}.resources[storage]`, 'Required', 'Required value'));
  else positiveQuantity(storage, `${path}.resources[storage]`, errors);
  className(spec?.storageClassName, at('storageClassName'), errors);
  className(spec?.volumeAttributesClassName, at('volumeAttributesClassName'), errors);
  for (const field of ['dataSource', 'dataSourceRef'] as const) {
    const source = spec?.[field];
    if (source && !source.apiGroup && source.kind !== 'PersistentVolumeClaim') {
      const message = `Invalid value: "${source.kind}": must be 'PersistentVolumeClaim' when referencing the default apiGroup`;
      errors.push(fieldError(at(field), 'Invalid', message));
    }
  }
}

/**
 * What a claim may change once made: volumeName while it has none, and for a bound claim
 * its storage request, which may only grow.
 */
function validateUpdate(pvc: PVCObject, old: PVCObject, errors: FieldError[]): void {
  const bound = pvc.status?.phase === 'Bound';
  const comparable = (s: PersistentVolumeClaimSpec | undefined) => ({
    ...s,
    resources: bound
      ? { ...s?.resources, requests: { ...s?.resources?.requests, storage: undefined } }
      : s?.resources,
    volumeName: old.spec?.volumeName ? s?.volumeName : undefined,
  });
  if (!v.equivalent(comparable(pvc.spec), comparable(old.spec))) {
    errors.push(
      fieldError(
        'spec',
        'Forbidden',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  }
  const before = parseQuantity(old.spec?.resources?.requests?.storage ?? 0) ?? 0;
  const after = parseQuantity(pvc.spec?.resources?.requests?.storage ?? 0) ?? 0;
  if (after < before) {
    errors.push(
      fieldError('spec.resources.requests.storage', 'Forbidden', 'field can not be less than previous value'),
    );
  }
}

/** The annotations that make a StorageClass the default (the beta one is still honoured by Kubernetes). */
const DEFAULT_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];

export const persistentVolumeClaimAdmission: KindAdmission<PVCObject> = {
  /**
   * Claims mount as filesystems unless they say Block; every new claim starts Pending;
   * a new claim that names no class (absent, not "") gets the default StorageClass.
   */
  default(pvc, ctx) {
    if (pvc.spec) pvc.spec.volumeMode ??= 'Filesystem';
    if (ctx.old) return;
    pvc.status = { ...pvc.status, phase: pvc.status?.phase ?? 'Pending' };
    if (pvc.spec && pvc.spec.storageClassName === undefined) {
      const name = defaultClass(ctx.storageClasses(), DEFAULT_CLASS_ANNOTATIONS);
      if (name) pvc.spec.storageClassName = name;
    }
  },

  validate(pvc, ctx) {
    const errors: FieldError[] = [];
    validateClaimSpec(pvc.spec, 'spec', errors);
    if (ctx.old) validateUpdate(pvc, ctx.old, errors);
    return errors;
  },
};
