import http from 'node:http';
import https from 'node:https';

/**
 * The SDK's queries over node's own http and https modules. Node's fetch (undici) takes
 * longer to load and compile than the rest of `kq get` together, and a command that makes
 * one or two requests and exits gains nothing from it. Trusts `ca` (PEM) alone when given,
 * as the SDK's own Node TLS does; `close` drops the connection kept for the next request.
 */
export function httpFetch(ca: string | undefined): { fetch: typeof globalThis.fetch; close(): void } {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) }),
  };
  const fetch: typeof globalThis.fetch = (input, init = {}) =>
    new Promise((resolve, reject) => {
      const signal = init.signal ?? undefined;
      const target = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const request = (target.protocol === 'https:' ? https : http).request(
        target,
        { method: init.method ?? 'GET', headers: init.headers as Record<string, string>, agent, signal },
        (response) => {
          const chunks: Buffer[] = [];
          const body = new Promise<string>((done, fail) => {
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
            response.on('error', (error) => fail(signal?.aborted ? signal.reason : error));
          });
          // Unread, a failed body would be an unhandled rejection.
          body.catch(() => {});
          const status = response.statusCode ?? 502;
          // The transport reads a Response's status and text, nothing else.
          resolve({ status, ok: status >= 200 && status < 300, text: () => body } as unknown as Response);
        },
      );
      // An abort reports the signal's reason (a timeout's TimeoutError), as fetch does.
      request.on('error', (error) => reject(signal?.aborted ? signal.reason : error));
      request.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return {
    fetch,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
