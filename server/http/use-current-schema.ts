import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Serves each operation with the schema of the moment (custom resources come and go while
 * the server runs): set when the operation is enveloped, by HTTP, SSE and the WebSocket
 * transport alike, so an operation runs on one schema from parse to its last result.
 */
export function useCurrentSchema(current: () => GraphQLSchema): Plugin {
  let served: GraphQLSchema | undefined;
  return {
    onEnveloped({ setSchema }) {
      const schema = current();
      // Setting the schema tells every plugin; the schema changes only with custom resources.
      if (schema === served) return;
      served = schema;
      setSchema(schema);
    },
  };
}
