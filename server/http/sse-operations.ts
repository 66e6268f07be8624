import type { IncomingMessage } from 'node:http';
import {
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { HandlerOptions, OperationResult, RequestParams } from 'graphql-sse';
import { isAsyncIterable, type YogaServer } from 'graphql-yoga';
import type { Principal } from '../graphql/builder.ts';
import { badRequest, forClient, unexpected } from '../websocket/ws-errors.ts';
import { Backlog } from './sse-backlog.ts';

/** What the stream transport has learnt of a request before graphql-sse's handler sees it. */
export interface StreamRequest {
  /** The single connection's reservation token; null for an event stream of its own (distinct connections). */
  token: string | null;
  principal: Principal;
  request: Request;
  req?: IncomingMessage;
  /** The results the request's event stream has not sent yet. */
  backlog: Backlog;
}

type Results = AsyncIterable<ExecutionResult>;

/** Handed from onSubscribe to execute and subscribe as the root value, as over WebSocket. */
interface Root {
  execute: (args: ExecutionArgs) => Promise<ExecutionResult | Results> | ExecutionResult | Results;
  subscribe: (args: ExecutionArgs) => Promise<ExecutionResult | Results> | ExecutionResult | Results;
  backlog: Backlog;
}

type Options = HandlerOptions<Request, StreamRequest, Record<PropertyKey, unknown>>;

/**
 * How graphql-sse's handler runs an operation here: through yoga's envelop (the same
 * limits, quotas, masking and error contract as /graphql), with the principal the
 * transport authenticated. Whatever is wrong with an operation, a document that does
 * not validate included, is that operation's result, with `extensions.code`, sent on the
 * stream: over a single connection graphql-sse's client reads errors nowhere else (any
 * answer to its POST but 202 is to it a network failure, retried, then reported as
 * "Server responded with 400"). Nothing thrown reaches the handler, which would end the
 * stream every operation of the connection shares.
 */
export function streamOperations(
  yoga: () => YogaServer<Record<string, unknown>, Record<string, unknown>>,
  log: (line: string) => void,
): Pick<Options, 'onSubscribe' | 'execute' | 'subscribe' | 'onNext'> {
  const refuse = (error: unknown): GraphQLError[] => {
    if (error instanceof GraphQLError) return [error];
    log(`sse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return [unexpected()];
  };
  const run =
    (which: 'execute' | 'subscribe') =>
    async (args: ExecutionArgs): Promise<Awaited<OperationResult>> => {
      const root = args.rootValue as Root;
      try {
        const result = await root[which](args);
        return isAsyncIterable(result) ? paced(result, root.backlog, refuse) : result;
      } catch (error) {
        return { errors: refuse(error) };
      }
    };
  const prepare = async ({ req, request, principal, backlog }: StreamRequest, params: RequestParams) => {
    const { schema, parse, validate, contextFactory, execute, subscribe } = yoga().getEnveloped({
      req,
      request,
      principal,
      params,
    });
    let document: DocumentNode;
    try {
      document = parse(params.query);
    } catch (error) {
      if (error instanceof GraphQLError) return refused([badRequest(error)]);
      throw error;
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) return refused(invalid.map(badRequest));
    if (!getOperationAST(document, params.operationName))
      return refused([
        badRequest('the document names no such operation, or holds several: send operationName'),
      ]);
    return {
      schema,
      document,
      operationName: params.operationName,
      variableValues: params.variables,
      contextValue: (await contextFactory()) as Record<PropertyKey, unknown>,
      rootValue: { execute, subscribe, backlog } satisfies Root,
    };
  };
  const logUnexpected = (error: GraphQLError) => log(`sse: ${error.stack ?? error.message}`);

  return {
    onSubscribe: async (req, params) => {
      try {
        return await prepare(req.context, params);
      } catch (error) {
        return refused(refuse(error));
      }
    },
    execute: run('execute'),
    subscribe: run('subscribe'),
    onNext: (_ctx, req, result) => {
      req.context.backlog.queued();
      if (!result.errors) return;
      // Serialized as they are: each with its code, nothing internal.
      const errors = result.errors.map((error) => forClient(error, logUnexpected));
      return { ...result, errors: errors as unknown as GraphQLError[] };
    },
  };
}

/**
 * A refusal as graphql-sse streams it: its handler takes a result for one only if it has
 * `data`, which a request error has none of.
 */
async function* refused(errors: GraphQLError[]): AsyncGenerator<ExecutionResult> {
  yield { errors };
}

/**
 * An operation's results as graphql-sse should take them. Its handler reads every
 * operation as fast as results come and queues what the stream has not sent, without
 * bound: this hands over a result only while the stream's backlog has room, so that a
 * client that stops reading holds its watches back and meets the watch hub's rule for
 * slow consumers, as over WebSocket. A failure is the operation's last result, not the
 * end of a stream other operations share. A plain iterator, not an async generator:
 * `return` must reach the watch at once, even while `next` waits.
 */
function paced(
  results: Results,
  backlog: Backlog,
  refuse: (error: unknown) => GraphQLError[],
): AsyncIterableIterator<ExecutionResult> {
  const source = results[Symbol.asyncIterator]();
  let done = false;
  const finish = async (): Promise<IteratorReturnResult<undefined>> => {
    done = true;
    await source.return?.();
    return { done: true, value: undefined };
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
      await backlog.room();
      if (done) return { done: true, value: undefined };
      try {
        return await source.next();
      } catch (error) {
        done = true;
        return { done: false, value: { errors: refuse(error) } };
      }
    },
    return: finish,
    throw: finish,
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
