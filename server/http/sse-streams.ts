import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import {
  createHandler,
  TOKEN_HEADER_KEY,
  TOKEN_QUERY_KEY,
  type Request as HandlerRequest,
  type ResponseInit as HandlerInit,
} from 'graphql-sse';
import { createGraphQLError, type Plugin, type YogaServer } from 'graphql-yoga';
import type { Authenticator } from '../auth.ts';
import { ApiError, tooManyRequests } from '../errors.ts';
import { clientOf } from '../limits/clients.ts';
import { Quota, type ConnectionLimits } from '../limits/connection-limits.ts';
import { Backlog } from './sse-backlog.ts';
import { streamOperations, type StreamRequest } from './sse-operations.ts';

/** Where GraphQL over SSE is served with graphql-sse's protocol, as yoga's own graphql-sse plugin serves it. */
const STREAM_PATH = '/graphql/stream';
/** Results one stream may hold unsent before its operations wait for the client (sse-backlog.ts). */
const MAX_BACKLOG = 100;
/** A refused stream is worth trying again once some have closed. */
const RETRY_AFTER_SECONDS = 5;

export interface SseStreamsOptions {
  auth: Authenticator;
  /** Operation bodies larger than this are refused with 413, as on /graphql. */
  maxBodyBytes: number;
  /**
   * Streams are capped as WebSocket connections are: they hold as much. A reservation
   * whose stream is not opened within headersTimeoutMs, as long as a connection may take
   * to say what it wants, is dropped, with the operations sent to it.
   */
  connectionLimits: ConnectionLimits;
  /** The yoga server's unauthenticated() refusal: the same 401 and challenge as /graphql. */
  unauthenticated: () => GraphQLError;
  log: (line: string) => void;
}

interface Reservation {
  principal: string;
  client: string;
  backlog: Backlog;
  expiry: NodeJS.Timeout;
}

interface FetchAPI {
  Response: typeof Response;
  ReadableStream: typeof ReadableStream;
}

/**
 * GraphQL over SSE at /graphql/stream with graphql-sse's own handler, so that its
 * client works in both modes: distinct connections (one event stream per operation, as
 * yoga also serves on /graphql) and the single connection, where a PUT reserves a stream
 * (201 with its token), a GET with `X-GraphQL-Event-Stream-Token` (or `?token=`) opens
 * it, POSTs run operations on it (202) and a DELETE with `?operationId=` ends one.
 *
 * Every request needs the bearer token, and a stream's token serves only the principal
 * that reserved it (anyone else is told it does not exist): a stream token alone is no
 * credential. Tokens are random UUIDs. Reservations are capped like WebSocket
 * connections and dropped when not opened in time; an open stream ends its operations
 * when its client goes. Every error answer carries `extensions.code`.
 */
