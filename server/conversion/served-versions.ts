import type { FieldError } from '../../schema/field-error.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { hpaKind } from '../../schema/kinds/hpa.ts';
import { hpaV1Kind } from '../../schema/kinds/hpa-v1.ts';
import { checkShape, isPlainObject } from '../../schema/shape-check.ts';
import { invalid } from '../errors.ts';
import { handleUnknownFields, type UnknownFieldPolicy } from '../resources/unknown-fields.ts';
import { hpaFromV1, hpaToV1 } from './hpa-v1.ts';

/**
 * A kind served at an apiVersion other than the one the store keeps it at, with the
 * conversions both ways. Reads, watches and write answers at that version go through
 * `toServed`; what is written at it goes through `toStored` after its own shape's check.
 */
export interface ServedVersion {
  /** The kind as this version shows it: its apiVersion and shape (validation, patches, OpenAPI). */
  served: KindDefinition;
  /** The kind as the store keeps it: admission, the store and GraphQL know only this one. */
  stored: KindDefinition;
  toServed(obj: Resource): Resource;
  toStored(obj: Resource): Resource;
}

export const SERVED_VERSIONS: readonly ServedVersion[] = [
  {
    served: hpaV1Kind as KindDefinition,
    stored: hpaKind as KindDefinition,
    toServed: (obj) => hpaToV1(obj as Parameters<typeof hpaToV1>[0]),
    toStored: (obj) => hpaFromV1(obj as Parameters<typeof hpaFromV1>[0]),
  },
];

/** The served version of a kind at an apiVersion (`autoscaling/v1`) that is not its stored one. */
export function servedVersionOf(apiVersion: string, kind: string): ServedVersion | undefined {
  return SERVED_VERSIONS.find((v) => v.served.apiVersion === apiVersion && v.served.kind === kind);
}

/**
 * A manifest written at a served version, checked against that version's shape (unknown
 * fields handled by `policy`, as the stored kind's would be) and converted to the stored
 * version; any other manifest as it is.
 */
export function toStoredVersion(manifest: unknown, policy: UnknownFieldPolicy = {}): unknown {
  if (!isPlainObject(manifest)) return manifest;
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return manifest;
  const version = servedVersionOf(apiVersion, kind);
  return version ? checkedToStored(version, manifest, policy) : manifest;
}

/** An object of the served version, checked against its shape, as the store keeps it. */
export function checkedToStored(
  version: ServedVersion,
  manifest: unknown,
  policy: UnknownFieldPolicy = {},
): unknown {
  const { served } = version;
  if (isPlainObject(manifest)) {
    manifest.apiVersion ??= served.apiVersion;
    manifest.kind ??= served.kind;
  }
  handleUnknownFields(served, served.shape, manifest, '', policy);
  const errors: FieldError[] = [];
  checkShape(served.shape, manifest, '', errors);
  if (errors.length) throw invalid(served.kind, (manifest as Resource)?.metadata?.name ?? '', errors);
  return version.toStored(manifest as Resource);
}
