import { defineKind } from '../kind.ts';
import { described, required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';
import { TypedLocalObjectReference } from './typed-references.ts';

export const IngressBackend = s.object(
  'IngressBackend',
  {
    service: s.object(
      'IngressServiceBackend',
      {
        name: required(s.string('A Service in the same namespace.')),
        port: s.object(
          'ServiceBackendPort',
          {
            name: s.string("The Service port's name; not with number."),
            number: s.int("The Service port's number; not with name."),
          },
          'A port of the Service, by name or by number.',
        ),
      },
      'A Service port to send the traffic to.',
    ),
    resource: described(
      TypedLocalObjectReference,
      'An object of another kind (a storage bucket) instead of a Service.',
    ),
  },
  'Where matching requests go: a Service port or another resource, exactly one.',
);
export type IngressBackend = Infer<typeof IngressBackend>;

export const HTTPIngressPath = s.object(
  'HTTPIngressPath',
  {
    path: s.string('Matched against the request path; must start with "/" for Exact and Prefix.'),
    pathType: required(
      s.enum(
        'PathType',
        ['Exact', 'Prefix', 'ImplementationSpecific'],
        'Exact: the path exactly; Prefix: by "/"-separated elements; ImplementationSpecific: as the ingress class decides.',
      ),
    ),
    backend: required(IngressBackend),
  },
  'A path and where its requests go.',
);

export const IngressRule = s.object(
  'IngressRule',
  {
    host: s.string('A DNS name (a leading "*." matches one label); every host if empty. Not an IP address.'),
    http: s.object('HTTPIngressRuleValue', { paths: required(s.list(HTTPIngressPath)) }, 'Paths, in order.'),
  },
  'How the requests for one host are routed.',
);

export const IngressTLS = s.object(
  'IngressTLS',
  {
    hosts: s.list(s.string(), 'The hosts the certificate is for; the default host if empty.'),
    secretName: s.string('A kubernetes.io/tls Secret with the certificate and key.'),
  },
  'TLS for some hosts.',
);

export const IngressSpec = s.object(
  'IngressSpec',
  {
    ingressClassName: s.string(
      'The IngressClass whose controller implements this ingress; the default class if absent.',
    ),
    defaultBackend: described(IngressBackend, 'Where requests no rule matches go.'),
    tls: s.list(IngressTLS),
    rules: s.list(IngressRule, 'Host and path rules; all traffic goes to defaultBackend if empty.'),
  },
  'How HTTP(S) requests from outside reach Services.',
);
export type IngressSpec = Infer<typeof IngressSpec>;

const IngressStatus = s.object(
  'IngressStatus',
  {
    loadBalancer: s.object('IngressLoadBalancerStatus', {
      ingress: s.list(
        s.object('IngressLoadBalancerIngress', {
          ip: s.string(),
          hostname: s.string(),
          ports: s.list(
            s.object('IngressPortStatus', {
              port: required(s.int()),
              protocol: required(s.string()),
              error: s.string(),
            }),
          ),
        }),
        'Where the ingress is reachable.',
      ),
    }),
  },
  'Observed state of an Ingress.',
);

const description = 'Routes HTTP(S) from outside the cluster to Services by host and path, with TLS.';

export const Ingress = s.object(
  'Ingress',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: IngressSpec,
    status: IngressStatus,
  },
  description,
);
export type Ingress = Infer<typeof Ingress>;

export const ingressKind = defineKind({
  kind: 'Ingress',
  apiVersion: 'networking.k8s.io/v1',
  plural: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  shape: Ingress,
  description,
});
