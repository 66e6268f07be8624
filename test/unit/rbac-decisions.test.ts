import { describe, expect, it } from 'vitest';
import type { Resource } from '../../schema/kind.ts';
import type { AccessAttributes } from '../../server/auth/access-attributes.ts';
import { Authorizer } from '../../server/auth/authorizer.ts';
import type { Store } from '../../server/store/store.ts';

// The authorizer remembers RBAC's answers per caller, namespace and request: what it remembers
// must never outlive a change of the RBAC objects, nor answer for another caller or object.

/** A store holding `objects`, whose `change` tells the authorizer as a commit would. */
function cluster(objects: Array<Record<string, unknown>>) {
  const byKind = new Map<string, Map<string, Resource>>();
  const listeners: Array<(events: Array<{ kind: string }>) => void> = [];
  const put = (obj: Record<string, unknown>) => {
    const resource = obj as unknown as Resource;
    if (!byKind.has(resource.kind)) byKind.set(resource.kind, new Map());
    byKind.get(resource.kind)!.set(`${resource.metadata.namespace}/${resource.metadata.name}`, resource);
  };
  objects.forEach(put);
  const store = {
    subscribe: (listener: (events: Array<{ kind: string }>) => void) => {
      listeners.push(listener);
      return () => {};
    },
    objects: {
      ofKind: (kind: string) => byKind.get(kind) ?? new Map(),
      lookup: () => [],
      keyOfUid: () => undefined,
    },
    get: () => undefined,
  };
  const authorizer = new Authorizer(store as unknown as Store);
  return {
    authorizer,
    change(obj: Record<string, unknown>, deleted = false) {
      const resource = obj as unknown as Resource;
      if (deleted)
        byKind.get(resource.kind)!.delete(`${resource.metadata.namespace}/${resource.metadata.name}`);
      else put(obj);
      for (const listener of listeners) listener([{ kind: resource.kind }]);
    },
  };
}

const RBAC = 'rbac.authorization.k8s.io';
const podReader = (names?: string[]) => ({
  kind: 'Role',
  metadata: { name: 'pod-reader', namespace: 'team' },
  rules: [
    { apiGroups: [''], resources: ['pods'], verbs: ['get'], ...(names ? { resourceNames: names } : {}) },
  ],
});
const bindingTo = (subject: object) => ({
  kind: 'RoleBinding',
  metadata: { name: 'read-pods', namespace: 'team' },
  roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pod-reader' },
  subjects: [subject],
});
const getPod = (user: string, extra: Partial<AccessAttributes> = {}): AccessAttributes => ({
  user,
  groups: ['system:authenticated'],
  verb: 'get',
  apiGroup: '',
  resource: 'pods',
  namespace: 'team',
  name: 'web',
  ...extra,
});

describe('remembered RBAC decisions', () => {
  it('follow a binding created, then deleted, on the very next decision', () => {
    const { authorizer, change } = cluster([podReader()]);
    const binding = bindingTo({ kind: 'User', name: 'alice' });
    expect(authorizer.authorize(getPod('alice')).allowed).toBe(false);
    change(binding);
    expect(authorizer.authorize(getPod('alice')).allowed).toBe(true);
    change(binding, true);
    expect(authorizer.authorize(getPod('alice')).allowed).toBe(false);
  });

  it('follow a role whose rules change', () => {
    const { authorizer, change } = cluster([podReader(), bindingTo({ kind: 'User', name: 'alice' })]);
    expect(authorizer.authorize(getPod('alice', { verb: 'get' })).allowed).toBe(true);
    change({ ...podReader(), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] });
    expect(authorizer.authorize(getPod('alice', { verb: 'get' })).allowed).toBe(false);
    expect(authorizer.authorize(getPod('alice', { verb: 'list', name: undefined })).allowed).toBe(true);
  });

  it('answer for one object at a time when a rule names objects', () => {
    const { authorizer } = cluster([podReader(['web']), bindingTo({ kind: 'User', name: 'alice' })]);
    expect(authorizer.authorize(getPod('alice', { name: 'web' })).allowed).toBe(true);
    expect(authorizer.authorize(getPod('alice', { name: 'db' })).allowed).toBe(false);
    expect(authorizer.authorize(getPod('alice', { name: 'web' })).allowed).toBe(true);
  });

  it('are kept apart by caller, group and namespace', () => {
    const { authorizer } = cluster([podReader(), bindingTo({ kind: 'Group', name: 'readers' })]);
    expect(authorizer.authorize(getPod('alice', { groups: ['readers'] })).allowed).toBe(true);
    expect(authorizer.authorize(getPod('alice', { groups: ['readers', 'x'] })).allowed).toBe(true);
    expect(authorizer.authorize(getPod('alice', { groups: ['readersx'] })).allowed).toBe(false);
    expect(authorizer.authorize(getPod('alice', { groups: ['readers\0x'] })).allowed).toBe(false);
    expect(authorizer.authorize(getPod('bob', { groups: [] })).allowed).toBe(false);
    expect(authorizer.authorize(getPod('alice', { groups: ['readers'], namespace: 'other' })).allowed).toBe(
      false,
    );
  });
});
