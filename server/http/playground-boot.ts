import type { GraphiQLOptions } from 'graphql-yoga';

/** Where the page's Monaco workers are, by the label Monaco asks for. */
export type WorkerUrls = Record<'editorWorkerService' | 'json' | 'graphql', string>;

/**
 * The playground's one script of its own, served as a file (the CSP allows no inline
 * script). It runs before GraphiQL's bundle, so that Monaco finds its environment when
 * the bundle loads, and renders GraphiQL once the bundle has run (deferred scripts all
 * run before DOMContentLoaded).
 *
 * GraphiQL's own fetcher sends the Headers tab with HTTP requests only: its WebSocket
 * starts with an empty connection_init, which the server refuses (4403), and GraphiQL
 * retries for ~40 s before showing the close event as `{"isTrusted":true}`. This fetcher
 * sends queries and mutations over HTTP with the tab's headers, and subscriptions over a
 * graphql-ws client whose connection_init payload is the tab's headers (a new client,
 * hence a new connection, when they change). It does not retry: a subscription that ends
 * on a close shows the code and the server's reason in the response pane instead.
 *
 * Headers typed in one tab are every tab's: a tab that still holds the default headers
 * (a new one, or an example never run) takes the last headers typed when it opens, so the
 * token is typed once. Monaco's global API (`globalAPI: true`) is how the script sees the
 * headers editor's text; GraphiQL offers no hook to set a new tab's headers. A schema that
 * could not be fetched for want of a token is fetched again once headers are typed (by
 * GraphiQL's re-fetch button: it has no other way in), for completion and the docs.
 *
 * Plain JavaScript in a string, as no build step stands between this file and the browser;
 * test/integration/playground.test.ts runs it in Chromium.
 */
export function bootScript(options: GraphiQLOptions, workers: WorkerUrls): string {
  return `'use strict';
(() => {
  const OPTIONS = ${JSON.stringify(options)};
  const WORKERS = ${JSON.stringify(workers)};
${BROWSER}})();
`;
}

const BROWSER = `
  self.MonacoEnvironment = { globalAPI: true, getWorkerUrl: (_id, label) => WORKERS[label] };

  const endpoint = new URL(location.pathname.replace(/\\/+$/, ''), location.href);
  const socketUrl = endpoint.href.replace(/^http/, 'ws');

  /** The graphql-ws client for the headers of the last subscription; an old one closes once its subscriptions end (lazy). */
  let socket;
  const clientFor = (headers) => {
    const key = JSON.stringify(headers);
    if (socket?.key !== key) {
      const client = graphqlWs.createClient({ url: socketUrl, connectionParams: headers, retryAttempts: 0 });
      socket = { key, client };
    }
    return socket.client;
  };

  /** The operation GraphiQL runs: the one named, else the document's only one. */
  const isSubscription = (document, name) => {
    const operations = (document?.definitions ?? []).filter((d) => d.kind === 'OperationDefinition');
    const operation = name ? operations.find((d) => d.name?.value === name) : operations.length === 1 && operations[0];
    return operation?.operation === 'subscription';
  };

  /** An error as a result, so that GraphiQL shows its message (it would show an Error's stack, and a CloseEvent as {"isTrusted":true}). */
  const failed = (error) => {
    if (Array.isArray(error)) return { errors: error };
    if (typeof error?.code === 'number')
      return { errors: [{ message: 'The WebSocket closed: ' + error.code + ' ' + (error.reason || '(no reason given)') }] };
    return { errors: [{ message: error instanceof Error ? error.message : 'The WebSocket failed: is the server up?' }] };
  };

  const overSocket = (client, payload) => ({
    subscribe(observer) {
      const unsubscribe = client.subscribe(payload, {
        next: (result) => observer.next(result),
        error: (error) => {
          observer.next(failed(error));
          observer.complete();
        },
        complete: () => observer.complete(),
      });
      return { unsubscribe };
    },
  });

  const overHttp = async (payload, headers) => {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify(payload),
      });
      if (response.headers.get('content-type')?.includes('json')) return await response.json();
      return { errors: [{ message: response.status + ' ' + (await response.text()).trim() }] };
    } catch (error) {
      return failed(error);
    }
  };

  /** Whether GraphiQL's last introspection failed (no token yet), so that typing one fetches the schema again. */
  let schemaMissing = false;
  let refetching;
  const refetchSchema = () => {
    clearTimeout(refetching);
    refetching = setTimeout(() => document.querySelector('button[aria-label^="Re-fetch GraphQL schema"]')?.click(), 500);
  };

  const fetcher = (payload, { headers = {}, documentAST } = {}) => {
    if (isSubscription(documentAST, payload.operationName)) return overSocket(clientFor(headers), payload);
    const result = overHttp(payload, headers);
    if (payload.operationName === OPTIONS.introspectionQueryName) result.then((r) => (schemaMissing = !r.data));
    return result;
  };

  /** The headers last typed, kept for the tabs that open with the default ones. */
  let typed;
  const shareHeaders = (model) => {
    const keep = () => {
      const text = model.getValue();
      if (text !== OPTIONS.defaultHeaders) {
        if (schemaMissing && text !== typed) refetchSchema();
        typed = text;
      }
      // After GraphiQL has finished opening the tab, so that its tab state takes the edit.
      else if (typed !== undefined) setTimeout(() => model.getValue() === OPTIONS.defaultHeaders && model.setValue(typed));
    };
    keep();
    model.onDidChangeContent(keep);
  };

  document.addEventListener('DOMContentLoaded', () => {
    monaco.editor.onDidCreateModel((model) => {
      if (model.uri.path.endsWith('request-headers.json')) shareHeaders(model);
    });
    YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), { ...OPTIONS, fetcher });
  });
`;
