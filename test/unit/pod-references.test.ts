import { describe, expect, it } from 'vitest';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { podReferences } from '../../schema/pod-references.ts';

// What the Node authorizer lets a node read, and what its agent watches: every object a pod names.

describe('podReferences', () => {
  it('names the objects of volumes, projections, env, envFrom, pull secrets and the ServiceAccount, once each', () => {
    const spec = {
      serviceAccountName: 'builder',
      imagePullSecrets: [{ name: 'registry' }],
      volumes: [
        { name: 'config', configMap: { name: 'site' } },
        { name: 'key', secret: { secretName: 'tls' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'db' } },
        { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        {
          name: 'bundle',
          projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'tls' } }] },
        },
      ],
      initContainers: [{ name: 'init', envFrom: [{ secretRef: { name: 'init-env' } }] }],
      containers: [
        {
          name: 'main',
          envFrom: [{ configMapRef: { name: 'site' } }],
          env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'creds', key: 'a' } } }],
        },
      ],
      ephemeralContainers: [
        { name: 'debug', env: [{ name: 'B', valueFrom: { configMapKeyRef: { name: 'debug', key: 'b' } } }] },
      ],
    } as unknown as PodSpec;
    const names = podReferences('web-0', spec).map((ref) => `${ref.kind}/${ref.name}`);
    expect(names.sort()).toEqual(
      [
        'ConfigMap/debug',
        'ConfigMap/kube-root-ca.crt',
        'ConfigMap/site',
        'PersistentVolumeClaim/db',
        'PersistentVolumeClaim/web-0-scratch',
        'Secret/creds',
        'Secret/init-env',
        'Secret/registry',
        'Secret/tls',
        'ServiceAccount/builder',
      ].sort(),
    );
  });

  it("names the namespace's default ServiceAccount when the pod names none", () => {
    expect(podReferences('p', { containers: [] } as unknown as PodSpec)).toEqual([
      { kind: 'ServiceAccount', name: 'default' },
    ]);
  });
});
