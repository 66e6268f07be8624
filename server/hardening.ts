import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
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
  maxCost: 20000,
  maxBodyBytes: 3 * 1024 * 1024,
  maxSubscriptionsPerConnection: 200,
  connectionInitTimeoutMs: 3000,
};

/** Query-shape limits (depth, aliases, tokens, cost) from graphql-armor. */
export function useQueryLimits(limits: Limits): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { n: limits.maxTokens },
    costLimit: { maxCost: limits.maxCost },
    maxDirectives: { n: 50 },
    blockFieldSuggestion: { enabled: false },
  }) as Plugin;
}

/** Refuses a request body over the limit, whether it declares its length or streams it. */
export function useBodyLimit(maxBytes: number): Plugin {
  const tooLarge = () =>
    createGraphQLError(`request body is larger than ${maxBytes} bytes`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 413 } },
    });
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method !== 'POST') return;
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (Number(declared) > maxBytes) throw tooLarge();
        return;
      }
      if (!request.headers.get('content-type')?.includes('json')) return;
      setRequestParser(async (req) => {
        const text = await readLimited(req, maxBytes, tooLarge);
        try {
          return JSON.parse(text);
        } catch {
          throw createGraphQLError('POST body sent invalid JSON.', { extensions: { http: { status: 400 } } });
        }
      });
    },
  };
}

async function readLimited(request: Request, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (!request.body) return '';
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
  return Buffer.concat(chunks).toString('utf8');
}
