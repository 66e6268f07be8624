import fs from 'node:fs';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from '../../prisma/generated/sqlite/client.ts';
import { PrismaClient as PostgresClient } from '../../prisma/generated/postgresql/client.ts';
import { applyMigrations, type Provider } from './migrate.ts';

/** Both generated clients have the same models; the store is written against this one. */
export type Database = InstanceType<typeof SqliteClient>;
export type { Provider };

export interface DatabaseOptions {
  /** Directory for the SQLite file (used when no PostgreSQL URL is given). */
  dataDir: string;
  /** A postgres:// or postgresql:// URL selects PostgreSQL. */
  databaseUrl?: string;
}

/** Connects, tunes and migrates the store's database; the caller disconnects. */
export async function openDatabase(options: DatabaseOptions): Promise<{ db: Database; provider: Provider }> {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const db = new PostgresClient({
      adapter: new PrismaPg({ connectionString: url }),
    }) as unknown as Database;
    await applyMigrations(db, 'postgresql');
    return { db, provider: 'postgresql' };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = path.join(options.dataDir, 'kubeql.db');
  const db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
  // WAL lets readers run beside the writer; NORMAL syncs at checkpoints, which WAL keeps durable against
  // process crashes (only an OS crash can lose the last commits).
  await db.$queryRawUnsafe('PRAGMA journal_mode=WAL');
  await db.$executeRawUnsafe('PRAGMA synchronous=NORMAL');
  // Freed pages are zeroed, so a deleted or rewritten row (a Secret stored before encryption
  // was on) does not linger in the file.
  await db.$queryRawUnsafe('PRAGMA secure_delete=ON');
  await applyMigrations(db, 'sqlite');
  return { db, provider: 'sqlite' };
}
