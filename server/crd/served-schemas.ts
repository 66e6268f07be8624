import type { CustomResourceDefinition } from '../../schema/kinds/customresourcedefinition.ts';
import type { JSONSchemaProps } from './json-schema.ts';

/** What the server knows of each custom kind it serves beyond its KindDefinition. */
export interface ServedCustomResource {
  crd: CustomResourceDefinition;
  /** The storage version's openAPIV3Schema: what objects are validated and defaulted with. */
  schema: JSONSchemaProps;
}

const served = new Map<string, ServedCustomResource>();

export function servedCustomResource(kind: string): ServedCustomResource | undefined {
  return served.get(kind);
}

export function setServedCustomResource(kind: string, entry: ServedCustomResource | undefined): void {
  if (entry) served.set(kind, entry);
  else served.delete(kind);
}
