import { Composer, Lexer, Parser, type CST, type Document } from 'yaml';
import { manifestError, type ManifestLimits } from './manifest-limits.ts';
import { checkDeadline, documentValue, type ParseBudget } from './yaml-values.ts';

/**
 * The objects in an apply's text, within `limits`: JSON (an object, an array or a List)
 * directly, anything else as YAML with several documents. Synchronous and bounded:
 * past `deadline` (a performance.now() time) it throws TooMuchWork, for the caller to
 * move the parse off the event loop (manifests.ts). Client errors are ManifestErrors.
 */
export function parseManifestText(text: string, limits: ManifestLimits, deadline = Infinity): unknown[] {
  const budget: ParseBudget = { values: 0, deadline };
  const trimmed = text.trimStart();
  if (
    (trimmed.startsWith('{') || trimmed.startsWith('[')) &&
    jsonNesting(text, limits.maxDepth) <= limits.maxDepth
  ) {
    // JSON.parse is native and fast, but slows down badly on deep nesting: checked above.
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    // Not JSON after all (YAML flow style, or a JSON document followed by more): read it as YAML.
    if (value !== undefined) return objectsOf([value], text, limits);
  }
  return objectsOf(parseYaml(text, limits, budget), text, limits);
}

/** CST parser stack entries above the nesting they stand for: the document, and the scalar being read. */
const STACK_SLACK = 2;

/**
 * YAML's lexer, parser and composer driven one token at a time, so that the limits on
 * nesting and documents stop them early: the parser slows down quadratically with
 * nesting and the composer recurses once per level.
 */
function parseYaml(text: string, limits: ManifestLimits, budget: ParseBudget): unknown[] {
  const parser = new Parser();
  // Unique keys are checked when the values are built, with a set: yaml's check is pairwise.
  const composer = new Composer({ uniqueKeys: false });
  const values: unknown[] = [];
  let documents = 0;
  const compose = (docs: Iterable<Document.Parsed>) => {
    for (const doc of docs) {
      const error = doc.errors[0];
      if (error) throw manifestError(text, error.pos[0], error.message.split('\n')[0]);
      values.push(documentValue(doc, text, limits, budget));
    }
  };
  const take = (tokens: Iterable<CST.Token>) => {
    for (const token of tokens) {
      if (token.type === 'document' && ++documents > limits.maxDocuments) {
        throw manifestError(text, token.offset, `more than ${limits.maxDocuments} YAML documents`);
      }
      compose(composer.next(token));
    }
  };
  for (const lexeme of new Lexer().lex(text)) {
    checkDeadline(budget);
    take(parser.next(lexeme));
    if (parser.stack.length > limits.maxDepth + STACK_SLACK) {
      throw manifestError(
        text,
        parser.offset,
        `exceeded max depth of ${limits.maxDepth} nested objects and lists`,
      );
    }
  }
  take(parser.end());
  compose(composer.end(true, text.length));
  return values;
}

/** Unwraps arrays and `kind: List` objects into their items; drops empty documents. */
function objectsOf(values: unknown[], text: string, limits: ManifestLimits): unknown[] {
  const out: unknown[] = [];
  // Depth is bounded by maxDepth, so is this stack of iterators; a loop keeps the order.
  const pending: Array<Iterator<unknown>> = [values[Symbol.iterator]()];
  while (pending.length > 0) {
    const next = pending[pending.length - 1].next();
    if (next.done) {
      pending.pop();
      continue;
    }
    const value = next.value;
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) pending.push(value[Symbol.iterator]());
    else if (isList(value)) pending.push(value.items[Symbol.iterator]());
    else if (out.push(value) > limits.maxObjects)
      throw manifestError(text, undefined, `more than ${limits.maxObjects} objects in one apply`);
  }
  return out;
}

function isList(value: unknown): value is { items: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const list = value as { kind?: unknown; items?: unknown };
  return list.kind === 'List' && Array.isArray(list.items);
}

/**
 * How deeply `[` and `{` nest in JSON text, outside strings; stops counting once past
 * `stopAbove`. For text that is not JSON the answer is only an estimate, which is
 * fine: such text goes to the YAML parser, whose own depth check is exact.
 */
export function jsonNesting(text: string, stopAbove: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character, a quote among them.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > stopAbove) return deepest;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}
