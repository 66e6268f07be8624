import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../../../schema/kind.ts';
import type { Namespace } from '../../../schema/kinds/namespace.ts';
import type { Pod } from '../../../schema/kinds/pod.ts';
import type { AdmissionContext, KindAdmission } from '../admission.ts';
import { annotateAuditViolations, annotateEnforcePolicy } from './audit-annotations.ts';
import type { PodView, Violation } from './check.ts';
import { unlabelledPolicy } from './defaults.ts';
import { evaluate } from './evaluation.ts';
import { policyOf } from './labels.ts';
import { compareLevels, type Level, type LevelVersion, type Policy } from './levels.ts';
import { existingPodsWarnings, violatesMessage, wouldViolateMessage } from './messages.ts';
import { hasPodTemplate, templatePod } from './pod-templates.ts';
import { isSignificantPodUpdate } from './pod-updates.ts';

/**
 * Kubernetes' PodSecurity admission plugin around a kind's admission. Pods are refused
 * when they violate their namespace's enforce level (403, `pods "x" is forbidden:
 * violates PodSecurity "baseline:latest": ...`) and warned about at its warn level;
 * workloads with a pod template are only ever warned about, as their pods are what gets
 * refused; a namespace's labels are validated, and raising its enforce level warns about
 * the pods already there that violate it. The audit mode adds what a pod or template
 * would violate at its level to the request's audit event
 * (`pod-security.kubernetes.io/audit-violations`), and a pod's enforce level
 * (`pod-security.kubernetes.io/enforce-policy`), as Kubernetes does.
 */
export function withPodSecurity(
  kind: string,
  admission: KindAdmission,
  clusterDefault: Policy,
): KindAdmission {
  if (kind === 'Pod') {
    return {
      ...admission,
      forbid(obj, ctx) {
        return podRefusal(obj as PodObject, ctx, clusterDefault) ?? admission.forbid?.(obj, ctx);
      },
    };
  }
  if (kind === 'Namespace') {
    return {
      ...admission,
      validate(obj, ctx) {
        return [...(admission.validate?.(obj, ctx) ?? []), ...labelErrors(obj, ctx, clusterDefault)];
      },
      forbid(obj, ctx) {
        warnExistingPods(obj as NamespaceObject, ctx, clusterDefault);
        return admission.forbid?.(obj, ctx);
      },
    };
  }
  if (hasPodTemplate(kind)) {
    return {
      ...admission,
      forbid(obj, ctx) {
        warnTemplate(obj, ctx, clusterDefault);
        return admission.forbid?.(obj, ctx);
      },
    };
  }
  return admission;
}

type PodObject = Pod & Resource;
type NamespaceObject = Namespace & Resource;

/** The policy of a namespace as stored in this commit: its labels over the cluster's default. */
function namespacePolicy(ctx: AdmissionContext, namespace: string, clusterDefault: Policy): Policy {
  const labels = ctx.namespace(namespace)?.metadata.labels;
  return policyOf(labels, unlabelledPolicy(namespace, clusterDefault)).policy;
}

/** One pod's evaluation at each level asked, done once per level. */
function evaluator(pod: PodView): (level: Level) => Violation[] {
  const done = new Map<Level, Violation[]>();
  return (level) => {
    let violations = done.get(level);
    if (!violations) done.set(level, (violations = evaluate(level, pod)));
    return violations;
  };
}

function warnAt(ctx: AdmissionContext, warn: LevelVersion, evaluated: (level: Level) => Violation[]): void {
  if (warn.level === 'privileged' || !ctx.warn) return;
  const violations = evaluated(warn.level);
  if (violations.length) ctx.warn(wouldViolateMessage(warn, violations));
}

function podRefusal(pod: PodObject, ctx: AdmissionContext, clusterDefault: Policy): string | undefined {
  const namespace = pod.metadata.namespace;
  if (!namespace) return undefined;
  if (ctx.old && !isSignificantPodUpdate(pod, ctx.old as PodObject)) return undefined;
  const policy = namespacePolicy(ctx, namespace, clusterDefault);
  const evaluated = evaluator(podView(pod));
  annotateEnforcePolicy(ctx, policy.enforce);
  annotateAuditViolations(ctx, policy.audit, evaluated);
  if (policy.enforce.level !== 'privileged') {
    const violations = evaluated(policy.enforce.level);
    if (violations.length) return violatesMessage(policy.enforce, violations);
  }
  warnAt(ctx, policy.warn, evaluated);
  return undefined;
}

