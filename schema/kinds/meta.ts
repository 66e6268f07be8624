import { alwaysSet, keyedBy, required, s, type Infer } from '../shape.ts';

export const OwnerReference = s.object(
  'OwnerReference',
  {
    apiVersion: required(s.string()),
    kind: required(s.string()),
    name: required(s.string()),
    uid: required(s.string()),
    controller: s.bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: s.bool(
      'If true, the owner cannot be deleted (foreground) until this reference is removed.',
    ),
  },
  'Identifies an owning object; the garbage collector deletes dependents of a deleted owner.',
);

export const ManagedFieldsEntry = s.object(
  'ManagedFieldsEntry',
  {
    manager: s.string('The workflow managing these fields: the fieldManager of its writes.'),
    operation: s.enum('ManagedFieldsOperation', ['Apply', 'Update'], 'Apply (server-side apply) or Update.'),
    apiVersion: s.string('The version of the object the fields were set through.'),
    time: s.string('When this manager last changed the object.'),
    fieldsType: s.string('The encoding of fieldsV1: always "FieldsV1".'),
    fieldsV1: s.json(
      'The set of fields the manager owns: `f:<field>`, `k:{<key fields>}` for items of keyed lists, `v:<value>` for items of sets, `.` for the item itself.',
    ),
    subresource: s.string('The subresource the fields were set through ("status"), or none.'),
  },
  'The fields one manager owns, as server-side apply tracks them.',
);
export type ManagedFieldsEntry = Infer<typeof ManagedFieldsEntry>;

const metaFields = {
  name: s.string('Unique within a namespace (DNS-1123 subdomain for most kinds).'),
  generateName: s.string('Prefix used to generate a unique name when name is empty.'),
  namespace: s.string(),
  uid: s.string('Set by the server; unique in time and space.'),
  resourceVersion: s.string(
    'The global revision of the last write to this object. Opaque: compare for equality only.',
  ),
  generation: s.int('Incremented by the server on every change to spec.'),
  creationTimestamp: s.string(),
  deletionTimestamp: s.string('Set when deletion was requested and finalizers still hold the object.'),
  deletionGracePeriodSeconds: s.int(),
  labels: s.map(),
  annotations: s.map(),
  ownerReferences: keyedBy(s.list(OwnerReference), 'uid'),
  finalizers: s.list(s.string()),
};

/**
 * Standard object metadata, with Kubernetes' field names. What the server sets or insists
 * on at every write is on every stored object, so reads never find it missing.
 */
export const ObjectMeta = s.object(
  'ObjectMeta',
  {
    ...metaFields,
    name: alwaysSet(metaFields.name),
    uid: alwaysSet(metaFields.uid),
    resourceVersion: alwaysSet(metaFields.resourceVersion),
    generation: alwaysSet(metaFields.generation),
    creationTimestamp: alwaysSet(metaFields.creationTimestamp),
    managedFields: s.list(ManagedFieldsEntry, 'Which manager owns which fields, for server-side apply.'),
  },
  "Standard object metadata, with Kubernetes' field names.",
);
export type ObjectMeta = Infer<typeof ObjectMeta>;

export type OwnerReference = Infer<typeof OwnerReference>;

/**
 * The metadata a template (a PodTemplateSpec, a CronJob's job template) gives the objects
 * made from it: ObjectMeta's fields, of which labels and annotations matter, none set by
 * the server (a template has no name, uid or resourceVersion of its own).
 */
export const TemplateObjectMeta = s.object(
  'TemplateObjectMeta',
  metaFields,
  'The metadata a template gives the objects made from it: mostly labels and annotations.',
);

// Enumerations several kinds share.
export const Protocol = s.enum('Protocol', ['TCP', 'UDP', 'SCTP']);
export const TaintEffect = s.enum('TaintEffect', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
export const ConditionStatus = s.enum('ConditionStatus', ['True', 'False', 'Unknown']);

export const LabelSelectorRequirement = s.object('LabelSelectorRequirement', {
  key: required(s.string()),
  operator: required(s.enum('LabelSelectorOperator', ['In', 'NotIn', 'Exists', 'DoesNotExist'])),
  values: s.list(s.string()),
});

export const LabelSelector = s.object(
  'LabelSelector',
  {
    matchLabels: s.map(),
    matchExpressions: s.list(LabelSelectorRequirement),
  },
  'Selects objects by label; all requirements are ANDed. An empty selector matches everything.',
);
export type LabelSelector = Infer<typeof LabelSelector>;

export const LocalObjectReference = s.object('LocalObjectReference', { name: s.string() });

export const ObjectReference = s.object('ObjectReference', {
  apiVersion: s.string(),
  kind: s.string(),
  namespace: s.string(),
  name: s.string(),
  uid: s.string(),
  resourceVersion: s.string(),
  fieldPath: s.string(),
});

/** Every kind's condition list has this shape (PodCondition, DeploymentCondition, ...). */
export function conditionShape(name: string) {
  return s.object(name, {
    type: required(s.string()),
    status: required(ConditionStatus),
    reason: s.string(),
    message: s.string(),
    lastTransitionTime: s.string(),
    lastUpdateTime: s.string(),
    lastProbeTime: s.string(),
    lastHeartbeatTime: s.string(),
    observedGeneration: s.int(),
  });
}
