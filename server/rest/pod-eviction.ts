import type http from 'node:http';
import { kindByName } from '../../schema/kinds/index.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { ApiError } from '../errors.ts';
import { evictPod } from '../resources/eviction.ts';
import type { ResourceService } from '../resources/service.ts';
import { deleteOptions } from './delete-options.ts';
import { BodyError, decodeObject, mediaType, readBody } from './request-body.ts';
import { sendJson, sendStatus, statusFor } from './status.ts';
import { writeParams } from './write-params.ts';

/** The pod a path `namespaces/{ns}/pods/{name}/eviction` under /api/v1 names, or undefined. */
export function evictionTargetOf(
  group: string,
  version: string,
  rest: readonly string[],
): { namespace: string; name: string } | undefined {
  if (group !== '' || version !== 'v1' || rest.length !== 5) return undefined;
  const [namespaces, namespace, pods, name, subresource] = rest;
  if (namespaces !== 'namespaces' || pods !== 'pods' || subresource !== 'eviction') return undefined;
  return { namespace, name };
}

/**
 * POST of a policy/v1 Eviction to a pod's `eviction` subresource (kubectl drain): the pod
 * is deleted with the Eviction's deleteOptions if its disruption budget allows
 * (server/resources/eviction.ts), and the answer is a Success Status (201); a budget that
 * does not allow it now is a 429 that kubectl drain retries.
 */
export async function servePodEviction(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  pod: { namespace: string; name: string },
  resources: ResourceService,
  log: (line: string) => void,
): Promise<void> {
  try {
    const params = writeParams(url.searchParams);
    const body = await decodeObject(await readBody(req), mediaType(req), 'Eviction');
    if (!isPlainObject(body))
      throw new ApiError('BAD_REQUEST', 'the body of an eviction must be an Eviction object');
    const meta = isPlainObject(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== pod.name) {
      throw new ApiError('BAD_REQUEST', `name in URL does not match name in Eviction object`);
    }
    const { options, dryRun } = deleteOptions(body.deleteOptions ?? undefined, url.searchParams);
    await evictPod(resources, pod.namespace, pod.name, {
      ...options,
      ...params.options,
      dryRun: params.options.dryRun || dryRun,
    });
    sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  } catch (error) {
    sendStatus(
      res,
      error instanceof BodyError ? error.status : statusFor(error, kindByName('Pod')!, pod.name, log),
    );
  }
}
