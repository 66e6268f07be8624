import type { FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import { servedCustomResource } from '../crd/served-schemas.ts';
import { applyDefaults, objectSchemaErrors } from '../crd/schema-validation.ts';
import type { KindAdmission } from './admission.ts';

/** Fields of every object that the apiserver checks itself, never by the CRD's schema. */
const OBJECT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * The admission of every custom resource: its version's schema defaults and validates it
 * (the shape check, derived from the same schema, has checked its types).
 */
export const customResourceAdmission: KindAdmission = {
  default(obj) {
    const served = servedCustomResource(obj.kind);
    if (served) applyDefaults(served.schema, obj);
  },
  validate(obj) {
    return schemaErrors(obj, (field) => !OBJECT_FIELDS.has(field));
  },
  status(obj) {
    const served = servedCustomResource(obj.kind);
    if (served) applyDefaults(served.schema, obj);
    return schemaErrors(obj, (field) => field === 'status');
  },
};

function schemaErrors(obj: Resource, checked: (field: string) => boolean): FieldError[] {
  const served = servedCustomResource(obj.kind);
  return served ? objectSchemaErrors(served.schema, obj, checked) : [];
}
