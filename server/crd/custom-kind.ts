import type { KindDefinition } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import type { JSONSchemaProps } from './json-schema.ts';
import { customResourceShape } from './schema-shape.ts';

type Version = CustomResourceDefinition['spec']['versions'][number];

/** The version objects are stored at, or undefined for a definition without one. */
export function storageVersion(crd: CustomResourceDefinition): Version | undefined {
  return crd.spec.versions.find((version) => version.storage);
}

/** The schema of a version: an object at the root, whatever the definition says. */
export function versionSchema(version: Version): JSONSchemaProps {
  return (version.schema?.openAPIV3Schema as JSONSchemaProps | undefined) ?? { type: 'object' };
}

/**
 * The kind a definition serves, at its storage version (kubeql serves that version
 * only: versions convert with strategy None, which changes nothing but apiVersion).
 */
export function customResourceKind(crd: CustomResourceDefinition): KindDefinition | undefined {
  const version = storageVersion(crd);
  if (!version) return undefined;
  const { names, group } = crd.spec;
  const schema = versionSchema(version);
  const description = schema.description ?? `${names.kind}, a custom resource of ${group}.`;
  return {
    kind: names.kind,
    apiVersion: `${group}/${version.name}`,
    plural: names.plural,
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced: crd.spec.scope === 'Namespaced',
    shape: customResourceShape(names.kind, schema, description) as KindDefinition['shape'],
    description,
    hasStatus: version.subresources?.status !== undefined,
    pruneUnknownFields: true,
  };
}
