import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { apiNames } from '../../schema/api-names.ts';
import { KINDS } from '../../schema/kinds/index.ts';
import type { ObjectMeta } from '../../schema/kinds/meta.ts';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { CORE_KIND_CASES } from '../support/kind-cases-core.ts';
import { EXTENSIONS_KIND_CASES } from '../support/kind-cases-extensions.ts';
import { ACCESS_KIND_CASES } from '../support/kind-cases-access.ts';
import { NETWORKING_KIND_CASES } from '../support/kind-cases-networking.ts';
import { POLICY_KIND_CASES } from '../support/kind-cases-policy.ts';
import { STORAGE_KIND_CASES } from '../support/kind-cases-storage.ts';
import { WORKLOAD_KIND_CASES } from '../support/kind-cases-workloads.ts';
import { expectError, kindApi, type KindCase, type KindObject, type Stored } from '../support/kinds.ts';

/**
 * Every kind through the real HTTP endpoint, as a kubectl user meets it: apply a
 * manifest, read it back, list it, replace it, merge-patch it, delete it. The kinds'
 * manifests and what is expected of each are in test/support/kind-cases-*.ts.
 */

const cluster = clusterPerFile();
const { applyManifests, createNamespace } = kindApi(cluster);

const CASES: KindCase[] = [
  ...CORE_KIND_CASES,
  ...WORKLOAD_KIND_CASES,
  ...ACCESS_KIND_CASES,
  ...STORAGE_KIND_CASES,
  ...NETWORKING_KIND_CASES,
  ...POLICY_KIND_CASES,
  ...EXTENSIONS_KIND_CASES,
];

const META =
  'apiVersion kind metadata { name namespace uid resourceVersion generation labels annotations creationTimestamp deletionTimestamp finalizers }';
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** An object read back, with the fields META selects. */
type Read = Stored<KindObject>;
/** A manifest as YAML.parse makes it of what a user wrote. */
type Manifest = KindObject & { metadata: ObjectMeta };
/** A page of a list, with the fields `list` selects. */
interface ListRead {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string };
  items: Array<{ metadata: { name: string; namespace: string | null } }>;
}

