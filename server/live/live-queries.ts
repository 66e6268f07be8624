import { performance } from 'node:perf_hooks';
import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { Channel } from '../../lib/channel.ts';
import { ApiError } from '../errors.ts';
import { unexpected } from '../websocket/ws-errors.ts';
import type { Context } from '../graphql/builder.ts';
import { meterOperation, ResponseBudget, responseTooLarge } from '../limits/response-budget.ts';
import type { StoreEvent } from '../store/event-log.ts';
import type { Store } from '../store/store.ts';
import type { LiveOptions } from './live-directive.ts';
import { ANY_KIND, ReadDependencies } from './read-dependencies.ts';

type Execute = (args: ExecutionArgs) => unknown;

/** The longest stretch of the event loop spent running live queries before yielding. */
const RUN_SLICE_MS = 10;

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
  /** Waiting in the run queue. */
  queued: boolean;
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
  /** Stale queries whose throttle has passed, in the order they became ready. */
  private ready: LiveQuery[] = [];
  private pumping = false;

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
        queued: false,
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

  /** Queues the query to run once its throttle has passed since its last run. */
  private schedule(query: LiveQuery): void {
    if (query.timer || query.queued || query.running || !this.queries.has(query.key)) return;
    const wait = Math.max(0, query.lastRunAt + query.throttleMs - Date.now());
    // setTimeout(0) rather than at once: the other writes of the same commit arrive first.
    query.timer = setTimeout(() => {
      query.timer = undefined;
      this.enqueue(query);
    }, wait);
  }

  private enqueue(query: LiveQuery): void {
    if (!this.queries.has(query.key)) return;
    query.queued = true;
    this.ready.push(query);
    if (!this.pumping) {
      this.pumping = true;
      setImmediate(() => void this.pump());
    }
  }

  /**
   * Runs queued queries for at most RUN_SLICE_MS, then leaves the loop to everything else
   * (writes, the sending of results) for as long again: with many distinct live queries
   * stale at once, runs take at most about half of the loop, and the queries queued
   * meanwhile run once for all the writes they missed instead of once per write.
   */
  private async pump(): Promise<void> {
    const start = performance.now();
    while (this.ready.length > 0 && performance.now() - start < RUN_SLICE_MS) {
      const query = this.ready.shift()!;
      query.queued = false;
      if (this.queries.has(query.key)) await this.run(query);
    }
    if (this.ready.length === 0) this.pumping = false;
    else setTimeout(() => void this.pump(), performance.now() - start);
  }

  private async run(query: LiveQuery): Promise<void> {
    query.running = true;
    query.stale = false;
    this.runs++;
    const dependencies = new ReadDependencies();
    const from = this.store.revision;
    const { result, json } = await this.execute(query, dependencies);
    query.running = false;
    query.lastRunAt = Date.now();
    if (!this.queries.has(query.key)) return;
    this.unindex(query);
    query.dependencies = dependencies;
    this.index(query);
    // Writes committed while it ran were matched against the reads of the run before.
    if (this.store.log.since(from).some((event) => dependencies.affectedBy(event))) query.stale = true;

    if (json !== query.last?.json) {
      query.last = { result, json };
      for (const channel of query.subscribers) channel.pushLatest(result);
    }
    if (query.stale) this.schedule(query);
  }

  /** One run's result, and its JSON: what tells a changed result, and its size, from one walk. */
  private async execute(
    query: LiveQuery,
    dependencies: ReadDependencies,
  ): Promise<{ result: ExecutionResult; json: string }> {
    const base = query.args.contextValue as Context;
    const contextValue: Context = { ...base, resources: base.resources.recording(dependencies) };
    const budget = new ResponseBudget(this.limits.maxResponseObjects);
    meterOperation(contextValue, budget);
    let result: ExecutionResult;
    try {
      const executed = await query.execute({ ...query.args, contextValue });
      if (isAsyncIterable(executed)) {
        await (executed as AsyncIterableIterator<unknown>).return?.();
        result = { errors: [new ApiError('BAD_REQUEST', '@live cannot be combined with @defer or @stream')] };
      } else {
        result = budget.exceeded ? { errors: [budget.exceeded] } : (executed as ExecutionResult);
      }
    } catch (error) {
      this.log(`live query: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      result = { errors: [unexpected()] };
    }
    const json = JSON.stringify(result);
    if (json.length <= this.limits.maxResponseBytes) return { result, json };
    const tooLarge = { errors: [responseTooLarge(this.limits.maxResponseBytes)] };
    return { result: tooLarge, json: JSON.stringify(tooLarge) };
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
