import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../schema/list-limits.ts';
import { jsonNesting } from '../resources/manifests/manifest-parse.ts';

export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  /**
   * How deep `{` and `[` may nest in a document, and arrays and objects in its
   * variables; checked before anything parses or walks them (server/limits/document-limits.ts).
   */
  maxNesting: number;
  /** Values (every key and list item, at any depth) the variables of one operation may hold. */
  maxVariableValues: number;
  /**
   * API objects an operation may return by the estimate made before it runs: a list
   * counts as its page size (server/limits/cost.ts). Twice the largest page, so that 21
   * aliases of a default page are refused.
   */
  maxCost: number;
  /** API objects a response may really hold, counted as lists and edges resolve. */
  maxResponseObjects: number;
  /** About how many bytes of JSON one response (or one subscription event) may be. */
  maxResponseBytes: number;
  /** From this estimated cost on (a default page), an operation needs one of the seats below. */
  expensiveCost: number;
  /** Expensive operations that run at once; more wait in the queue... */
  maxExpensiveInflight: number;
  /** ... up to this many, then 429 with Retry-After. */
  maxExpensiveQueued: number;
  /** Request bodies larger than this are refused with 413 before they are parsed. */
  maxBodyBytes: number;
  /** Subscriptions one WebSocket connection may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** A WebSocket that has not sent connection_init by then is closed (4408). */
  connectionInitTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxDepth: 20,
  maxAliases: 30,
  maxTokens: 4000,
  maxNesting: 64,
  // Far above a real object (a ConfigMap of 10,000 keys), far below what would take the loop's time.
  maxVariableValues: 10_000,
  maxCost: 2 * MAX_LIST_LIMIT,
  maxResponseObjects: 50_000,
  maxResponseBytes: 64 * 1024 * 1024,
  expensiveCost: DEFAULT_LIST_LIMIT,
  // Lists run on one event loop: more at once would only share it, holding more memory.
  maxExpensiveInflight: 4,
  maxExpensiveQueued: 200,
  maxBodyBytes: 3 * 1024 * 1024,
  maxSubscriptionsPerConnection: 200,
  connectionInitTimeoutMs: 3000,
};

/**
 * Query-shape limits (depth, aliases, tokens) from graphql-armor. A shape limit is
 * reported like any other validation error (GRAPHQL_VALIDATION_FAILED, and 400 for a
 * client that accepts application/graphql-response+json) rather than thrown. Cost is
 * not armor's (it does not know list sizes): see server/limits/execution-limits.ts.
 */
export function useQueryLimits(limits: Limits): Plugin {
  const asValidationError = { propagateOnRejection: false, onReject: [reportToValidation] };
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth, ...asValidationError },
    maxAliases: { n: limits.maxAliases, ...asValidationError },
    maxTokens: { n: limits.maxTokens },
    costLimit: { enabled: false },
    maxDirectives: { n: 50, ...asValidationError },
    blockFieldSuggestion: { enabled: false },
  }) as Plugin;
}

function reportToValidation(context: ValidationContext | null, error: GraphQLError): void {
  // armor words every rejection as a "Syntax Error"; the query is well-formed, only too big.
  context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, '')));
}

/**
 * Refuses a request body over the limit with 413, whether it declares its length or
 * streams it (chunked), whichever parser (JSON, GraphQL string, form) reads it; and a JSON
 * body nested deeper than any operation's variables may be (`maxNesting`, plus the
 * envelope and a batch) with 400 before it is parsed: JSON.parse would build every level
 * first, and a 2 MB body of `[` held the event loop for seconds.
 */
export function useBodyLimits({ maxBytes, maxNesting }: { maxBytes: number; maxNesting: number }): Plugin {
  const tooLarge = () =>
    createGraphQLError(`request body is larger than ${maxBytes} bytes`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 413 } },
    });
  const maxJsonNesting = maxNesting + ENVELOPE_NESTING;
  const tooDeep = () =>
    createGraphQLError(`request body nests deeper than ${maxJsonNesting} levels`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      // Node's HTTP parser has checked the header, and reads no more than it declares.
      if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
      if (!requestParser || !request.body || request.method === 'GET' || request.method === 'HEAD') return;
      const json = /^application\/(graphql-response\+)?json\b/i.test(
        request.headers.get('content-type') ?? '',
      );
      if (declared !== null && !json) return;
      // Parsers are registered before this plugin, so this wraps the one chosen for the content type.
      const parse = requestParser;
      setRequestParser(async (req) => {
        const body = await readLimited(req, maxBytes, tooLarge);
        if (json && jsonNesting(new TextDecoder().decode(body), maxJsonNesting) > maxJsonNesting)
          throw tooDeep();
        return parse(
          new fetchAPI.Request(req.url, {
            method: req.method,
            headers: req.headers,
            body,
            signal: req.signal,
          }),
        );
      });
    },
  };
}

/** The levels a JSON body adds around an operation's variables: the request object, and a batch's array. */
const ENVELOPE_NESTING = 2;

async function readLimited(
  request: Request,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
