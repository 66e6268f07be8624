import { META, refTo } from './openapi-names.ts';

export type Schema = { [key: string]: unknown };

export const API_VERSION_DESCRIPTION =
  'The versioned schema of this representation of an object, e.g. "v1" or "apps/v1". Servers reject versions they do not serve.';
export const KIND_DESCRIPTION =
  'The REST resource this object represents, in CamelCase, e.g. "Pod". Cannot be updated.';

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

const string = (description: string): Schema => ({ description, type: 'string' });
const integer = (description: string): Schema => ({ description, type: 'integer' });
const ref = (name: string, description: string): Schema => ({ allOf: [{ $ref: refTo(name) }], description });

/**
 * The apimachinery types that are no kind's shape but that list, delete, patch and watch
 * operations and the shapes' scalars refer to, under Kubernetes' names. A document takes
 * those its other schemas refer to.
 */
export const APIMACHINERY_SCHEMAS: Record<string, Schema> = {
  [QUANTITY]: {
    description:
      'A fixed-point amount: a number with an optional SI ("500m", "2k") or binary ("128Mi", "1Gi") suffix.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  [INT_OR_STRING]: {
    description: 'An integer or a string, such as a port number or name, or a percentage like "25%".',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },
  [`${META}.ListMeta`]: {
    description: 'Metadata of a list.',
    type: 'object',
    properties: {
      resourceVersion: string(
        'The revision the list was read at; a watch from it sees every change after the list. Opaque: compare for equality only.',
      ),
      continue: string('Set when more items are left: pass it as `continue` to read the next page.'),
      remainingItemCount: integer('How many items are left after this page, when known.'),
    },
  },
  [`${META}.Status`]: {
    description: 'The result of an operation that returns no object, and every error.',
    type: 'object',
    properties: {
      apiVersion: string(API_VERSION_DESCRIPTION),
      kind: string(KIND_DESCRIPTION),
      metadata: ref(`${META}.ListMeta`, 'Standard list metadata.'),
      status: string('"Success" or "Failure".'),
      message: string('A human-readable description of the result.'),
      reason: string('A machine-readable CamelCase reason for a failure, e.g. NotFound or Conflict.'),
      details: ref(`${META}.StatusDetails`, 'More about the failure, depending on the reason.'),
      code: integer('The HTTP status code of the result.'),
    },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
  [`${META}.StatusDetails`]: {
    description: 'Which object a failure is about, and its causes.',
    type: 'object',
    properties: {
      name: string('Name of the object the failure is about.'),
      group: string('API group of the object.'),
      kind: string('Kind (or resource) of the object.'),
      uid: string('UID of the object.'),
      causes: {
        description: 'Every cause of the failure, e.g. each invalid field.',
        type: 'array',
        items: { $ref: refTo(`${META}.StatusCause`) },
      },
      retryAfterSeconds: integer('Seconds to wait before retrying, when the server says so.'),
    },
  },
  [`${META}.StatusCause`]: {
    description: 'One cause of a failure.',
    type: 'object',
    properties: {
      reason: string('Machine-readable cause, e.g. FieldValueInvalid.'),
      message: string('Human-readable description of the cause.'),
      field: string('Path of the field at fault, e.g. spec.containers[0].image.'),
    },
  },
  [`${META}.DeleteOptions`]: {
    description: 'How to delete an object.',
    type: 'object',
    properties: {
      apiVersion: string(API_VERSION_DESCRIPTION),
      kind: string(KIND_DESCRIPTION),
      gracePeriodSeconds: integer(
        'Seconds before the object is deleted; 0 deletes at once. Defaults to the kind or object default.',
      ),
      preconditions: ref(`${META}.Preconditions`, 'Conditions the object must meet to be deleted.'),
      propagationPolicy: {
        description: 'What happens to dependents: Orphan, Background (the default) or Foreground.',
        type: 'string',
        enum: ['Orphan', 'Background', 'Foreground'],
      },
      orphanDependents: { description: 'Deprecated: use propagationPolicy.', type: 'boolean' },
      dryRun: {
        description: 'When present, nothing is persisted; "All" runs every stage.',
        type: 'array',
        items: { type: 'string' },
      },
    },
  },
  [`${META}.Preconditions`]: {
    description: 'Conditions an object must meet before an operation proceeds.',
    type: 'object',
    properties: {
      uid: string('The UID the object must have.'),
      resourceVersion: string('The resourceVersion the object must have.'),
    },
  },
  [`${META}.Patch`]: {
    description:
      'A patch body: JSON patch, JSON merge patch, strategic merge patch or an apply configuration, by Content-Type.',
    type: 'object',
  },
  [`${META}.WatchEvent`]: {
    description: 'One event of a watch stream.',
    type: 'object',
    properties: {
      type: string('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
      object: ref(
        'io.k8s.apimachinery.pkg.runtime.RawExtension',
        'The object (a Status for ERROR; only its resourceVersion for BOOKMARK).',
      ),
    },
    required: ['type', 'object'],
  },
  [`${META}.FieldsV1`]: {
    description:
      'The set of fields a manager owns, as a JSON object: `f:<field>` for a field, `k:{<key fields>}` for an item of a keyed list, `v:<value>` for an item of a set, `.` for the item itself.',
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {
    description: 'An embedded object of any kind.',
    type: 'object',
  },
};
