import type { KindDefinition, Resource } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import type { ServedVersion } from '../conversion/served-versions.ts';
import { invalid } from '../errors.ts';
import { customResourceKind, versionSchema, type CustomResourceVersion } from './custom-kind.ts';
import type { JSONSchemaProps } from './json-schema.ts';
import { applyDefaults, objectSchemaErrors } from './schema-validation.ts';
import type { CustomVersion, ScalePaths } from './served-schemas.ts';
import { compareVersionPriority } from './version-priority.ts';

const OBJECT_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * The versions a definition serves, the preferred first: the storage version as `stored`
 * (the dynamic kind), each other one as a kind of its own that converts to it with
 * strategy None. A version not served is not among them, so its paths are not found.
 */
export function customVersions(crd: CustomResourceDefinition, stored: KindDefinition): CustomVersion[] {
  return crd.spec.versions
    .filter((version) => version.served)
    .sort((a, b) => compareVersionPriority(a.name, b.name))
    .map((version) => {
      const schema = versionSchema(version);
      const scale = scalePaths(version);
      const common = { schema, ...(scale ? { scale } : {}) };
      if (version.storage) return { def: stored, ...common };
      const def = customResourceKind(crd, version)!;
      return { def, ...common, converted: noneConversion(def, stored, schema) };
    });
}

export function scalePaths(version: CustomResourceVersion | undefined): ScalePaths | undefined {
  const scale = version?.subresources?.scale;
  if (!scale) return undefined;
  const { specReplicasPath, statusReplicasPath, labelSelectorPath } = scale;
  return { specReplicasPath, statusReplicasPath, ...(labelSelectorPath ? { labelSelectorPath } : {}) };
}

/**
 * Kubernetes' conversion strategy None: only apiVersion changes. What is written at the
 * served version is defaulted and validated with that version's schema first (its shape
 * has checked the types and pruned what the schema does not know), as Kubernetes handles
 * a request at the version it names; the storage version's admission then runs as usual.
 */
function noneConversion(
  served: KindDefinition,
  stored: KindDefinition,
  schema: JSONSchemaProps,
): ServedVersion {
  return {
    served,
    stored,
    toServed: (obj) => ({ ...obj, apiVersion: served.apiVersion }),
    toStored: (obj) => {
      const written = structuredClone(obj);
      applyDefaults(schema, written);
      const errors = objectSchemaErrors(schema, written, (field) => !OBJECT_FIELDS.has(field));
      if (errors.length) throw invalid(served.kind, written.metadata?.name ?? '', errors);
      return { ...written, apiVersion: stored.apiVersion } as Resource;
    },
  };
}
