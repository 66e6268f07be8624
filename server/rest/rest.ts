import type http from 'node:http';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { MAX_LIST_LIMIT, pageSize } from '../../schema/list-limits.ts';
import type { Authenticator } from '../auth.ts';
import type { AccessControl, Caller } from '../auth/access-control.ts';
import type { ServedVersion } from '../conversion/served-versions.ts';
import { noteResponseStarted } from '../audit/response-notes.ts';
import { ApiError, notFound } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { WatchItem } from '../watch/hub.ts';
import {
  apiGroupAt,
  apiGroupList,
  apiResourceList,
  apiVersions,
  groupVersionOf,
  versionInfo,
} from './discovery.ts';
import { metricsAnswer, metricsRequest, metricsTargetOf } from './metrics-api.ts';
import { objectWrites } from './object-writes.ts';
import { evictionTargetOf, servePodEviction } from './pod-eviction.ts';
import { serveOpenApi } from './openapi.ts';
import { servePodLog } from './pod-log.ts';
import { podSubresourceOf } from './pod-subresource.ts';
import { podEvictionRequest, podStreamRequest, targetRequest } from './rest-access.ts';
import { selfReviewAt, serveSelfReview } from './self-subject-reviews.ts';
import { toScale } from './scale.ts';
import { httpStatus, sendJson, sendStatus, status, statusFor, statusOf, type Status } from './status.ts';
import { table, tableVersion, type IncludeObject } from './table.ts';
import { targetOf } from './target.ts';
import { serveTokenRequest, tokenRequestTarget } from './token-request.ts';

export interface RestOptions {
  auth: Authenticator;
  access: AccessControl;
  resources: ResourceService;
  log: (line: string) => void;
}

/** Whether a path belongs to the Kubernetes REST API rather than to GraphQL or the pages. */
export function isRestPath(path: string): boolean {
  return (
    path === '/version' ||
    path === '/api' ||
    path === '/apis' ||
    path.startsWith('/api/') ||
    path.startsWith('/apis/') ||
    path.startsWith('/openapi/')
  );
}

/**
 * The Kubernetes REST API beside GraphQL: discovery, list, get and watch of every kind,
 * and the writes (object-writes.ts), over the same ResourceService, so kubectl works
 * unchanged. Errors are metav1.Status objects; `Accept:
 * application/json;as=Table;g=meta.k8s.io;v=v1` gets the columns `kq get` prints.
 */
