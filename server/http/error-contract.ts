import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ApiError } from '../errors.ts';

/**
 * What every error that leaves the server looks like, whatever raised it (a request
 * parser, graphql-js, yoga, a resolver): it carries `extensions.code`, and nothing
 * internal goes with it (no `extensions.originalError`, no text of a JavaScript
 * exception). Its HTTP status follows GraphQL over HTTP: a request the server refuses
 * (malformed, unauthenticated, too large, a document that does not parse or validate, a
 * limit, load) is a 4xx; a response whose operation ran is a 200 with its errors in the
 * body, even if every field failed. yoga's own answers are patched where they fall short:
 * a 500 for a `variables` parameter that is not JSON, the parser's exception echoed back
 * for a malformed body, an empty 415 or 406, and the status of an error met while
 * running (a NOT_FOUND's 404), which yoga would send even beside data.
 *
 * Execution results are patched in envelop's hooks (HTTP, SSE and WebSocket alike);
 * errors raised before execution, and statuses, only over HTTP, where yoga processes the result.
 */
export function useErrorContract(): Plugin {
  /** Requests whose document reached the parser: GraphQL requests, whatever becomes of them. */
  const parsed = new WeakSet<Request>();
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser) {
        // yoga would answer a bare 415; the method check (405) still comes first.
        const type = request.headers.get('content-type');
        setRequestParser(() => {
          throw new GraphQLError(
            `unsupported content type ${type ? `"${type}"` : '(none)'}: send application/json`,
            { extensions: { code: 'BAD_REQUEST', http: { status: 415 } } },
          );
        });
        return;
      }
      const parse = requestParser;
      setRequestParser(async (req) => {
        try {
          return await parse(req);
        } catch (error) {
          if (error instanceof GraphQLError) throw unparsable(error);
          // JSON.parse of a `variables` or `extensions` parameter (GET, form), or a body cut off.
          throw new ApiError(
            'BAD_REQUEST',
            'the request parameters are not valid: variables and extensions must be JSON objects',
          );
        }
      });
    },
    onParse({ context }) {
      const { request } = context as { request?: Request };
      if (request) parsed.add(request);
    },
    onExecute() {
      return {
        onExecuteDone: ({ result, setResult }) => {
          if (!isAsyncIterable(result)) setResult(resultWithContract(result));
        },
      };
    },
    onSubscribe() {
      return {
        onSubscribeResult: ({ result, setResult }) => {
          if (!isAsyncIterable(result)) return setResult(resultWithContract(result));
          return { onNext: ({ result: next, setResult: setNext }) => setNext(resultWithContract(next)) };
        },
      };
    },
    onResultProcess({
      request,
      result,
      setResult,
      resultProcessor,
      setResultProcessor,
      acceptableMediaTypes,
    }) {
      if (Array.isArray(result)) setResult(result.map((one) => answered(resultWithContract(one))));
      else if (!isAsyncIterable(result)) {
        const contracted = resultWithContract(result);
        if (!onlyEventStream(request)) setResult(answered(contracted));
        else setResult(parsed.has(request) ? streamed(contracted) : refusedStream(contracted));
      }
      if (resultProcessor) return;
      // No representation the client accepts: say so in the one it will most likely read.
      setResultProcessor((unsent, fetchAPI) => {
        // A subscription asked for as JSON has started: end it, or its watch stays open.
        if (isAsyncIterable(unsent)) void unsent[Symbol.asyncIterator]().return?.();
        const accepted = [...new Set(acceptableMediaTypes)].join(', ');
        return new fetchAPI.Response(
          JSON.stringify({
            errors: [
              {
                message: `none of the media types the client accepts is served: accept ${accepted}`,
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          }),
          { status: 406, headers: { 'content-type': 'application/json; charset=utf-8' } },
        );
      }, 'application/json');
    },
  };
}

/**
 * A parser's own error with the contract. Its status stays what the parser chose, 400
 * for a malformed body: yoga would answer 200 to an application/json client once the
 * error no longer carries the exception (it reads that as "a GraphQL error"), but a body
 * that is not JSON is no GraphQL request at all.
 */
function unparsable(error: GraphQLError): GraphQLError {
  return withoutSpecStatus(withContract(error));
}

