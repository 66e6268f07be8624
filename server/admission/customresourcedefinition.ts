import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import { namesConflict } from '../crd/accepted-names.ts';
import { checkStructural } from '../crd/structural-schema.ts';
import type { AdmissionContext, KindAdmission } from './admission.ts';
import * as v from './validation.ts';

type CRDObject = CustomResourceDefinition & Resource;

const CRD = 'CustomResourceDefinition';
const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'date'];

/**
 * A CustomResourceDefinition is named, defaulted and validated here; its status is the
 * server's: names accepted (unless taken) and established at once (kubeql serves a custom
 * resource as soon as it is stored), every storage version remembered in storedVersions.
 */
export const customResourceDefinitionAdmission: KindAdmission<CRDObject> = {
  default(crd, ctx) {
    const names = crd.spec?.names;
    if (names?.kind) {
      names.singular ??= names.kind.toLowerCase();
      names.listKind ??= `${names.kind}List`;
    }
    crd.spec.conversion ??= { strategy: 'None' };
    for (const version of crd.spec?.versions ?? []) {
      for (const column of version.additionalPrinterColumns ?? []) column.priority ??= 0;
    }
    crd.status = crdStatus(crd, ctx);
  },

  validate(crd, ctx) {
    const errors: FieldError[] = [];
    const spec = crd.spec;
    if (!spec.group) errors.push(fieldError('spec.group', 'Required', 'Required value'));
    else {
      v.dns1123Subdomain(spec.group, 'spec.group', errors);
      if (!spec.group.includes('.'))
        errors.push(
          fieldError(
            'spec.group',
            'Invalid',
            `Invalid value: "${spec.group}": should be a domain with at least one dot`,
          ),
        );
    }
    names(crd, errors);
    const expected = `${spec.names.plural}.${spec.group}`;
    if (crd.metadata.name !== expected)
      errors.push(
        fieldError(
          'metadata.name',
          'Invalid',
          `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group`,
        ),
      );
    versions(crd, errors);
    const old = ctx.old;
    if (old) {
      v.immutable(spec.group, old.spec.group, 'spec.group', errors);
      v.immutable(spec.scope, old.spec.scope, 'spec.scope', errors);
    }
    return errors;
  },
};

function names(crd: CRDObject, errors: FieldError[]): void {
  const names = crd.spec.names;
  const at = 'spec.names';
  if (!names.plural) errors.push(fieldError(`${at}.plural`, 'Required', 'Required value'));
  else v.dns1123Label(names.plural, `${at}.plural`, errors);
  if (names.singular) v.dns1123Label(names.singular, `${at}.singular`, errors);
  if (!names.kind) errors.push(fieldError(`${at}.kind`, 'Required', 'Required value'));
  if (names.kind && names.kind === names.listKind)
    errors.push(
      fieldError(
        `${at}.listKind`,
        'Invalid',
        `Invalid value: "${names.listKind}": kind and listKind may not be the same`,
      ),
    );
  names.shortNames?.forEach((shortName, i) =>
    v.dns1123Label(shortName, joinPath(`${at}.shortNames`, i), errors),
  );
  names.categories?.forEach((category, i) =>
    v.dns1123Label(category, joinPath(`${at}.categories`, i), errors),
  );
}

function versions(crd: CRDObject, errors: FieldError[]): void {
  const versions = crd.spec.versions;
  if (!versions.length) {
    errors.push(
      fieldError(
        'spec.versions',
        'Invalid',
        'Invalid value: []: must have exactly one version marked as storage version',
      ),
    );
    return;
  }
  const storage = versions.filter((version) => version.storage).length;
  if (storage !== 1)
    errors.push(
      fieldError(
        'spec.versions',
        'Invalid',
        `Invalid value: ${JSON.stringify(versions.map((version) => version.name))}: must have exactly one version marked as storage version`,
      ),
    );
  const seen = new Set<string>();
  versions.forEach((version, i) => {
    const at = joinPath('spec.versions', i);
    v.dns1123Label(version.name, joinPath(at, 'name'), errors);
    if (seen.has(version.name))
      errors.push(fieldError(joinPath(at, 'name'), 'Duplicate', `Duplicate value: "${version.name}"`));
    seen.add(version.name);
    checkStructural(version.schema?.openAPIV3Schema, `${at}.schema.openAPIV3Schema`, errors);
    const scale = version.subresources?.scale;
    if (scale) {
      underPath(scale.specReplicasPath, '.spec.', `${at}.subresources.scale.specReplicasPath`, errors);
      underPath(scale.statusReplicasPath, '.status.', `${at}.subresources.scale.statusReplicasPath`, errors);
      if (scale.labelSelectorPath !== undefined)
        underPath(
          scale.labelSelectorPath,
          '.status.',
          `${at}.subresources.scale.labelSelectorPath`,
          errors,
          '.spec.',
        );
    }
    version.additionalPrinterColumns?.forEach((column, j) => {
      const columnAt = joinPath(`${at}.additionalPrinterColumns`, j);
      if (!column.name) errors.push(fieldError(joinPath(columnAt, 'name'), 'Required', 'Required value'));
      v.supported(column.type, COLUMN_TYPES, joinPath(columnAt, 'type'), errors);
      if (!column.jsonPath)
        errors.push(fieldError(joinPath(columnAt, 'jsonPath'), 'Required', 'Required value'));
      if (column.priority !== undefined && column.priority < 0)
        errors.push(
          fieldError(
            joinPath(columnAt, 'priority'),
            'Invalid',
            `Invalid value: ${column.priority}: must be greater than or equal to 0`,
          ),
        );
    });
  });
  if (!versions.some((version) => version.served))
    errors.push(
      fieldError('spec.versions', 'Invalid', 'Invalid value: must have at least one served version'),
    );
}

function underPath(
  value: string,
  prefix: string,
  path: string,
  errors: FieldError[],
  orPrefix?: string,
): void {
  if (value.startsWith(prefix) || (orPrefix && value.startsWith(orPrefix))) return;
  errors.push(
    fieldError(
      path,
      'Invalid',
      `Invalid value: "${value}": should be a json path under ${prefix.slice(0, -1)}`,
    ),
  );
}

/**
 * What the apiextensions controllers would report: names accepted unless another
 * definition or a built-in kind has them (accepted-names.ts), and then established;
 * every storage version in storedVersions.
 */
function crdStatus(crd: CRDObject, ctx: AdmissionContext<CRDObject>): NonNullable<CRDObject['status']> {
  const kept = (type: string, status: string) =>
    ctx.old?.status?.conditions?.find((c) => c.type === type && c.status === status);
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: kept(type, status)?.lastTransitionTime ?? ctx.now,
  });
  const stored = crd.spec.versions?.find((version) => version.storage)?.name;
  const storedVersions = [...(ctx.old?.status?.storedVersions ?? [])];
  if (stored && !storedVersions.includes(stored)) storedVersions.push(stored);
  const conflict = namesConflict(crd, ctx.objects(CRD, undefined));
  if (conflict)
    return {
      conditions: [
        condition('NamesAccepted', 'False', conflict.reason, conflict.message),
        condition('Established', 'False', 'NotAccepted', 'not all names are accepted'),
      ],
      acceptedNames: { plural: '', kind: '' },
      storedVersions,
    };
  return {
    conditions: [
      condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    acceptedNames: structuredClone(crd.spec.names),
    storedVersions,
  };
}
