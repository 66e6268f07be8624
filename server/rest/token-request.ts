import type http from 'node:http';
import { kindByName } from '../../schema/kinds/index.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import type { AccessControl, Caller } from '../auth/access-control.ts';
import { DEFAULT_EXPIRATION_SECONDS, TOKEN_ISSUER } from '../auth/service-account-tokens.ts';
import type { BoundObjectRef } from '../auth/token-binding.ts';
import { BodyError } from './request-body.ts';
import { reviewBody } from './review-body.ts';
import { sendJson, sendStatus, statusFor } from './status.ts';

/** The ServiceAccount a path names for a token: `namespaces/{ns}/serviceaccounts/{name}/token` under /api/v1. */
export function tokenRequestTarget(group: string, version: string, rest: readonly string[]) {
  if (group !== '' || version !== 'v1' || rest.length !== 5) return undefined;
  const [namespaces, namespace, serviceaccounts, name, token] = rest;
  if (namespaces !== 'namespaces' || serviceaccounts !== 'serviceaccounts' || token !== 'token')
    return undefined;
  return { namespace, name };
}

/**
 * POST of an authentication.k8s.io/v1 TokenRequest (what `kubectl create token` sends):
 * answered 201 with the request, its status holding the token and when it expires.
 */
export async function serveTokenRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  target: { namespace: string; name: string },
  access: AccessControl,
  caller: Caller,
  log: (line: string) => void,
): Promise<void> {
  const def = kindByName('ServiceAccount')!;
  try {
    const body = await reviewBody(req, 'TokenRequest');
    const spec = isPlainObject(body.spec) ? body.spec : {};
    const seconds =
      typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : DEFAULT_EXPIRATION_SECONDS;
    const audiences = Array.isArray(spec.audiences)
      ? spec.audiences.filter((audience): audience is string => typeof audience === 'string')
      : [];
    const boundObjectRef = isPlainObject(spec.boundObjectRef)
      ? (spec.boundObjectRef as BoundObjectRef)
      : undefined;
    const issued = access.issueToken(caller, target.namespace, target.name, seconds, {
      audiences,
      boundObjectRef,
    });
    sendJson(res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: target.name, namespace: target.namespace, creationTimestamp: null },
      spec: {
        audiences: audiences.length ? audiences : [TOKEN_ISSUER],
        expirationSeconds: seconds,
        boundObjectRef: boundObjectRef ?? null,
      },
      status: issued,
    });
  } catch (error) {
    sendStatus(res, error instanceof BodyError ? error.status : statusFor(error, def, target.name, log));
  }
}