/**
 * Whether yoga answers with an event stream: the client accepts it and none of the JSON
 * types (yoga picks JSON when both are accepted).
 */
function onlyEventStream(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  return (
    /\btext\/event-stream\b/.test(accept) &&
    !/application\/(json|graphql-response\+json|\*)|\*\/\*/.test(accept)
  );
}

/**
 * A result with `data` (null included) is the answer of an operation that ran: a 200,
 * whatever its errors would say (NOT_FOUND 404, INVALID 422, CONFLICT 409...), as GraphQL
 * over HTTP asks for both JSON media types; a client reads the codes in
 * `extensions.code`, and the data beside them. A result without `data` is a request the
 * server refused before running it (parse, validation, a limit, load), and keeps the
 * status its errors carry.
 */
function answered(result: ExecutionResult): ExecutionResult {
  if (!('data' in result) || !result.errors?.length) return result;
  return { ...result, errors: result.errors.map(withoutStatus) };
}

/** Statuses an event stream keeps: load (429 with Retry-After: wait, then retry), and a method the operation cannot use (405). */
const STREAM_STATUSES = new Set([405, 429]);

/**
 * An event stream for a GraphQL request (its document reached the parser) answers 200
 * and says what went wrong in an event, whatever it was (a document that does not parse
 * or validate, a limit, a watch from an expired resourceVersion), as GraphQL over SSE
 * asks: a stream client cannot read a refused stream's body (graphql-sse's client reports
 * "Server responded with 400" and retries; EventSource reports nothing). Only load and
 * the method keep their status (STREAM_STATUSES).
 */
function streamed(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  return {
    ...result,
    errors: result.errors.map((error) =>
      STREAM_STATUSES.has(statusOf(error)) ? error : withoutStatus(error),
    ),
  };
}

/**
 * An event stream refused before its request was a GraphQL request (authentication, its
 * size, its parameters) gets the status the error asks for: yoga would send 200 for the
 * errors it marks as GraphQL over HTTP's, and a stream client would only learn from the
 * first event.
 */
function refusedStream(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length || result.data != null) return result;
  return {
    ...result,
    errors: result.errors.map(withoutSpecStatus),
  };
}

/** yoga sends 200 for an error marked `http.spec` to a JSON client; this one keeps its status. */
function withoutSpecStatus(error: GraphQLError): GraphQLError {
  const http = error.extensions.http as { spec?: boolean } | undefined;
  if (!http?.spec) return error;
  return rebuilt(error, { ...error.extensions, http: { ...http, spec: false } });
}

/** The error without its HTTP meaning (status and headers), so that yoga answers 200. */
function withoutStatus(error: GraphQLError): GraphQLError {
  if (error.extensions.http === undefined) return error;
  const { http: _http, ...extensions } = error.extensions;
  return rebuilt(error, extensions);
}

function statusOf(error: GraphQLError): number {
  return (error.extensions.http as { status?: number } | undefined)?.status ?? 0;
}

/** The same error with other extensions; the original error stays, unsent, for yoga to tell unexpected errors (500). */
function rebuilt(error: GraphQLError, extensions: GraphQLError['extensions']): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

function resultWithContract<T extends ExecutionResult>(result: T): T {
  if (!result.errors?.some(needsPatch)) return result;
  return { ...result, errors: result.errors.map(withContract) };
}

function needsPatch(error: GraphQLError): boolean {
  return typeof error.extensions?.code !== 'string' || error.extensions.originalError !== undefined;
}

/**
 * The error with a code and without `extensions.originalError`. An error without a code
 * that belongs to a field is graphql-js finding the server's answer wrong (a null for a
 * non-null field, say): internal. One without a field is about the request (a variable
 * of the wrong type): the client's. The original error stays on the object, unsent, for
 * yoga to tell unexpected errors (500) from the client's.
 */
function withContract(error: GraphQLError): GraphQLError {
  if (!needsPatch(error)) return error;
  const { originalError: _internal, ...extensions } = error.extensions ?? {};
  if (typeof extensions.code !== 'string')
    extensions.code = error.path || statusOf(error) >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
  return rebuilt(error, extensions);
}
