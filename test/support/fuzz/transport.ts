import WebSocket from 'ws';
import { DEFAULT_LIMITS } from '../../../server/limits/hardening.ts';
import { RawJson, type DocumentCase } from './documents.ts';
import type { Answer } from './invariants.ts';

/**
 * Sends fuzz cases over the API's three transports and hands back everything that came
 * back as an Answer: HTTP (POST and GET, plain JSON, SSE and multipart), and
 * graphql-transport-ws over a raw socket (so that the fuzzer can break the protocol too).
 */

export interface Target {
  /** http://host:port/graphql */
  url: string;
  token: string;
}

export interface HttpRequest {
  method: string;
  /** Appended to the URL (`?query=...`). */
  search?: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  /** A subscription: an SSE or multipart stream may stay open, and is ended once quiet. */
  live?: boolean;
}

/** How long a live stream may stay quiet before the client ends it (it is not a stall). */
const QUIET_MS = 250;

/** JSON text of `value`, with RawJson values spliced in as they are. */
export function bodyJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0001RAW${raws.length - 1}\u0001`;
    }
    return v;
  });
  // JSON.stringify(undefined) is undefined: an absent value is sent as nothing.
  return (text ?? '').replace(/"\\u0001RAW(\d+)\\u0001"/g, (_, i: string) => raws[Number(i)]);
}

/** The JSON body of a document case, as a client would POST it. */
export function documentBody(doc: DocumentCase): string {
  const body: Record<string, unknown> = { query: doc.query };
  if (doc.variables !== undefined) body.variables = doc.variables;
  if (doc.operationName !== undefined) body.operationName = doc.operationName;
  if (doc.extensions !== undefined) body.extensions = doc.extensions;
  return bodyJson(body);
}

/** Sends one HTTP request and reads the whole answer (or a live stream until it goes quiet). */
export async function sendHttp(target: Target, request: HttpRequest, deadlineMs: number): Promise<Answer> {
  const started = performance.now();
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), deadlineMs);
  const answer: Answer = {
    transport: `http-${request.method.toLowerCase()}`,
    method: request.method,
    text: '',
    results: [],
    ms: 0,
  };
  try {
    const res = await fetch(target.url + (request.search ?? ''), {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    answer.status = res.status;
    answer.contentType = res.headers.get('content-type') ?? undefined;
    const streaming = /text\/event-stream|multipart\/mixed/.test(answer.contentType ?? '');
    if (streaming) answer.transport = /event-stream/.test(answer.contentType ?? '') ? 'sse' : 'multipart';
    answer.text = await readBody(res, streaming && request.live === true, controller, answer);
    parseBody(answer, request.method);
  } catch (error) {
    const size =
      typeof request.body === 'string' ? Buffer.byteLength(request.body) : (request.body?.byteLength ?? 0);
    if (controller.signal.aborted) {
      // A subscription still streaming at the deadline is live, not stalled.
      if (request.live) answer.live = true;
      else answer.timedOut = true;
    } else if (size <= DEFAULT_LIMITS.maxBodyBytes) {
      const cause = String((error as { cause?: unknown }).cause ?? '');
      answer.malformed = `request failed: ${(error as Error).message} ${cause}`;
    }
    // Over the size limit, the server may answer 413 and drop the connection before it has
    // read the rest: the client may see only the reset, which is a refusal, not a failure.
  } finally {
    clearTimeout(deadline);
  }
  answer.ms = performance.now() - started;
  return answer;
}

async function readBody(
  res: Response,
  live: boolean,
  controller: AbortController,
  answer: Answer,
): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    let quiet: NodeJS.Timeout | undefined;
    const next = reader.read();
    const result = live
      ? await Promise.race([
          next,
          new Promise<'quiet'>((resolve) => {
            quiet = setTimeout(() => resolve('quiet'), QUIET_MS);
          }),
        ])
      : await next;
    clearTimeout(quiet);
    if (result === 'quiet') {
      // A subscription with nothing more to say: end it, as a client closing its tab would.
      answer.live = true;
      controller.abort();
      next.catch(() => {});
      return text + decoder.decode();
    }
    if (result.done) return text + decoder.decode();
    text += decoder.decode(result.value, { stream: true });
    // A stream that has said `complete` is done, even if the server keeps the connection.
    if (live && /event: complete/.test(text)) {
      await reader.cancel().catch(() => {});
      return text;
    }
  }
}

/** Fills in `results` from the body, by content type. */
function parseBody(answer: Answer, method: string): void {
  const type = answer.contentType ?? '';
  const text = answer.text;
  if (method === 'HEAD' || (text === '' && answer.status !== undefined && answer.status < 400)) return;
  if (/event-stream/.test(type)) {
    for (const block of text.split(/\r?\n\r?\n/)) {
      const lines = block.split(/\r?\n/);
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (event === 'complete' || !data) continue;
      pushJson(answer, data, 'SSE event');
    }
    return;
  }
  if (/multipart\/mixed/.test(type)) {
    const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1] ?? '-';
    for (const part of text.split(`--${boundary}`)) {
      const at = part.search(/\r?\n\r?\n/);
      if (at < 0) continue;
      const body = part.slice(at).trim();
      if (body) pushJson(answer, body, 'multipart part');
    }
    return;
  }
  if (/json/.test(type)) return void pushJson(answer, text, 'body');
  if (/text\/html/.test(type) && answer.status === 200) return;
  if (answer.status !== undefined && answer.status >= 400) return;
  answer.malformed = `unexpected content type ${type || '(none)'} with status ${answer.status}`;
}

function pushJson(answer: Answer, text: string, what: string): void {
  try {
    answer.results.push(JSON.parse(text));
  } catch {
    answer.malformed = `${what} is not JSON: ${text.slice(0, 120)}`;
  }
}

/** One graphql-transport-ws message as the server sent it. */
interface Message {
  type?: string;
  id?: string;
  payload?: unknown;
}

/**
 * A graphql-transport-ws connection on a raw socket: operations multiplexed by id, each
 * answered with everything its id received. Raw frames go out as they are given.
 */
export class WsConnection {
  private readonly waiting = new Map<string, (message: Message | undefined) => void>();
  /** Messages that arrived for no operation in flight (or before one was registered). */
  readonly stray: Message[] = [];
  readonly frames: string[] = [];
  close?: { code: number; reason: string };
  private readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.close = { code, reason: reason.toString() };
        for (const wake of this.waiting.values()) wake(undefined);
        resolve();
      });
    });
    ws.on('message', (raw, binary) => {
      const text = binary ? `<binary ${(raw as Buffer).length} bytes>` : raw.toString();
      this.frames.push(text);
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        message = { type: '<not JSON>', payload: text };
      }
      const wake = message.id !== undefined ? this.waiting.get(message.id) : undefined;
      if (wake) wake(message);
      else this.stray.push(message);
    });
  }

  /** Opens a socket; `init` (when given) is sent as connection_init and the ack awaited. */
  static async open(target: Target, init: unknown, withinMs: number): Promise<WsConnection> {
    const ws = new WebSocket(target.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    ws.on('error', () => {});
    const conn = new WsConnection(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('WebSocket did not open')), withinMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (init !== undefined && ws.readyState === WebSocket.OPEN) {
      conn.send(bodyJson({ type: 'connection_init', payload: init }));
      await conn.waitFor((m) => m.type === 'connection_ack', withinMs);
    }
    return conn;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: string | Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /** Resolves once a stray message matches, the socket closes, or `ms` pass. */
  async waitFor(match: (m: Message) => boolean, ms: number): Promise<Message | undefined> {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) {
      const found = this.stray.find(match);
      if (found) return found;
      if (this.close) return undefined;
      await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, 10))]);
    }
    return undefined;
  }

  /** Runs one operation under `id`: collects next and error until complete, error, close or the deadline. */
  async operation(id: string, payloadJson: string, live: boolean, deadlineMs: number): Promise<Answer> {
    const started = performance.now();
    const answer: Answer = { transport: 'ws', text: '', results: [], ms: 0 };
    const messages: Message[] = [];
    // Frames of one turn arrive together (next and complete): queue them, then wake the reader.
    const queue: Array<Message | undefined> = [];
    let wake = () => {};
    this.waiting.set(id, (m) => {
      queue.push(m);
      wake();
    });
    this.send(`{"id":${JSON.stringify(id)},"type":"subscribe","payload":${payloadJson}}`);
    const end = started + deadlineMs;
    for (;;) {
      const left = end - performance.now();
      if (left <= 0) {
        answer.timedOut = true;
        this.send(JSON.stringify({ id, type: 'complete' }));
        break;
      }
      if (queue.length === 0 && !this.close) {
        const woken = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), live ? Math.min(QUIET_MS, left) : left);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        if (!woken && live) {
          answer.live = true;
          this.send(JSON.stringify({ id, type: 'complete' }));
          break;
        }
        if (!woken) continue;
      }
      const message = queue.shift();
      if (message === undefined) {
        answer.close = this.close;
        break;
      }
      messages.push(message);
      if (message.type === 'complete' || message.type === 'error') break;
    }
    this.waiting.delete(id);
    for (const m of messages) {
      if (m.type === 'next') answer.results.push(m.payload);
      else if (m.type === 'error') answer.results.push({ errors: m.payload });
    }
    answer.text = messages.map((m) => JSON.stringify(m)).join('\n');
    answer.ms = performance.now() - started;
    return answer;
  }

  /** Everything the connection received that belonged to no operation, and how it ended: for protocol cases. */
  drain(started: number): Answer {
    const answer: Answer = {
      transport: 'ws',
      text: this.frames.join('\n'),
      results: [],
      ms: performance.now() - started,
    };
    for (const m of this.stray) {
      if (m.type === 'next') answer.results.push(m.payload);
      else if (m.type === 'error') answer.results.push({ errors: m.payload });
    }
    if (this.close) answer.close = this.close;
    return answer;
  }

  async end(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    await Promise.race([this.closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
    // Narrowed by the check above, but close() has run since.
    if ((this.ws.readyState as number) !== WebSocket.CLOSED) this.ws.terminate();
  }
}
