import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import './scalars.ts';
import './apply.ts';
import './pod-streams.ts';
import './node-tunnel.ts';
import './resource-by-id.ts';
import { registerBinding } from './binding.ts';
import { builder } from './builder.ts';
import { registerEdges } from './edges.ts';
import { registerKind } from './kind-api.ts';
import { KINDS } from '../../schema/kinds/index.ts';
import { registerRollout } from './rollout.ts';
import { registerUsage } from './usage.ts';

let schema: GraphQLSchema | undefined;

/** The whole API, built once: every kind's operations plus the edges between kinds. */
export function buildSchema(): GraphQLSchema {
  if (!schema) {
    const refs = Object.fromEntries(KINDS.map((def) => [def.kind, registerKind(def)]));
    registerEdges(refs);
    registerBinding(refs.Pod);
    registerRollout(refs);
    registerUsage(refs);
    schema = builder.toSchema();
  }
  return schema;
}

/** The schema sorted, as printed to schema/schema.graphql. */
export function sortedSchema(): GraphQLSchema {
  return lexicographicSortSchema(buildSchema());
}
