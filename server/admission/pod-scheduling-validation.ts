import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { NodeSelectorTerm, PodAffinityTerm, PodSpec, Toleration } from '../../schema/kinds/pod.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import * as v from './validation.ts';

type PodAffinity = NonNullable<NonNullable<PodSpec['affinity']>['podAffinity']>;

export function validateAffinity(affinity: PodSpec['affinity'], path: string, errors: FieldError[]): void {
  const node = affinity?.nodeAffinity;
  const nodePath = joinPath(path, 'nodeAffinity');
  const requiredTerms = node?.requiredDuringSchedulingIgnoredDuringExecution;
  if (requiredTerms) {
    const termsPath = joinPath(
      joinPath(nodePath, 'requiredDuringSchedulingIgnoredDuringExecution'),
      'nodeSelectorTerms',
    );
    if (requiredTerms.nodeSelectorTerms.length === 0) {
      errors.push(fieldError(termsPath, 'Required', 'must have at least one node selector term'));
    }
    requiredTerms.nodeSelectorTerms.forEach((term, i) =>
      validateNodeSelectorTerm(term, joinPath(termsPath, i), errors),
    );
  }
  node?.preferredDuringSchedulingIgnoredDuringExecution?.forEach((preferred, i) => {
    const at = joinPath(joinPath(nodePath, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    weight(preferred.weight, joinPath(at, 'weight'), errors);
    validateNodeSelectorTerm(preferred.preference, joinPath(at, 'preference'), errors);
  });
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    validatePodAffinity(affinity?.[kind], joinPath(path, kind), errors);
  }
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: string, errors: FieldError[]): void {
  for (const list of ['matchExpressions', 'matchFields'] as const) {
    term[list]?.forEach((req, i) => {
      const at = joinPath(joinPath(path, list), i);
      if (list === 'matchExpressions') v.qualifiedName(req.key, joinPath(at, 'key'), errors);
      else if (req.key !== 'metadata.name') {
        errors.push(
          fieldError(
            joinPath(at, 'key'),
            'NotSupported',
            `Unsupported value: "${req.key}": supported values: "metadata.name"`,
          ),
        );
      }
      const count = req.values?.length ?? 0;
      const valuesPath = joinPath(at, 'values');
      if ((req.operator === 'In' || req.operator === 'NotIn') && count === 0) {
        errors.push(
          fieldError(valuesPath, 'Required', "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      }
      if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && count > 0) {
        errors.push(
          fieldError(
            valuesPath,
            'Forbidden',
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      if (
        (req.operator === 'Gt' || req.operator === 'Lt') &&
        (count !== 1 || !/^-?\d+$/.test(req.values?.[0] ?? ''))
      ) {
        errors.push(
          fieldError(
            valuesPath,
            'Required',
            "must be specified single integer value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      }
    });
  }
}

function validatePodAffinity(affinity: PodAffinity | undefined, path: string, errors: FieldError[]): void {
  const term = (t: PodAffinityTerm, at: string) => {
    v.labelSelector(t.labelSelector, joinPath(at, 'labelSelector'), errors);
    if (!t.topologyKey) errors.push(fieldError(joinPath(at, 'topologyKey'), 'Required', 'can not be empty'));
    else v.qualifiedName(t.topologyKey, joinPath(at, 'topologyKey'), errors);
    t.namespaces?.forEach((ns, i) => v.dns1123Label(ns, joinPath(joinPath(at, 'namespaces'), i), errors));
    v.labelSelector(t.namespaceSelector, joinPath(at, 'namespaceSelector'), errors);
    labelKeys(t.matchLabelKeys, t.labelSelector, joinPath(at, 'matchLabelKeys'), errors);
    labelKeys(t.mismatchLabelKeys, t.labelSelector, joinPath(at, 'mismatchLabelKeys'), errors);
  };
  affinity?.requiredDuringSchedulingIgnoredDuringExecution?.forEach((t, i) =>
    term(t, joinPath(joinPath(path, 'requiredDuringSchedulingIgnoredDuringExecution'), i)),
  );
  affinity?.preferredDuringSchedulingIgnoredDuringExecution?.forEach((weighted, i) => {
    const at = joinPath(joinPath(path, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    weight(weighted.weight, joinPath(at, 'weight'), errors);
    term(weighted.podAffinityTerm, joinPath(at, 'podAffinityTerm'));
  });
}

function weight(value: number, path: string, errors: FieldError[]): void {
  if (value < 1 || value > 100) {
    errors.push(fieldError(path, 'Invalid', `Invalid value: ${value}: must be in the range 1-100`));
  }
}

export function validateToleration(toleration: Toleration, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  if (toleration.key) v.qualifiedName(toleration.key, at('key'), errors);
  else if (toleration.operator !== 'Exists') {
    errors.push(
      fieldError(
        at('operator'),
        'Invalid',
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ),
    );
  }
  if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
    errors.push(
      fieldError(at('effect'), 'Invalid', "effect must be 'NoExecute' when `tolerationSeconds` is set"),
    );
  }
  if (toleration.operator === 'Exists' && toleration.value) {
    errors.push(fieldError(at('operator'), 'Invalid', "value must be empty when `operator` is 'Exists'"));
  } else if (toleration.value) {
    v.labelValue(toleration.value, at('value'), errors);
  }
}

/** Label keys taken from the incoming pod: they need a labelSelector, and must not be in its matchLabels. */
function labelKeys(
  keys: string[] | undefined,
  selector: LabelSelector | undefined,
  path: string,
  errors: FieldError[],
): void {
  if (!keys?.length) return;
  if (!selector) {
    errors.push(fieldError(path, 'Forbidden', 'must not be specified when labelSelector is not set'));
    return;
  }
  keys.forEach((key, i) => {
    const at = joinPath(path, i);
    v.qualifiedName(key, at, errors);
    if (selector.matchLabels && Object.hasOwn(selector.matchLabels, key))
      errors.push(
        fieldError(at, 'Invalid', `Invalid value: "${key}": exists in both matchLabelKeys and labelSelector`),
      );
  });
}

export function validateTopologySpread(
  constraints: PodSpec['topologySpreadConstraints'],
  path: string,
  errors: FieldError[],
): void {
  const seen = new Set<string>();
  constraints?.forEach((constraint, i) => {
    const at = (field: string) => joinPath(joinPath(path, i), field);
    v.positive(constraint.maxSkew, at('maxSkew'), errors);
    if (!constraint.topologyKey) errors.push(fieldError(at('topologyKey'), 'Required', 'can not be empty'));
    else v.qualifiedName(constraint.topologyKey, at('topologyKey'), errors);
    if (constraint.minDomains !== undefined) {
      v.positive(constraint.minDomains, at('minDomains'), errors);
      if (constraint.whenUnsatisfiable !== 'DoNotSchedule') {
        errors.push(
          fieldError(
            at('minDomains'),
            'Invalid',
            `Invalid value: ${constraint.minDomains}: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${constraint.whenUnsatisfiable}`,
          ),
        );
      }
    }
    v.labelSelector(constraint.labelSelector, at('labelSelector'), errors);
    labelKeys(constraint.matchLabelKeys, constraint.labelSelector, at('matchLabelKeys'), errors);
    const pair = `${constraint.topologyKey}/${constraint.whenUnsatisfiable}`;
    if (seen.has(pair)) {
      errors.push(
        fieldError(
          at('{topologyKey, whenUnsatisfiable}'),
          'Duplicate',
          `Duplicate value: "{${constraint.topologyKey}, ${constraint.whenUnsatisfiable}}"`,
        ),
      );
    }
    seen.add(pair);
  });
}

export function validateSchedulingGates(
  gates: PodSpec['schedulingGates'],
  path: string,
  errors: FieldError[],
): void {
  const seen = new Set<string>();
  gates?.forEach((gate, i) => {
    const at = joinPath(joinPath(path, i), 'name');
    v.qualifiedName(gate.name, at, errors);
    if (seen.has(gate.name)) errors.push(fieldError(at, 'Duplicate', `Duplicate value: "${gate.name}"`));
    seen.add(gate.name);
  });
}
