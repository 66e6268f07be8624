import type { Resource } from '../../schema/kind.ts';
import type { Database, Provider } from './database.ts';
import { DecryptError, ObjectEncryption } from './encryption/object-encryption.ts';
import type { StoreEvent } from './event-log.ts';
import { statementsWritten } from './prisma-debug-history.ts';

/** What one group commit changes: final state per key, plus every event in order. */
export interface Batch {
  upserts: Array<{ key: string; object: Resource; revision: number }>;
  deletes: string[];
  events: StoreEvent[];
}

/** What the database holds, read back at start. */
export interface LoadedState {
  objects: Resource[];
  events: StoreEvent[];
  compacted: number;
  revision: number;
  /** Objects no configured provider decrypts, by key, with the reason: reads of them fail, the server runs on. */
  unreadable: Map<string, string>;
  /** Keys of objects stored by another provider or key than the one that writes now. */
  stale: Set<string>;
  /** Events no configured provider decrypts: the history read back starts after the last of them. */
  unreadableEvents: number;
}

const COMPACTED = 'compactedRevision';
/** Rows per INSERT: keeps every statement under SQLite's bound-parameter limit. */
const ROWS_PER_STATEMENT = 400;

/**
 * The store's SQL, through Prisma. Writes use multi-row upserts inside one
 * transaction per group commit: Prisma's per-row model API costs ~1 ms a row here,
 * while one statement per table per batch reaches >10,000 rows/s on SQLite.
 */
export class Persistence {
  /** `encryption` turns each object's JSON into what is stored and back (by default: the JSON itself). */
  constructor(
    private readonly db: Database,
    private readonly provider: Provider,
    private readonly encryption = new ObjectEncryption(),
  ) {}

  async load(): Promise<LoadedState> {
    const meta = await this.db.storeMeta.findUnique({ where: { key: COMPACTED } });
    let compacted = meta ? Number(meta.value) : 0;
    const unreadable = new Map<string, string>();
    const stale = new Set<string>();
    const rows = await this.db.storedObject.findMany();
    const objects: Resource[] = [];
    for (const row of rows) {
      try {
        const opened = this.encryption.open(row.kind, row.key, row.data);
        if (opened.stale) stale.add(row.key);
        objects.push(JSON.parse(opened.json) as Resource);
      } catch (error) {
        if (!(error instanceof DecryptError)) throw error;
        unreadable.set(row.key, error.message);
      }
    }
    const eventRows = await this.db.storedEvent.findMany({ orderBy: { revision: 'asc' } });
    let events: StoreEvent[] = [];
    let unreadableEvents = 0;
    for (const row of eventRows) {
      const key = `${row.kind}/${row.namespace}/${row.name}`;
      const open = (stored: string) =>
        JSON.parse(this.encryption.open(row.kind, key, stored).json) as Resource;
      try {
        events.push({
          revision: Number(row.revision),
          type: row.type as StoreEvent['type'],
          kind: row.kind,
          key,
          object: open(row.data),
          prev: row.prev ? open(row.prev) : undefined,
          time: Number(row.createdAt),
          bytes: row.data.length + (row.prev?.length ?? 0),
        });
      } catch (error) {
        if (!(error instanceof DecryptError)) throw error;
        // The retained history has no gaps: it starts after an event that cannot be replayed,
        // and a watch resuming from before it is told to list again.
        unreadableEvents++;
        compacted = Math.max(compacted, Number(row.revision));
        events = [];
      }
    }
    let revision = compacted;
    for (const row of rows) revision = Math.max(revision, Number(row.revision));
    if (eventRows.length) revision = Math.max(revision, Number(eventRows[eventRows.length - 1].revision));
    return { objects, events, compacted, revision, unreadable, stale, unreadableEvents };
  }

  async write(batch: Batch): Promise<void> {
    // A write's object is both its key's new row and its event (and the next event's prev
    // when the key changes twice in the batch): serialized, and encrypted, once. History rows
    // are encrypted as the object's row is, so a deleted Secret leaves no plaintext behind.
    const texts = new Map<Resource, string>();
    let bytes = 0;
    const stored = (key: string, obj: Resource) => {
      let text = texts.get(obj);
      if (text === undefined) {
        texts.set(obj, (text = this.encryption.seal(obj.kind, key, JSON.stringify(obj))));
        bytes += text.length;
      }
      return text;
    };
    const statements = [];
    for (const rows of chunks(batch.upserts)) {
      const params: unknown[] = [];
      for (const { key, object, revision } of rows) {
        params.push(
          key,
          object.kind,
          object.metadata.namespace ?? '',
          object.metadata.name,
          revision,
          stored(key, object),
        );
      }
      statements.push(
        this.db.$executeRawUnsafe(
          `INSERT INTO "objects" ("key", "kind", "namespace", "name", "revision", "data") VALUES ${this.values(rows.length, 6)}
           ON CONFLICT ("key") DO UPDATE SET "revision" = excluded."revision", "data" = excluded."data"`,
          ...params,
        ),
      );
    }
    for (const keys of chunks(batch.deletes)) {
      statements.push(
        this.db.$executeRawUnsafe(
          `DELETE FROM "objects" WHERE "key" IN (${this.list(keys.length)})`,
          ...keys,
        ),
      );
    }
    for (const rows of chunks(batch.events)) {
      const params: unknown[] = [];
      for (const e of rows) {
        const { namespace = '', name } = e.object.metadata;
        const prev = e.prev ? stored(e.key, e.prev) : null;
        const data = stored(e.key, e.object);
        e.bytes = data.length + (prev?.length ?? 0);
        params.push(e.revision, e.type, e.kind, namespace, name, data, prev, e.time);
      }
      statements.push(
        this.db.$executeRawUnsafe(
          `INSERT INTO "events" ("revision", "type", "kind", "namespace", "name", "data", "prev", "createdAt") VALUES ${this.values(rows.length, 8)}`,
          ...params,
        ),
      );
    }
    await this.db.$transaction(statements);
    statementsWritten(bytes);
  }

  async compact(revision: number): Promise<void> {
    await this.db.$transaction([
      this.db.$executeRawUnsafe(`DELETE FROM "events" WHERE "revision" <= ${this.param(1)}`, revision),
      this.db.storeMeta.upsert({
        where: { key: COMPACTED },
        create: { key: COMPACTED, value: String(revision) },
        update: { value: String(revision) },
      }),
    ]);
  }

  close(): Promise<void> {
    return this.db.$disconnect();
  }

  private param(n: number): string {
    return this.provider === 'postgresql' ? `$${n}` : '?';
  }

  private list(count: number, offset = 0): string {
    return Array.from({ length: count }, (_, i) => this.param(offset + i + 1)).join(', ');
  }

  private values(rows: number, columns: number): string {
    return Array.from({ length: rows }, (_, r) => `(${this.list(columns, r * columns)})`).join(', ');
  }
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) out.push(items.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}
