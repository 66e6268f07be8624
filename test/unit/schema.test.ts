import crypto from 'node:crypto';
import fs from 'node:fs';
import { validateSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../schema/kinds/index.ts';
import { buildSchema } from '../../server/graphql/schema.ts';
import { SDL_FILE, printSdl } from '../../server/graphql/sdl.ts';
import { openDatabase } from '../../server/store/database.ts';
import { Persistence } from '../../server/store/persistence.ts';
import { groupVersionOf } from '../../server/rest/discovery.ts';
import { openApiDocument, openApiGroupVersions } from '../../server/rest/openapi-document.ts';
import os from 'node:os';
import path from 'node:path';

describe('the API contract and the store schema', () => {
  it('the committed schema.graphql matches the code (run `npm run print-schema` after changing schema/)', () => {
    expect(fs.readFileSync(SDL_FILE, 'utf8')).toBe(printSdl());
  });

  it('the schema is valid GraphQL', () => {
    expect(validateSchema(buildSchema())).toEqual([]);
  });

  it('every group-version has an OpenAPI document that defines each of its kinds under its own name', () => {
    const defined = new Map<string, string[]>();
    for (const [path, gv] of openApiGroupVersions()) {
      const schemas = (
        openApiDocument(gv).components as {
          schemas: Record<string, { 'x-kubernetes-group-version-kind'?: { kind: string }[] }>;
        }
      ).schemas;
      defined.set(
        path,
        Object.values(schemas).flatMap(
          (schema) => schema['x-kubernetes-group-version-kind']?.map((gvk) => gvk.kind) ?? [],
        ),
      );
    }
    for (const def of KINDS) {
      const { group, version } = groupVersionOf(def);
      expect(defined.get(group ? `apis/${group}/${version}` : `api/${version}`)).toContain(def.kind);
    }
  });

  it('the SQLite and PostgreSQL Prisma schemas declare the same models', () => {
    const models = (provider: string) =>
      fs
        .readFileSync(new URL(`../../prisma/${provider}/schema.prisma`, import.meta.url), 'utf8')
        .split(/^model /m)
        .slice(1)
        .join('model ');
    expect(models('postgresql')).toBe(models('sqlite'));
  });

  it('migrations apply offline, are recorded as Prisma records them, and the generated client works on them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-migrate-'));
    const { db, provider } = await openDatabase({ dataDir: dir });
    const rows = await db.$queryRawUnsafe<{ migration_name: string; checksum: string }[]>(
      'SELECT migration_name, checksum FROM _prisma_migrations',
    );
    const folder = new URL('../../prisma/sqlite/migrations/', import.meta.url);
    const names = fs
      .readdirSync(folder)
      .filter((n) => !n.endsWith('.toml'))
      .sort();
    expect(rows.map((r) => r.migration_name).sort()).toEqual(names);
    for (const row of rows) {
      const sql = fs.readFileSync(new URL(`${row.migration_name}/migration.sql`, folder));
      expect(row.checksum).toBe(crypto.createHash('sha256').update(sql).digest('hex'));
    }
    const persistence = new Persistence(db, provider);
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', namespace: 'default', resourceVersion: '1' },
    };
    await persistence.write({
      upserts: [{ key: 'ConfigMap/default/x', object, revision: 1 }],
      deletes: [],
      events: [
        {
          revision: 1,
          type: 'ADDED',
          kind: 'ConfigMap',
          key: 'ConfigMap/default/x',
          object,
          time: Date.now(),
        },
      ],
    });
    expect(await db.storedObject.count()).toBe(1);
    const loaded = await persistence.load();
    expect(loaded.objects).toEqual([object]);
    expect(loaded.revision).toBe(1);
    await persistence.close();
    // A second open finds everything applied and applies nothing again.
    const again = await openDatabase({ dataDir: dir });
    expect(await again.db.$queryRawUnsafe<unknown[]>('SELECT * FROM _prisma_migrations')).toHaveLength(
      names.length,
    );
    await again.db.$disconnect();
  });
});
