import { createClient, type Client } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { GraphQLResponse, TestCluster, Untyped } from './harness.ts';

/**
 * Callers other than the admin, for authorization tests through the real endpoints: a
 * ServiceAccount's token, and GraphQL (HTTP and WebSocket) and REST requests made with it.
 */
export function rbacCallers(cluster: TestCluster) {
  const root = cluster.url.replace(/\/graphql$/, '');
  const clients: Client[] = [];
  return {
    /** Creates the ServiceAccount `namespace/name` and returns a token of it. */
    async tokenOf(namespace: string, name: string): Promise<string> {
      const data = await cluster.ok(
        `mutation($namespace: String!, $name: String!) {
          sa: createServiceAccount(namespace: $namespace, serviceAccount: { metadata: { name: $name } }) { kind }
          t: createToken(namespace: $namespace, serviceAccountName: $name) { token }
        }`,
        { namespace, name },
      );
      return data.t.token;
    },

    async gqlAs(
      token: string,
      query: string,
      variables?: Record<string, unknown>,
    ): Promise<GraphQLResponse & { httpStatus: number }> {
      const res = await fetch(cluster.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return { httpStatus: res.status, ...((await res.json()) as GraphQLResponse) };
    },

    async restAs(token: string | undefined, method: string, path: string, body?: unknown) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(root + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Untyped = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not every path answers JSON (/healthz, /metrics).
      }
      return { status: res.status, body: parsed };
    },

    wsClient(token: string): Client {
      const client = createClient({
        url: cluster.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },

    async dispose(): Promise<void> {
      await Promise.all(clients.splice(0).map((client) => client.dispose()));
    },
  };
}

/** The message of a result's first error, which must be FORBIDDEN. */
export function forbidden(result: GraphQLResponse): string {
  expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result.errors)).toBe('FORBIDDEN');
  return result.errors![0].message;
}
