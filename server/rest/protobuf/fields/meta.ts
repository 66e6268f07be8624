import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/apimachinery: pkg/apis/meta/v1, pkg/api/resource and pkg/util/intstr (generated.proto), as message-fields.ts reads them. */
export const META_FIELDS: MessageFields = {
  Condition: '1 type, 2 status, 3 observedGeneration int64, 4 lastTransitionTime Time, 5 reason, 6 message',
  DeleteOptions:
    '1 gracePeriodSeconds int64?, 2 preconditions Preconditions, 3 orphanDependents bool?, 4 propagationPolicy string?, 5 dryRun []string',
  FieldSelectorRequirement: '1 key, 2 operator, 3 values []string',
  IntOrString: '1 type int64, 2 intVal int32, 3 strVal',
  LabelSelector: '1 matchLabels map<string>, 2 matchExpressions []LabelSelectorRequirement',
  LabelSelectorRequirement: '1 key, 2 operator, 3 values []string',
  MicroTime: '1 seconds int64, 2 nanos int32',
  ObjectMeta:
    '1 name, 2 generateName, 3 namespace, 5 uid, 6 resourceVersion, 7 generation int64, 8 creationTimestamp Time, 9 deletionTimestamp Time, 10 deletionGracePeriodSeconds int64?, 11 labels map<string>, 12 annotations map<string>, 13 ownerReferences []OwnerReference, 14 finalizers []string',
  OwnerReference: '1 kind, 3 name, 4 uid, 5 apiVersion, 6 controller bool?, 7 blockOwnerDeletion bool?',
  Preconditions: '1 uid string?, 2 resourceVersion string?',
  Quantity: '1 string',
  RawExtension: '1 raw bytes',
  Time: '1 seconds int64, 2 nanos int32',
};
