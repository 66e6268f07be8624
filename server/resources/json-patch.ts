import { isDeepStrictEqual } from 'node:util';
import { isPlainObject } from '../../schema/shape-check.ts';
import { ApiError } from '../errors.ts';

/**
 * JSON patch (RFC 6902), what `kubectl patch --type json` and `kubectl rollout undo` send:
 * a list of add, remove, replace, move, copy and test operations on JSON pointers.
 * Operations apply in order to a copy; the first that fails fails the whole patch, as
 * INVALID (422, Kubernetes' answer for a patch that does not apply), and a document that
 * is no list of operations is BAD_REQUEST.
 */

/** Kubernetes' bound on the operations of one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** Refuses, before the patch is applied, a document that is no list of operations. */
export function checkJsonPatch(patch: unknown): asserts patch is Operation[] {
  if (!Array.isArray(patch)) throw new ApiError('BAD_REQUEST', 'a JSON patch must be a list of operations');
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(
      'BAD_REQUEST',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`,
    );
  }
  patch.forEach((op, i) => {
    if (!isPlainObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw new ApiError('BAD_REQUEST', `JSON patch operation ${i} must be an object with "op" and "path"`);
  });
}

export function jsonPatch(target: unknown, operations: readonly Operation[]): unknown {
  let doc = structuredClone(target);
  for (const operation of operations) doc = applyOperation(doc, operation);
  return doc;
}

function applyOperation(doc: unknown, operation: Operation): unknown {
  const { op, path } = operation;
  switch (op) {
    case 'add':
      return add(doc, path, valueOf(operation), op);
    case 'remove':
      return remove(doc, path, op).doc;
    case 'replace':
      return replace(doc, path, valueOf(operation), op);
    case 'move': {
      const from = fromOf(operation);
      if (path.startsWith(`${from}/`)) fail(`move operation does not apply: "${path}" is inside "${from}"`);
      const removed = remove(doc, from, op);
      return add(removed.doc, path, removed.value, op);
    }
    case 'copy':
      return add(doc, path, structuredClone(lookup(doc, fromOf(operation), op)), op);
    case 'test':
      if (!isDeepStrictEqual(lookup(doc, path, op), valueOf(operation)))
        fail(`testing value ${path} failed: test failed`);
      return doc;
    default:
      return fail(`Unexpected kind: ${op}`);
  }
}

function add(doc: unknown, path: string, value: unknown, op: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const last = tokens.pop()!;
  const parent = walk(doc, tokens, path, op);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : arrayIndex(last, parent.length + 1, path, op);
    parent.splice(index, 0, value);
  } else if (isPlainObject(parent)) {
    define(parent, last, value);
  } else {
    fail(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return doc;
}

/** Replaces in place, so that an object keeps the order of its keys. */
function replace(doc: unknown, path: string, value: unknown, op: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const last = tokens.pop()!;
  const parent = walk(doc, tokens, path, op);
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, path, op)] = value;
  else if (isPlainObject(parent) && Object.hasOwn(parent, last)) define(parent, last, value);
  else fail(`${op} operation does not apply: doc is missing key: "${path}"`);
  return doc;
}

function remove(doc: unknown, path: string, op: string): { doc: unknown; value: unknown } {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return { doc: undefined, value: doc };
  const last = tokens.pop()!;
  const parent = walk(doc, tokens, path, op);
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, path, op);
    return { doc, value: parent.splice(index, 1)[0] };
  }
  if (!isPlainObject(parent) || !Object.hasOwn(parent, last))
    fail(`${op} operation does not apply: doc is missing key: "${path}"`);
  const value = parent[last];
  delete parent[last];
  return { doc, value };
}

function lookup(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path);
  return walk(doc, tokens, path, op);
}

/** The value at `tokens`; failing when a step is missing. */
function walk(doc: unknown, tokens: readonly string[], path: string, op: string): unknown {
  let at = doc;
  for (const token of tokens) {
    if (Array.isArray(at)) at = at[arrayIndex(token, at.length, path, op)];
    else if (isPlainObject(at) && Object.hasOwn(at, token)) at = at[token];
    else fail(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return at;
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) fail(`JSON pointer "${path}" must start with "/"`);
  return path
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) fail(`JSON pointer "${path}" has an invalid escape`);
      const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
      if (key === '__proto__') fail(`"${key}" is a reserved name and may not be used as a key`);
      return key;
    });
}

/** An index into a list of `length` places (one more than its items where `add` may append). */
function arrayIndex(token: string, length: number, path: string, op: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token))
    fail(`${op} operation does not apply: "${token}" is not an index of a list, in "${path}"`);
  const index = Number(token);
  if (index >= length) fail(`${op} operation does not apply: index ${index} is out of bounds, in "${path}"`);
  return index;
}

function valueOf(operation: Operation): unknown {
  if (!Object.hasOwn(operation, 'value')) fail(`${operation.op} operation has no "value"`);
  return structuredClone(operation.value);
}

function fromOf(operation: Operation): string {
  if (typeof operation.from !== 'string') fail(`${operation.op} operation has no "from"`);
  return operation.from!;
}

/** Defined, not assigned: assigning `__proto__` would replace the prototype instead. */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function fail(message: string): never {
  throw new ApiError('INVALID', message);
}
