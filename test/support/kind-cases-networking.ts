import { expect } from 'vitest';
import type { EndpointSlice } from '../../schema/kinds/endpointslice.ts';
import type { Ingress } from '../../schema/kinds/ingress.ts';
import type { IngressClass } from '../../schema/kinds/ingressclass.ts';
import type { NetworkPolicy } from '../../schema/kinds/networkpolicy.ts';
import { kindCase, type KindCase } from './kinds.ts';

/**
 * Ingresses, IngressClasses, NetworkPolicies and EndpointSlices, from Kubernetes' documentation: their
 * manifests and what the API makes of them (see KindCase), for kinds-lifecycle.test.ts.
 */
export const NETWORKING_KIND_CASES: KindCase[] = [
  kindCase<Ingress>({
    kind: 'Ingress',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx-example
  rules:
  - http:
      paths:
      - path: /testpath
        pathType: Prefix
        backend:
          service:
            name: test
            port:
              number: 80
`,
    select: `spec { ingressClassName tls { hosts secretName } rules { host http { paths { path pathType
      backend { service { name port { name number } } } } } } }`,
    created(ing) {
      expect(ing.spec?.rules?.[0].http?.paths[0]).toEqual({
        path: '/testpath',
        pathType: 'Prefix',
        backend: { service: { name: 'test', port: { name: null, number: 80 } } },
      });
    },
    change(m) {
      m.spec!.tls = [{ hosts: ['https-example.foo.com'], secretName: 'testsecret-tls' }];
      m.spec!.rules![0].host = 'https-example.foo.com';
    },
    changed(ing) {
      expect(ing.spec?.tls).toEqual([{ hosts: ['https-example.foo.com'], secretName: 'testsecret-tls' }]);
      expect(ing.spec?.rules?.[0].host).toBe('https-example.foo.com');
    },
    patch: { spec: { ingressClassName: 'other' } },
    patched(ing) {
      expect(ing.spec?.ingressClassName).toBe('other');
    },
  }),
  kindCase<IngressClass>({
    kind: 'IngressClass',
    namespaced: false,
    hasSpec: true,
    manifest: (name) => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: ${name}
spec:
  controller: example.com/ingress-controller
  parameters:
    apiGroup: k8s.example.com
    kind: IngressParameters
    name: external-lb
`,
    select: 'spec { controller parameters { apiGroup kind name scope namespace } }',
    created(ic) {
      // A parameters reference is cluster-scoped unless it says otherwise.
      expect(ic.spec?.parameters).toEqual({
        apiGroup: 'k8s.example.com',
        kind: 'IngressParameters',
        name: 'external-lb',
        scope: 'Cluster',
        namespace: null,
      });
    },
    change(m) {
      m.spec!.parameters = {
        ...m.spec!.parameters!,
        scope: 'Namespace',
        namespace: 'external-configuration',
      };
    },
    changed(ic) {
      expect(ic.spec?.parameters?.namespace).toBe('external-configuration');
    },
    patch: { metadata: { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } },
    patched(ic) {
      expect(ic.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class']).toBe('true');
    },
  }),
  kindCase<NetworkPolicy>({
    kind: 'NetworkPolicy',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
spec:
  podSelector:
    matchLabels:
      role: db
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - port: 5978
`,
    select: `spec { podSelector { matchLabels } policyTypes ingress { ports { protocol port endPort } }
      egress { ports { protocol port } to { ipBlock { cidr except } } } }`,
    created(np) {
      // Egress rules make the policy an egress policy too; ports are TCP unless they say otherwise.
      expect(np.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(np.spec?.egress?.[0].ports).toEqual([{ protocol: 'TCP', port: 5978 }]);
      expect(np.spec?.ingress?.[0].ports).toEqual([{ protocol: 'TCP', port: 6379, endPort: null }]);
    },
    change(m) {
      m.spec!.ingress![0].ports = [{ protocol: 'TCP', port: 32000, endPort: 32768 }];
    },
    changed(np) {
      expect(np.spec?.ingress?.[0].ports).toEqual([{ protocol: 'TCP', port: 32000, endPort: 32768 }]);
    },
    patch: { spec: { podSelector: { matchLabels: { role: 'cache' } } } },
    patched(np) {
      expect(np.spec?.podSelector).toEqual({ matchLabels: { role: 'cache' } });
      expect(np.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    },
  }),
  kindCase<EndpointSlice>({
    kind: 'EndpointSlice',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}
  labels:
    kubernetes.io/service-name: example
addressType: IPv4
ports:
  - name: http
    port: 80
endpoints:
  - addresses:
      - "10.1.2.3"
    conditions:
      ready: true
    hostname: pod-1
    nodeName: node-1
    zone: us-west2-a
`,
    select: `addressType ports { name port protocol } endpoints { addresses conditions { ready } hostname nodeName zone }`,
    created(slice) {
      // Ports are TCP unless they say otherwise.
      expect(slice.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
      expect(slice.endpoints).toEqual([
        {
          addresses: ['10.1.2.3'],
          conditions: { ready: true },
          hostname: 'pod-1',
          nodeName: 'node-1',
          zone: 'us-west2-a',
        },
      ]);
    },
    change(m) {
      m.endpoints![0].addresses = ['10.1.2.4'];
    },
    changed(slice) {
      expect(slice.endpoints?.[0].addresses).toEqual(['10.1.2.4']);
    },
    patch: { ports: [{ name: 'https', port: 443 }] },
    patched(slice) {
      expect(slice.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP' }]);
      expect(slice.addressType).toBe('IPv4');
    },
  }),
];
