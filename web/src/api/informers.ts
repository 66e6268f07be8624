import type { KubeqlClient } from '../../../client/client.ts';
import { isCode, messageOf } from '../../../client/errors.ts';
import { createInformer, type Informer } from '../../../client/informer.ts';
import type { Resource, Selection } from '../../../client/types.ts';

/** How long an informer nobody uses keeps watching, so that going back to a page is instant. */
const LINGER_MS = 30_000;

interface Entry {
  informer: Informer;
  refs: number;
  /** The last list or watch failure, cleared by the next event; informers retry by themselves. */
  error?: string;
  /** The caller may not list this selection: not a connection problem, and shown where the objects would be. */
  forbidden?: string;
  listeners: Set<() => void>;
  linger?: ReturnType<typeof setTimeout>;
}

/** What a view holds while it shows objects of one kind and selection. */
export interface Lease {
  informer: Informer;
  error(): string | undefined;
  forbidden(): string | undefined;
  /** Called after every change to the cache (and error); returns a function that unsubscribes. */
  onChange(listener: () => void): () => void;
  release(): void;
}

/**
 * One SDK informer per (kind, selection), shared by every view that shows it. The
 * informer does the hard part: it lists every page (a list answers 500 objects at most,
 * so thousands of pods take several), then watches from the list's resourceVersion,
 * resumes after a dropped connection or a server restart, and lists again when the
 * server answers EXPIRED, so what the views show converges without a reload.
 */
export class InformerPool {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Set<() => void>();

  constructor(private readonly client: KubeqlClient) {}

  acquire(kind: string, selection: Selection = {}): Lease {
    const key = JSON.stringify([kind, selection.namespace, selection.labelSelector, selection.fieldSelector]);
    let entry = this.entries.get(key);
    if (!entry) entry = this.start(key, kind, selection);
    clearTimeout(entry.linger);
    entry.refs++;
    const held = entry;
    let released = false;
    return {
      informer: held.informer,
      error: () => held.error,
      forbidden: () => held.forbidden,
      onChange(listener) {
        held.listeners.add(listener);
        return () => held.listeners.delete(listener);
      },
      release: () => {
        if (released) return;
        released = true;
        if (--held.refs > 0) return;
        held.linger = setTimeout(() => {
          this.entries.delete(key);
          void held.informer.stop();
          if (held.error) this.problemChanged();
        }, LINGER_MS);
      },
    };
  }

  /** The latest failure of any informer still failing (they all retry by themselves), if any. */
  problem(): string | undefined {
    for (const entry of this.entries.values()) if (entry.error) return entry.error;
    return undefined;
  }

  /** Calls `listener` whenever an informer starts or stops failing; returns a function that unsubscribes. */
  onProblem(listener: () => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** Stops every informer (at logout, before the client closes). */
  async stopAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) clearTimeout(entry.linger);
    await Promise.all(entries.map((entry) => entry.informer.stop()));
  }

  private start(key: string, kind: string, selection: Selection): Entry {
    const entry: Entry = { refs: 0, listeners: new Set(), informer: undefined! };
    const changed = () => {
      for (const listener of [...entry.listeners]) listener();
    };
    entry.informer = createInformer<Resource>(this.client, kind, selection, {
      onError: (error) => {
        if (isCode(error, 'FORBIDDEN')) {
          entry.forbidden = messageOf(error);
          changed();
          return;
        }
        entry.error = messageOf(error);
        changed();
        this.problemChanged();
      },
      retryDelayMs: 500,
      maxRetryDelayMs: 10_000,
    });
    const fresh = () => {
      const recovered = entry.error !== undefined;
      entry.error = undefined;
      entry.forbidden = undefined;
      changed();
      if (recovered) this.problemChanged();
    };
    entry.informer.addEventHandler({ onAdd: fresh, onUpdate: fresh, onDelete: fresh });
    entry.informer.start();
    entry.informer.waitForSync().then(fresh, () => {});
    this.entries.set(key, entry);
    return entry;
  }

  private problemChanged(): void {
    for (const watcher of [...this.watchers]) watcher();
  }
}
