import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { Channel } from '../../lib/channel.ts';
import { ApiError } from '../errors.ts';
import { unexpected } from '../websocket/ws-errors.ts';
import type { Context } from '../graphql/builder.ts';
import { boundedResult, meterOperation, ResponseBudget } from '../limits/response-budget.ts';
import type { StoreEvent } from '../store/event-log.ts';
import type { Store } from '../store/store.ts';
import type { LiveOptions } from './live-directive.ts';
import { ANY_KIND, ReadDependencies } from './read-dependencies.ts';

type Execute = (args: ExecutionArgs) => unknown;

export interface LiveQueryLimits {
  maxResponseObjects: number;
  maxResponseBytes: number;
}

/**
 * One live query as many clients may hold it (the same document, operation, variables,
 * principal and throttle): run once per change for all of them, as subscriptions share
 * each event's execution.
 */
interface LiveQuery {
  readonly key: string;
  readonly args: ExecutionArgs;
  readonly execute: Execute;
  readonly throttleMs: number;
  readonly subscribers: Set<Channel<ExecutionResult>>;
  dependencies: ReadDependencies;
  last?: { result: ExecutionResult; json: string };
  /** A write it depends on has happened since it last ran. */
  stale: boolean;
  running: boolean;
  timer?: NodeJS.Timeout;
  lastRunAt: number;
}

/**
 * The server's live queries (`@live`): each runs with a ResourceService that records
 * what it reads (ReadDependencies); the store's committed events are matched against
 * those reads, through an index by kind and by uid, and a query a write touches runs
 * again, no sooner than its throttle after its last run, and sends its result when it
 * differs from the last one sent. Invalidation by object identity, never polling.
 */
export class LiveQueries {
  private readonly queries = new Map<string, LiveQuery>();
  private readonly byKind = new Map<string, Set<LiveQuery>>();
  private readonly byUid = new Map<string, Set<LiveQuery>>();
  private readonly documentIds = new WeakMap<DocumentNode, number>();
  private nextDocumentId = 0;
  /** Executions since the server started: what invalidation costs. */
  runs = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly limits: LiveQueryLimits,
    private readonly log: (line: string) => void,
  ) {
    this.unsubscribe = store.subscribe((events) => this.invalidate(events));
  }

  /** How many distinct live queries run, however many clients hold each. */
  get size(): number {
    return this.queries.size;
  }

  /** The results of a live query: the current one at once, then each that differs. */
  subscribe(
    args: ExecutionArgs,
    execute: Execute,
    options: LiveOptions,
  ): AsyncIterableIterator<ExecutionResult> {
    const key = this.keyOf(args, options);
    let query = this.queries.get(key);
    if (!query) {
      query = {
        key,
        args,
        execute,
        throttleMs: options.throttleMs,
        subscribers: new Set(),
        dependencies: new ReadDependencies(),
        stale: true,
        running: false,
        lastRunAt: 0,
      };
      this.queries.set(key, query);
      this.schedule(query);
    }
    const held = query;
    const channel: Channel<ExecutionResult> = new Channel(() => this.leave(held, channel));
    held.subscribers.add(channel);
    if (held.last) channel.push(held.last.result);
    return channel;
  }

  /** Ends every live query (server shutdown): clients see their operations complete. */
  close(): void {
    this.unsubscribe();
    for (const query of [...this.queries.values()]) {
      for (const channel of query.subscribers) channel.end();
      this.drop(query);
    }
  }

  private keyOf(args: ExecutionArgs, options: LiveOptions): string {
    let id = this.documentIds.get(args.document);
    if (id === undefined) this.documentIds.set(args.document, (id = this.nextDocumentId++));
    const principal = (args.contextValue as Context).principal.name;
    return JSON.stringify([
      id,
      args.operationName ?? '',
      args.variableValues ?? {},
      principal,
      options.throttleMs,
    ]);
  }

  private leave(query: LiveQuery, channel: Channel<ExecutionResult>): void {
    query.subscribers.delete(channel);
    if (query.subscribers.size === 0) this.drop(query);
  }

  private drop(query: LiveQuery): void {
    clearTimeout(query.timer);
    query.timer = undefined;
    this.unindex(query);
    this.queries.delete(query.key);
  }

  private invalidate(events: StoreEvent[]): void {
    for (const event of events) {
      const touched = new Set<LiveQuery>();
      for (const group of [
        this.byKind.get(event.kind),
        this.byKind.get(ANY_KIND),
        this.byUid.get(event.object.metadata.uid!),
      ])
        for (const query of group ?? []) touched.add(query);
      for (const query of touched) {
        if (query.stale || !query.dependencies.affectedBy(event)) continue;
        query.stale = true;
        this.schedule(query);
      }
    }
  }

  private schedule(query: LiveQuery): void {
    if (query.timer || query.running || !this.queries.has(query.key)) return;
    const wait = Math.max(0, query.lastRunAt + query.throttleMs - Date.now());
    // setTimeout(0) rather than at once: the other writes of the same commit arrive first.
    query.timer = setTimeout(() => {
      query.timer = undefined;
      void this.run(query);
    }, wait);
  }

  private async run(query: LiveQuery): Promise<void> {
    query.running = true;
    query.stale = false;
    this.runs++;
    const dependencies = new ReadDependencies();
    const from = this.store.revision;
    const result = await this.execute(query, dependencies);
    query.running = false;
    query.lastRunAt = Date.now();
    if (!this.queries.has(query.key)) return;
    this.unindex(query);
    query.dependencies = dependencies;
    this.index(query);
    // Writes committed while it ran were matched against the reads of the run before.
    if (this.store.log.since(from).some((event) => dependencies.affectedBy(event))) query.stale = true;

    const json = JSON.stringify(result);
    if (json !== query.last?.json) {
      query.last = { result, json };
      for (const channel of query.subscribers) channel.pushLatest(result);
    }
    if (query.stale) this.schedule(query);
  }

  private async execute(query: LiveQuery, dependencies: ReadDependencies): Promise<ExecutionResult> {
    const base = query.args.contextValue as Context;
    const contextValue: Context = { ...base, resources: base.resources.recording(dependencies) };
    const budget = new ResponseBudget(this.limits.maxResponseObjects);
    meterOperation(contextValue, budget);
    try {
      const result = await query.execute({ ...query.args, contextValue });
      if (isAsyncIterable(result)) {
        await (result as AsyncIterableIterator<unknown>).return?.();
        return { errors: [new ApiError('BAD_REQUEST', '@live cannot be combined with @defer or @stream')] };
      }
      return boundedResult(result as ExecutionResult, this.limits.maxResponseBytes, budget);
    } catch (error) {
      this.log(`live query: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { errors: [unexpected()] };
    }
  }

  private index(query: LiveQuery): void {
    for (const kind of query.dependencies.kinds) addTo(this.byKind, kind, query);
    for (const uid of query.dependencies.uids) addTo(this.byUid, uid, query);
  }

  private unindex(query: LiveQuery): void {
    for (const kind of query.dependencies.kinds) removeFrom(this.byKind, kind, query);
    for (const uid of query.dependencies.uids) removeFrom(this.byUid, uid, query);
  }
}

function addTo(index: Map<string, Set<LiveQuery>>, key: string, query: LiveQuery): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(query);
}

function removeFrom(index: Map<string, Set<LiveQuery>>, key: string, query: LiveQuery): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(query);
  if (set.size === 0) index.delete(key);
}
