import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { PersistentVolume } from '../../schema/kinds/persistentvolume.ts';
import { PERSISTENT_VOLUME_SOURCES } from '../../schema/kinds/volume-sources.ts';
import type { KindAdmission } from './admission.ts';
import { accessModes, className, positiveQuantity } from './storage-validation.ts';
import * as v from './validation.ts';

type PVObject = PersistentVolume & Resource;

/** A directory path on a node that must be absolute (nfs, local). */
function absolutePath(value: string | undefined, path: string, errors: FieldError[]): void {
  if (!value) errors.push(fieldError(path, 'Required', 'Required value'));
  else if (!value.startsWith('/'))
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must be an absolute path`));
}

function sources(pv: PVObject, errors: FieldError[]): void {
  const spec = pv.spec!;
  const given = PERSISTENT_VOLUME_SOURCES.filter((field) => spec[field as keyof typeof spec] !== undefined);
  if (!given.length) errors.push(fieldError('spec', 'Required', 'must specify a volume type'));
  for (const field of given.slice(1)) {
    errors.push(fieldError(joinPath('spec', field), 'Forbidden', 'may not specify more than 1 volume type'));
  }
  if (spec.hostPath) {
    if (!spec.hostPath.path) errors.push(fieldError('spec.hostPath.path', 'Required', 'Required value'));
    else if (spec.hostPath.path.split('/').includes('..')) {
      const message = `Invalid value: "${spec.hostPath.path}": must not contain '..'`;
      errors.push(fieldError('spec.hostPath.path', 'Invalid', message));
    }
  }
  if (spec.nfs) {
    if (!spec.nfs.server) errors.push(fieldError('spec.nfs.server', 'Required', 'Required value'));
    absolutePath(spec.nfs.path, 'spec.nfs.path', errors);
  }
  if (spec.local) {
    absolutePath(spec.local.path, 'spec.local.path', errors);
    if (!spec.nodeAffinity?.required) {
      errors.push(fieldError('spec.nodeAffinity', 'Required', 'Local volume requires node affinity'));
    }
  }
  if (spec.csi) {
    if (!spec.csi.driver) errors.push(fieldError('spec.csi.driver', 'Required', 'Required value'));
    if (!spec.csi.volumeHandle)
      errors.push(fieldError('spec.csi.volumeHandle', 'Required', 'Required value'));
  }
}

export const persistentVolumeAdmission: KindAdmission<PVObject> = {
  /** Volumes made by hand are retained when released; every new volume starts Pending. */
  default(pv, ctx) {
    if (pv.spec) {
      pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
      pv.spec.volumeMode ??= 'Filesystem';
    }
    if (!ctx.old) pv.status = { ...pv.status, phase: pv.status?.phase ?? 'Pending' };
  },

  validate(pv, ctx) {
    const errors: FieldError[] = [];
    const spec = pv.spec;
    if (!spec) return [fieldError('spec', 'Required', 'must specify a volume type')];
    accessModes(spec.accessModes, 'spec.accessModes', errors);
    const capacity = spec.capacity ?? {};
    if (!Object.keys(capacity).length) errors.push(fieldError('spec.capacity', 'Required', 'Required value'));
    else if (!('storage' in capacity) || Object.keys(capacity).length > 1) {
      const given = Object.keys(capacity).join(', ');
      errors.push(
        fieldError(
          'spec.capacity',
          'NotSupported',
          `Unsupported value: "${given}": supported values: "storage"`,
        ),
      );
    }
    for (const [resource, quantity] of Object.entries(capacity))
      positiveQuantity(quantity, `spec.capacity[${resource}]`, errors);
    sources(pv, errors);
    className(spec.storageClassName, 'spec.storageClassName', errors);
    const old = ctx.old?.spec;
    if (old) {
      const source = (s: typeof spec) =>
        Object.fromEntries(PERSISTENT_VOLUME_SOURCES.map((f) => [f, s[f as keyof typeof s]]));
      if (!v.equivalent(source(spec), source(old))) {
        errors.push(
          fieldError(
            'spec.persistentvolumesource',
            'Forbidden',
            'spec.persistentvolumesource is immutable after creation',
          ),
        );
      }
      v.immutable(spec.volumeMode, old.volumeMode, 'volumeMode', errors);
    }
    return errors;
  },
};
