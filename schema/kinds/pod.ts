import { defineKind } from '../kind.ts';
import { alwaysSet, described, keyedBy, required, s, type Infer } from '../shape.ts';
import { Container, EphemeralContainer, ResourceRequirements } from './container.ts';
import { conditionShape, LocalObjectReference, ObjectMeta, TemplateObjectMeta } from './meta.ts';
import { Affinity, Toleration, TopologySpreadConstraint } from './pod-scheduling.ts';
import { PodSecurityContext } from './security-context.ts';
import { Volume } from './volume.ts';

export { Container } from './container.ts';
export type { LifecycleHandler, Probe } from './container.ts';
export type { NodeSelectorTerm, PodAffinityTerm, Toleration } from './pod-scheduling.ts';
export { Volume } from './volume.ts';

const PodDNSConfig = s.object(
  'PodDNSConfig',
  {
    nameservers: s.list(s.string(), 'DNS server IPs.'),
    searches: s.list(s.string(), 'DNS search domains.'),
    options: s.list(s.object('PodDNSConfigOption', { name: s.string(), value: s.string() })),
  },
  'Merged into the DNS configuration generated from dnsPolicy.',
);

export const PodSpec = s.object(
  'PodSpec',
  {
    containers: required(keyedBy(s.list(Container, 'At least one container.'), 'name')),
    initContainers: keyedBy(
      s.list(
        Container,
        'Run to completion in order before the containers start; those with restartPolicy Always are sidecars.',
      ),
      'name',
    ),
    ephemeralContainers: keyedBy(
      s.list(EphemeralContainer, 'Debugging containers added to the running pod; never on create.'),
      'name',
    ),
    volumes: keyedBy(s.list(Volume, 'Volumes the containers may mount.'), 'name'),
    restartPolicy: s.enum(
      'RestartPolicy',
      ['Always', 'OnFailure', 'Never'],
      'Restart policy of every container; defaults to Always.',
    ),
    terminationGracePeriodSeconds: s.int('Seconds between SIGTERM and SIGKILL on deletion; defaults to 30.'),
    activeDeadlineSeconds: s.int('Seconds the pod may be active before it is failed.'),
    dnsPolicy: s.enum(
      'DNSPolicy',
      ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
      'How the pod resolves names; defaults to ClusterFirst.',
    ),
    dnsConfig: PodDNSConfig,
    nodeSelector: s.map('Labels a node must have for the pod to be scheduled onto it.'),
    nodeName: s.string('Node the pod is bound to; set by the scheduler (binding).'),
    serviceAccountName: s.string('ServiceAccount the pod runs as.'),
    serviceAccount: s.string('Deprecated alias of serviceAccountName.'),
    automountServiceAccountToken: s.bool("Whether the service account's API token is mounted."),
    hostNetwork: s.bool("Use the node's network namespace; container ports become host ports."),
    hostPID: s.bool("Use the node's process namespace."),
    hostIPC: s.bool("Use the node's IPC namespace."),
    hostUsers: s.bool(
      "Use the node's user namespace; false gives the pod a user namespace of its own. Defaults to true.",
    ),
    shareProcessNamespace: s.bool(
      "One process namespace for the pod's containers, which see and may signal each other's processes; not with hostPID.",
    ),
    hostname: s.string('Hostname of the pod; defaults to the pod name.'),
    subdomain: s.string('With a headless Service of that name: <hostname>.<subdomain>.<namespace>.svc.'),
    setHostnameAsFQDN: s.bool("Set the pod's fully qualified domain name as its hostname."),
    hostAliases: keyedBy(
      s.list(
        s.object('HostAlias', {
          ip: required(s.string('IP address of the entry.')),
          hostnames: s.list(s.string(), 'Names for that address.'),
        }),
        "Entries added to the pod's /etc/hosts.",
      ),
      'ip',
    ),
    schedulerName: s.string('Scheduler that places the pod; defaults to default-scheduler.'),
    schedulingGates: keyedBy(
      s.list(
        s.object('PodSchedulingGate', { name: required(s.string('Name of the gate; unique in the pod.')) }),
        'While any remains, the pod is not scheduled; gates may only be removed after creation.',
      ),
      'name',
    ),
    priority: s.int('Priority, resolved from priorityClassName.'),
    priorityClassName: s.string(),
    preemptionPolicy: s.enum(
      'PreemptionPolicy',
      ['PreemptLowerPriority', 'Never'],
      'Whether the pod may preempt pods of lower priority; defaults to PreemptLowerPriority.',
    ),
    affinity: Affinity,
    tolerations: s.list(Toleration),
    topologySpreadConstraints: keyedBy(
      s.list(TopologySpreadConstraint, 'How the pod spreads with its peers over topology domains; ANDed.'),
      'topologyKey',
      ['topologyKey', 'whenUnsatisfiable'],
    ),
    securityContext: PodSecurityContext,
    enableServiceLinks: s.bool("Inject Services' addresses as Docker-link style env vars; defaults to true."),
    imagePullSecrets: keyedBy(
      s.list(LocalObjectReference, 'Secrets in the pod namespace used to pull images.'),
      'name',
    ),
    readinessGates: s.list(
      s.object('PodReadinessGate', {
        conditionType: required(s.string('A condition type of the pod, set by a controller.')),
      }),
      'Conditions that must be True, besides every container being ready, for the pod to be ready.',
    ),
    runtimeClassName: s.string('RuntimeClass (node.k8s.io) the pod runs with.'),
    overhead: s.resources("Resources the pod's sandbox takes, set from its RuntimeClass."),
    os: s.object(
      'PodOS',
      { name: required(s.enum('OSName', ['linux', 'windows'])) },
      'Operating system of the containers; restricts the security fields that apply.',
    ),
    resources: described(
      ResourceRequirements,
      'Resources (cpu, memory, hugepages-*) of the pod as a whole, which its containers share.',
    ),
  },
  'Desired state of a pod.',
);

