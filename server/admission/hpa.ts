import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type {
  CrossVersionObjectReference,
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerSpec,
  HPAScalingRules,
  MetricIdentifier,
  MetricSpec,
  MetricTarget,
  ResourceMetricSource,
} from '../../schema/kinds/hpa.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { KindAdmission } from './admission.ts';
import * as validation from './validation.ts';

type HPAObject = HorizontalPodAutoscaler & Resource;

const DEFAULT_CPU_UTILIZATION = 80;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;

/** Kubernetes' scale-up limits: at most 4 pods or double the replicas (whichever is more) every 15s. */
const scaleUpDefaults = (): HPAScalingRules => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
});

/**
 * Kubernetes' scale-down limit. The stabilization window stays unset so that the
 * controller's own default (300s) applies, as in Kubernetes.
 */
const scaleDownDefaults = (): HPAScalingRules => ({
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
});

/** Fills what the user left out of one direction's rules from Kubernetes' defaults. */
function withDefaults(rules: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: rules?.selectPolicy ?? defaults.selectPolicy,
    policies: rules?.policies ?? defaults.policies,
  };
}

/** Which field of a MetricSpec carries the source of each metric type. */
const SOURCE_FIELD = {
  Resource: 'resource',
  ContainerResource: 'containerResource',
  Pods: 'pods',
  Object: 'object',
  External: 'external',
} as const;

/** Kind and name end up in a URL path, so they may not contain what would break it. */
function pathSegment(value: string, path: string, errors: FieldError[]): void {
  if (!value) errors.push(fieldError(path, 'Required', 'Required value'));
  else if (value === '.' || value === '..')
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": may not be '${value}'`));
  else {
    for (const c of ['/', '%']) {
      if (value.includes(c))
        errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": may not contain '${c}'`));
    }
  }
}

function crossVersionRef(
  ref: CrossVersionObjectReference | undefined,
  path: string,
  errors: FieldError[],
): void {
  if (!ref) return;
  pathSegment(ref.kind, joinPath(path, 'kind'), errors);
  pathSegment(ref.name, joinPath(path, 'name'), errors);
}

function metricIdentifier(id: MetricIdentifier | undefined, path: string, errors: FieldError[]): void {
  if (!id) return;
  if (!id.name) errors.push(fieldError(joinPath(path, 'name'), 'Required', 'must specify a metric name'));
  validation.labelSelector(id.selector, joinPath(path, 'selector'), errors);
}

function metricTarget(target: MetricTarget, path: string, errors: FieldError[]): void {
  for (const field of ['value', 'averageValue'] as const) {
    const quantity = target[field];
    if (quantity === undefined) continue;
    const amount = parseQuantity(quantity);
    if (amount !== undefined && amount <= 0) {
      errors.push(
        fieldError(joinPath(path, field), 'Invalid', `Invalid value: "${quantity}": must be positive`),
      );
    }
  }
  if (target.averageUtilization !== undefined && target.averageUtilization < 1) {
    const message = `Invalid value: ${target.averageUtilization}: must be greater than 0`;
    errors.push(fieldError(joinPath(path, 'averageUtilization'), 'Invalid', message));
  }
}

function resourceSource(source: ResourceMetricSource, path: string, errors: FieldError[]): void {
  if (!source.name)
    errors.push(fieldError(joinPath(path, 'name'), 'Required', 'must specify a resource name'));
  const target = source.target;
  if (!target) return;
  const at = joinPath(path, 'target');
  metricTarget(target, at, errors);
  if (target.averageUtilization === undefined && target.averageValue === undefined) {
    const message = 'must set either a target raw value or a target utilization';
    errors.push(fieldError(joinPath(at, 'averageUtilization'), 'Required', message));
  } else if (target.averageUtilization !== undefined && target.averageValue !== undefined) {
    const message = 'may not set both a target raw value and a target utilization';
    errors.push(fieldError(joinPath(at, 'averageValue'), 'Forbidden', message));
  }
}

