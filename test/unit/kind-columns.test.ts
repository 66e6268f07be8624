import { describe, expect, it } from 'vitest';
import type { Resource } from '../../schema/kind.ts';
import { columnsFor } from '../../schema/columns/columns.ts';

/** The columns kubectl prints for the newer kinds, as `kq get` and the REST API's tables print them. */

const NOW = Date.parse('2026-01-01T12:00:00Z');
const meta = (name: string, extra: Partial<Resource['metadata']> = {}) => ({
  name,
  creationTimestamp: '2026-01-01T11:00:00Z',
  ...extra,
});
const table = (obj: Resource, wide = false) => {
  const columns = columnsFor(obj.kind);
  const headers = [...columns.headers, ...(wide ? (columns.wide ?? []) : [])];
  const row = [...columns.row(obj, NOW), ...(wide ? (columns.wideRow?.(obj, NOW) ?? []) : [])];
  return Object.fromEntries(headers.map((header, i) => [header, row[i]]));
};

describe('kubectl columns of the newer kinds', () => {
  it('PersistentVolume: abbreviated access modes in kubectl order, claim as namespace/name', () => {
    expect(
      table(
        {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: meta('pv0003'),
          spec: {
            capacity: { storage: '5Gi' },
            accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
            persistentVolumeReclaimPolicy: 'Recycle',
            storageClassName: 'slow',
            claimRef: { namespace: 'default', name: 'myclaim' },
            volumeMode: 'Filesystem',
          },
          status: { phase: 'Bound' },
        },
        true,
      ),
    ).toEqual({
      NAME: 'pv0003',
      CAPACITY: '5Gi',
      'ACCESS MODES': 'RWO,RWX',
      'RECLAIM POLICY': 'Recycle',
      STATUS: 'Bound',
      CLAIM: 'default/myclaim',
      STORAGECLASS: 'slow',
      VOLUMEATTRIBUTESCLASS: '<unset>',
      REASON: '',
      AGE: '60m',
      VOLUMEMODE: 'Filesystem',
    });
  });

  it('StorageClass: the default class is marked after its name', () => {
    const row = table({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }),
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    expect(row).toMatchObject({
      NAME: 'standard (default)',
      PROVISIONER: 'rancher.io/local-path',
      VOLUMEBINDINGMODE: 'WaitForFirstConsumer',
      ALLOWVOLUMEEXPANSION: 'false',
    });
  });

  it('ResourceQuota: requests and limits used of hard, by resource', () => {
    const row = table({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('compute'),
      status: {
        hard: { 'requests.cpu': '1', pods: '10', 'limits.memory': '2Gi' },
        used: { 'requests.cpu': '500m', pods: '3' },
      },
    });
    expect(row).toMatchObject({ REQUEST: 'pods: 3/10, requests.cpu: 500m/1', LIMIT: 'limits.memory: 0/2Gi' });
  });

  it('PodDisruptionBudget, NetworkPolicy, IngressClass, Role and LimitRange', () => {
    expect(
      table({
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta('zk-pdb'),
        spec: { maxUnavailable: 1 },
        status: { disruptionsAllowed: 1 },
      }),
    ).toMatchObject({ 'MIN AVAILABLE': 'N/A', 'MAX UNAVAILABLE': '1', 'ALLOWED DISRUPTIONS': '1' });
    expect(
      table({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta('deny'),
        spec: { podSelector: {} },
      }),
    ).toMatchObject({ 'POD-SELECTOR': '<none>' });
    expect(
      table({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: meta('external-lb'),
        spec: {
          controller: 'example.com/ingress-controller',
          parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' },
        },
      }),
    ).toMatchObject({ PARAMETERS: 'IngressParameters.k8s.example.com/external-lb' });
    for (const kind of ['Role', 'ClusterRole', 'LimitRange'])
      expect(table({ apiVersion: 'v1', kind, metadata: meta('x') })).toEqual({
        NAME: 'x',
        'CREATED AT': '2026-01-01T11:00:00Z',
      });
  });
});
