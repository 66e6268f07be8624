/**
 * What must hold for every answer, whatever was sent: the invariants of "nothing a
 * client sends can crash, stall or exhaust the server". They are checked as they are
 * stated: a known failure is reported, never allowed for.
 */

export type Invariant =
  /** An error without `extensions.code`, or an HTTP error status without a GraphQL error body. */
  | 'error-code'
  /** A 5xx status, a WebSocket closed as an internal error, or an INTERNAL_SERVER_ERROR (a masked crash). */
  | 'server-error'
  /** Stack frames, file paths, engine messages or `originalError` in what the client receives. */
  | 'leak'
  /** No complete answer in time. */
  | 'stall'
  /** A body that is not what its content type says. */
  | 'malformed-answer'
  /** /healthz or a trivial query slow or failing after a batch. */
  | 'unhealthy'
  /** A multi-object apply that failed left some of its objects behind. */
  | 'all-or-none'
  /** A built-in prototype gained a property (the server runs in the test's process). */
  | 'prototype-pollution'
  /** The process' resident memory grew past its bound. */
  | 'memory';

export interface Violation {
  invariant: Invariant;
  /** A short, stable statement of what went wrong, to group failures by (no sizes or names). */
  cause: string;
  detail: string;
}

/** One answer to one case, as its transport delivered it. */
export interface Answer {
  transport: string;
  /** HTTP method and status; none over WebSocket. */
  method?: string;
  status?: number;
  contentType?: string;
  /** Everything the server sent, as text, for the leak check. */
  text: string;
  /** The GraphQL results in it: the body, each SSE or multipart part, each WebSocket next or error. */
  results: unknown[];
  /** How the server closed a WebSocket, if it did. */
  close?: { code: number; reason: string };
  /** No complete answer before the case's deadline. */
  timedOut?: boolean;
  /** Left open on purpose: a subscription that was still running when the client ended it. */
  live?: boolean;
  /** A transport-level parse problem (a JSON body that is not JSON). */
  malformed?: string;
  ms: number;
}

/**
 * What must never reach a client. Each is matched against the answer only where it does
 * not also appear in the request: a server may echo what it was sent.
 */
