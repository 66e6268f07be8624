import type { MessageFields } from '../message-fields.ts';

/**
 * The protobuf field numbers of apiextensions.k8s.io/v1 (generated.proto), as
 * message-fields.ts reads them. A version's schema (JSONSchemaProps), its status
 * subresource and the conversion are left out: such a body is decoded without them, and
 * admission refuses a version without a schema, naming it.
 */
export const APIEXTENSIONS_FIELDS: MessageFields = {
  CustomResourceDefinition:
    '1 metadata ObjectMeta, 2 spec CustomResourceDefinitionSpec, 3 status CustomResourceDefinitionStatus',
  CustomResourceDefinitionSpec:
    '1 group, 3 names CustomResourceDefinitionNames, 4 scope, 7 versions []CustomResourceDefinitionVersion, 10 preserveUnknownFields bool',
  CustomResourceDefinitionNames:
    '1 plural, 2 singular, 3 shortNames []string, 4 kind, 5 listKind, 6 categories []string',
  CustomResourceDefinitionVersion:
    '1 name, 2 served bool?, 3 storage bool?, 5 subresources CustomResourceSubresources, 6 additionalPrinterColumns []CustomResourceColumnDefinition, 7 deprecated bool, 8 deprecationWarning string?',
  CustomResourceColumnDefinition: '1 name, 2 type, 3 format, 4 description, 5 priority int32, 6 jsonPath',
  CustomResourceSubresources: '2 scale CustomResourceSubresourceScale',
  CustomResourceSubresourceScale: '1 specReplicasPath, 2 statusReplicasPath, 3 labelSelectorPath string?',
  CustomResourceDefinitionStatus:
    '1 conditions []CustomResourceDefinitionCondition, 2 acceptedNames CustomResourceDefinitionNames, 3 storedVersions []string',
  CustomResourceDefinitionCondition:
    '1 type, 2 status, 3 lastTransitionTime Time, 4 reason, 5 message, 6 observedGeneration int64',
};
