import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { manifestError, type ManifestLimits } from './manifest-limits.ts';

/** What one parse has spent, shared by its documents. */
export interface ParseBudget {
  /** Values produced so far. */
  values: number;
  /** When (performance.now()) the caller wants to be told TooMuchWork instead of waiting on. */
  readonly deadline: number;
}

/** The parse takes longer than its caller allows on its thread: not the client's fault. */
export class TooMuchWork extends Error {}

export function checkDeadline(budget: ParseBudget): void {
  if (budget.deadline !== Infinity && performance.now() > budget.deadline) throw new TooMuchWork();
}

type Container = Record<string, unknown> | unknown[];

interface Frame {
  items: readonly unknown[];
  index: number;
  out: Container;
  depth: number;
  anchor?: string;
  keys?: Set<string>;
}

/** An anchor whose node is complete: what its aliases copy. */
interface Anchored {
  value: unknown;
}

/**
 * One composed YAML document as plain JSON values, instead of yaml's toJS: with a loop
 * rather than recursion, every alias expanded into its own copy (counted against
 * maxValues, so an alias bomb stops early), duplicate keys found with a set instead of
 * yaml's pairwise comparison (quadratic in a map's size), and every key, `__proto__`
 * included, stored as an own property for validation to see and refuse.
 */
export function documentValue(
  doc: Document.Parsed,
  text: string,
  limits: ManifestLimits,
  budget: ParseBudget,
): unknown {
  const fail = (node: unknown, message: string) =>
    manifestError(text, (node as Node | null)?.range?.[0], message);
  const tally = (node: unknown) => {
    if (++budget.values > limits.maxValues) {
      throw fail(
        node,
        `the manifests expand to more than ${limits.maxValues} values (an alias counts its value at each use)`,
      );
    }
    checkDeadline(budget);
  };
  const tooDeep = (node: unknown) =>
    fail(node, `exceeded max depth of ${limits.maxDepth} nested objects and lists`);

  const anchors = new Map<string, Anchored | Frame>();
  const stack: Frame[] = [];

  /** Converts `node` at `depth` and hands its value to `set`; a collection is filled in later, from the stack. */
  const place = (node: unknown, depth: number, set: (value: unknown) => void) => {
    if (node === null || node === undefined) {
      tally(node);
      set(null);
    } else if (isScalar(node)) {
      tally(node);
      const value = scalarValue(node.value, (problem) => fail(node, problem));
      if (node.anchor) anchors.set(node.anchor, { value });
      set(value);
    } else if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw fail(node, `unknown anchor "${node.source}" referenced by an alias`);
      if (!('value' in target)) throw fail(node, `alias "*${node.source}" is inside the node it refers to`);
      set(copy(target.value, depth, node));
    } else if (isMap(node) || isSeq(node)) {
      if (depth > limits.maxDepth) throw tooDeep(node);
      tally(node);
      const out: Container = isMap(node) ? {} : [];
      const frame: Frame = { items: node.items, index: 0, out, depth, anchor: node.anchor };
      if (isMap(node)) frame.keys = new Set();
      if (node.anchor) anchors.set(node.anchor, frame);
      set(out);
      stack.push(frame);
    } else {
      throw fail(node, 'unsupported YAML node');
    }
  };

  /** A fresh copy of an anchored value for one alias: counted, and depth-checked where it lands. */
  const copy = (value: unknown, depth: number, alias: unknown): unknown => {
    tally(alias);
    if (value === null || typeof value !== 'object') return value;
    if (depth > limits.maxDepth) throw tooDeep(alias);
    const root: Container = Array.isArray(value) ? [] : {};
    const work: Array<[Container, Container, number]> = [[value as Container, root, depth]];
    while (work.length > 0) {
      const [from, to, level] = work.pop()!;
      for (const [key, item] of Object.entries(from)) {
        tally(alias);
        let placed = item;
        if (item !== null && typeof item === 'object') {
          if (level + 1 > limits.maxDepth) throw tooDeep(alias);
          placed = Array.isArray(item) ? [] : {};
          work.push([item as Container, placed as Container, level + 1]);
        }
        defineValue(to, key, placed);
      }
    }
    return root;
  };

  let root: unknown = null;
  place(doc.contents, 1, (value) => (root = value));
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.index === frame.items.length) {
      stack.pop();
      if (frame.anchor && anchors.get(frame.anchor) === frame)
        anchors.set(frame.anchor, { value: frame.out });
      continue;
    }
    const item = frame.items[frame.index++];
    const out = frame.out;
    if (Array.isArray(out)) {
      place(item, frame.depth + 1, (value) => out.push(value));
      continue;
    }
    if (!isPair(item)) throw fail(item, 'unsupported YAML node in a map');
    const key = keyOf(item.key, () => fail(item.key, 'map keys must be strings, numbers or booleans'));
    if (frame.keys!.has(key)) throw fail(item.key, `key ${JSON.stringify(key)} already set in map`);
    frame.keys!.add(key);
    place(item.value, frame.depth + 1, (value) => defineValue(out, key, value));
  }
  return root;
}

/** A map key as a string, as yaml's toJS and Kubernetes' YAML-to-JSON conversion make it. */
function keyOf(node: unknown, unsupported: () => Error): string {
  if (node === null || node === undefined) return '';
  if (!isScalar(node)) throw unsupported();
  const value = node.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') throw unsupported();
  return String(value);
}

/** A scalar as JSON has it: Kubernetes converts YAML to JSON, which has no .inf, .nan or binary. */
function scalarValue(value: unknown, invalid: (problem: string) => Error): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && !Number.isFinite(value))
    throw invalid('numbers must be finite (.inf and .nan are not JSON)');
  if (typeof value === 'object') throw invalid('unsupported YAML scalar');
  return value;
}

/**
 * Sets `key` as an own property even when it is `__proto__`, where assignment would
 * replace the object's prototype instead: validation must see the key to refuse it.
 */
function defineValue(container: Container, key: string | number, value: unknown): void {
  if (Array.isArray(container)) container[Number(key)] = value;
  else Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}