const LEAKS: Array<[string, RegExp]> = [
  ['stack frame', /\bat (?:async )?[\w$.<>[\] ]+ \((?:[^()\s]+):\d+:\d+\)/],
  ['stack frame', /\\n\s+at [^\s]+ /],
  ['stack property', /"stack"\s*:/],
  ['call stack overflow', /Maximum call stack/i],
  ['originalError', /originalError/],
  ['source location', /\.(?:ts|js|mjs|cjs):\d+/],
  ['file path', /(?<=^|[\s"'(=:])\/(?:work|home|root|tmp|usr|var|opt|srv|etc|proc|private|Users)\/[\w.-]/],
  ['file path', /file:\/\/\//],
  ['file path', /node_modules/],
  ['node internals', /node:internal|internal\/(?:modules|process)/],
  ['JavaScript error', /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|EvalError|InternalError)\b/],
  [
    'JavaScript error',
    /Cannot read propert(?:y|ies) of (?:undefined|null)|is not a function|is not iterable/,
  ],
  ['JavaScript error', /Invalid string length|Array buffer allocation failed|heap out of memory/i],
  ['system error', /\bE(?:NOENT|ACCES|PERM|MFILE|CONNRESET|PIPE|ADDRINUSE)\b/],
  ['database', /SQLITE_[A-Z]+|PrismaClient|prisma\.|better-sqlite3|\bpg_[a-z]+|duplicate key value/],
];

/** Statuses from the API's own contract that are answers about the cluster, not failures of the server. */
const CONTRACT_5XX: Record<number, string> = { 503: 'UNAVAILABLE', 504: 'TIMEOUT' };

/** Checks one answer against every per-answer invariant. `request` is what was sent, as text. */
export function checkAnswer(request: string, answer: Answer, stallMs: number): Violation[] {
  const out: Violation[] = [];
  const add = (invariant: Invariant, detail: string, cause = blur(detail)) =>
    out.push({ invariant, cause, detail });

  if (answer.timedOut)
    add('stall', `no complete answer within ${Math.round(answer.ms)} ms`, 'no answer in time');
  else if (!answer.live && answer.ms > stallMs)
    add('stall', `answered after ${Math.round(answer.ms)} ms`, 'slow answer');
  if (answer.malformed) add('malformed-answer', answer.malformed);

  const codes = new Set<string>();
  answer.results.forEach((result, i) => {
    if (!result || typeof result !== 'object' || Array.isArray(result)) {
      add('malformed-answer', `result ${i} is not an object: ${preview(JSON.stringify(result))}`);
      return;
    }
    const errors = (result as { errors?: unknown }).errors;
    if (errors === undefined) return;
    if (!Array.isArray(errors) || errors.length === 0) {
      add('malformed-answer', `errors is not a non-empty array: ${preview(JSON.stringify(errors))}`);
      return;
    }
    for (const error of errors) {
      const message = (error as { message?: unknown })?.message;
      const code = (error as { extensions?: { code?: unknown } })?.extensions?.code;
      if (typeof message !== 'string')
        add('malformed-answer', `an error without a message: ${preview(JSON.stringify(error))}`);
      if (typeof code !== 'string' || !code) {
        add('error-code', `no extensions.code over ${answer.transport}: ${preview(String(message))}`);
      } else {
        codes.add(code);
        if (code === 'INTERNAL_SERVER_ERROR') {
          add('server-error', `INTERNAL_SERVER_ERROR over ${answer.transport}: ${preview(String(message))}`);
        }
      }
    }
  });

  if (answer.status !== undefined) {
    const status = answer.status;
    if (status >= 500) {
      const allowed = CONTRACT_5XX[status];
      if (!allowed || codes.size !== 1 || !codes.has(allowed)) {
        add(
          'server-error',
          `HTTP ${status} ${preview(answer.text)}`,
          `HTTP ${status} (${[...codes].join(', ') || 'no code'})`,
        );
      }
    }
    const hasErrors = answer.results.some((r) => Array.isArray((r as { errors?: unknown } | null)?.errors));
    // A HEAD answer has no body by definition; a timed-out one was cut short (reported as a stall).
    if (status >= 400 && !hasErrors && answer.method !== 'HEAD' && !answer.timedOut) {
      const type = answer.contentType ?? 'no content type';
      add(
        'error-code',
        `HTTP ${status} without a GraphQL error body (${type}): ${preview(answer.text)}`,
        `HTTP ${status} without a GraphQL error body (${type.split(';')[0]})`,
      );
    }
  }
  if (answer.close && (answer.close.code === 1011 || answer.close.code === 4500)) {
    add(
      'server-error',
      `WebSocket closed with ${answer.close.code}: ${preview(answer.close.reason)}`,
      `WebSocket closed with ${answer.close.code}: ${blur(answer.close.reason)}`,
    );
  }

  const sent = answer.text + (answer.close ? `\n${answer.close.reason}` : '');
  for (const [name, pattern] of LEAKS) {
    const match = pattern.exec(sent);
    if (match && !request.includes(match[0].trim())) {
      add(
        'leak',
        `${name} over ${answer.transport}: …${preview(sent.slice(Math.max(0, match.index - 60), match.index + 100))}…`,
        `${name}: ${blur(match[0])}`,
      );
      break;
    }
  }
  return out;
}

/** A detail with its sizes, names and quoted values blurred: failures of one cause read the same. */
export function blur(text: string): string {
  return text
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .slice(0, 100);
}

export function preview(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${text.length} chars)` : flat;
}

/** Checks that the server still answers its health check and a trivial query promptly. */
export async function checkHealth(graphqlUrl: string, token: string, withinMs: number): Promise<Violation[]> {
  const out: Violation[] = [];
  const base = graphqlUrl.replace(/\/graphql$/, '');
  const timed = async (what: string, run: (signal: AbortSignal) => Promise<string | undefined>) => {
    const started = performance.now();
    try {
      const problem = await run(AbortSignal.timeout(withinMs));
      const ms = performance.now() - started;
      if (problem)
        out.push({ invariant: 'unhealthy', cause: `${what} failed`, detail: `${what}: ${problem}` });
      else if (ms > withinMs)
        out.push({
          invariant: 'unhealthy',
          cause: `${what} slow`,
          detail: `${what} took ${Math.round(ms)} ms`,
        });
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      out.push({
        invariant: 'unhealthy',
        cause: `${what} failed`,
        detail: `${what}: ${(error as Error).message} after ${ms} ms`,
      });
    }
  };
  await timed('/healthz', async (signal) => {
    const res = await fetch(`${base}/healthz`, { signal });
    const text = await res.text();
    return res.status === 200 && text.trim() === 'ok' ? undefined : `${res.status} ${preview(text)}`;
  });
  await timed('{ __typename }', async (signal) => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"query":"{ __typename }"}',
    });
    const text = await res.text();
    return res.status === 200 && text === '{"data":{"__typename":"Query"}}'
      ? undefined
      : `${res.status} ${preview(text)}`;
  });
  return out;
}

/** The own properties of the built-in prototypes, to notice pollution through a parser or merge. */
export function prototypeSnapshot(): string {
  const protos: Array<[string, object]> = [
    ['Object', Object.prototype],
    ['Array', Array.prototype],
    ['String', String.prototype],
    ['Function', Function.prototype],
    ['Number', Number.prototype],
  ];
  return protos
    .map(([name, proto]) => `${name}:${Reflect.ownKeys(proto).map(String).sort().join(',')}`)
    .join('\n');
}

export function checkPrototypes(before: string): Violation[] {
  const now = prototypeSnapshot();
  if (now === before) return [];
  const was = new Set(before.split('\n'));
  const changed = now.split('\n').filter((line) => !was.has(line));
  return [
    {
      invariant: 'prototype-pollution',
      cause: 'a built-in prototype changed',
      detail: preview(changed.join(' | '), 400),
    },
  ];
}
