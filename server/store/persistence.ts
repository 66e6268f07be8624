import type { Resource } from '../../schema/kind.ts';
import type { Database, Provider } from './database.ts';
import type { StoreEvent } from './event-log.ts';
import { statementsWritten } from './prisma-debug-history.ts';

/** What one group commit changes: final state per key, plus every event in order. */
export interface Batch {
  upserts: Array<{ key: string; object: Resource; revision: number }>;
  deletes: string[];
  events: StoreEvent[];
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
  constructor(
    private readonly db: Database,
    private readonly provider: Provider,
  ) {}

  async load(): Promise<{ objects: Resource[]; events: StoreEvent[]; compacted: number; revision: number }> {
    const meta = await this.db.storeMeta.findUnique({ where: { key: COMPACTED } });
    const compacted = meta ? Number(meta.value) : 0;
    const rows = await this.db.storedObject.findMany();
    const objects = rows.map((row) => JSON.parse(row.data) as Resource);
    const eventRows = await this.db.storedEvent.findMany({ orderBy: { revision: 'asc' } });
    const events = eventRows.map((row) => {
      const object = JSON.parse(row.data) as Resource;
      return {
        revision: Number(row.revision),
        type: row.type as StoreEvent['type'],
        kind: row.kind,
        key: `${row.kind}/${row.namespace}/${row.name}`,
        object,
        prev: row.prev ? (JSON.parse(row.prev) as Resource) : undefined,
        time: Number(row.createdAt),
        bytes: row.data.length + (row.prev?.length ?? 0),
      };
    });
    let revision = compacted;
    for (const row of rows) revision = Math.max(revision, Number(row.revision));
    if (events.length) revision = Math.max(revision, events[events.length - 1].revision);
    return { objects, events, compacted, revision };
  }

  async write(batch: Batch): Promise<void> {
    // A write's object is both its key's new row and its event (and the next event's prev
    // when the key changes twice in the batch): serialized once.
    const texts = new Map<Resource, string>();
    let bytes = 0;
    const json = (obj: Resource) => {
      let text = texts.get(obj);
      if (text === undefined) {
        texts.set(obj, (text = JSON.stringify(obj)));
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
          json(object),
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
        const prev = e.prev ? json(e.prev) : null;
        const data = json(e.object);
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
