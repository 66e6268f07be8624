import type { KindDefinition } from '../../schema/kind.ts';
import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import type { ServedVersion } from '../conversion/served-versions.ts';
import type { JSONSchemaProps } from './json-schema.ts';

/** Where a version's scale subresource finds the replicas and the selector in its objects. */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One version a custom resource is served at. */
export interface CustomVersion {
  /** The kind as this version shows it: its apiVersion, and the shape of its schema. */
  def: KindDefinition;
  schema: JSONSchemaProps;
  /** Set when the version has a scale subresource. */
  scale?: ScalePaths;
  /** Set for a version other than the storage one: how its objects convert (strategy None). */
  converted?: ServedVersion;
}

/** What the server knows of each custom kind it serves beyond its KindDefinition. */
export interface ServedCustomResource {
  crd: CustomResourceDefinition;
  /** The storage version's openAPIV3Schema: what objects are validated and defaulted with. */
  schema: JSONSchemaProps;
  /** The storage version's scale subresource, which the stored objects are scaled through. */
  scale?: ScalePaths;
  /** The served versions, the preferred one first (version-priority.ts). */
  versions: CustomVersion[];
}

const served = new Map<string, ServedCustomResource>();

export function servedCustomResource(kind: string): ServedCustomResource | undefined {
  return served.get(kind);
}

export function setServedCustomResource(kind: string, entry: ServedCustomResource | undefined): void {
  if (entry) served.set(kind, entry);
  else served.delete(kind);
}

/** Every version of every custom resource served now, each resource's preferred version first. */
export function servedCustomVersions(): KindDefinition[] {
  return [...served.values()].flatMap((resource) => resource.versions.map((version) => version.def));
}

/** The served version of a custom kind at an apiVersion (`stable.example.com/v1beta1`). */
export function customVersionAt(apiVersion: string, kind: string): CustomVersion | undefined {
  return served.get(kind)?.versions.find((version) => version.def.apiVersion === apiVersion);
}
