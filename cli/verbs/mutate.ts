import type { Resource } from '../../client/types.ts';
import type { Cli } from '../context.ts';

/** Runs one of the API's verb mutations and answers its root field. */
export async function mutate<T = Resource>(
  cli: Cli,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const data = await cli.client().request<Record<string, T>>(query, variables);
  return Object.values(data)[0];
}

/** The namespace argument of a kind's operations: none for cluster-scoped kinds. */
export const nsOf = (cli: Cli, kind: { namespaced: boolean }) =>
  kind.namespaced ? cli.namespace : undefined;

/** `KEY=VALUE` pairs (--env, --labels, --from-literal), in order. */
export function pairs(items: string[], what: string): Array<[string, string]> {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`invalid ${what}: "${item}", expected KEY=VALUE`);
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
}