export function restApi({ auth, access, resources, log }: RestOptions) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const caller = auth.authenticate(req.headers.authorization);
    if (!caller) return sendStatus(res, status('UNAUTHENTICATED', 'Unauthorized'));
    const reading = req.method === 'GET' || req.method === 'HEAD';
    if (!reading && !isResourcePath(url.pathname)) return methodNotAllowed(res);
    try {
      // Discovery, OpenAPI and the version are paths outside the resources, granted by nonResourceURLs.
      if (!isResourcePath(url.pathname)) access.requirePath(caller, 'get', url.pathname);
      serve(req, res, url, caller);
    } catch (error) {
      sendStatus(res, statusOf(error, undefined, log));
    }
  };

  function serve(req: http.IncomingMessage, res: http.ServerResponse, url: URL, caller: Caller): void {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const host = req.headers.host ?? 'localhost';
    if (url.pathname === '/version') return sendJson(res, 200, versionInfo());
    if (parts[0] === 'openapi') return serveOpenApi(req, res, url, log);
    if (parts[0] === 'api') {
      if (parts.length === 1) return sendJson(res, 200, apiVersions(host));
      return resourcePath(req, res, url, caller, '', parts[1], parts.slice(2));
    }
    if (parts[0] === 'apis') {
      if (parts.length === 1) return sendJson(res, 200, apiGroupList());
      if (parts.length === 2) {
        const group = apiGroupAt(parts[1]);
        return group ? sendJson(res, 200, group) : notFoundPath(req, res, url);
      }
      return resourcePath(req, res, url, caller, parts[1], parts[2], parts.slice(3));
    }
    return notFoundPath(req, res, url);
  }

  /** Everything under /api/{version} or /apis/{group}/{version}. */
  function resourcePath(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    caller: Caller,
    group: string,
    version: string,
    rest: string[],
  ): void {
    if (rest.length === 0) {
      const list = apiResourceList(group, version);
      return list ? sendJson(res, 200, list) : notFoundPath(req, res, url);
    }
    const review = selfReviewAt(group, version, rest);
    const token = tokenRequestTarget(group, version, rest);
    if (review || token) {
      if (req.method !== 'POST') return methodNotAllowed(res);
      void (review
        ? serveSelfReview(req, res, review, access, caller, log)
        : serveTokenRequest(req, res, token!, access, caller, log));
      return;
    }
    const eviction = evictionTargetOf(group, version, rest);
    if (eviction) {
      if (req.method !== 'POST') return methodNotAllowed(res);
      access.require(caller, podEvictionRequest(eviction));
      void servePodEviction(req, res, url, eviction, resources, log);
      return;
    }
    const pod = podSubresourceOf(group, version, rest);
    if (pod) {
      access.require(caller, podStreamRequest(pod));
      // exec, attach and portforward are WebSocket upgrades (upgrades.ts); a plain request is Kubernetes' 400.
      if (pod.subresource !== 'log') {
        return sendStatus(res, httpStatus(400, 'BadRequest', 'Upgrade request required'));
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
      return servePodLog(req, res, url, pod, resources, log);
    }
    const metrics = metricsTargetOf(group, version, rest);
    if (metrics) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
      access.require(caller, metricsRequest(metrics));
      const answer = metricsAnswer(resources, metrics, url.searchParams.get('labelSelector') ?? undefined);
      if (answer) return sendJson(res, 200, answer);
      return sendStatus(
        res,
        statusOf(notFound(`${metrics.resource}.metrics.k8s.io`, metrics.name!), undefined, log),
      );
    }
    const target = targetOf(group, version, rest);
    if (!target) return notFoundPath(req, res, url);
    const decision = access.authorizer.authorize({
      ...targetRequest(req, url, target),
      user: caller.name,
      groups: caller.groups,
    });
    if (!decision.allowed) {
      const forbidden = new ApiError('FORBIDDEN', decision.reason);
      return sendStatus(res, statusFor(forbidden, target.def, target.name, log));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Through the caller's writer: RBAC objects are checked for escalation before they are stored.
      void objectWrites(access.writerFor(caller, resources), log)(req, res, url, target);
      return;
    }
    const { def, namespace, name, version: served } = target;
    if (name === undefined) {
      if (isTrue(url.searchParams.get('watch'))) return watch(req, res, url, def, namespace, served);
      return list(req, res, url, def, namespace, served);
    }
    // The status subresource reads as the object does; scale reads as a Scale.
    if (target.subresource === 'scale') {
      const obj = resources.get(def, namespace, name);
      if (obj) return sendJson(res, 200, toScale(obj));
    }
    return get(req, res, url, def, namespace, name, served);
  }

  function get(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    version: ServedVersion | undefined,
  ): void {
    const obj = resources.get(def, namespace, name);
    if (!obj) {
      // Kubernetes names the resource with its group: `deployments.apps "web" not found`.
      const { group } = groupVersionOf(def);
      const resource = group ? `${def.plural}.${group}` : def.plural;
      return sendStatus(res, statusOf(notFound(resource, name), details(def, name), log));
    }
    const asTable = tableVersion(req.headers.accept);
    if (asTable) {
      return sendJson(
        res,
        200,
        table(def.kind, [obj], { version: asTable, includeObject: includeObject(url) }),
      );
    }
    sendJson(res, 200, shown(def, obj, version));
  }

  function list(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    def: KindDefinition,
    namespace: string | undefined,
    version: ServedVersion | undefined,
  ): void {
    const q = url.searchParams;
    const limit = Number(q.get('limit') ?? 0);
    const result = resources.list(def, {
      ...selectors(q, namespace),
      // Without a limit Kubernetes returns every match; here the largest page, with
      // `continue` for the rest (as GraphQL's lists are bounded): kubectl and client-go's
      // pager send a limit and follow `continue` anyway.
      limit: pageSize(Number.isFinite(limit) && limit > 0 ? limit : MAX_LIST_LIMIT),
      continue: q.get('continue') || undefined,
    });
    const asTable = tableVersion(req.headers.accept);
    if (asTable) {
      return sendJson(
        res,
        200,
        table(def.kind, result.items, {
          version: asTable,
          includeObject: includeObject(url),
          listMeta: result.metadata,
        }),
      );
    }
    sendJson(res, 200, {
      kind: `${def.kind}List`,
      apiVersion: (version?.served ?? def).apiVersion,
      metadata: result.metadata,
      items: result.items.map((obj) => shown(def, obj, version)),
    });
  }

  /**
   * A watch as Kubernetes streams one: newline-delimited `{"type","object"}` events over a
   * chunked response, until timeoutSeconds, the client leaving, or an ERROR event.
   */
  function watch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    def: KindDefinition,
    namespace: string | undefined,
    version: ServedVersion | undefined,
  ): void {
    const q = url.searchParams;
    const rv = q.get('resourceVersion');
    const sendInitial = q.get('sendInitialEvents');
    const asTable = tableVersion(req.headers.accept);
    const include = includeObject(url);
    let events: AsyncIterableIterator<WatchItem> | undefined;
    let failure: Status | undefined;
    try {
      events = resources.watch(def, {
        ...selectors(q, namespace),
        // "0" means "from any point": the current state first, as when none is given.
        resourceVersion: rv && rv !== '0' ? rv : undefined,
        sendInitialEvents: sendInitial === null ? undefined : isTrue(sendInitial),
        allowBookmarks: isTrue(q.get('allowWatchBookmarks')),
      });
    } catch (error) {
      // A watch refused at its start (a compacted resourceVersion) still answers 200 with
      // one ERROR event, as Kubernetes does, so that clients list again.
      if (!(error instanceof ApiError)) throw error;
      failure = statusOf(error, undefined, log);
    }
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-cache, private',
      'transfer-encoding': 'chunked',
    });
    res.flushHeaders();
    noteResponseStarted(res);
    const send = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + '\n');
    if (failure || !events) {
      send('ERROR', failure);
      res.end();
      return;
    }
    const iterator = events;
    // Authenticated once, at its start: a watch ends when its token expires or is revoked.
    const untrack = auth.untilInvalid(req.headers.authorization, () => finish());
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      untrack();
      clearTimeout(timer);
      void iterator.return?.();
      if (!res.writableEnded) res.end();
    };
    const seconds = Number(q.get('timeoutSeconds') ?? 0);
    const timer = setTimeout(finish, seconds > 0 ? seconds * 1000 : 30 * 60 * 1000);
    res.on('close', finish);
    const pump = async () => {
      for await (const item of iterator) {
        if (finished) break;
        if (item.type === 'ERROR') {
          send('ERROR', statusOf(item.error, undefined, log));
          break;
        }
        if (asTable && item.type !== 'BOOKMARK') {
          const row = table(def.kind, [withType(def, item.object)], {
            version: asTable,
            includeObject: include,
          });
          send(item.type, row);
        } else if (item.type === 'BOOKMARK') {
          // A bookmark carries only a resourceVersion: nothing to convert but its apiVersion.
          send(item.type, { ...withType(def, item.object), apiVersion: (version?.served ?? def).apiVersion });
        } else {
          send(item.type, shown(def, item.object, version));
        }
      }
    };
    pump().then(finish, (error: unknown) => {
      if (!finished && !res.writableEnded) send('ERROR', statusOf(error, undefined, log));
      finish();
    });
  }

  function notFoundPath(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const verb = (req.method ?? 'GET').toLowerCase();
    sendStatus(
      res,
      status('NOT_FOUND', `the server could not find the requested resource (${verb} ${url.pathname})`),
    );
  }
}

