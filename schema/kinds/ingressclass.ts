import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

/** The controller of kubeql's own IngressClass: the ingress proxy of the Docker nodes (agent/ingress). */
export const KUBEQL_INGRESS_CONTROLLER = 'kubeql.io/ingress';

export const IngressClassSpec = s.object(
  'IngressClassSpec',
  {
    controller: s.string(
      'The controller that implements this class ("example.com/ingress-controller"). Immutable.',
    ),
    parameters: s.object(
      'IngressClassParametersReference',
      {
        apiGroup: s.string(),
        kind: required(s.string()),
        name: required(s.string()),
        scope: s.enum(
          'IngressClassParametersScope',
          ['Cluster', 'Namespace'],
          'Cluster (the default) or Namespace, then with namespace.',
        ),
        namespace: s.string('Where the parameters are, when scope is Namespace.'),
      },
      'An object holding the configuration of the controller for this class.',
    ),
  },
  'Which controller implements the ingresses of this class, and with what configuration.',
);
export type IngressClassSpec = Infer<typeof IngressClassSpec>;

const description =
  'A kind of Ingress, implemented by one controller; annotated ingressclass.kubernetes.io/is-default-class, it is the default.';

export const IngressClass = s.object(
  'IngressClass',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: IngressClassSpec,
  },
  description,
);
export type IngressClass = Infer<typeof IngressClass>;

export const ingressClassKind = defineKind({
  kind: 'IngressClass',
  apiVersion: 'networking.k8s.io/v1',
  plural: 'ingressclasses',
  shortNames: [],
  namespaced: false,
  shape: IngressClass,
  description,
});
