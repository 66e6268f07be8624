import type { Plugin } from 'graphql-yoga';
import type { ExecutionArgs } from 'graphql';
import { ApiError } from '../errors.ts';
import type { Limits } from './hardening.ts';
import { unknownInputField } from './unknown-input-fields.ts';

/**
 * Refuses documents and variables nested deeper than `maxNesting`, and variables of more
 * than `maxVariableValues` values, before anything walks them. graphql-js parses,
 * validates and coerces nested selections and literals by recursion, so a list literal a
 * few thousand levels deep overflows the stack (a 500, with "Maximum call stack size
 * exceeded" in messages) before any limit that works on the parsed document runs; and it
 * quotes the whole value in the error for each unknown field of an input object, so
 * 30,000 unknown keys made 22 MB of errors in 5 s. Both checks are loops, not recursion:
 * one pass over the text, one over the variables, then unknown input fields are refused
 * with one short error. Over HTTP, SSE and WebSocket alike (they share these hooks).
 */
export function useDocumentLimits(limits: Pick<Limits, 'maxNesting' | 'maxVariableValues'>): Plugin {
  const { maxNesting, maxVariableValues } = limits;
  const refusal = (args: ExecutionArgs) => {
    const shape = variablesShape(args.variableValues, maxNesting, maxVariableValues);
    const message =
      shape.nesting > maxNesting
        ? `variables nest deeper than ${maxNesting} levels`
        : shape.values > maxVariableValues
          ? `variables hold more than ${maxVariableValues} values`
          : unknownInputField(args);
    return message ? { errors: [new ApiError('BAD_REQUEST', message)] } : undefined;
  };
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (nestingDepth(source, maxNesting) > maxNesting)
        throw new ApiError(
          'BAD_REQUEST',
          `the document nests braces and brackets deeper than ${maxNesting} levels`,
        );
    },
    // Answered, not thrown: a transport may treat an exception from execute as its own failure.
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

/**
 * How deeply `{` and `[` nest in a GraphQL document, outside strings, block strings and
 * comments (parentheses cannot nest without them). Stops once past `stopAbove`. Text
 * that is not valid GraphQL still gets an answer; the parser reports its errors after.
 */
export function nestingDepth(source: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length;) {
    const c = source.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > deepest && (deepest = depth) > stopAbove) return deepest;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth > 0) depth--;
      i++;
    } else if (c === HASH) {
      i = lineEnd(source, i);
    } else if (c === QUOTE) {
      i = source.startsWith('"""', i) ? blockStringEnd(source, i + 3) : stringEnd(source, i + 1);
    } else {
      i++;
    }
  }
  return deepest;
}

/**
 * How deeply arrays and objects nest in a JSON value (a scalar is 0) and how many values
 * it holds, found without recursion. Stops once past either bound.
 */
export function variablesShape(
  value: unknown,
  maxNesting = Infinity,
  maxValues = Infinity,
): { nesting: number; values: number } {
  let nesting = 0;
  let values = 0;
  const pending: unknown[] = [value];
  const depths: number[] = [0];
  while (pending.length > 0) {
    const item = pending.pop();
    const depth = depths.pop()!;
    if (++values > maxValues) break;
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > nesting && (nesting = depth + 1) > maxNesting) break;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      pending.push(child);
      depths.push(depth + 1);
    }
  }
  return { nesting, values };
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const HASH = 0x23;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const CR = 0x0d;

/** A comment runs to the end of its line. */
function lineEnd(source: string, i: number): number {
  while (i < source.length && source.charCodeAt(i) !== LF && source.charCodeAt(i) !== CR) i++;
  return i;
}

/** After the closing quote of a "string" (which cannot span lines), or at the line's end. */
function stringEnd(source: string, i: number): number {
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === LF || c === CR) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  return i;
}

/** After the closing """ of a block string, where \""" is an escaped quote triple. */
function blockStringEnd(source: string, i: number): number {
  for (;;) {
    const end = source.indexOf('"""', i);
    if (end < 0) return source.length;
    if (source.charCodeAt(end - 1) !== BACKSLASH) return end + 3;
    i = end + 3;
  }
}
