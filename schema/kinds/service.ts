import { defineKind } from '../kind.ts';
import { described, keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, ObjectMeta, Protocol } from './meta.ts';

export const ServicePort = s.object('ServicePort', {
  name: s.string('A DNS-1123 label; required when the service has more than one port.'),
  protocol: described(Protocol, 'Defaults to TCP.'),
  port: required(s.int('The port the service exposes on its cluster IP.')),
  targetPort: s.intOrString("The pods' port, by number or by container port name; defaults to port."),
  nodePort: s.int(
    'The port opened on every node for NodePort and LoadBalancer services; allocated from 30000-32767 when unset.',
  ),
  appProtocol: s.string(
    'The application protocol, as a hint to implementations ("http", "kubernetes.io/h2c").',
  ),
});
export type ServicePort = Infer<typeof ServicePort>;

export const ClientIPConfig = s.object('ClientIPConfig', {
  timeoutSeconds: s.int('How long a client sticks to a backend: 1-86400, default 10800 (3 hours).'),
});

export const SessionAffinityConfig = s.object('SessionAffinityConfig', { clientIP: ClientIPConfig });

export const ServiceSpec = s.object('ServiceSpec', {
  type: s.enum(
    'ServiceType',
    ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
    'ClusterIP (default) is reachable inside the cluster; NodePort adds a port on every node; LoadBalancer adds an external load balancer; ExternalName is a DNS alias for externalName.',
  ),
  selector: s.map(
    'Pods with these labels are the backends. Without a selector, Endpoints are managed by hand.',
  ),
  ports: keyedBy(s.list(ServicePort), 'port', ['port', 'protocol']),
  clusterIP: s.string(
    'The virtual IP, allocated from the service range when unset; "None" makes a headless service. Immutable once set.',
  ),
  clusterIPs: s.list(s.string(), 'The cluster IPs, one per IP family; the first is clusterIP.'),
  externalIPs: s.list(s.string(), 'Extra IPs on which nodes accept traffic for this service.'),
  externalName: s.string('The DNS name an ExternalName service is an alias (CNAME) for.'),
  sessionAffinity: s.enum(
    'ServiceAffinity',
    ['ClientIP', 'None'],
    'ClientIP sends each client to the same backend; default None.',
  ),
  sessionAffinityConfig: SessionAffinityConfig,
  externalTrafficPolicy: s.enum(
    'ServiceExternalTrafficPolicy',
    ['Cluster', 'Local'],
    'For traffic from outside: Local only uses backends on the receiving node and keeps the client IP.',
  ),
  internalTrafficPolicy: s.enum(
    'ServiceInternalTrafficPolicy',
    ['Cluster', 'Local'],
    'For traffic from inside the cluster: Local only uses backends on the same node.',
  ),
  ipFamilies: s.list(s.enum('IPFamily', ['IPv4', 'IPv6'])),
  ipFamilyPolicy: s.enum('IPFamilyPolicy', ['SingleStack', 'PreferDualStack', 'RequireDualStack']),
  publishNotReadyAddresses: s.bool(
    'Lists backends in Endpoints even when they are not ready (peer discovery).',
  ),
  loadBalancerIP: s.string('Deprecated: the IP a LoadBalancer service asks its provider for.'),
  loadBalancerSourceRanges: s.list(
    s.string(),
    'Client CIDRs a LoadBalancer service accepts traffic from, where the provider supports it.',
  ),
  loadBalancerClass: s.string(
    'The load balancer implementation a LoadBalancer service belongs to, e.g. example.com/internal-vip; the default one when unset.',
  ),
  allocateLoadBalancerNodePorts: s.bool('Whether a LoadBalancer service gets node ports; defaults to true.'),
  trafficDistribution: s.oneOf(
    ['PreferClose', 'PreferSameZone', 'PreferSameNode'],
    'A hint for how traffic is spread over the endpoints: those of the same zone or node first.',
  ),
  healthCheckNodePort: s.int(
    'The node port answering health checks for LoadBalancer services with externalTrafficPolicy Local.',
  ),
});
export type ServiceSpec = Infer<typeof ServiceSpec>;

export const LoadBalancerIngress = s.object('LoadBalancerIngress', {
  ip: s.string(),
  hostname: s.string(),
});

export const LoadBalancerStatus = s.object('LoadBalancerStatus', {
  ingress: s.list(LoadBalancerIngress, 'Where the load balancer receives traffic.'),
});

export const ServiceStatus = s.object('ServiceStatus', {
  loadBalancer: LoadBalancerStatus,
  conditions: keyedBy(s.list(conditionShape('ServiceCondition')), 'type'),
});

export const Service = s.object(
  'Service',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: ServiceSpec,
    status: ServiceStatus,
  },
  'A stable virtual IP and DNS name in front of a set of pods chosen by a label selector.',
);
export type Service = Infer<typeof Service>;

export const serviceKind = defineKind({
  kind: 'Service',
  apiVersion: 'v1',
  plural: 'services',
  shortNames: ['svc'],
  namespaced: true,
  shape: Service,
  description: 'A stable virtual IP and DNS name in front of a set of pods chosen by a label selector.',
});
