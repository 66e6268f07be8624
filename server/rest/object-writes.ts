import type http from 'node:http';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { checkedToStored, type ServedVersion } from '../conversion/served-versions.ts';
import { noteAuditAnnotations } from '../audit/response-notes.ts';
import { ApiError } from '../errors.ts';
import { MANIFEST_LIMITS } from '../resources/manifests/manifest-limits.ts';
import { checkMergePatch } from '../resources/merge-patch.ts';
import { applyPatch, checkPatch } from '../resources/patch.ts';
import type { ResourceService } from '../resources/service.ts';
import { deleteOptions } from './delete-options.ts';
import { fieldManagerOf, serveApplyPatch } from './apply-patch.ts';
import { APPLY_PATCH, BodyError, decodeObject, decodePatch, mediaType, readBody } from './request-body.ts';
import { toScale, withScale } from './scale.ts';
import { deletedStatus, httpStatus, sendJson, sendStatus, statusFor } from './status.ts';
import type { Target } from './target.ts';
import { checkDuplicates, setWarnings, writeParams, type WriteParams } from './write-params.ts';

/** Kinds whose deletion answers with the deleted object rather than a Status, as in Kubernetes. */
const RETURNS_DELETED_OBJECT = new Set(['Pod', 'Namespace']);

/**
 * The writes of the Kubernetes REST API: POST (create), PUT (replace, with compare-and-swap
 * on metadata.resourceVersion), PATCH (merge, JSON and strategic merge patches, server-side
 * apply), DELETE of an object or of a collection (deletecollection), and the status and
 * scale subresources. Each is one call of the ResourceService the GraphQL mutations use: the
 * same admission, the same store decisions, the same watch events.
 */
