import type http from 'node:http';
import type { Authenticator } from '../auth.ts';
import { ANONYMOUS, decisionAnnotations, type ResponseStatus } from './event.ts';
import type { Auditor } from './recorder.ts';
import { auditEvent, newRequestInfo, policyAttributes, requestInfoOf, type Action } from './request-info.ts';
import {
  auditAnnotationsOf,
  failureOf,
  onResponseStarted,
  requestBodyOf,
  responseBodyOf,
} from './response-notes.ts';
import { requestAttributes } from './rest-attributes.ts';

/**
 * Audits every plain HTTP request the server answers (the REST API, /metrics, GraphQL
 * requests refused before they run): one ResponseComplete event when the response is
 * done, after a ResponseStarted one for a watch whose stream began. GraphQL operations
 * that run claim their request and write one event per root field instead (useAudit).
 */
export class HttpAudit {
  constructor(
    private readonly auditor: Auditor,
    private readonly auth: Authenticator,
    private readonly trustedProxies: readonly string[],
  ) {}

  track(req: http.IncomingMessage, res: http.ServerResponse): void {
    const info = requestInfoOf(req, this.trustedProxies);
    res.setHeader('Audit-Id', info.auditID);
    const principal = this.auth.authenticate(req.headers.authorization);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const action: Action = {
      user: principal ? { username: principal.name, groups: [...principal.groups] } : ANONYMOUS,
      ...requestAttributes(req, url),
    };
    const decision = this.auditor.decide(policyAttributes(action, url.pathname));
    if (decision.level === 'None') return;
    const bodies = {
      requestObject: () => decodedBody(req),
      responseObject: () => responseBodyOf(res),
    };
    // Only a stream that began, that is one the caller was allowed, has a ResponseStarted stage.
    const allowed = principal ? decisionAnnotations(true) : undefined;
    onResponseStarted(res, () =>
      this.auditor.record(
        auditEvent(info, decision, 'ResponseStarted', action, {
          status: { code: res.statusCode },
          annotations: allowed,
        }),
        decision.omitStages,
      ),
    );
    res.once('close', () => {
      if (info.claimed) return;
      const failure = failureOf(res);
      // A client gone before any answer has no HTTP status: 499, as proxies log it.
      const code = res.headersSent ? res.statusCode : 499;
      const status: ResponseStatus = failure
        ? { code, status: 'Failure', reason: failure.reason, message: failure.message }
        : { code };
      this.auditor.record(
        auditEvent(info, decision, 'ResponseComplete', action, {
          status,
          annotations: principal
            ? {
                ...auditAnnotationsOf(res),
                ...decisionAnnotations(code !== 403, code === 403 ? failure?.message : undefined),
              }
            : undefined,
          ...bodies,
        }),
        decision.omitStages,
      );
    });
  }

  /** Writes a WebSocket connection refused for want of a valid token, as a 401 of its upgrade. */
  unauthenticated(req: http.IncomingMessage): void {
    const info = newRequestInfo(req, this.trustedProxies);
    const action: Action = { user: ANONYMOUS, verb: (req.method ?? 'GET').toLowerCase() };
    const decision = this.auditor.decide(
      policyAttributes(action, new URL(info.requestURI, 'http://localhost').pathname),
    );
    if (decision.level === 'None') return;
    const status: ResponseStatus = {
      code: 401,
      status: 'Failure',
      reason: 'Unauthorized',
      message: 'Unauthorized',
    };
    this.auditor.record(
      auditEvent(info, decision, 'ResponseComplete', action, { status }),
      decision.omitStages,
    );
  }
}

/** A JSON body (an object, a patch) as what it holds; any other (YAML, protobuf) is left out. */
function decodedBody(req: http.IncomingMessage): unknown {
  const text = requestBodyOf(req);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
