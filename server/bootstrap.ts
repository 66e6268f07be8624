import type { KindDefinition } from '../schema/kind.ts';
import { kindByName } from '../schema/kinds/index.ts';
import { CLUSTER_ADMIN_BINDING, defaultClusterRoles } from './auth/default-roles.ts';
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
 * The default ClusterRoles (cluster-admin, admin, edit, view) and the binding of
 * cluster-admin to system:masters, created when missing. Like Kubernetes' RBAC bootstrap,
 * an existing one is left as its owner changed it.
 */
export async function bootstrapRbac(resources: ResourceService): Promise<void> {
  const clusterRole = kindByName('ClusterRole')!;
  for (const role of defaultClusterRoles()) await createOnce(resources, clusterRole, role);
  await createOnce(resources, kindByName('ClusterRoleBinding')!, CLUSTER_ADMIN_BINDING);
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
