import type http from 'node:http';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { ApplyConflict } from '../apply/apply-conflict.ts';
import { managerFromUserAgent } from '../apply/field-manager.ts';
import { checkedToStored, type ServedVersion } from '../conversion/served-versions.ts';
import { ApiError } from '../errors.ts';
import { MANIFEST_LIMITS } from '../resources/manifests/manifest-limits.ts';
import { parseManifests } from '../resources/manifests/manifests.ts';
import { checkMergePatch } from '../resources/merge-patch.ts';
import type { ResourceService } from '../resources/service.ts';
import { BodyError } from './request-body.ts';
import { httpStatus } from './status.ts';
import type { WriteParams } from './write-params.ts';

/**
 * The manager of a write, as the Kubernetes API server names it: the `fieldManager`
 * query parameter, else the User-Agent's product (`kubectl`).
 */
export function fieldManagerOf(req: http.IncomingMessage, q: URLSearchParams): string | undefined {
  return q.get('fieldManager') || managerFromUserAgent(req.headers['user-agent']);
}

/**
 * A PATCH of type application/apply-patch+yaml: server-side apply of the body (YAML or
 * JSON) as `fieldManager` (required, as in Kubernetes), `force=true` taking fields from
 * other managers. 201 when it created the object. A conflict answers Kubernetes' Status
 * with one FieldManagerConflict cause per field, which kubectl prints.
 */
export async function serveApplyPatch(
  resources: ResourceService,
  def: KindDefinition,
  namespace: string | undefined,
  name: string,
  text: string,
  q: URLSearchParams,
  params: WriteParams,
  version?: ServedVersion,
): Promise<{ code: number; body: Resource | undefined }> {
  const fieldManager = q.get('fieldManager');
  if (!fieldManager) throw new BodyError(fieldManagerRequired());
  const force = q.get('force');
  if (force !== null && force !== 'true' && force !== 'false')
    throw new ApiError('BAD_REQUEST', `force: Invalid value: "${force}": must be true or false`);
  const written = await configOf(def, text);
  // Applied at a converted version: merged as the store keeps it.
  const config = version ? checkedToStored(version, written, params.options) : written;
  const existed = resources.exists(def, namespace, name);
  try {
    const body = await resources.serverSideApply(def, namespace, name, config, {
      ...params.options,
      fieldManager,
      force: force === 'true',
    });
    return { code: existed ? 200 : 201, body };
  } catch (error) {
    if (error instanceof ApplyConflict) {
      const status = httpStatus(409, 'Conflict', error.message);
      status.details = { causes: error.causes };
      throw new BodyError(status);
    }
    throw error;
  }
}

async function configOf(def: KindDefinition, text: string): Promise<unknown> {
  const documents = await parseManifests(text);
  if (documents.length !== 1)
    throw new ApiError(
      'BAD_REQUEST',
      `the apply patch must be one ${def.kind}, not ${documents.length} objects`,
    );
  checkMergePatch(def.kind, '', documents[0], MANIFEST_LIMITS.maxDepth);
  return documents[0];
}

function fieldManagerRequired() {
  const status = httpStatus(
    422,
    'Invalid',
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
  );
  status.details = {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [
      {
        reason: 'FieldValueRequired',
        message: 'Required value: is required for apply patch',
        field: 'fieldManager',
      },
    ],
  };
  return status;
}
