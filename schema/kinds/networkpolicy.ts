import { defineKind } from '../kind.ts';
import { described, required, s, type Infer } from '../shape.ts';
import { LabelSelector, ObjectMeta, Protocol } from './meta.ts';

export const NetworkPolicyPort = s.object(
  'NetworkPolicyPort',
  {
    protocol: described(Protocol, 'TCP (the default), UDP or SCTP.'),
    port: s.intOrString('A port number or a named container port; every port if absent.'),
    endPort: s.int('With a numeric port, the last port of the range port-endPort.'),
  },
  'Ports traffic may use.',
);

export const NetworkPolicyPeer = s.object(
  'NetworkPolicyPeer',
  {
    podSelector: described(
      LabelSelector,
      "Pods with these labels, in the policy's namespace or those namespaceSelector selects.",
    ),
    namespaceSelector: described(LabelSelector, 'Namespaces with these labels ({} for all).'),
    ipBlock: s.object(
      'IPBlock',
      {
        cidr: required(s.string('A CIDR ("10.0.0.0/16").')),
        except: s.list(s.string(), 'CIDRs within cidr to leave out.'),
      },
      'Addresses outside the cluster, by CIDR.',
    ),
  },
  'Who traffic may come from or go to: pods, namespaces, or (alone) an IP block.',
);

export const NetworkPolicyIngressRule = s.object(
  'NetworkPolicyIngressRule',
  {
    ports: s.list(NetworkPolicyPort, 'Every port if empty.'),
    from: s.list(NetworkPolicyPeer, 'Every source if empty.'),
  },
  'Traffic allowed into the selected pods.',
);

export const NetworkPolicyEgressRule = s.object(
  'NetworkPolicyEgressRule',
  {
    ports: s.list(NetworkPolicyPort, 'Every port if empty.'),
    to: s.list(NetworkPolicyPeer, 'Every destination if empty.'),
  },
  'Traffic allowed out of the selected pods.',
);

export const NetworkPolicySpec = s.object(
  'NetworkPolicySpec',
  {
    podSelector: described(
      LabelSelector,
      'The pods the policy applies to ({} for every pod of the namespace).',
    ),
    ingress: s.list(
      NetworkPolicyIngressRule,
      'Allowed incoming traffic; none if empty and Ingress is a policy type.',
    ),
    egress: s.list(
      NetworkPolicyEgressRule,
      'Allowed outgoing traffic; none if empty and Egress is a policy type.',
    ),
    policyTypes: s.list(
      s.enum('PolicyType', ['Ingress', 'Egress']),
      'Which directions the policy restricts; Ingress, plus Egress when there are egress rules, if absent.',
    ),
  },
  'Which traffic the selected pods may receive and send; everything else in those directions is denied.',
);
export type NetworkPolicySpec = Infer<typeof NetworkPolicySpec>;

const description =
  'Allows traffic to and from the pods it selects; once a pod is selected, what is not allowed is denied.';

export const NetworkPolicy = s.object(
  'NetworkPolicy',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: NetworkPolicySpec,
  },
  description,
);
export type NetworkPolicy = Infer<typeof NetworkPolicy>;

export const networkPolicyKind = defineKind({
  kind: 'NetworkPolicy',
  apiVersion: 'networking.k8s.io/v1',
  plural: 'networkpolicies',
  shortNames: ['netpol'],
  namespaced: true,
  shape: NetworkPolicy,
  description,
});
