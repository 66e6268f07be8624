import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION, type Schema } from './openapi-meta.ts';
import { META, refTo } from './openapi-names.ts';

/** autoscaling/v1 Scale, the body of every `scale` subresource (scale.ts), which no kind's shape defines. */
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

export const SCALE_SCHEMAS: Record<string, Schema> = {
  [SCALE]: {
    description:
      'The desired and observed replicas of a scalable object, as `kubectl scale` and autoscalers read and write them.',
    type: 'object',
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: {
        allOf: [{ $ref: refTo(`${META}.ObjectMeta`) }],
        description: "The scaled object's metadata.",
      },
      spec: { allOf: [{ $ref: refTo(`${SCALE}Spec`) }], description: 'The desired replicas.' },
      status: { allOf: [{ $ref: refTo(`${SCALE}Status`) }], description: 'The observed replicas.' },
    },
    'x-kubernetes-group-version-kind': [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }],
  },
  [`${SCALE}Spec`]: {
    description: 'The desired replicas of a scalable object.',
    type: 'object',
    properties: { replicas: { description: 'Desired number of replicas.', type: 'integer' } },
  },
  [`${SCALE}Status`]: {
    description: 'The observed replicas of a scalable object.',
    type: 'object',
    properties: {
      replicas: { description: 'Observed number of replicas.', type: 'integer' },
      selector: {
        description: "The object's pod selector, as a label selector string (`app=web`).",
        type: 'string',
      },
    },
    required: ['replicas'],
  },
};
