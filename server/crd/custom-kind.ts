import type { KindDefinition } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import type { JSONSchemaProps } from './json-schema.ts';
import { customResourceShape } from './schema-shape.ts';

export type CustomResourceVersion = CustomResourceDefinition['spec']['versions'][number];

/** The version objects are stored at, or undefined for a definition without one. */
export function storageVersion(crd: CustomResourceDefinition): CustomResourceVersion | undefined {
  return crd.spec.versions.find((version) => version.storage);
}

/** The schema of a version: an object at the root, whatever the definition says. */
export function versionSchema(version: CustomResourceVersion): JSONSchemaProps {
  return (version.schema?.openAPIV3Schema as JSONSchemaProps | undefined) ?? { type: 'object' };
}

/**
 * The kind a definition serves at one of its versions (the storage version unless told):
 * its apiVersion, and the shape of that version's schema, which checks and prunes what is
 * written at it. Undefined for a definition without a storage version.
 */
export function customResourceKind(
  crd: CustomResourceDefinition,
  version = storageVersion(crd),
): KindDefinition | undefined {
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
