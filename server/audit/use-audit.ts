import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ERROR_HTTP_STATUS, isErrorCode } from '../../schema/error-codes.ts';
import type { Principal } from '../graphql/builder.ts';
import { ANONYMOUS, decisionAnnotations, type AuditEvent, type ResponseStatus } from './event.ts';
import { auditedFields, type AuditedField } from './graphql-fields.ts';
import type { Auditor } from './recorder.ts';
import {
  auditEvent,
  newRequestInfo,
  policyAttributes,
  trackedRequestInfo,
  type RequestInfo,
} from './request-info.ts';

interface AuditContext {
  req?: IncomingMessage;
  principal?: Principal;
}

/** One root field's events: how the policy rates it, and the outcome gathered from the results. */
interface FieldAudit {
  field: AuditedField;
  auditID: string;
  decision: ReturnType<Auditor['decide']>;
  user: AuditEvent['user'];
  error?: GraphQLError;
  data?: unknown;
}

export const FIELD_ANNOTATION = 'graphql.kubeql.io/field';

/**
 * Audits GraphQL operations, over HTTP, SSE and WebSocket alike: one event per root
 * field, as each is the Kubernetes request it stands for (its own verb, object and
 * authorization decision, which one event for the whole operation could not state; a
 * policy matches each as kube-apiserver matches a request). Queries and mutations are
 * ResponseComplete events; a subscription is ResponseStarted when it starts and
 * ResponseComplete when it ends, as a watch is. An HTTP request's first field keeps
 * the request's Audit-Id.
 */
export function useAudit(auditor: Auditor, trustedProxies: readonly string[]): Plugin {
  const begin = (args: ExecutionArgs): { info: RequestInfo; fields: FieldAudit[] } | undefined => {
    const ctx = args.contextValue as AuditContext;
    if (!ctx.req) return undefined;
    const tracked = trackedRequestInfo(ctx.req);
    const info = tracked ?? newRequestInfo(ctx.req, trustedProxies);
    info.claimed = true;
    const user = ctx.principal
      ? { username: ctx.principal.name, groups: [...ctx.principal.groups] }
      : ANONYMOUS;
    const path = new URL(info.requestURI, 'http://localhost').pathname;
    const fields = auditedFields(args).map((field, i): FieldAudit => ({
      field,
      auditID: i === 0 ? info.auditID : crypto.randomUUID(),
      user,
      decision: auditor.decide(
        policyAttributes({ user, verb: field.verb, objectRef: field.objectRef }, path),
      ),
    }));
    return { info, fields: fields.filter((f) => f.decision.level !== 'None') };
  };

  const emit = (info: RequestInfo, audit: FieldAudit, stage: AuditEvent['stage']) => {
    const { field, decision, error } = audit;
    const forbidden = error?.extensions.code === 'FORBIDDEN';
    // Fields that may carry credentials, or objects of kinds the arguments do not tell, never show their bodies.
    const bodies = field.opaque
      ? {}
      : {
          requestObject: () => ({ field: field.field, arguments: field.args }),
          responseObject: () => audit.data,
        };
    auditor.record(
      auditEvent(
        info,
        decision,
        stage,
        { user: audit.user, verb: field.verb, objectRef: field.objectRef },
        {
          auditID: audit.auditID,
          status: stage === 'ResponseStarted' ? { code: 200 } : statusOf(error),
          annotations: {
            ...decisionAnnotations(!forbidden, forbidden ? error.message : undefined),
            [FIELD_ANNOTATION]: field.responseKey,
          },
          ...bodies,
        },
      ),
      decision.omitStages,
    );
  };

  /** Takes what a result says of each field: its data, and the first error at (or above) it. */
  const gather = (fields: FieldAudit[], result: ExecutionResult) => {
    const data = result.data as Record<string, unknown> | null | undefined;
    for (const audit of fields) {
      if (data && audit.field.responseKey in data) audit.data = data[audit.field.responseKey];
      audit.error ??= result.errors?.find(
        (e) => !e.path?.length || (e.path.length === 1 && e.path[0] === audit.field.responseKey),
      );
    }
  };

  const complete = (op: { info: RequestInfo; fields: FieldAudit[] }) => {
    for (const audit of op.fields) emit(op.info, audit, 'ResponseComplete');
  };

  return {
    onExecute({ args }) {
      const op = begin(args);
      if (!op?.fields.length) return;
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) {
            gather(op.fields, result);
            return complete(op);
          }
          return {
            onNext: ({ result: next }) => gather(op.fields, next),
            onEnd: () => complete(op),
          };
        },
      };
    },
    onSubscribe({ args }) {
      const op = begin(args);
      if (!op?.fields.length) return;
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            gather(op.fields, result);
            return complete(op);
          }
          for (const audit of op.fields) emit(op.info, audit, 'ResponseStarted');
          return {
            onNext: ({ result: next }) => {
              // An event's data is the stream's, not the field's answer: only its errors count.
              gather(op.fields, { errors: next.errors });
            },
            onEnd: () => complete(op),
          };
        },
        onSubscribeError({ error }) {
          for (const audit of op.fields) audit.error ??= error as GraphQLError;
          complete(op);
        },
      };
    },
  };
}

/** A field's outcome as an HTTP status: 200, or its error's status (500 for one the API did not raise). */
function statusOf(error: GraphQLError | undefined): ResponseStatus {
  if (!error) return { code: 200 };
  const code = error.extensions?.code;
  return {
    code: isErrorCode(code) ? ERROR_HTTP_STATUS[code] : 500,
    status: 'Failure',
    reason: typeof code === 'string' ? reasonOf(code) : 'InternalError',
    message: error.message,
  };
}

/** NOT_FOUND as Kubernetes' reason NotFound. */
function reasonOf(code: string): string {
  return code
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
