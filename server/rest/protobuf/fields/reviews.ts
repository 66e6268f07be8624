import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/api authentication/v1 and authorization/v1 (generated.proto), as message-fields.ts reads them. */
export const REVIEWS_FIELDS: MessageFields = {
  BoundObjectReference: '1 kind, 2 apiVersion, 3 name, 4 uid',
  FieldSelectorAttributes: '1 rawSelector, 2 requirements []FieldSelectorRequirement',
  LabelSelectorAttributes: '1 rawSelector, 2 requirements []LabelSelectorRequirement',
  NonResourceAttributes: '1 path, 2 verb',
  ResourceAttributes:
    '1 namespace, 2 verb, 3 group, 4 version, 5 resource, 6 subresource, 7 name, 8 fieldSelector FieldSelectorAttributes, 9 labelSelector LabelSelectorAttributes',
  SelfSubjectAccessReview: '1 metadata ObjectMeta, 2 spec SelfSubjectAccessReviewSpec',
  SelfSubjectAccessReviewSpec:
    '1 resourceAttributes ResourceAttributes, 2 nonResourceAttributes NonResourceAttributes',
  SelfSubjectReview: '1 metadata ObjectMeta',
  SelfSubjectRulesReview: '1 metadata ObjectMeta, 2 spec SelfSubjectRulesReviewSpec',
  SelfSubjectRulesReviewSpec: '1 namespace',
  TokenRequest: '1 metadata ObjectMeta, 2 spec TokenRequestSpec',
  TokenRequestSpec: '1 audiences []string, 3 boundObjectRef BoundObjectReference, 4 expirationSeconds int64?',
};
