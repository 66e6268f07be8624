import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { apiNames } from '../../schema/api-names.ts';
import type { KindDefinition } from '../../schema/kind.ts';
import type { Shape } from '../../schema/shape.ts';
import { dynamicKind, dynamicKinds, dynamicKindsGeneration } from '../../schema/kinds/dynamic-kinds.ts';
import { registerKind } from './kind-api.ts';
import { buildSchema, builtSchema } from './schema.ts';

/** Custom kinds given their GraphQL API on the builder, which cannot take a type back. */
const registered = new Map<string, KindDefinition>();
/** Custom kinds left out of GraphQL: their types' names are taken by the API's own. */
const refused = new Set<string>();
let current: { generation: number; schema: GraphQLSchema } | undefined;

/**
 * The schema of the moment: the static kinds' API and that of every custom resource served
 * now (schema/kinds/dynamic-kinds.ts), each with the operations a static kind has. Rebuilt
 * on the first call after the custom resources change; the transports ask per operation.
 * A kind is registered with the builder once, with the schema it was first served with;
 * the root fields of one no longer served are left out (and so its types).
 */
export function currentSchema(): GraphQLSchema {
  const generation = dynamicKindsGeneration();
  if (current?.generation === generation) return current.schema;
  const served = dynamicKinds();
  if (served.length === 0 && registered.size === 0) {
    current = { generation, schema: buildSchema() };
    return current.schema;
  }
  const taken = buildSchema().getTypeMap();
  for (const def of served) {
    if (registered.has(def.kind) || refused.has(def.kind)) continue;
    // The builder cannot take a type back: a kind naming a type the API has (a CRD of kind
    // Lifecycle, a container's hooks) would break every operation, so it is REST only.
    if (typeNames(def).some((name) => name in taken)) {
      refused.add(def.kind);
      continue;
    }
    registered.set(def.kind, def);
    registerKind(servedNow(def));
  }
  const goneFields = new Set<string>();
  const goneTypes = new Set<string>();
  for (const [kind, def] of registered) {
    if (served.some((live) => live.kind === kind)) continue;
    for (const field of rootFields(kind)) goneFields.add(field);
    for (const type of typeNames(def)) goneTypes.add(type);
  }
  const built = builtSchema();
  const schema = goneFields.size
    ? pruneSchema(
        filterSchema({
          schema: built,
          rootFieldFilter: (_, field) => !goneFields.has(field),
          typeFilter: (name) => !goneTypes.has(name),
        }),
      )
    : built;
  current = { generation, schema };
  return schema;
}

/**
 * A custom kind as its resolvers write it: the definition served now (its types stay the
 * first), so that GraphQL writes are checked and pruned with the schema REST uses.
 */
function servedNow(first: KindDefinition): KindDefinition {
  return new Proxy(first, {
    get: (target, key) => Reflect.get(dynamicKind(first.kind) ?? target, key),
  });
}

/** The types a custom kind's API adds: its objects' (input types too), its list and watch event. */
function typeNames(def: KindDefinition): string[] {
  const names = [`${def.kind}List`, `${def.kind}WatchEvent`];
  const visit = (shape: Shape) => {
    if (shape.t === 'list') return visit(shape.of);
    if (shape.t !== 'object' || shape.name === 'ObjectMeta') return;
    names.push(shape.name, `${shape.name}Input`);
    for (const field of Object.values(shape.fields)) visit(field);
  };
  visit(def.shape);
  return names;
}

function rootFields(kind: string): string[] {
  const { one, many, Many } = apiNames(kind);
  const verbs = ['create', 'replace', 'patch', 'delete', 'scale'].map((verb) => `${verb}${kind}`);
  return [one, many, `watch${Many}`, ...verbs, `update${kind}Status`];
}
