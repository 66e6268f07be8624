import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Pod, PodSpec, Toleration } from '../../schema/kinds/pod.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { KindAdmission } from './admission.ts';
import { allContainers, type ResourceList } from './pod-spec.ts';
import { defaultPodSpec } from './pod-spec-defaults.ts';
import { validatePodSpec } from './pod-spec-validation.ts';
import * as v from './validation.ts';

const UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations)';

function defaultPodOnly(spec: PodSpec): void {
  for (const container of allContainers(spec)) {
    const resources = container.resources;
    if (resources?.limits) resources.requests = { ...resources.limits, ...resources.requests };
    if (!spec.hostNetwork) continue;
    for (const port of container.ports ?? []) port.hostPort ||= port.containerPort;
  }
  // Pod-level requests default to the limits too, for the resources pod-level limits may name.
  const podLevel = spec.resources;
  const limits = Object.entries(podLevel?.limits ?? {}).filter(
    ([name]) => name === 'cpu' || name === 'memory' || name.startsWith('hugepages-'),
  );
  if (podLevel && limits.length) podLevel.requests = { ...Object.fromEntries(limits), ...podLevel.requests };
  spec.enableServiceLinks ??= true;
}

/**
 * Kubernetes' QoS class: only cpu and memory count, and only positive amounts; pod-level
 * resources, when given, decide alone.
 */
function qosClass(spec: PodSpec | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const podLevel = spec?.resources?.requests || spec?.resources?.limits ? [spec] : undefined;
  for (const container of podLevel ?? (spec ? allContainers(spec) : [])) {
    addPositive(requests, container.resources?.requests);
    const found = addPositive(limits, container.resources?.limits);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  const equal = (a: number, b: number | undefined) =>
    b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  const matching = [...requests].every(([name, amount]) => equal(amount, limits.get(name)));
  return guaranteed && matching && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function addPositive(totals: Map<string, number>, list: ResourceList): Set<string> {
  const found = new Set<string>();
  for (const name of ['cpu', 'memory']) {
    const amount = list?.[name] === undefined ? undefined : parseQuantity(list[name]);
    if (amount === undefined || amount <= 0) continue;
    found.add(name);
    totals.set(name, (totals.get(name) ?? 0) + amount);
  }
  return found;
}

function validatePodUpdate(spec: PodSpec, old: PodSpec, errors: FieldError[]): void {
  if (old.activeDeadlineSeconds !== undefined) {
    if (spec.activeDeadlineSeconds === undefined) {
      errors.push(
        fieldError(
          'spec.activeDeadlineSeconds',
          'Invalid',
          'must not update from a positive integer to nil value',
        ),
      );
    } else if (spec.activeDeadlineSeconds > old.activeDeadlineSeconds) {
      errors.push(
        fieldError(
          'spec.activeDeadlineSeconds',
          'Invalid',
          `Invalid value: ${spec.activeDeadlineSeconds}: must be less than or equal to previous value`,
        ),
      );
    }
  }
  const kept = (o: Toleration) =>
    spec.tolerations?.some((n) => v.equivalent({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
  if (!(old.tolerations ?? []).every(kept)) {
    errors.push(
      fieldError(
        'spec.tolerations',
        'Forbidden',
        'existing toleration can not be modified except its tolerationSeconds',
      ),
    );
  }
  const gates = new Set(old.schedulingGates?.map((g) => g.name));
  if (!(spec.schedulingGates ?? []).every((gate) => gates.has(gate.name))) {
    errors.push(
      fieldError(
        'spec.schedulingGates',
        'Forbidden',
        'only deletion is allowed, but found new scheduling gate',
      ),
    );
  }
  // The mutable fields take their old values; whatever still differs is a forbidden change.
  const munged: PodSpec = {
    ...spec,
    containers: spec.containers?.map((c, i) => ({ ...c, image: old.containers?.[i]?.image })),
    initContainers: spec.initContainers?.map((c, i) => ({ ...c, image: old.initContainers?.[i]?.image })),
    activeDeadlineSeconds: old.activeDeadlineSeconds,
    tolerations: old.tolerations,
    schedulingGates: old.schedulingGates,
  };
  if (!v.equivalent(munged, old)) errors.push(fieldError('spec', 'Forbidden', UPDATE_MESSAGE));
}

export const podAdmission: KindAdmission<Pod & Resource> = {
  default(pod, ctx) {
    const spec: PodSpec | undefined = pod.spec;
    if (spec) {
      defaultPodSpec(spec);
      defaultPodOnly(spec);
      // The node the scheduler bound it to stays when an update (a manifest applied again) leaves it out.
      if (!spec.nodeName && ctx.old?.spec?.nodeName) spec.nodeName = ctx.old.spec.nodeName;
    }
    if (!ctx.old) pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
  },
  status(pod, ctx) {
    // Every stored pod has a phase (clients read it as non-null): a status written without one keeps it.
    const status = (pod.status ??= {});
    status.phase ??= ctx.old?.status?.phase ?? 'Pending';
    return [];
  },
  validate(pod, ctx) {
    const errors: FieldError[] = [];
    const spec: PodSpec | undefined = pod.spec;
    validatePodSpec(spec, 'spec', errors);
    const old: PodSpec | undefined = ctx.old?.spec;
    if (spec && old) validatePodUpdate(spec, old, errors);
    return errors;
  },
};
