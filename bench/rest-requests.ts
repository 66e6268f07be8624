import zlib from 'node:zlib';
import { transport, type Server } from './server-process.ts';
import { CREATE_POD, pod } from './workload.ts';

/**
 * The raw requests of the REST-versus-GraphQL benchmark, the same objects through each
 * surface: a paged list of pods (500 a page, as kubectl reads it) and a pod's create.
 */

/** The page size kubectl asks for (`--chunk-size`'s default), and kq's too. */
export const PAGE = 500;

/** One answer as it came over the wire. */
interface Answer {
  status: number;
  /** After decompression, when the server compressed it. */
  body: Buffer;
  wireBytes: number;
  encoding?: string;
}

/** One request over the server's keep-alive connections, with the admin token. */
export function exchange(
  server: Server,
  method: string,
  target: string,
  { body, headers = {} }: { body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = transport(server).request(
      new URL(target, server.url),
      {
        method,
        agent: server.agent,
        headers: {
          authorization: `Bearer ${server.token}`,
          ...(body === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const wire = Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'];
          resolve({
            status: res.statusCode ?? 0,
            body: encoding === 'gzip' ? zlib.gunzipSync(wire) : wire,
            wireBytes: wire.length,
            encoding,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A whole list read page by page: how long it took and how many bytes it carried. */
export interface ListRead {
  ms: number;
  pages: number;
  bytes: number;
  wireBytes: number;
  /** The encoding the server answered with, when it compressed. */
  encoding?: string;
}

export interface ListOptions {
  /** Ask for gzip, as kubectl and browsers do. */
  gzip?: boolean;
  /** Every page's text, to check what the lists hold (parsing it is left out of the timed runs). */
  onPage?: (text: string) => void;
}

/**
 * The list's `continue`, read from the answer's head: both surfaces write the list's
 * metadata before its items, so the timed runs never parse the items, as neither
 * surface's client would need to just to page on.
 */
const CONTINUE = /"continue":("(?:[^"\\]|\\.)*"|null)/;
const HEAD_BYTES = 4096;

function continueOf(body: Buffer): string | undefined {
  const match = CONTINUE.exec(body.subarray(0, HEAD_BYTES).toString('latin1'));
  return match ? JSON.parse(match[1]) || undefined : undefined;
}

async function pagedList(
  fetchPage: (continueToken: string | undefined) => Promise<Answer>,
  { onPage }: ListOptions,
): Promise<ListRead> {
  const read: ListRead = { ms: 0, pages: 0, bytes: 0, wireBytes: 0 };
  const started = performance.now();
  let token: string | undefined;
  do {
    const answer = await fetchPage(token);
    if (answer.status !== 200)
      throw new Error(`list answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
    read.pages++;
    read.bytes += answer.body.length;
    read.wireBytes += answer.wireBytes;
    read.encoding ??= answer.encoding;
    onPage?.(answer.body.toString());
    token = continueOf(answer.body);
  } while (token);
  read.ms = performance.now() - started;
  return read;
}

const acceptEncoding = (options: ListOptions): Record<string, string> =>
  options.gzip ? { 'accept-encoding': 'gzip' } : {};

/** `GET /api/v1/namespaces/NS/pods?limit=500`, then each `continue`, as kubectl pages a list. */
export function restList(server: Server, namespace: string, options: ListOptions = {}): Promise<ListRead> {
  return pagedList((token) => {
    const query = new URLSearchParams({ limit: String(PAGE), ...(token ? { continue: token } : {}) });
    return exchange(server, 'GET', `/api/v1/namespaces/${namespace}/pods?${query}`, {
      headers: { accept: 'application/json', ...acceptEncoding(options) },
    });
  }, options);
}

/** GraphQL's `pods` selecting each whole object (`manifest`), so both lists carry the same data. */
export const LIST_PODS = `query($ns: String, $limit: Int, $continue: String) {
  pods(namespace: $ns, limit: $limit, continue: $continue) { metadata { continue } items { manifest(showManagedFields: true) } }
}`;

export function graphqlList(server: Server, namespace: string, options: ListOptions = {}): Promise<ListRead> {
  return pagedList(
    (token) =>
      exchange(server, 'POST', server.url.pathname, {
        body: JSON.stringify({
          query: LIST_PODS,
          variables: { ns: namespace, limit: PAGE, continue: token },
        }),
        headers: acceptEncoding(options),
      }),
    options,
  );
}

/** The items of a list page of either surface (GraphQL's as their `manifest`). */
export function itemsOf(text: string): unknown[] {
  const page = JSON.parse(text) as {
    items?: unknown[];
    data?: { pods: { items: { manifest: unknown }[] } };
    errors?: unknown[];
  };
  if (page.errors) throw new Error(`list failed: ${JSON.stringify(page.errors[0])}`);
  return page.items ?? page.data!.pods.items.map((item) => item.manifest);
}

/** `POST /api/v1/namespaces/NS/pods` of the benchmark's pod, as `kubectl create` sends it. */
export async function restCreatePod(server: Server, namespace: string, name: string): Promise<void> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod(name) });
  const answer = await exchange(server, 'POST', `/api/v1/namespaces/${namespace}/pods`, { body });
  if (answer.status !== 201)
    throw new Error(`create answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
}

/** `createPod` of the same pod, selecting its resourceVersion (the other benchmarks' write). */
export async function graphqlCreatePod(server: Server, namespace: string, name: string): Promise<void> {
  const answer = await exchange(server, 'POST', server.url.pathname, {
    body: JSON.stringify({ query: CREATE_POD, variables: { ns: namespace, pod: pod(name) } }),
  });
  const result = JSON.parse(answer.body.toString()) as { errors?: unknown[] };
  if (answer.status !== 200 || result.errors)
    throw new Error(`createPod failed: ${answer.body.toString().slice(0, 300)}`);
}

/** Runs `task(0..count-1)` with at most `concurrency` in flight; resolves with the wall time in ms. */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return performance.now() - started;
}