/** Paths of objects and collections, the only ones written to: /api/{v}/... and /apis/{g}/{v}/... */
function isResourcePath(pathname: string): boolean {
  const parts = pathname.split('/').filter(Boolean);
  return (parts[0] === 'api' && parts.length >= 3) || (parts[0] === 'apis' && parts.length >= 4);
}

function methodNotAllowed(res: http.ServerResponse): void {
  sendStatus(
    res,
    httpStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  );
}

function details(def: KindDefinition, name: string) {
  const { group } = groupVersionOf(def);
  return { name, ...(group ? { group } : {}), kind: def.plural };
}

/** An object as the version asked for shows it: converted when that is not the stored one. */
function shown(def: KindDefinition, obj: Resource, version: ServedVersion | undefined): Resource {
  return version ? version.toServed(obj) : withType(def, obj);
}

/** Items of a list carry apiVersion and kind, as Kubernetes' lists do. */
function withType(def: KindDefinition, obj: Resource): Resource {
  return obj.apiVersion && obj.kind ? obj : { ...obj, apiVersion: def.apiVersion, kind: def.kind };
}

function includeObject(url: URL): IncludeObject {
  const value = url.searchParams.get('includeObject');
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

function isTrue(value: string | null): boolean {
  return value === 'true' || value === '1';
}

/** The namespace and the label and field selectors of a list or watch request. */
function selectors(q: URLSearchParams, namespace: string | undefined) {
  return {
    namespace,
    labelSelector: q.get('labelSelector') || undefined,
    fieldSelector: q.get('fieldSelector') || undefined,
  };
}
