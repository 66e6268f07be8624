import { defaultFieldResolver, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { KindDefinition } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { kindRequest, type Request } from '../auth/access-control.ts';
import type { Context } from './builder.ts';

/**
 * How a field is authorized, declared where the field is defined (`...requires(...)` in its
 * config) and enforced here, so that what a field says it needs is what it is checked for:
 * - `requires`: RBAC requests, made from the field's arguments (and its parent object), all
 *   checked before the field resolves or, for a subscription, before it subscribes;
 * - `callerOnly`: the field answers about the caller alone (its identity, its permissions,
 *   its own exec session), which every authenticated caller may ask;
 * - `perObject`: the resolver authorizes each object it touches, which the arguments
 *   cannot tell in advance (an apply's manifests, an id's object).
 * Every root field must declare one: `enforceFieldAccess` refuses to build a schema with
 * a query, mutation or subscription that does not.
 */
export type FieldAccess =
  { requires: (args: Args, parent: unknown) => Request[] } | { callerOnly: string } | { perObject: string };

type Args = Record<string, unknown>;

const EXTENSION = 'access';

/** Declares the RBAC requests a field makes; spread into the field's config. */
export function requires<A = Args, P = unknown>(requests: (args: A, parent: P) => Request | Request[]) {
  const access: FieldAccess = {
    requires: (args, parent) => [requests(args as A, parent as P)].flat(),
  };
  return { extensions: { [EXTENSION]: access } };
}

/** Declares a field that answers about the caller only (`why` says how); spread into its config. */
export function callerOnly(why: string) {
  return { extensions: { [EXTENSION]: { callerOnly: why } satisfies FieldAccess } };
}

/** Declares a field whose resolver authorizes each object it touches (`why` says how); spread into its config. */
export function perObject(why: string) {
  return { extensions: { [EXTENSION]: { perObject: why } satisfies FieldAccess } };
}

/** A field's declared authorization, if any. */
export function fieldAccessOf(field: { extensions: object }): FieldAccess | undefined {
  return (field.extensions as Record<string, FieldAccess | undefined>)[EXTENSION];
}

/** The request of a verb on a kind (by definition or name); a null namespace or name is none. */
export function onKind(
  kind: string | KindDefinition,
  verb: string,
  namespace: string | null | undefined,
  name?: string | null,
  subresource?: string,
): Request {
  const def = typeof kind === 'string' ? kindByName(kind)! : kind;
  return kindRequest(def, verb, namespace ?? undefined, name ?? undefined, subresource);
}

/**
 * Makes every field that `requires` requests check them before it resolves (or subscribes),
 * with the caller's FORBIDDEN at the field's path. Throws when a root field declares nothing,
 * so that no field of the API can be added unchecked.
 */
export function enforceFieldAccess(schema: GraphQLSchema): void {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, Context>[]) {
      const access = fieldAccessOf(field);
      if (!access && roots.has(type)) {
        throw new Error(
          `${type.name}.${field.name} declares no authorization: add requires(), callerOnly() or perObject() (server/graphql/field-access.ts) to its config`,
        );
      }
      if (access && 'requires' in access) guard(field, access.requires);
    }
  }
}

function guard(field: GraphQLField<unknown, Context>, requests: (args: Args, parent: unknown) => Request[]) {
  const check = (parent: unknown, args: Args, ctx: Context) => {
    for (const request of requests(args, parent)) ctx.access.require(ctx.principal, request);
  };
  if (field.subscribe) {
    const subscribe = field.subscribe;
    field.subscribe = (parent, args, ctx, info) => {
      check(parent, args, ctx);
      return subscribe(parent, args, ctx, info);
    };
    return;
  }
  const resolve = field.resolve ?? defaultFieldResolver;
  field.resolve = (parent, args, ctx, info) => {
    check(parent, args, ctx);
    return resolve(parent, args, ctx, info);
  };
}

/**
 * What only a node's own agent does (take its pods' stream requests, report its usage):
 * checked as the write every agent makes for its node, `update nodes/status`, which
 * Kubernetes' `system:node` role grants.
 */
export function nodeAgent(nodeName: string): Request {
  return onKind('Node', 'update', undefined, nodeName, 'status');
}
