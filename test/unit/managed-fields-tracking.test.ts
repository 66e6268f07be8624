import { describe, expect, it } from 'vitest';
import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { ManagedFieldsEntry } from '../../schema/kinds/meta.ts';
import { FieldSet } from '../../server/apply/field-set.ts';
import { rootFromFieldsV1, toFieldsV1, type FieldsV1 } from '../../server/apply/fields-v1.ts';
import { withFields, withoutFields } from '../../server/apply/fields-v1-edits.ts';
import { trackUpdate } from '../../server/apply/update-tracking.ts';
import { freezeSharing } from '../../server/store/freeze.ts';

// Update tracking (server/apply/update-tracking.ts) on stored (frozen) objects, as the
// store hands them to a write: what each write changes in managedFields, and what it
// leaves as the very objects stored.

const def = kindByName('Pod')!;

function pod(status?: Record<string, unknown>): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
    ...(status ? { status } : {}),
  };
}

const status = (ready: boolean, at: string) => ({
  phase: 'Running',
  conditions: [
    { type: 'Ready', status: String(ready), lastTransitionTime: at },
    { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
  ],
});

/** `next` stored after a write by `manager` at `now`, frozen as the store freezes it. */
function write(
  stored: Resource | undefined,
  next: Resource,
  manager: string,
  now: string,
  subresource: '' | 'status' = '',
): Resource {
  const managedFields = trackUpdate(def, stored, next, manager, subresource, subresource, now);
  const version = { ...next, metadata: { ...next.metadata } };
  if (managedFields) version.metadata.managedFields = managedFields;
  else delete version.metadata.managedFields;
  return freezeSharing(version, stored);
}

const entry = (obj: Resource, manager: string): ManagedFieldsEntry | undefined =>
  obj.metadata.managedFields?.find((m) => m.manager === manager);

/** A pod created by its controller, then given its status by its node's agent. */
function running(): Resource {
  const created = write(undefined, pod(), 'kube-controller-manager', '2026-01-01T00:00:01Z');
  return write(
    created,
    { ...created, status: status(false, '2026-01-01T00:00:02Z') },
    'kq-agent',
    '2026-01-01T00:00:02Z',
    'status',
  );
}

describe('tracking updates', () => {
  it('a status write by the owner of the same fields keeps its fieldsV1 as stored and takes the new time', () => {
    const before = running();
    const after = write(
      before,
      { ...before, status: status(true, '2026-01-01T00:00:03Z') },
      'kq-agent',
      '2026-01-01T00:00:03Z',
      'status',
    );
    const [was, is] = [entry(before, 'kq-agent')!, entry(after, 'kq-agent')!];
    // Kubernetes sets an Update entry's time whenever its write changed the object.
    expect(is).toEqual({ ...was, time: '2026-01-01T00:00:03Z' });
    expect(is.fieldsV1).toBe(was.fieldsV1);
    // The controller's entry, which the write left alone, is the very entry stored.
    expect(entry(after, 'kube-controller-manager')).toBe(entry(before, 'kube-controller-manager'));
  });

  it('a write changing a field another manager owns moves it to the writer', () => {
    const before = running();
    const relabelled = { ...before, metadata: { ...before.metadata, labels: { app: 'db' } } };
    const after = write(before, relabelled, 'kubectl', '2026-01-01T00:00:03Z');
    const controller = entry(after, 'kube-controller-manager')!.fieldsV1 as FieldsV1;
    expect(controller['f:metadata']).toBeUndefined();
    expect(controller['f:spec']).toBe(
      (entry(before, 'kube-controller-manager')!.fieldsV1 as FieldsV1)['f:spec'],
    );
    expect(entry(after, 'kubectl')).toEqual({
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2026-01-01T00:00:03Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } },
    });
    // Managers in Kubernetes' order: by time, the newest last.
    expect(after.metadata.managedFields!.map((m) => m.manager)).toEqual([
      'kube-controller-manager',
      'kq-agent',
      'kubectl',
    ]);
  });

  it('a manager left without fields loses its entry, and one that removes a field stops owning it', () => {
    const before = running();
    const { labels: _, ...metadata } = before.metadata;
    const unlabelled = write(
      before,
      { ...before, metadata },
      'kube-controller-manager',
      '2026-01-01T00:00:03Z',
    );
    const fields = entry(unlabelled, 'kube-controller-manager')!.fieldsV1 as FieldsV1;
    expect(fields['f:metadata']).toBeUndefined();
    expect(fields['f:spec']).toBeDefined();

    const cleared = write(before, { ...before, status: {} }, 'someone', '2026-01-01T00:00:03Z', 'status');
    expect(entry(cleared, 'kq-agent')).toBeUndefined();
    expect(entry(cleared, 'someone')).toBeUndefined();
  });

  it('a write that changes nothing leaves managedFields as stored', () => {
    const before = running();
    const same = { ...before, metadata: { ...before.metadata }, status: structuredClone(before.status) };
    expect(trackUpdate(def, before, same, 'kq-agent', 'status', 'status', 'later')).toBe(
      before.metadata.managedFields,
    );
  });
});

describe('editing a stored FieldsV1 value', () => {
  const sets = [
    FieldSet.of(['f:spec', 'f:replicas'], ['f:spec', 'f:paused'], ['f:metadata']),
    FieldSet.of(['f:spec', 'f:replicas'], ['f:spec']),
    FieldSet.of(['f:spec', 'k:{"name":"web"}'], ['f:spec', 'k:{"name":"web"}', 'f:image']),
    FieldSet.of(['f:spec', 'k:{"name":"web"}', 'f:image'], ['f:status', 'f:phase']),
    FieldSet.of(['f:metadata', 'f:labels', 'f:app'], ['f:a']),
    new FieldSet(),
  ];

  it('gives what the set operations give, in the same encoding', () => {
    for (const a of sets) {
      for (const b of sets) {
        const stored = toFieldsV1(a);
        const label = `${JSON.stringify(stored)} and ${JSON.stringify(toFieldsV1(b))}`;
        expect(JSON.stringify(withoutFields(stored, b, 'test')), label).toBe(
          JSON.stringify(toFieldsV1(a.difference(b))),
        );
        expect(JSON.stringify(withFields(stored, b, 'test')), label).toBe(
          JSON.stringify(toFieldsV1(a.union(b))),
        );
        expect(rootFromFieldsV1(withFields(stored, b, 'test')).equals(a.union(b)), label).toBe(true);
      }
    }
  });

  it('returns the stored value itself when the edit changes nothing, and shares untouched subtrees', () => {
    const stored = toFieldsV1(sets[0]);
    expect(withoutFields(stored, sets[4], 'test')).toBe(stored);
    expect(withFields(stored, FieldSet.of(['f:spec', 'f:replicas']), 'test')).toBe(stored);
    const edited = withoutFields(stored, FieldSet.of(['f:metadata']), 'test');
    expect(edited['f:spec']).toBe(stored['f:spec']);
    expect(Object.isFrozen(edited)).toBe(true);
  });
});
