import type http from 'node:http';
import { isPlainObject } from '../../schema/shape-check.ts';
import type { AccessControl, Caller } from '../auth/access-control.ts';
import { ApiError } from '../errors.ts';
import { BodyError } from './request-body.ts';
import { reviewBody } from './review-body.ts';
import { selfSubjectRulesReview } from './self-subject-rules-review.ts';
import { sendJson, sendStatus, statusOf } from './status.ts';

/**
 * The review a path names: `/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
 * `.../selfsubjectrulesreviews` or `/apis/authentication.k8s.io/v1/selfsubjectreviews`.
 */
export function selfReviewAt(group: string, version: string, rest: readonly string[]) {
  if (version !== 'v1' || rest.length !== 1) return undefined;
  if (group === 'authorization.k8s.io' && rest[0] === 'selfsubjectaccessreviews') return 'access';
  if (group === 'authorization.k8s.io' && rest[0] === 'selfsubjectrulesreviews') return 'rules';
  if (group === 'authentication.k8s.io' && rest[0] === 'selfsubjectreviews') return 'identity';
  return undefined;
}

/**
 * POST of a SelfSubjectAccessReview (`kubectl auth can-i`) or a SelfSubjectRulesReview
 * (`kubectl auth can-i --list`), answered from the authorizer that decides every request, or
 * of a SelfSubjectReview (`kubectl auth whoami`): who the token is. Every caller may ask
 * about itself, as Kubernetes' `system:basic-user` role lets every authenticated caller.
 */
export async function serveSelfReview(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  review: 'access' | 'rules' | 'identity',
  access: AccessControl,
  caller: Caller,
  log: (line: string) => void,
): Promise<void> {
  try {
    const body = await reviewBody(req, 'SelfSubjectAccessReview');
    if (review === 'rules') return sendJson(res, 201, selfSubjectRulesReview(body, access, caller));
    if (review === 'identity') {
      return sendJson(res, 201, {
        kind: 'SelfSubjectReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        status: { userInfo: { username: caller.name, groups: caller.groups } },
      });
    }
    const spec = isPlainObject(body.spec) ? body.spec : {};
    sendJson(res, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: { allowed: allowed(spec, access, caller) },
    });
  } catch (error) {
    sendStatus(res, error instanceof BodyError ? error.status : statusOf(error, undefined, log));
  }
}

function allowed(spec: Record<string, unknown>, access: AccessControl, caller: Caller): boolean {
  const attrs = spec.resourceAttributes;
  if (isPlainObject(attrs)) {
    const text = (key: string) => (typeof attrs[key] === 'string' && attrs[key] ? attrs[key] : undefined);
    return access.can(caller, {
      verb: text('verb') ?? '',
      apiGroup: text('group') ?? '',
      resource: text('resource') ?? '',
      subresource: text('subresource'),
      namespace: text('namespace'),
      name: text('name'),
    });
  }
  const other = spec.nonResourceAttributes;
  if (isPlainObject(other)) {
    const verb = typeof other.verb === 'string' ? other.verb : '';
    const path = typeof other.path === 'string' ? other.path : '';
    return access.authorizer.authorizePath({ user: caller.name, groups: caller.groups, verb, path }).allowed;
  }
  throw new ApiError(
    'INVALID',
    'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    [
      {
        path: 'spec.resourceAttributes',
        reason: 'Invalid',
        message: 'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ],
  );
}
