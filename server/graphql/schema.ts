import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { GraphQLSchema, lexicographicSortSchema } from 'graphql';
import { GraphQLLiveDirective } from '../live/live-directive.ts';
import './scalars.ts';
import './access.ts';
import './apply.ts';
import './pod-streams.ts';
import './node-tunnel.ts';
import './node-credential.ts';
import './resource-by-id.ts';
import { registerBinding } from './binding.ts';
import { registerEviction } from './eviction.ts';
import { builder } from './builder.ts';
import { registerEdges } from './edges.ts';
import { enforceFieldAccess } from './field-access.ts';
import { registerKind } from './kind-api.ts';
import { KINDS } from '../../schema/kinds/index.ts';
import { registerRollout } from './rollout.ts';
import { registerUsage } from './usage.ts';

let schema: GraphQLSchema | undefined;

/** The whole API, built once: every kind's operations plus the edges between kinds; `@live`, `@defer`, `@stream`. */
export function buildSchema(): GraphQLSchema {
  if (!schema) {
    const refs = Object.fromEntries(KINDS.map((def) => [def.kind, registerKind(def)]));
    registerEdges(refs);
    registerBinding(refs.Pod);
    registerEviction();
    registerRollout(refs);
    registerUsage(refs);
    schema = builtSchema();
  }
  return schema;
}

/** What the builder holds now, as served: field access enforced, the directives declared. */
export function builtSchema(): GraphQLSchema {
  const built = builder.toSchema();
  enforceFieldAccess(built);
  // In the schema itself, not only added by the plugins that run them, so that the printed
  // schema and introspection show clients (and code generators) what they may send.
  return new GraphQLSchema({
    ...built.toConfig(),
    directives: [
      ...built.getDirectives(),
      GraphQLLiveDirective,
      GraphQLDeferDirective,
      GraphQLStreamDirective,
    ],
  });
}

/** The schema sorted, as printed to schema/schema.graphql. */
export function sortedSchema(): GraphQLSchema {
  return lexicographicSortSchema(buildSchema());
}
