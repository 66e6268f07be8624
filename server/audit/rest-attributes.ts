import type http from 'node:http';
import type { Request } from '../auth/access-control.ts';
import { metricsRequest, metricsTargetOf } from '../rest/metrics-api.ts';
import { evictionTargetOf } from '../rest/pod-eviction.ts';
import { podSubresourceOf } from '../rest/pod-subresource.ts';
import { podEvictionRequest, podStreamRequest, targetRequest } from '../rest/rest-access.ts';
import { targetOf } from '../rest/target.ts';
import { tokenRequestTarget } from '../rest/token-request.ts';
import { selfReviewAt } from '../rest/self-subject-reviews.ts';
import type { ObjectReference } from './event.ts';

/** Which API group a self-review lives in, and its plural. */
const SELF_REVIEWS = {
  access: { apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
  rules: { apiGroup: 'authorization.k8s.io', resource: 'selfsubjectrulesreviews' },
  identity: { apiGroup: 'authentication.k8s.io', resource: 'selfsubjectreviews' },
} as const;

/**
 * The verb and object of an HTTP request as Kubernetes' RequestInfo resolves it: for a
 * path under /api or /apis that names a resource, the RBAC verb and the object; for any
 * other path (discovery, /metrics, /graphql before it runs), the method in lower case and
 * no object, as Kubernetes audits its non-resource URLs.
 */
export function requestAttributes(
  req: http.IncomingMessage,
  url: URL,
): { verb: string; objectRef?: ObjectReference } {
  const parts = url.pathname.split('/').filter(Boolean).map(safeDecode);
  const nonResource = { verb: (req.method ?? 'GET').toLowerCase() };
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) [group, version, rest] = ['', parts[1], parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 4)
    [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  else return nonResource;

  const review = selfReviewAt(group, version, rest);
  if (review) return { verb: 'create', objectRef: { ...SELF_REVIEWS[review], apiVersion: version } };
  const token = tokenRequestTarget(group, version, rest);
  if (token)
    return fromRequest(
      { verb: 'create', apiGroup: '', resource: 'serviceaccounts', subresource: 'token', ...token },
      version,
    );
  const eviction = evictionTargetOf(group, version, rest);
  if (eviction) return fromRequest(podEvictionRequest(eviction), version);
  const pod = podSubresourceOf(group, version, rest);
  if (pod) return fromRequest(podStreamRequest(pod), version);
  const metrics = metricsTargetOf(group, version, rest);
  if (metrics) return fromRequest(metricsRequest(metrics), version);
  const target = targetOf(group, version, rest);
  if (target) return fromRequest(targetRequest(req, url, target), version);
  return nonResource;
}

function fromRequest(request: Request, apiVersion: string): { verb: string; objectRef: ObjectReference } {
  const { verb, ...ref } = request;
  return { verb, objectRef: objectRefOf(ref, apiVersion) };
}

/** An RBAC request's object as an audit objectRef, absent fields left out. */
export function objectRefOf(request: Omit<Request, 'verb'>, apiVersion?: string): ObjectReference {
  const ref: ObjectReference = { resource: request.resource };
  if (request.namespace !== undefined) ref.namespace = request.namespace;
  if (request.name !== undefined) ref.name = request.name;
  ref.apiGroup = request.apiGroup;
  if (apiVersion) ref.apiVersion = apiVersion;
  if (request.subresource) ref.subresource = request.subresource;
  return ref;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