/**
 * A workload's pod template, warned about on every write but a scale (Kubernetes skips
 * the scale subresource; here a scale is an update that changes spec.replicas alone).
 */
function warnTemplate(obj: Resource, ctx: AdmissionContext, clusterDefault: Policy): void {
  const namespace = obj.metadata.namespace;
  if (!namespace || (ctx.old && onlyScaled(obj, ctx.old))) return;
  const pod = templatePod(obj);
  if (!pod) return;
  const policy = namespacePolicy(ctx, namespace, clusterDefault);
  const evaluated = evaluator(pod);
  annotateAuditViolations(ctx, policy.audit, evaluated);
  warnAt(ctx, policy.warn, evaluated);
}

function onlyScaled(obj: Resource, old: Resource): boolean {
  const spec = obj.spec as { replicas?: number } | undefined;
  const before = old.spec as { replicas?: number } | undefined;
  return (
    spec?.replicas !== before?.replicas && isDeepStrictEqual({ ...spec, replicas: before?.replicas }, before)
  );
}

/**
 * Invalid Pod Security labels refuse a namespace's create, and an update that changes
 * them; a namespace already stored with invalid labels may still be updated otherwise.
 */
function labelErrors(ns: Resource, ctx: AdmissionContext, clusterDefault: Policy) {
  const { errors } = policyOf(ns.metadata.labels, clusterDefault);
  if (!errors.length || !ctx.old) return errors;
  const before = policyOf(ctx.old.metadata.labels, clusterDefault).errors;
  return before.length && isDeepStrictEqual(errors, before) ? [] : errors;
}

/** Kubernetes checks at most this many pods when a namespace's enforce level rises. */
const MAX_PODS_TO_CHECK = 3000;

/** When a namespace's enforce level becomes stricter, the existing pods that violate it, as warnings. */
function warnExistingPods(ns: NamespaceObject, ctx: AdmissionContext, clusterDefault: Policy): void {
  const name = ns.metadata.name!;
  if (!ctx.old || !ctx.warn) return;
  const defaults = unlabelledPolicy(name, clusterDefault);
  const enforce = policyOf(ns.metadata.labels, defaults).policy.enforce;
  const before = policyOf(ctx.old.metadata.labels, defaults).policy.enforce;
  if (enforce.level === 'privileged') return;
  if (enforce.version === before.version && compareLevels(enforce.level, before.level) <= 0) return;
  const pods = prioritized([...ctx.objects('Pod', name)] as PodObject[]);
  const checked = pods.slice(0, MAX_PODS_TO_CHECK);
  const failing = checked
    .map((pod) => ({ pod: pod.metadata.name!, violations: evaluate(enforce.level, podView(pod)) }))
    .filter((f) => f.violations.length);
  if (checked.length < pods.length)
    ctx.warn(
      `new PodSecurity enforce level only checked against the first ${checked.length} of ${pods.length} existing pods`,
    );
  for (const warning of existingPodsWarnings(name, enforce, failing)) ctx.warn(warning);
}

function podView(pod: PodObject): PodView {
  return { metadata: pod.metadata, spec: pod.spec ?? { containers: [] } };
}

/** One pod of each controller first, as Kubernetes orders them: its replicas are most likely alike. */
function prioritized(pods: PodObject[]): PodObject[] {
  const seen = new Set<string>();
  const first: PodObject[] = [];
  const rest: PodObject[] = [];
  for (const pod of pods) {
    const owner = pod.metadata.ownerReferences?.find((ref) => ref.controller)?.uid;
    if (owner && seen.has(owner)) rest.push(pod);
    else {
      if (owner) seen.add(owner);
      first.push(pod);
    }
  }
  return [...first, ...rest];
}