describe('every kind through the API', () => {
  it('covers every kind the cluster serves', () => {
    expect(CASES.map((c) => c.kind).sort()).toEqual(KINDS.map((k) => k.kind).sort());
  });

  describe.each(CASES)('$kind', (c) => {
    const { one, many } = apiNames(c.kind);
    const name = c.name ?? `k-${c.kind.toLowerCase()}`;
    const namespace = c.namespaced ? `kinds-${c.kind.toLowerCase()}` : undefined;
    const nsParam = c.namespaced ? '$ns: String, ' : '';
    const nsArg = c.namespaced ? 'namespace: $ns, ' : '';
    const vars = (extra: Record<string, unknown> = {}) => ({
      ...(c.namespaced ? { ns: namespace } : {}),
      name,
      ...extra,
    });

    const get = async () =>
      (
        await cluster.ok<{ obj: Read | null }>(
          `query(${nsParam}$name: String!) { obj: ${one}(${nsArg}name: $name) { ${META} ${c.select} } }`,
          vars(),
        )
      ).obj;
    const replace = (obj: Manifest) =>
      cluster.gql<{ obj: Read }>(
        `mutation(${nsParam}$name: String!, $obj: ${c.kind}Input!) {
          obj: replace${c.kind}(${nsArg}name: $name, ${one}: $obj) { ${META} ${c.select} }
        }`,
        vars({ obj }),
      );
    const remove = () =>
      cluster.gql<{ obj: Read }>(
        `mutation(${nsParam}$name: String!) { obj: delete${c.kind}(${nsArg}name: $name) { ${META} } }`,
        vars(),
      );
    const list = async (ns?: string) =>
      (
        await cluster.ok<{ list: ListRead }>(
          `query${c.namespaced ? '($ns: String)' : ''} {
            list: ${many}${c.namespaced ? '(namespace: $ns)' : ''} { apiVersion kind metadata { resourceVersion } items { metadata { name namespace } } }
          }`,
          c.namespaced ? { ns } : {},
        )
      ).list;

    it('is applied, read, listed, replaced, patched and deleted', async () => {
      if (namespace) await createNamespace(namespace);
      const manifest = c.manifest(name, namespace ?? 'default');

      // apply
      const applied = await applyManifests(manifest, namespace);
      expect(applied.errors, JSON.stringify(applied.errors)).toBeUndefined();
      expect(applied.data!.apply).toHaveLength(1);
      const created = applied.data!.apply[0];
      expect(created.kind).toBe(c.kind);
      expect(created.metadata.name).toBe(name);
      expect(created.metadata.namespace).toBe(namespace ?? null);
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata.generation).toBe(1);

      // get
      const obj = (await get())!;
      expect(obj.kind).toBe(c.kind);
      expect(obj.apiVersion).toBe(YAML.parse(manifest).apiVersion);
      expect(obj.metadata.uid).toBe(created.metadata.uid);
      expect(obj.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect(obj.metadata.creationTimestamp).toMatch(RFC3339);
      expect(obj.metadata.deletionTimestamp).toBeNull();
      c.created(obj, name);

      // applying the same manifest again changes nothing
      const again = await applyManifests(manifest, namespace);
      expect(again.errors, JSON.stringify(again.errors)).toBeUndefined();
      expect(again.data!.apply[0].metadata.resourceVersion).toBe(created.metadata.resourceVersion);

      // list
      const listed = await list(namespace);
      expect(listed.kind).toBe(`${c.kind}List`);
      expect(listed.items.map((i) => i.metadata.name)).toContain(name);
      expect(Number(listed.metadata.resourceVersion)).toBeGreaterThanOrEqual(
        Number(created.metadata.resourceVersion),
      );
      if (c.namespaced) {
        const elsewhere = await list('default');
        expect(elsewhere.items.map((i) => i.metadata.name)).not.toContain(name);
        const everywhere = await list(undefined);
        expect(everywhere.items).toContainEqual({ metadata: { name, namespace } });
      }

      // replace, metadata only: a new resourceVersion, the same generation
      const annotated: Manifest = YAML.parse(manifest);
      annotated.metadata.annotations = { 'example.com/note': 'replaced' };
      annotated.metadata.resourceVersion = obj.metadata.resourceVersion;
      const r1 = await replace(annotated);
      expect(r1.errors, JSON.stringify(r1.errors)).toBeUndefined();
      const afterMeta = r1.data!.obj;
      expect(afterMeta.metadata.annotations).toEqual({ 'example.com/note': 'replaced' });
      expect(afterMeta.metadata.resourceVersion).not.toBe(obj.metadata.resourceVersion);
      expect(afterMeta.metadata.generation).toBe(1);
      expect(afterMeta.metadata.uid).toBe(obj.metadata.uid);
      expect(afterMeta.metadata.creationTimestamp).toBe(obj.metadata.creationTimestamp);

      // replace with a changed spec: generation goes up (only kinds with a spec have one to follow)
      const changed = structuredClone(annotated);
      c.change(changed);
      changed.metadata.resourceVersion = afterMeta.metadata.resourceVersion;
      const r2 = await replace(changed);
      expect(r2.errors, JSON.stringify(r2.errors)).toBeUndefined();
      const afterSpec = r2.data!.obj;
      c.changed(afterSpec);
      expect(afterSpec.metadata.resourceVersion).not.toBe(afterMeta.metadata.resourceVersion);
      expect(afterSpec.metadata.generation).toBe(c.hasSpec ? 2 : 1);
      expect(await get()).toEqual(afterSpec);

      // replace from a stale read
      const stale = structuredClone(changed);
      stale.metadata.resourceVersion = obj.metadata.resourceVersion;
      expectError(await replace(stale), 'CONFLICT');

      // merge patch
      const p = await cluster.gql<{ obj: Read }>(
        `mutation(${nsParam}$name: String!, $patch: JSON!) {
          obj: patch${c.kind}(${nsArg}name: $name, patch: $patch) { ${META} ${c.select} }
        }`,
        vars({ patch: c.patch }),
      );
      expect(p.errors, JSON.stringify(p.errors)).toBeUndefined();
      const patched = p.data!.obj;
      c.patched(patched);
      expect(patched.metadata.annotations).toMatchObject({ 'example.com/note': 'replaced' });
      expect(patched.metadata.resourceVersion).not.toBe(afterSpec.metadata.resourceVersion);
      expect(patched.metadata.generation).toBe(c.hasSpec ? ('spec' in c.patch ? 3 : 2) : 1);
      expect(await get()).toEqual(patched);

      // delete
      const deleted = await remove();
      expect(deleted.errors, JSON.stringify(deleted.errors)).toBeUndefined();
      expect(deleted.data!.obj.metadata.uid).toBe(obj.metadata.uid);
      await c.finishDeletion?.(cluster, name);
      expect(await get()).toBeNull();
      const missing = expectError(await remove(), 'NOT_FOUND');
      expect(missing.message).toContain(name);
      expect((await list(namespace)).items.map((i) => i.metadata.name)).not.toContain(name);
    });
  });
});