export function useSseStreams(options: SseStreamsOptions): Plugin {
  const { auth, maxBodyBytes, connectionLimits, unauthenticated, log } = options;
  let yoga: YogaServer<Record<string, unknown>, Record<string, unknown>> | undefined;
  const quota = new Quota(connectionLimits.maxConnections, connectionLimits.maxConnectionsPerClient);
  const reservations = new Map<string, Reservation>();
  const handler = createHandler<Request, StreamRequest, Record<PropertyKey, unknown>>({
    // The transport decided the token before the handler sees the request.
    authenticate: (req) => req.context.token,
    ...streamOperations(() => yoga!, log),
  });

  const drop = (token: string) => {
    const reservation = reservations.get(token);
    if (!reservation) return;
    reservations.delete(token);
    clearTimeout(reservation.expiry);
    reservation.backlog.close();
    quota.release(reservation.client);
  };
  /** Ends a reservation nobody opened: graphql-sse lets only its event stream's end dispose of it. */
  const expire = async (token: string, stream: StreamRequest) => {
    const headers = new Headers({ accept: 'text/event-stream' });
    const [events] = await handler({
      method: 'GET',
      url: STREAM_PATH,
      headers,
      body: null,
      raw: stream.request,
      context: stream,
    });
    if (events !== null && typeof events === 'object') await events.return(undefined);
    drop(token);
  };

  const serve = async (request: Request, url: URL, req: IncomingMessage | undefined, api: FetchAPI) => {
    const principal = auth.authenticate(request.headers.get('authorization'));
    if (!principal) return refusal(api, unauthenticated());
    const client = req ? clientOf(req, connectionLimits.trustedProxies) : 'local';
    const stream = { principal, request, req };
    // A reservation's token is always the server's: graphql-sse's client, given its headers
    // as an object, sends its last stream's token with the PUT for the next.
    if (request.method === 'PUT') return reserve(api, { ...stream, token: crypto.randomUUID() }, client);
    const token = request.headers.get(TOKEN_HEADER_KEY) ?? url.searchParams.get(TOKEN_QUERY_KEY);
    if (token === null) {
      // An event stream of its own (graphql-sse tells it by this exact Accept), or nothing.
      if (request.headers.get('accept') !== 'text/event-stream') return refusal(api, noSuchStream());
      return handle(api, { ...stream, token: null, backlog: new Backlog(MAX_BACKLOG) });
    }
    const reservation = reservations.get(token);
    if (reservation?.principal !== principal.name) return refusal(api, noSuchStream());
    return handle(api, { ...stream, token, backlog: reservation.backlog }, reservation);
  };

  const reserve = async (
    api: FetchAPI,
    stream: Omit<StreamRequest, 'backlog'> & { token: string },
    client: string,
  ) => {
    const refused = quota.acquire(client);
    if (refused)
      return refusal(
        api,
        tooManyRequests(
          `too many event streams ${refused === 'total' ? 'on this server' : 'from this client'}`,
          RETRY_AFTER_SECONDS,
        ),
      );
    const { token } = stream;
    const reserved = { ...stream, backlog: new Backlog(MAX_BACKLOG) };
    const expiry = setTimeout(
      () => void expire(token, reserved).catch(() => drop(token)),
      connectionLimits.headersTimeoutMs,
    );
    expiry.unref();
    reservations.set(token, { principal: stream.principal.name, client, backlog: reserved.backlog, expiry });
    const response = await handle(api, reserved);
    if (response.status !== 201) drop(token);
    return response;
  };

  const handle = async (api: FetchAPI, stream: StreamRequest, reservation?: Reservation) => {
    const { request } = stream;
    let body: HandlerRequest['body'] = null;
    if (request.method === 'POST') {
      const read = await readBody(request, maxBodyBytes);
      if (read instanceof GraphQLError) return refusal(api, read);
      body = read;
    }
    const [content, init] = await handler({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      raw: request,
      context: stream,
    });
    if (init.status >= 400) return refusal(api, handlerRefusal(content, init));
    if (content === null || typeof content === 'string') return new api.Response(content, init);
    // An event stream: the reservation's, now taken up, or one operation's.
    if (reservation) clearTimeout(reservation.expiry);
    return eventStream(api, content, init, stream, () => {
      if (stream.token !== null) drop(stream.token);
    });
  };

  return {
    onYogaInit({ yoga: server }) {
      yoga = server;
    },
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (url.pathname !== STREAM_PATH) return;
      const { req } = serverContext as { req?: IncomingMessage };
      try {
        endResponse(await serve(request, url, req, fetchAPI));
      } catch (error) {
        log(`sse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        endResponse(
          refusal(
            fetchAPI,
            createGraphQLError('Unexpected error.', {
              extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } },
            }),
          ),
        );
      }
    },
  };
}

/**
 * The handler's event stream as a response body. It ends, with the operations on it,
 * when the client goes (the request's signal) or stops reading (the body is cancelled).
 */
function eventStream(
  api: FetchAPI,
  events: AsyncGenerator<string, void, undefined>,
  init: HandlerInit,
  { request, backlog }: StreamRequest,
  onEnd: () => void,
): Response {
  const encoder = new TextEncoder();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    backlog.close();
    void events.return(undefined);
    onEnd();
  };
  request.signal.addEventListener('abort', end, { once: true });
  const body = new api.ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await events.next();
      if (value) {
        controller.enqueue(encoder.encode(value));
        if (value.startsWith('event: next')) backlog.sent();
      }
      if (done) {
        controller.close();
        end();
      }
    },
    cancel: end,
  });
  return new api.Response(body, init);
}

/**
 * An operation's body, parsed here rather than by the handler: its size is checked
 * first (the length is declared, and node reads no more than that), and a body that is
 * not JSON is answered as on /graphql, without the parser's words.
 */
async function readBody(request: Request, maxBytes: number): Promise<Record<string, unknown> | GraphQLError> {
  const declared = request.headers.get('content-length');
  if (declared === null)
    return createGraphQLError('send the body with a Content-Length', {
      extensions: { code: 'BAD_REQUEST', http: { status: 411 } },
    });
  if (Number(declared) > maxBytes)
    return createGraphQLError(`request body is larger than ${maxBytes} bytes`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 413 } },
    });
  try {
    return JSON.parse(await request.text()) as Record<string, unknown>;
  } catch {
    return new ApiError('BAD_REQUEST', 'POST body sent invalid JSON.');
  }
}

function noSuchStream(): GraphQLError {
  return new ApiError(
    'NOT_FOUND',
    'no such event stream: reserve one with a PUT and send its token (X-GraphQL-Event-Stream-Token), ' +
      'or ask for a stream of one operation with Accept: text/event-stream',
  );
}

/** The handler's own refusals (a missing operation id, a stream already open...) with a code. */
function handlerRefusal(content: unknown, init: HandlerInit): GraphQLError {
  let message = init.statusText;
  if (typeof content === 'string') {
    try {
      message = (JSON.parse(content) as { errors: Array<{ message: string }> }).errors[0].message;
    } catch {
      // Its status text says it.
    }
  }
  const code = init.status === 404 ? 'NOT_FOUND' : init.status === 409 ? 'CONFLICT' : 'BAD_REQUEST';
  const { 'content-type': _type, ...headers } = init.headers ?? {};
  return createGraphQLError(message, { extensions: { code, http: { status: init.status, headers } } });
}

/** A refusal as /graphql words it: JSON with the error's message and code, and its status and headers. */
function refusal(api: FetchAPI, error: GraphQLError): Response {
  const http = error.extensions.http as { status?: number; headers?: Record<string, string> } | undefined;
  return new api.Response(
    JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.extensions.code } }] }),
    {
      status: http?.status ?? 400,
      headers: { 'content-type': 'application/json; charset=utf-8', ...http?.headers },
    },
  );
}