const ContainerState = s.object(
  'ContainerState',
  {
    waiting: s.object('ContainerStateWaiting', { reason: s.string(), message: s.string() }),
    running: s.object('ContainerStateRunning', { startedAt: s.string() }),
    terminated: s.object('ContainerStateTerminated', {
      exitCode: required(s.int()),
      signal: s.int(),
      reason: s.string(),
      message: s.string(),
      startedAt: s.string(),
      finishedAt: s.string(),
      containerID: s.string(),
    }),
  },
  'At most one of waiting, running, terminated; waiting if none.',
);

const ContainerStatus = s.object('ContainerStatus', {
  name: required(s.string()),
  state: ContainerState,
  lastState: ContainerState,
  ready: required(s.bool('Whether the readiness probe passes.')),
  restartCount: required(s.int()),
  image: required(s.string()),
  imageID: required(s.string()),
  containerID: s.string('<runtime>://<id>.'),
  started: s.bool('Whether the startup probe passed (the container started).'),
});

const PodStatus = s.object(
  'PodStatus',
  {
    phase: alwaysSet(
      s.enum(
        'PodPhase',
        ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'],
        'Summary of where the pod is in its lifecycle; Pending from creation on.',
      ),
    ),
    conditions: keyedBy(s.list(conditionShape('PodCondition')), 'type'),
    message: s.string(),
    reason: s.string('Brief CamelCase reason, e.g. Evicted.'),
    hostIP: s.string(),
    podIP: s.string(),
    podIPs: keyedBy(s.list(s.object('PodIP', { ip: required(s.string()) })), 'ip'),
    startTime: s.string('When the kubelet acknowledged the pod.'),
    qosClass: s.enum(
      'PodQOSClass',
      ['Guaranteed', 'Burstable', 'BestEffort'],
      'Quality of service, from requests and limits.',
    ),
    nominatedNodeName: s.string('Node the scheduler preempted pods on to make room for this one.'),
    containerStatuses: s.list(ContainerStatus),
    initContainerStatuses: s.list(ContainerStatus),
  },
  'Observed state of a pod.',
);

export const PodTemplateSpec = s.object(
  'PodTemplateSpec',
  { metadata: TemplateObjectMeta, spec: PodSpec },
  'What the pods a controller creates look like.',
);

const description = 'A group of containers scheduled together onto one node.';

export const Pod = s.object(
  'Pod',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: PodSpec,
    status: alwaysSet(PodStatus),
  },
  description,
);

export type Pod = Infer<typeof Pod>;
export type PodSpec = Infer<typeof PodSpec>;
export type PodStatus = Infer<typeof PodStatus>;
export type PodTemplateSpec = Infer<typeof PodTemplateSpec>;

export const podKind = defineKind({
  kind: 'Pod',
  apiVersion: 'v1',
  plural: 'pods',
  shortNames: ['po'],
  namespaced: true,
  shape: Pod,
  description,
  fieldSelectors: {
    'spec.nodeName': (pod) => pod.spec?.nodeName,
    'spec.restartPolicy': (pod) => pod.spec?.restartPolicy,
    'spec.schedulerName': (pod) => pod.spec?.schedulerName,
    'spec.serviceAccountName': (pod) => pod.spec?.serviceAccountName,
    'spec.hostNetwork': (pod) => String(pod.spec?.hostNetwork ?? false),
    'status.phase': (pod) => pod.status?.phase,
    'status.podIP': (pod) => pod.status?.podIP,
    'status.nominatedNodeName': (pod) => pod.status?.nominatedNodeName,
  },
});
