import { METRICS_GROUP, METRICS_VERSION } from './metrics-api.ts';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION, QUANTITY, type Schema } from './openapi-meta.ts';
import { META, packageOf, refTo } from './openapi-names.ts';

/** metrics.k8s.io/v1beta1's types (metrics-api.ts), which no kind's shape defines. */
const PKG = packageOf({ group: METRICS_GROUP, version: METRICS_VERSION });

const usage: Schema = {
  description: 'CPU (cores) and memory (bytes) in use, as quantities.',
  type: 'object',
  additionalProperties: { $ref: refTo(QUANTITY) },
};

const typed = (
  kind: string,
  description: string,
  properties: Record<string, Schema>,
  required: string[],
) => ({
  description,
  type: 'object',
  properties: {
    apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
    kind: { description: KIND_DESCRIPTION, type: 'string' },
    ...properties,
  },
  required,
  'x-kubernetes-group-version-kind': [{ group: METRICS_GROUP, kind, version: METRICS_VERSION }],
});

/** The metadata metrics carry: the measured object's name, namespace and labels (no kind here has an ObjectMeta to share). */
const metricsMeta = (what: string): Schema => ({
  description: `The ${what}'s name (and namespace) and labels.`,
  type: 'object',
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
  },
});

const sample = {
  timestamp: {
    description: 'When the usage was sampled (the end of the window).',
    type: 'string',
    format: 'date-time',
  },
  window: { description: 'The interval the usage was averaged over ("10s").', type: 'string' },
};

const list = (kind: string): Schema =>
  typed(
    `${kind}List`,
    `A list of ${kind} objects.`,
    {
      items: { type: 'array', items: { $ref: refTo(`${PKG}.${kind}`) } },
      metadata: { allOf: [{ $ref: refTo(`${META}.ListMeta`) }], description: 'Standard list metadata.' },
    },
    ['items'],
  );

export const METRICS_SCHEMAS: Record<string, Schema> = {
  [`${PKG}.NodeMetrics`]: typed(
    'NodeMetrics',
    "A node's resource usage, as its agent last reported it.",
    { metadata: metricsMeta('node'), ...sample, usage },
    ['timestamp', 'window', 'usage'],
  ),
  [`${PKG}.NodeMetricsList`]: list('NodeMetrics'),
  [`${PKG}.PodMetrics`]: typed(
    'PodMetrics',
    "A pod's resource usage, per container, as its node's agent last reported it.",
    {
      metadata: metricsMeta('pod'),
      ...sample,
      containers: { type: 'array', items: { $ref: refTo(`${PKG}.ContainerMetrics`) } },
    },
    ['timestamp', 'window', 'containers'],
  ),
  [`${PKG}.PodMetricsList`]: list('PodMetrics'),
  [`${PKG}.ContainerMetrics`]: {
    description: "One container's resource usage.",
    type: 'object',
    properties: { name: { description: "The container's name.", type: 'string' }, usage },
    required: ['name', 'usage'],
  },
};
