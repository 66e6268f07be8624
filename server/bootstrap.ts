import { kindByName } from '../schema/kinds/index.ts';
import { ApiError } from './errors.ts';
import type { ResourceService } from './resources/service.ts';

/** The namespaces a Kubernetes cluster always has. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates what every cluster starts with, once; a restart finds them and changes nothing. */
export async function bootstrapNamespaces(resources: ResourceService): Promise<void> {
  const def = kindByName('Namespace')!;
  for (const name of SYSTEM_NAMESPACES) {
    if (resources.get(def, undefined, name)) continue;
    try {
      await resources.create(def, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'ALREADY_EXISTS')) throw error;
    }
  }
}