function validateMetric(metric: MetricSpec, path: string, errors: FieldError[]): void {
  const expected: string | undefined = SOURCE_FIELD[metric.type];
  for (const field of Object.values(SOURCE_FIELD)) {
    const present = metric[field] !== undefined;
    if (field === expected && !present) {
      errors.push(
        fieldError(
          joinPath(path, field),
          'Required',
          'must populate information for the given metric source',
        ),
      );
    } else if (field !== expected && present) {
      errors.push(
        fieldError(joinPath(path, field), 'Forbidden', 'must populate the given metric source only'),
      );
    }
  }

  if (metric.resource) resourceSource(metric.resource, joinPath(path, 'resource'), errors);
  if (metric.containerResource) {
    const at = joinPath(path, 'containerResource');
    resourceSource(metric.containerResource, at, errors);
    if (!metric.containerResource.container) {
      errors.push(fieldError(joinPath(at, 'container'), 'Required', 'must specify a container'));
    }
  }
  if (metric.pods) {
    const at = joinPath(path, 'pods');
    metricIdentifier(metric.pods.metric, joinPath(at, 'metric'), errors);
    const target = metric.pods.target;
    if (target) {
      metricTarget(target, joinPath(at, 'target'), errors);
      if (target.averageValue === undefined) {
        const message = 'must specify a positive target averageValue';
        errors.push(fieldError(joinPath(at, 'target.averageValue'), 'Required', message));
      }
    }
  }
  if (metric.object) {
    const at = joinPath(path, 'object');
    crossVersionRef(metric.object.describedObject, joinPath(at, 'describedObject'), errors);
    metricIdentifier(metric.object.metric, joinPath(at, 'metric'), errors);
    const target = metric.object.target;
    if (target) {
      metricTarget(target, joinPath(at, 'target'), errors);
      if (target.value === undefined && target.averageValue === undefined) {
        errors.push(
          fieldError(
            joinPath(at, 'target.value'),
            'Required',
            'must set either a target value or averageValue',
          ),
        );
      }
    }
  }
  if (metric.external) {
    const at = joinPath(path, 'external');
    metricIdentifier(metric.external.metric, joinPath(at, 'metric'), errors);
    const target = metric.external.target;
    if (target) {
      metricTarget(target, joinPath(at, 'target'), errors);
      if (target.value === undefined && target.averageValue === undefined) {
        const message = 'must set either a target value for metric or a per-pod target';
        errors.push(fieldError(joinPath(at, 'target.value'), 'Required', message));
      } else if (target.value !== undefined && target.averageValue !== undefined) {
        const message = 'may not set both a target value for metric and a per-pod target';
        errors.push(fieldError(joinPath(at, 'target.value'), 'Forbidden', message));
      }
    }
  }
}

function scalingRules(rules: HPAScalingRules | undefined, path: string, errors: FieldError[]): void {
  if (!rules) return;
  const window = rules.stabilizationWindowSeconds;
  const windowPath = joinPath(path, 'stabilizationWindowSeconds');
  if (window !== undefined && window < 0) {
    errors.push(
      fieldError(windowPath, 'Invalid', `Invalid value: ${window}: must be greater than or equal to zero`),
    );
  } else if (window !== undefined && window > MAX_STABILIZATION_WINDOW_SECONDS) {
    const message = `Invalid value: ${window}: must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`;
    errors.push(fieldError(windowPath, 'Invalid', message));
  }
  const policiesPath = joinPath(path, 'policies');
  if (!rules.policies?.length)
    errors.push(fieldError(policiesPath, 'Required', 'must specify at least one Policy'));
  rules.policies?.forEach((policy, i) => {
    const at = joinPath(policiesPath, i);
    if (policy.value <= 0) {
      errors.push(
        fieldError(
          joinPath(at, 'value'),
          'Invalid',
          `Invalid value: ${policy.value}: must be greater than zero`,
        ),
      );
    }
    const period = policy.periodSeconds;
    const periodPath = joinPath(at, 'periodSeconds');
    if (period <= 0)
      errors.push(fieldError(periodPath, 'Invalid', `Invalid value: ${period}: must be greater than zero`));
    else if (period > MAX_PERIOD_SECONDS) {
      const message = `Invalid value: ${period}: must be less than or equal to ${MAX_PERIOD_SECONDS}`;
      errors.push(fieldError(periodPath, 'Invalid', message));
    }
  });
}

export const hpaAdmission: KindAdmission<HPAObject> = {
  default(hpa) {
    const spec: HorizontalPodAutoscalerSpec | undefined = hpa.spec;
    if (!spec) return;
    spec.minReplicas ??= 1;
    if (!spec.metrics?.length) {
      spec.metrics = [
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION },
          },
        },
      ];
    }
    // As in Kubernetes, behavior is completed only when given: without it the controller applies the same defaults.
    if (spec.behavior) {
      spec.behavior.scaleUp = withDefaults(spec.behavior.scaleUp, scaleUpDefaults());
      spec.behavior.scaleDown = withDefaults(spec.behavior.scaleDown, scaleDownDefaults());
    }
  },

  validate(hpa) {
    const errors: FieldError[] = [];
    const spec: HorizontalPodAutoscalerSpec | undefined = hpa.spec;
    if (!spec) return errors;
    crossVersionRef(spec.scaleTargetRef, 'spec.scaleTargetRef', errors);
    const { minReplicas, maxReplicas } = spec;
    if (minReplicas !== undefined && minReplicas < 1) {
      const message = `Invalid value: ${minReplicas}: must be greater than or equal to 1`;
      errors.push(fieldError('spec.minReplicas', 'Invalid', message));
    }
    if (maxReplicas < 1) {
      errors.push(
        fieldError('spec.maxReplicas', 'Invalid', `Invalid value: ${maxReplicas}: must be greater than 0`),
      );
    } else if (minReplicas !== undefined && maxReplicas < minReplicas) {
      const message = `Invalid value: ${maxReplicas}: must be greater than or equal to \`minReplicas\``;
      errors.push(fieldError('spec.maxReplicas', 'Invalid', message));
    }
    spec.metrics?.forEach((metric, i) => validateMetric(metric, joinPath('spec.metrics', i), errors));
    scalingRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp', errors);
    scalingRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown', errors);
    return errors;
  },
};
