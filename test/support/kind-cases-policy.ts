import { expect } from 'vitest';
import type { LimitRange } from '../../schema/kinds/limitrange.ts';
import type { PodDisruptionBudget } from '../../schema/kinds/poddisruptionbudget.ts';
import type { ResourceQuota } from '../../schema/kinds/resourcequota.ts';
import { kindCase, type KindCase } from './kinds.ts';

/**
 * LimitRanges, ResourceQuotas and PodDisruptionBudgets, from Kubernetes' documentation:
 * their manifests and what the API makes of them (see KindCase), for kinds-lifecycle.test.ts.
 */
export const POLICY_KIND_CASES: KindCase[] = [
  kindCase<LimitRange>({
    kind: 'LimitRange',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: LimitRange
metadata:
  name: ${name}
spec:
  limits:
  - default:
      cpu: 500m
    defaultRequest:
      cpu: 500m
    max:
      cpu: "1"
    min:
      cpu: 100m
    type: Container
`,
    select: 'spec { limits { type max min default defaultRequest maxLimitRequestRatio } }',
    created(lr) {
      expect(lr.spec?.limits[0]).toEqual({
        type: 'Container',
        max: { cpu: '1' },
        min: { cpu: '100m' },
        default: { cpu: '500m' },
        defaultRequest: { cpu: '500m' },
        maxLimitRequestRatio: null,
      });
    },
    change(m) {
      m.spec!.limits.push({
        type: 'PersistentVolumeClaim',
        max: { storage: '2Gi' },
        min: { storage: '1Gi' },
      });
    },
    changed(lr) {
      expect(lr.spec?.limits.map((l) => l.type)).toEqual(['Container', 'PersistentVolumeClaim']);
    },
    patch: { spec: { limits: [{ type: 'Pod', max: { memory: '2Gi' } }] } },
    patched(lr) {
      expect(lr.spec?.limits).toHaveLength(1);
      expect(lr.spec?.limits[0].max).toEqual({ memory: '2Gi' });
    },
  }),
  kindCase<ResourceQuota>({
    kind: 'ResourceQuota',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: ResourceQuota
metadata:
  name: ${name}
spec:
  hard:
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
    limits.memory: 2Gi
    requests.nvidia.com/gpu: 4
`,
    select: 'spec { hard scopes } status { hard used }',
    created(quota) {
      expect(quota.spec?.hard).toEqual({
        'requests.cpu': '1',
        'requests.memory': '1Gi',
        'limits.cpu': '2',
        'limits.memory': '2Gi',
        'requests.nvidia.com/gpu': 4,
      });
      expect(quota.status).toBeNull();
    },
    change(m) {
      m.spec!.hard = { ...m.spec!.hard, pods: '10' };
    },
    changed(quota) {
      expect(quota.spec?.hard?.pods).toBe('10');
    },
    patch: { spec: { hard: { 'requests.nvidia.com/gpu': null } } },
    patched(quota) {
      expect(quota.spec?.hard?.['requests.nvidia.com/gpu']).toBeUndefined();
      expect(quota.spec?.hard?.pods).toBe('10');
    },
  }),
  kindCase<PodDisruptionBudget>({
    kind: 'PodDisruptionBudget',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: zookeeper
`,
    select: 'spec { minAvailable maxUnavailable selector { matchLabels } unhealthyPodEvictionPolicy }',
    created(pdb) {
      expect(pdb.spec?.minAvailable).toBe(2);
      expect(pdb.spec?.maxUnavailable).toBeNull();
    },
    change(m) {
      delete m.spec!.minAvailable;
      m.spec!.maxUnavailable = '25%';
    },
    changed(pdb) {
      expect(pdb.spec?.maxUnavailable).toBe('25%');
      expect(pdb.spec?.minAvailable).toBeNull();
    },
    patch: { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } },
    patched(pdb) {
      expect(pdb.spec?.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    },
  }),
];
