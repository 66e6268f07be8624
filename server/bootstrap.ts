import type { KindDefinition } from '../schema/kind.ts';
import { kindByName } from '../schema/kinds/index.ts';
import { KUBEQL_INGRESS_CONTROLLER } from '../schema/kinds/ingressclass.ts';
import { defaultClusterRoleBindings, defaultClusterRoles } from './auth/default-roles.ts';
import { ApiError } from './errors.ts';
import type { ResourceService } from './resources/service.ts';

/** The namespaces a Kubernetes cluster always has. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates what every cluster starts with, once; a restart finds them and changes nothing. */
export async function bootstrapNamespaces(resources: ResourceService): Promise<void> {
  const def = kindByName('Namespace')!;
  for (const name of SYSTEM_NAMESPACES) {
    await createOnce(resources, def, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

/**
 * The default ClusterRoles (cluster-admin, admin, edit, view and the system roles every
 * caller holds) and their bindings, created when missing. Like Kubernetes' RBAC bootstrap,
 * an existing one is left as its owner changed it.
 */
export async function bootstrapRbac(resources: ResourceService): Promise<void> {
  const clusterRole = kindByName('ClusterRole')!;
  for (const role of defaultClusterRoles()) await createOnce(resources, clusterRole, role);
  const binding = kindByName('ClusterRoleBinding')!;
  for (const crb of defaultClusterRoleBindings()) await createOnce(resources, binding, crb);
}

/**
 * The default StorageClass `standard`: volumes made by the local-path provisioner on the
 * node where a claim's first pod is scheduled, deleted with their claim. Made when
 * missing at start, as Kubernetes distributions make theirs; changes to it are kept.
 */
export async function bootstrapStorage(resources: ResourceService): Promise<void> {
  const standard = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'kubeql.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
  await createOnce(resources, kindByName('StorageClass')!, standard);
}

/**
 * The default IngressClass `kubeql`, served by the ingress proxy each Docker node runs
 * (agent/ingress): an Ingress that names no class gets it. Made when missing at start,
 * as distributions that ship an ingress controller make theirs; changes to it are kept.
 */
export async function bootstrapIngressClass(resources: ResourceService): Promise<void> {
  const kubeql = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'kubeql', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: KUBEQL_INGRESS_CONTROLLER },
  };
  await createOnce(resources, kindByName('IngressClass')!, kubeql);
}

async function createOnce(
  resources: ResourceService,
  def: KindDefinition,
  manifest: { metadata: { name: string } } & Record<string, unknown>,
): Promise<void> {
  if (resources.get(def, undefined, manifest.metadata.name)) return;
  try {
    await resources.create(def, undefined, manifest);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'ALREADY_EXISTS')) throw error;
  }
}
