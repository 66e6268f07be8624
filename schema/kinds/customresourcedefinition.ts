import { defineKind } from '../kind.ts';
import { described, keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, ObjectMeta } from './meta.ts';

export const CustomResourceDefinitionNames = s.object(
  'CustomResourceDefinitionNames',
  {
    plural: required(s.string('The resource in URLs (/apis/<group>/<version>/<plural>): lowercase.')),
    singular: s.string('The singular name (the lowercased kind when unset).'),
    kind: required(s.string('The kind of the objects, as manifests name it (CamelCase).')),
    listKind: s.string('The kind of a list of them (`<kind>List` when unset).'),
    shortNames: s.list(s.string(), 'Short names kubectl accepts (`kubectl get ct`).'),
    categories: s.list(s.string(), 'Groups of resources this one belongs to (`kubectl get all`).'),
  },
  'The names a custom resource is served under.',
);

export const CustomResourceColumnDefinition = s.object(
  'CustomResourceColumnDefinition',
  {
    name: required(s.string('The column header.')),
    type: required(
      s.oneOf(['integer', 'number', 'string', 'boolean', 'date'], 'The OpenAPI type of the cells.'),
    ),
    format: s.string('An OpenAPI format of the cells.'),
    description: s.string(),
    priority: s.int('0: shown by `kubectl get`; above 0: only with `-o wide`.'),
    jsonPath: required(s.string('Where each object has the cell, a simple JSONPath (`.spec.replicas`).')),
  },
  'A column `kubectl get` prints for a custom resource.',
);

export const CustomResourceSubresourceScale = s.object(
  'CustomResourceSubresourceScale',
  {
    specReplicasPath: required(s.string('Where the desired replicas are: `.spec.<field>`.')),
    statusReplicasPath: required(s.string('Where the observed replicas are: `.status.<field>`.')),
    labelSelectorPath: s.string('Where the label selector of the replicas is, as a string.'),
  },
  'The scale subresource of a custom resource.',
);

export const CustomResourceSubresources = s.object(
  'CustomResourceSubresources',
  {
    status: s.json('When set (to {}), `status` is written only through the status subresource.'),
    scale: CustomResourceSubresourceScale,
  },
  'The subresources of a custom resource.',
);

export const CustomResourceDefinitionVersion = s.object(
  'CustomResourceDefinitionVersion',
  {
    name: required(s.string('The version: v1, v1beta1, v2alpha1...')),
    served: required(s.bool('Whether the REST API serves this version.')),
    storage: required(s.bool('Whether objects are stored at this version: exactly one version is.')),
    deprecated: s.bool(),
    deprecationWarning: s.string(),
    schema: s.object('CustomResourceValidation', {
      openAPIV3Schema: s.json(
        'The structural OpenAPI v3 schema objects are validated, pruned and defaulted with.',
      ),
    }),
    subresources: CustomResourceSubresources,
    additionalPrinterColumns: s.list(CustomResourceColumnDefinition, 'Columns beyond NAME and AGE.'),
  },
  'One version of a custom resource.',
);

export const CustomResourceDefinitionSpec = s.object(
  'CustomResourceDefinitionSpec',
  {
    group: required(s.string('The API group (a DNS subdomain): /apis/<group>/<version>.')),
    names: required(CustomResourceDefinitionNames),
    scope: required(s.enum('ResourceScope', ['Namespaced', 'Cluster'], 'Namespaced or Cluster.')),
    versions: required(keyedBy(s.list(CustomResourceDefinitionVersion, 'The versions served.'), 'name')),
    conversion: s.json('How objects convert between versions (None only).'),
    preserveUnknownFields: s.bool('Deprecated: false.'),
  },
  'A custom resource: its group, names, scope and versions.',
);

export const CustomResourceDefinitionStatus = s.object('CustomResourceDefinitionStatus', {
  conditions: keyedBy(
    s.list(conditionShape('CustomResourceDefinitionCondition'), 'NamesAccepted and Established.'),
    'type',
  ),
  acceptedNames: described(CustomResourceDefinitionNames, 'The names the resource is served under.'),
  storedVersions: s.list(s.string(), 'Every version objects have been stored at.'),
});

const description =
  'A custom resource served by the API server: its group, names, scope and versions with their schemas.';

export const CustomResourceDefinition = s.object(
  'CustomResourceDefinition',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: required(CustomResourceDefinitionSpec),
    status: CustomResourceDefinitionStatus,
  },
  description,
);
export type CustomResourceDefinition = Infer<typeof CustomResourceDefinition>;

export const customResourceDefinitionKind = defineKind({
  kind: 'CustomResourceDefinition',
  apiVersion: 'apiextensions.k8s.io/v1',
  plural: 'customresourcedefinitions',
  shortNames: ['crd', 'crds'],
  namespaced: false,
  shape: CustomResourceDefinition,
  description,
});
