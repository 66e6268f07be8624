import type { Container } from './kinds/container.ts';
import type { PodSpec } from './kinds/pod.ts';

/** The kinds of object a pod names in its spec, which its node needs to run it. */
export type ReferencedKind = 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim' | 'ServiceAccount';

/** An object a pod names, always in the pod's own namespace. */
export interface PodReference {
  kind: ReferencedKind;
  name: string;
}

/**
 * Every object a pod's spec names, as Kubernetes' podutil visitors list them for the Node
 * authorizer: ConfigMaps and Secrets of volumes (projected ones too), env and envFrom of every
 * container (init and ephemeral too), image pull Secrets; claims of volumes, a generic ephemeral
 * volume's being `<pod>-<volume>`; and the pod's ServiceAccount. Each at most once.
 */
export function podReferences(podName: string, spec: PodSpec | undefined): PodReference[] {
  const found = new Map<string, PodReference>();
  const add = (kind: ReferencedKind, name: string | null | undefined) => {
    if (name) found.set(`${kind}/${name}`, { kind, name });
  };
  if (!spec) return [];
  add('ServiceAccount', spec.serviceAccountName || spec.serviceAccount || 'default');
  for (const secret of spec.imagePullSecrets ?? []) add('Secret', secret.name);
  for (const volume of spec.volumes ?? []) {
    add('ConfigMap', volume.configMap?.name);
    add('Secret', volume.secret?.secretName);
    add('PersistentVolumeClaim', volume.persistentVolumeClaim?.claimName);
    if (volume.ephemeral) add('PersistentVolumeClaim', `${podName}-${volume.name}`);
    for (const source of volume.projected?.sources ?? []) {
      add('ConfigMap', source.configMap?.name);
      add('Secret', source.secret?.name);
    }
  }
  const containers: Array<Pick<Container, 'env' | 'envFrom'>> = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ];
  for (const container of containers) {
    for (const source of container.envFrom ?? []) {
      add('ConfigMap', source.configMapRef?.name);
      add('Secret', source.secretRef?.name);
    }
    for (const env of container.env ?? []) {
      add('ConfigMap', env.valueFrom?.configMapKeyRef?.name);
      add('Secret', env.valueFrom?.secretKeyRef?.name);
    }
  }
  return [...found.values()];
}
