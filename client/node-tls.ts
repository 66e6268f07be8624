import https from 'node:https';
import { Readable } from 'node:stream';

/**
 * HTTPS and WSS for Node that trust a given CA (the cluster's, as a kubeconfig's
 * certificate-authority-data) instead of the system's. Loaded only when the SDK is given
 * a `ca`; a browser has its own trust store, and its bundles leave this module out
 * (client/package.json's "browser" field).
 */

/** What the remote transport asks of fetch. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** fetch over Node's https with `ca` as the only trusted authority; `close` drops its kept-alive connections. */
export function trustingFetch(ca: string): { fetch: Fetch; close(): void } {
  const agent = new https.Agent({ ca, keepAlive: true });
  const fetch: Fetch = (url, init) =>
    new Promise((resolve, reject) => {
      const signal = init.signal ?? undefined;
      const request = https.request(
        url,
        { method: init.method ?? 'GET', headers: init.headers as Record<string, string>, agent, signal },
        (response) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const one of [value ?? []].flat()) headers.append(name, one);
          }
          const status = response.statusCode ?? 502;
          const body = status === 204 || status === 304 ? null : (Readable.toWeb(response) as ReadableStream);
          resolve(new Response(body, { status, statusText: response.statusMessage, headers }));
        },
      );
      // An abort reports the signal's reason (a timeout's TimeoutError), as fetch does.
      request.on('error', (error) => reject(signal?.aborted ? signal.reason : error));
      request.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return { fetch, close: () => agent.destroy() };
}

/** The `ws` WebSocket, connecting with `ca` as the only trusted authority. */
export async function trustingWebSocket(ca: string): Promise<unknown> {
  const { default: WebSocket } = await import('ws');
  return class TrustingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { ca });
    }
  };
}
