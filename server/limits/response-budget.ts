import {
  defaultFieldResolver,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { ApiError } from '../errors.ts';

/**
 * What one response may really hold, beyond the cost estimated before it runs
 * (server/limits/cost.ts): edges are estimated, not known, and an object's size is not known
 * at all. Two checks, both failing the whole operation with BAD_REQUEST rather than
 * building an answer that exhausts memory:
 *
 * - API objects, counted as the lists and edges that return them resolve (see meterLists),
 *   which bounds the result tree while it is built;
 * - the JSON size of the result, measured before it is serialized (jsonSizeAbove), which
 *   bounds the answer's text: a page of `manifest`s is a few objects but many bytes.
 */
export class ResponseBudget {
  private objects = 0;
  private refusal?: ApiError;

  constructor(private readonly maxObjects: number) {}

  /** Why the operation failed, once it has. */
  get exceeded(): ApiError | undefined {
    return this.refusal;
  }

  /** Counts a list a field returned; throws (failing the field) once over the budget. */
  count<T>(list: T): T {
    if (Array.isArray(list)) this.objects += list.length;
    if (this.objects > this.maxObjects) throw this.refuse();
    return list;
  }

  /** Throws when already over, so that the rest of the operation resolves no more lists. */
  check(): void {
    if (this.refusal) throw this.refusal;
  }

  private refuse(): ApiError {
    this.refusal ??= new ApiError(
      'BAD_REQUEST',
      `the response would hold more than ${this.maxObjects} objects: ask for smaller pages (limit) or follow fewer edges`,
    );
    return this.refusal;
  }
}

export function responseTooLarge(maxBytes: number): ApiError {
  const mib = maxBytes / (1024 * 1024);
  const size = Number.isInteger(mib) ? `${mib} MiB` : `${maxBytes} bytes`;
  return new ApiError(
    'BAD_REQUEST',
    `the response would be larger than ${size}: ask for smaller pages (limit) or fewer fields`,
  );
}

const metered = new WeakSet<GraphQLSchema>();
/** Per operation, by its context: module-wide, as the schema (built once) is shared by every server. */
const budgets = new WeakMap<object, ResponseBudget>();

/** The result, or an error in its place when it is over the budget or `maxBytes` of JSON. */
export function boundedResult<R extends ExecutionResult>(
  result: R,
  maxBytes: number,
  budget?: ResponseBudget,
): R | ExecutionResult {
  if (budget?.exceeded) return { errors: [budget.exceeded] };
  if (jsonSizeAbove(result.data, maxBytes) > maxBytes) return { errors: [responseTooLarge(maxBytes)] };
  return result;
}

/** Makes the lists an operation resolves count against `budget` (see meterLists). */
export function meterOperation(context: unknown, budget: ResponseBudget): void {
  if (typeof context === 'object' && context !== null) budgets.set(context, budget);
}

/**
 * Wraps the resolver of every field that returns a list of API objects (page items and
 * edges) to count what it returns against the budget of the operation's context, if
 * meterOperation gave it one (subscription events have none). Changes the schema in
 * place, once.
 */
export function meterLists(schema: GraphQLSchema): void {
  if (metered.has(schema)) return;
  metered.add(schema);
  const resource = schema.getType('Resource');
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const item = getNamedType(field.type);
      if (!isListType(getNullableType(field.type))) continue;
      if (!(isObjectType(item) || isInterfaceType(item))) continue;
      if (item !== resource && !item.getInterfaces().some((implemented) => implemented === resource))
        continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const budget = typeof context === 'object' && context !== null ? budgets.get(context) : undefined;
        if (!budget) return resolve(source, args, context, info);
        budget.check();
        const list: unknown = resolve(source, args, context, info);
        return list instanceof Promise ? list.then((done) => budget.count(done)) : budget.count(list);
      };
    }
  }
}

/**
 * About how many bytes `value` takes as JSON (strings counted by their length, escapes
 * not), or a number past `stopAbove` as soon as it is known to be larger. A loop, not a
 * recursion: result trees and JSON scalars can nest deep.
 */
export function jsonSizeAbove(value: unknown, stopAbove: number): number {
  let size = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') size += item.length + 2;
    else if (typeof item === 'number' || typeof item === 'bigint') size += String(item).length;
    else if (typeof item === 'boolean') size += 5;
    else if (item === null || item === undefined) size += 4;
    else if (Array.isArray(item)) {
      size += 2 + item.length;
      for (const element of item) pending.push(element);
    } else if (typeof item === 'object') {
      size += 2;
      for (const key in item) {
        size += key.length + 4;
        pending.push((item as Record<string, unknown>)[key]);
      }
    }
    if (size > stopAbove) return size;
  }
  return size;
}
