import { createClient, type KubeqlClient } from '../../../client/client.ts';
import { isCode, messageOf } from '../../../client/errors.ts';
import { execute } from '../../../client/typed.ts';
import { RulesReviewDocument } from '../generated/graphql.ts';

const TOKEN_KEY = 'kubeql.token';

/** The token of the last login in this browser, if any. */
export function savedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  localStorage.removeItem(TOKEN_KEY);
}

/**
 * An SDK client for the server that served this page: queries and mutations over HTTP,
 * subscriptions over one graphql-ws connection, both with the bearer token.
 */
export function connect(token: string): KubeqlClient {
  return createClient({ url: new URL('/graphql', window.location.href).href, token });
}

/**
 * Logs in: proves the token with a question every authenticated caller may ask (what
 * may I do?), so that a token confined to one namespace logs in too. Resolves to the
 * client, or rejects with a message fit to show.
 */
export async function login(token: string): Promise<KubeqlClient> {
  const client = connect(token.trim());
  try {
    await execute(client, RulesReviewDocument, {});
  } catch (error) {
    await client.close();
    if (isCode(error, 'UNAUTHENTICATED')) throw new Error('The server did not accept this token.');
    throw new Error(`Cannot reach the API: ${messageOf(error)}`);
  }
  localStorage.setItem(TOKEN_KEY, token.trim());
  return client;
}
