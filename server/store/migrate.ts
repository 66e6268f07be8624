import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '../../prisma/generated/sqlite/client.ts';

/** The SQL dialects the store runs on; each has its own generated client and migrations. */
export type Provider = 'sqlite' | 'postgresql';

const MIGRATIONS_ROOT = fileURLToPath(new URL('../../prisma/', import.meta.url));

const CREATE_TABLE: Record<Provider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
};

/**
 * Applies the committed SQL migrations that have not run yet, each in its own
 * transaction, recording them in Prisma's own `_prisma_migrations` table with the same
 * checksum Prisma computes, so `prisma migrate status` agrees with what ran. This
 * replaces `prisma migrate deploy`, whose native engine cannot be downloaded offline.
 * A migration whose file changed after it ran is an error: the database would no
 * longer match the schema.
 */
export async function applyMigrations(db: PrismaClient, provider: Provider): Promise<void> {
  await db.$executeRawUnsafe(CREATE_TABLE[provider]);
  const applied = await db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
    'SELECT "migration_name", "checksum" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL AND "finished_at" IS NOT NULL',
  );
  const done = new Map(applied.map((row) => [row.migration_name, row.checksum]));
  const dir = path.join(MIGRATIONS_ROOT, provider, 'migrations');
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const name of names) {
    const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
    const checksum = crypto.createHash('sha256').update(sql).digest('hex');
    const previous = done.get(name);
    if (previous === checksum) continue;
    if (previous !== undefined) throw new Error(`migration ${name} was modified after it was applied`);
    const statements = splitStatements(sql);
    const placeholder = provider === 'sqlite' ? '?' : '$';
    const param = (i: number) => (placeholder === '?' ? '?' : `$${i}`);
    await db.$transaction(async (tx) => {
      for (const statement of statements) await tx.$executeRawUnsafe(statement);
      await tx.$executeRawUnsafe(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "finished_at", "applied_steps_count") VALUES (${param(1)}, ${param(2)}, ${param(3)}, CURRENT_TIMESTAMP, 1)`,
        crypto.randomUUID(),
        checksum,
        name,
      );
    });
  }
}

function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((statement) =>
      statement
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim(),
    )
    .filter(Boolean);
}