export function objectWrites(resources: ResourceService, log: (line: string) => void) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, target: Target) => {
    let params: WriteParams | undefined;
    // A create names its object in the body: known once decoded, for the Status of a failure.
    const named = { ...target };
    try {
      params = writeParams(url.searchParams);
      params.options.fieldManager = fieldManagerOf(req, url.searchParams);
      const answer = await write(req, url, named, params);
      setWarnings(res, params.warnings);
      noteAuditAnnotations(res, params.auditAnnotations);
      if ('status' in answer) sendStatus(res, answer.status);
      else sendJson(res, answer.code, shown(answer.body, target.version));
    } catch (error) {
      if (params) {
        setWarnings(res, params.warnings);
        noteAuditAnnotations(res, params.auditAnnotations);
      }
      sendStatus(
        res,
        error instanceof BodyError ? error.status : statusFor(error, named.def, named.name, log),
      );
    }
  };

  async function write(
    req: http.IncomingMessage,
    url: URL,
    target: Target,
    params: WriteParams,
  ): Promise<Answer> {
    const { def, namespace, name, subresource, version } = target;
    const collectionInNamespace = name === undefined && (namespace !== undefined || !def.namespaced);
    switch (req.method) {
      case 'POST': {
        if (!collectionInNamespace) return notAllowed();
        const body = await object(req, def, params);
        const meta = isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata : {};
        if (typeof meta.name === 'string') target.name = meta.name;
        const stored = version ? checkedToStored(version, body, params.options) : body;
        return { code: 201, body: await resources.create(def, namespace, stored, params.options) };
      }
      case 'PUT': {
        if (name === undefined) return notAllowed();
        const body = await object(req, def, params);
        // A Scale is autoscaling/v1's at every version of the object: nothing to convert.
        const stored =
          version && subresource !== 'scale' ? checkedToStored(version, body, params.options) : body;
        return replace(def, namespace, name, subresource, stored, params);
      }
      case 'PATCH':
        if (name === undefined) return notAllowed();
        if (mediaType(req) === APPLY_PATCH) {
          if (subresource) return notAllowed();
          return serveApplyPatch(
            resources,
            def,
            namespace,
            name,
            await readBody(req),
            url.searchParams,
            params,
            version,
          );
        }
        if (version && subresource !== 'scale')
          return patchVersion(version, target, await readBody(req), mediaType(req), params);
        return patch(def, namespace, name, subresource, await readBody(req), mediaType(req), params);
      case 'DELETE':
        if (subresource || (name === undefined && !collectionInNamespace)) return notAllowed();
        return remove(req, url, target, params);
      default:
        return notAllowed();
    }
  }

  /** DELETE of an object, or of every object a collection's selectors match (deletecollection). */
  async function remove(
    req: http.IncomingMessage,
    url: URL,
    target: Target,
    params: WriteParams,
  ): Promise<Answer> {
    const { def, namespace, name, version } = target;
    const text = await readBody(req);
    const body = text.trim() ? await decodeObject(text, mediaType(req), 'DeleteOptions') : undefined;
    const { options, dryRun } = deleteOptions(body, url.searchParams);
    const all = { ...options, dryRun: params.options.dryRun || dryRun };
    if (name === undefined) {
      const q = url.searchParams;
      const selection = {
        namespace,
        labelSelector: q.get('labelSelector') || undefined,
        fieldSelector: q.get('fieldSelector') || undefined,
      };
      const deleted = await resources.deleteCollection(def, selection, all);
      return {
        code: 200,
        body: {
          kind: `${def.kind}List`,
          apiVersion: (version?.served ?? def).apiVersion,
          metadata: { resourceVersion: String(resources.store.revision) },
          items: version ? deleted.map((obj) => version.toServed(obj)) : deleted,
        },
      };
    }
    const result = (await resources.delete(def, namespace, name, all))!;
    // Marked, not removed (finalizers, a pod's grace period): the object, as it now is.
    const pending = result.metadata.deletionTimestamp && (all.dryRun || resources.get(def, namespace, name));
    if (pending || RETURNS_DELETED_OBJECT.has(def.kind)) return { code: 200, body: result };
    return { code: 200, body: deletedStatus(def, result) };
  }

  async function replace(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    subresource: Target['subresource'],
    body: unknown,
    params: WriteParams,
  ): Promise<Answer> {
    if (!subresource)
      return { code: 200, body: await resources.replace(def, namespace, name, body, params.options) };
    const meta = isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== name) {
      throw new ApiError(
        'BAD_REQUEST',
        `the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`,
      );
    }
    if (subresource === 'scale') {
      const stored = await resources.modify(def, namespace, name, (obj) => withScale(obj, body), {
        ...params.options,
        subresource: 'scale',
      });
      return { code: 200, body: toScale(stored!) };
    }
    const status = isPlainObject(body) ? body.status : undefined;
    const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined;
    return {
      code: 200,
      body: await resources.updateStatus(def, namespace, name, status, rv, params.options),
    };
  }

  async function patch(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    subresource: Target['subresource'],
    text: string,
    media: string,
    params: WriteParams,
  ): Promise<Answer> {
    const { type, patch: document } = decodePatch(text, media);
    if (type !== 'json') checkDuplicates(def, text, params);
    const options = { ...params.options, type };
    if (subresource === 'status')
      return { code: 200, body: await resources.patchStatus(def, namespace, name, document, options) };
    if (subresource === 'scale') {
      checkPatch(type, 'Scale', name, document);
      const stored = await resources.modify(
        def,
        namespace,
        name,
        (obj) => withScale(obj, applyPatch(type, undefined, toScale(obj), document)),
        { ...params.options, subresource: 'scale' },
      );
      return { code: 200, body: toScale(stored!) };
    }
    return { code: 200, body: await resources.patch(def, namespace, name, document, options) };
  }

  /**
   * A patch written against a converted version: applied to the object as that version
   * shows it, then converted back, within the one write (the status subresource keeps
   * only the status of the result).
   */
  async function patchVersion(
    version: ServedVersion,
    { def, namespace, name, subresource }: Target,
    text: string,
    media: string,
    params: WriteParams,
  ): Promise<Answer> {
    const { type, patch: document } = decodePatch(text, media);
    checkPatch(type, def.kind, name!, document);
    const change = (obj: Resource) =>
      version.toStored(applyPatch(type, version.served.shape, version.toServed(obj), document) as Resource);
    const options = { ...params.options, type };
    if (subresource === 'status') {
      const current = resources.get(def, namespace, name!);
      const status = current ? change(current).status : undefined;
      const rv = current?.metadata.resourceVersion;
      return { code: 200, body: await resources.updateStatus(def, namespace, name!, status, rv, options) };
    }
    return { code: 200, body: await resources.modify(def, namespace, name!, change, options) };
  }

  /** The object of a POST or PUT: decoded, within the depth manifests may have, duplicates handled. */
  async function object(
    req: http.IncomingMessage,
    def: KindDefinition,
    params: WriteParams,
  ): Promise<unknown> {
    const text = await readBody(req);
    const type = mediaType(req);
    const body = await decodeObject(text, type, def.kind);
    checkMergePatch(def.kind, '', body, MANIFEST_LIMITS.maxDepth);
    if (type === 'application/json') checkDuplicates(def, text, params);
    return body;
  }
}

/** A written object answered in the version asked for; Statuses, Scales and lists as they are. */
function shown(body: unknown, version: ServedVersion | undefined): unknown {
  if (!version || !isPlainObject(body)) return body;
  const { kind, apiVersion } = version.stored;
  return body.kind === kind && body.apiVersion === apiVersion ? version.toServed(body as Resource) : body;
}

type Answer = { code: number; body: unknown } | { status: ReturnType<typeof httpStatus> };

function notAllowed(): Answer {
  return {
    status: httpStatus(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    ),
  };
}
