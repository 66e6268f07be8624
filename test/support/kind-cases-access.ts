import { expect } from 'vitest';
import type { ClusterRole } from '../../schema/kinds/clusterrole.ts';
import type { ClusterRoleBinding } from '../../schema/kinds/clusterrolebinding.ts';
import type { Role } from '../../schema/kinds/role.ts';
import type { RoleBinding } from '../../schema/kinds/rolebinding.ts';
import type { ServiceAccount } from '../../schema/kinds/serviceaccount.ts';
import { kindCase, type KindCase } from './kinds.ts';

/**
 * ServiceAccounts and RBAC's roles and bindings, from Kubernetes' documentation: their
 * manifests and what the API makes of them (see KindCase), for kinds-lifecycle.test.ts.
 */

const RBAC = 'rbac.authorization.k8s.io';
const subjects = 'subjects { kind apiGroup name namespace } roleRef { apiGroup kind name }';
const rules = 'rules { apiGroups resources resourceNames verbs nonResourceURLs }';

export const ACCESS_KIND_CASES: KindCase[] = [
  kindCase<ServiceAccount>({
    kind: 'ServiceAccount',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
automountServiceAccountToken: false
`,
    select: 'automountServiceAccountToken imagePullSecrets { name } secrets { name }',
    created(sa) {
      expect(sa.automountServiceAccountToken).toBe(false);
      expect(sa.secrets).toBeNull();
    },
    change(m) {
      m.imagePullSecrets = [{ name: 'registry-credentials' }];
    },
    changed(sa) {
      expect(sa.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    },
    patch: { automountServiceAccountToken: true },
    patched(sa) {
      expect(sa.automountServiceAccountToken).toBe(true);
      expect(sa.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    },
  }),
  kindCase<Role>({
    kind: 'Role',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}
rules:
- apiGroups: [""] # "" indicates the core API group
  resources: ["pods"]
  verbs: ["get", "watch", "list"]
`,
    select: rules,
    created(role) {
      expect(role.rules).toEqual([
        {
          apiGroups: [''],
          resources: ['pods'],
          resourceNames: null,
          verbs: ['get', 'watch', 'list'],
          nonResourceURLs: null,
        },
      ]);
    },
    change(m) {
      m.rules!.push({ apiGroups: [''], resources: ['pods/log'], verbs: ['get'] });
    },
    changed(role) {
      expect(role.rules?.map((r) => r.resources)).toEqual([['pods'], ['pods/log']]);
    },
    patch: {
      rules: [{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['get'] }],
    },
    patched(role) {
      expect(role.rules).toHaveLength(1);
      expect(role.rules?.[0].resourceNames).toEqual(['web']);
    },
  }),
  kindCase<ClusterRole>({
    kind: 'ClusterRole',
    namespaced: false,
    hasSpec: false,
    manifest: (name) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "watch", "list"]
- nonResourceURLs: ["/healthz", "/healthz/*"] # '*' in a nonResourceURL is a suffix glob match
  verbs: ["get", "post"]
`,
    select: `${rules} aggregationRule { clusterRoleSelectors { matchLabels } }`,
    created(role) {
      expect(role.rules?.[1]).toMatchObject({
        nonResourceURLs: ['/healthz', '/healthz/*'],
        verbs: ['get', 'post'],
      });
      expect(role.aggregationRule).toBeNull();
    },
    change(m) {
      m.aggregationRule = {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
      };
    },
    changed(role) {
      expect(role.aggregationRule?.clusterRoleSelectors).toEqual([
        { matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } },
      ]);
    },
    patch: { metadata: { labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } } },
    patched(role) {
      expect(role.metadata.labels).toEqual({ 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
    },
  }),
  kindCase<RoleBinding>({
    kind: 'RoleBinding',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${name}
subjects:
- kind: User
  name: jane # "name" is case sensitive
  apiGroup: rbac.authorization.k8s.io
- kind: ServiceAccount
  name: default
roleRef:
  kind: Role
  name: pod-reader
  apiGroup: rbac.authorization.k8s.io
`,
    select: subjects,
    created(rb) {
      // A ServiceAccount subject is in the core group.
      expect(rb.subjects).toEqual([
        { kind: 'User', apiGroup: RBAC, name: 'jane', namespace: null },
        { kind: 'ServiceAccount', apiGroup: '', name: 'default', namespace: null },
      ]);
      expect(rb.roleRef).toEqual({ apiGroup: RBAC, kind: 'Role', name: 'pod-reader' });
    },
    change(m) {
      m.subjects!.push({ kind: 'Group', name: 'developers' });
    },
    changed(rb) {
      expect(rb.subjects?.[2]).toEqual({
        kind: 'Group',
        apiGroup: RBAC,
        name: 'developers',
        namespace: null,
      });
    },
    patch: { subjects: [{ kind: 'User', name: 'dave' }] },
    patched(rb) {
      expect(rb.subjects).toEqual([{ kind: 'User', apiGroup: RBAC, name: 'dave', namespace: null }]);
    },
  }),
  kindCase<ClusterRoleBinding>({
    kind: 'ClusterRoleBinding',
    namespaced: false,
    hasSpec: false,
    manifest: (name) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${name}
subjects:
- kind: Group
  name: manager # Name is case sensitive
  apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: secret-reader
`,
    select: subjects,
    created(crb) {
      expect(crb.roleRef).toEqual({ apiGroup: RBAC, kind: 'ClusterRole', name: 'secret-reader' });
    },
    change(m) {
      m.subjects!.push({ kind: 'ServiceAccount', name: 'monitor', namespace: 'monitoring' });
    },
    changed(crb) {
      expect(crb.subjects?.[1]).toEqual({
        kind: 'ServiceAccount',
        apiGroup: '',
        name: 'monitor',
        namespace: 'monitoring',
      });
    },
    patch: { metadata: { labels: { team: 'platform' } } },
    patched(crb) {
      expect(crb.metadata.labels).toEqual({ team: 'platform' });
      expect(crb.subjects).toHaveLength(2);
    },
  }),
];
