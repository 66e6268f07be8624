import SchemaBuilder, { type ArgBuilder } from '@pothos/core';
import type { AccessControl } from '../auth/access-control.ts';
import type { ResourceService } from '../resources/service.ts';

/** Who is calling; authorization decisions read it. */
export interface Principal {
  name: string;
  groups: string[];
}

export interface Context {
  principal: Principal;
  resources: ResourceService;
  /** What the principal may do (RBAC), and the ServiceAccount tokens the server issues. */
  access: AccessControl;
  /**
   * The operation's warnings, for `extensions.warnings` (server/http/warnings.ts); absent
   * where nobody reads them (the in-process transport of the cluster's own components).
   */
  warnings?: string[];
}

/** A write's option that adds its warnings to the operation's, where they are collected. */
export function warnInto(ctx: Context): { warn?: (message: string) => void } {
  const warnings = ctx.warnings;
  return warnings ? { warn: (message) => warnings.push(message) } : {};
}

/** The one Pothos builder: every file under schema/ adds its types and fields to it. */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: true;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    StringMap: { Input: Record<string, string>; Output: Record<string, string> };
    Quantity: { Input: string | number; Output: string | number };
    ResourceList: { Input: Record<string, string | number>; Output: Record<string, string | number> };
    IntOrString: { Input: string | number; Output: string | number };
  };
}>({});

/**
 * The builder's schema types (context, scalars, nullability), for the refs and field
 * builders that are typed outside a builder call: `ObjectRef<Types, T>`, ...
 */
export type Types = typeof builder.$inferSchemaTypes;

/** What helpers that only add arguments need of a field builder (`t.arg`): any kind of field has it. */
export interface ArgsBuilder {
  arg: ArgBuilder<Types>;
}

builder.queryType({ description: 'Reads: get and list every kind, and follow the edges between objects.' });
builder.mutationType({
  description: 'Writes: apply manifests, create, replace, patch, delete, scale, status.',
});
builder.subscriptionType({
  description: 'Watches: every change to every kind, resumable from a resourceVersion.',
});
