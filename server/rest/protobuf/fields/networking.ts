import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/api networking/v1 (generated.proto), as message-fields.ts reads them. */
export const NETWORKING_FIELDS: MessageFields = {
  HTTPIngressPath: '1 path, 2 backend IngressBackend, 3 pathType string?',
  HTTPIngressRuleValue: '1 paths []HTTPIngressPath',
  IPBlock: '1 cidr, 2 except []string',
  Ingress: '1 metadata ObjectMeta, 2 spec IngressSpec, 3 status IngressStatus',
  IngressBackend: '3 resource TypedLocalObjectReference, 4 service IngressServiceBackend',
  IngressClass: '1 metadata ObjectMeta, 2 spec IngressClassSpec',
  IngressClassParametersReference: '1 apiGroup string?, 2 kind, 3 name, 4 scope string?, 5 namespace string?',
  IngressClassSpec: '1 controller, 2 parameters IngressClassParametersReference',
  IngressLoadBalancerIngress: '1 ip, 2 hostname, 4 ports []IngressPortStatus',
  IngressLoadBalancerStatus: '1 ingress []IngressLoadBalancerIngress',
  IngressPortStatus: '1 port int32, 2 protocol, 3 error string?',
  IngressRule: '1 host, 2 ... IngressRuleValue',
  IngressRuleValue: '1 http HTTPIngressRuleValue',
  IngressServiceBackend: '1 name, 2 port ServiceBackendPort',
  IngressSpec:
    '1 defaultBackend IngressBackend, 2 tls []IngressTLS, 3 rules []IngressRule, 4 ingressClassName string?',
  IngressStatus: '1 loadBalancer IngressLoadBalancerStatus',
  IngressTLS: '1 hosts []string, 2 secretName',
  NetworkPolicy: '1 metadata ObjectMeta, 2 spec NetworkPolicySpec',
  NetworkPolicyEgressRule: '1 ports []NetworkPolicyPort, 2 to []NetworkPolicyPeer',
  NetworkPolicyIngressRule: '1 ports []NetworkPolicyPort, 2 from []NetworkPolicyPeer',
  NetworkPolicyPeer: '1 podSelector LabelSelector, 2 namespaceSelector LabelSelector, 3 ipBlock IPBlock',
  NetworkPolicyPort: '1 protocol string?, 2 port IntOrString, 3 endPort int32?',
  NetworkPolicySpec:
    '1 podSelector LabelSelector, 2 ingress []NetworkPolicyIngressRule, 3 egress []NetworkPolicyEgressRule, 4 policyTypes []string',
  ServiceBackendPort: '1 name, 2 number int32',
};
