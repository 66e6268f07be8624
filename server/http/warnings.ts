import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * The warnings of an operation's writes (Pod Security's "would violate PodSecurity ...",
 * the ones the REST API sends as `Warning` headers) in its result's `extensions.warnings`,
 * where GraphQL clients find what is not an error. Resolvers collect them in the context.
 */
export function useWarnings(): Plugin<{ warnings?: string[] }> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const warnings = (args.contextValue as { warnings?: string[] }).warnings;
          if (!warnings?.length || isAsyncIterable(result)) return;
          setResult({ ...result, extensions: { ...result.extensions, warnings: [...warnings] } });
        },
      };
    },
  };
}
