import { describe, expect, it } from 'vitest';
import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { ApplyConflict } from '../../server/apply/apply-conflict.ts';
import { managerFromUserAgent } from '../../server/apply/field-manager.ts';
import { mergeApplied } from '../../server/apply/merge.ts';
import { prepareApply } from '../../server/apply/server-side-apply.ts';
import { trackUpdate } from '../../server/apply/update-tracking.ts';
import type { Untyped } from '../support/harness.ts';

// Server-side apply's merge and ownership (server/apply/) on plain objects: what the store
// decides inside its commit, without admission (a real object is also defaulted between
// the merge and the ownership, which these tests leave out).

const def = kindByName('Deployment')!;

function deployment(
  spec: Record<string, unknown>,
  labels: Record<string, string> = { app: 'web' },
): Resource {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels },
    spec,
  };
}

const containers = (...items: Untyped[]) => ({ template: { spec: { containers: items } } });

/** Applies as `manager` against `live`, and returns the stored result with its managedFields. */
function apply(live: Resource | undefined, config: Resource, manager: string, force = false): Resource {
  const { merged, ownership } = prepareApply(def, live, config, { fieldManager: manager, force });
  const managedFields = ownership(live, merged);
  return { ...merged, metadata: { ...merged.metadata, ...(managedFields ? { managedFields } : {}) } };
}

function update(live: Resource, next: Resource, manager: string, subresource: '' | 'status' = ''): Resource {
  const managedFields = trackUpdate(
    def,
    live,
    next,
    manager,
    subresource,
    subresource,
    '2026-01-01T00:00:00Z',
  );
  return { ...next, metadata: { ...next.metadata, managedFields } };
}

const owners = (obj: Resource) =>
  Object.fromEntries(
    (obj.metadata.managedFields ?? []).map((m) => [`${m.manager}/${m.operation}`, m.fieldsV1]),
  );

describe('merging an applied configuration', () => {
  it('merges objects and maps by field, keyed lists by key, and replaces atomic lists', () => {
    const live = deployment({
      replicas: 2,
      ...containers(
        { name: 'web', image: 'nginx:1', args: ['a', 'b'], env: [{ name: 'A', value: '1' }] },
        { name: 'side', image: 'busybox' },
      ),
    });
    const config = deployment({
      ...containers(
        { name: 'web', image: 'nginx:2', args: ['c'], env: [{ name: 'B', value: '2' }] },
        { name: 'new' },
      ),
    });
    const merged = mergeApplied(def.shape, live, config) as Untyped;
    expect(merged.spec.replicas).toBe(2);
    expect(merged.spec.template.spec.containers).toEqual([
      {
        name: 'web',
        image: 'nginx:2',
        args: ['c'],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
      { name: 'side', image: 'busybox' },
      { name: 'new' },
    ]);
    expect((live.spec as Untyped).template.spec.containers[0].image).toBe('nginx:1');
  });
});

describe('ownership', () => {
  it('gives the applier exactly the fields it applies', () => {
    const created = apply(
      undefined,
      deployment({ replicas: 1, ...containers({ name: 'web', image: 'x' }) }),
      'ci',
    );
    expect(owners(created)).toEqual({
      'ci/Apply': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:template': {
            'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
          },
        },
      },
    });
  });

  it('an unchanged apply keeps the entries as they were, time included', () => {
    const config = deployment({ replicas: 1 });
    const first = apply(undefined, config, 'ci');
    const again = apply(first, config, 'ci');
    expect(again.metadata.managedFields).toEqual(first.metadata.managedFields);
  });

  it('a conflict names each manager and field; force takes the fields', () => {
    const live = update(
      apply(undefined, deployment({ replicas: 1, paused: false }), 'ci'),
      deployment({ replicas: 5, paused: true }),
      'tuner',
    );
    expect(owners(live)['tuner/Update']).toEqual({ 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
    let conflict: unknown;
    try {
      apply(live, deployment({ replicas: 1, paused: false }), 'ci');
    } catch (error) {
      conflict = error;
    }
    expect(conflict).toBeInstanceOf(ApplyConflict);
    expect((conflict as ApplyConflict).message).toBe(
      'Apply failed with 2 conflicts: conflicts with "tuner" using apps/v1:\n- .spec.paused\n- .spec.replicas',
    );
    expect((conflict as ApplyConflict).causes).toEqual([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "tuner" using apps/v1',
        field: '.spec.paused',
      },
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "tuner" using apps/v1',
        field: '.spec.replicas',
      },
    ]);
    const forced = apply(live, deployment({ replicas: 1, paused: false }), 'ci', true);
    expect((forced.spec as Untyped).replicas).toBe(1);
    expect(Object.keys(owners(forced))).toEqual(['ci/Apply']);
  });

  it('applying the live value shares the field instead of conflicting', () => {
    const live = update(
      apply(undefined, deployment({ replicas: 1 }), 'ci'),
      deployment({ replicas: 5 }),
      'tuner',
    );
    const shared = apply(live, deployment({ replicas: 5 }), 'other');
    expect(owners(shared)['other/Apply']).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:replicas': {} },
    });
    expect(owners(shared)['tuner/Update']).toEqual({ 'f:spec': { 'f:replicas': {} } });
  });

  it('removes what the applier lets go of, unless another manager owns it', () => {
    const both = apply(
      apply(undefined, deployment({ replicas: 1, paused: true }, { app: 'web', tier: 'front' }), 'ci'),
      deployment({ paused: true }),
      'other',
    );
    const after = apply(both, deployment({}), 'ci');
    // Both applied the app label; only the first the tier label.
    expect(after.metadata.labels).toEqual({ app: 'web' });
    expect(after.spec).toEqual({ paused: true });
    expect(Object.keys(owners(after))).toEqual(['ci/Apply', 'other/Apply']);
  });

  it('an update takes the fields it changes from every other manager, and status goes to its subresource', () => {
    const live = apply(undefined, deployment({ replicas: 1, paused: true }), 'ci');
    const scaled = update(live, deployment({ replicas: 3, paused: true }), 'kubectl');
    expect(owners(scaled)['ci/Apply']).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:paused': {} },
    });
    const status = update(scaled, { ...scaled, status: { replicas: 3 } }, 'controller', 'status');
    expect(status.metadata.managedFields?.find((m) => m.manager === 'controller')).toMatchObject({
      manager: 'controller',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:replicas': {} } },
    });
    // A write that changes nothing leaves managedFields alone.
    expect(update(status, status, 'someone')).toEqual(status);
  });
});

describe('the default manager', () => {
  it('is the User-Agent up to the first slash, as the Kubernetes API server derives it', () => {
    expect(managerFromUserAgent('kubectl/v1.33.0 (linux/amd64) kubernetes/abc')).toBe('kubectl');
    expect(managerFromUserAgent('helm')).toBe('helm');
    expect(managerFromUserAgent('')).toBeUndefined();
    expect(managerFromUserAgent(undefined)).toBeUndefined();
  });
});
