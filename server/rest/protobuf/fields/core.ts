import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/api core/v1 (all but volumes) (generated.proto), as message-fields.ts reads them. */
export const CORE_FIELDS: MessageFields = {
  Affinity: '1 nodeAffinity NodeAffinity, 2 podAffinity PodAffinity, 3 podAntiAffinity PodAntiAffinity',
  AppArmorProfile: '1 type, 2 localhostProfile string?',
  Capabilities: '1 add []string, 2 drop []string',
  ClientIPConfig: '1 timeoutSeconds int32?',
  ConfigMap: '1 metadata ObjectMeta, 2 data map<string>, 3 binaryData map<bytes>, 4 immutable bool?',
  ConfigMapEnvSource: '1 ... LocalObjectReference, 2 optional bool?',
  ConfigMapKeySelector: '1 ... LocalObjectReference, 2 key, 3 optional bool?',
  Container:
    '1 name, 2 image, 3 command []string, 4 args []string, 5 workingDir, 6 ports []ContainerPort, 7 env []EnvVar, 8 resources ResourceRequirements, 9 volumeMounts []VolumeMount, 10 livenessProbe Probe, 11 readinessProbe Probe, 12 lifecycle Lifecycle, 13 terminationMessagePath, 14 imagePullPolicy, 15 securityContext SecurityContext, 16 stdin bool, 17 stdinOnce bool, 18 tty bool, 19 envFrom []EnvFromSource, 20 terminationMessagePolicy, 21 volumeDevices []VolumeDevice, 22 startupProbe Probe, 23 resizePolicy []ContainerResizePolicy, 24 restartPolicy string?',
  ContainerImage: '1 names []string, 2 sizeBytes int64',
  ContainerPort: '1 name, 2 hostPort int32, 3 containerPort int32, 4 protocol, 5 hostIP',
  ContainerResizePolicy: '1 resourceName, 2 restartPolicy',
  ContainerState:
    '1 waiting ContainerStateWaiting, 2 running ContainerStateRunning, 3 terminated ContainerStateTerminated',
  ContainerStateRunning: '1 startedAt Time',
  ContainerStateTerminated:
    '1 exitCode int32, 2 signal int32, 3 reason, 4 message, 5 startedAt Time, 6 finishedAt Time, 7 containerID',
  ContainerStateWaiting: '1 reason, 2 message',
  ContainerStatus:
    '1 name, 2 state ContainerState, 3 lastState ContainerState, 4 ready bool, 5 restartCount int32, 6 image, 7 imageID, 8 containerID, 9 started bool?',
  DaemonEndpoint: '1 Port int32',
  EndpointAddress: '1 ip, 2 targetRef ObjectReference, 3 hostname, 4 nodeName string?',
  EndpointPort: '1 name, 2 port int32, 3 protocol, 4 appProtocol string?',
  EndpointSubset:
    '1 addresses []EndpointAddress, 2 notReadyAddresses []EndpointAddress, 3 ports []EndpointPort',
  Endpoints: '1 metadata ObjectMeta, 2 subsets []EndpointSubset',
  EnvFromSource: '1 prefix, 2 configMapRef ConfigMapEnvSource, 3 secretRef SecretEnvSource',
  EnvVar: '1 name, 2 value, 3 valueFrom EnvVarSource',
  EnvVarSource:
    '1 fieldRef ObjectFieldSelector, 2 resourceFieldRef ResourceFieldSelector, 3 configMapKeyRef ConfigMapKeySelector, 4 secretKeyRef SecretKeySelector',
  EphemeralContainer: '1 ... EphemeralContainerCommon, 2 targetContainerName',
  EphemeralContainerCommon:
    '1 name, 2 image, 3 command []string, 4 args []string, 5 workingDir, 6 ports []ContainerPort, 7 env []EnvVar, 8 resources ResourceRequirements, 9 volumeMounts []VolumeMount, 10 livenessProbe Probe, 11 readinessProbe Probe, 12 lifecycle Lifecycle, 13 terminationMessagePath, 14 imagePullPolicy, 15 securityContext SecurityContext, 16 stdin bool, 17 stdinOnce bool, 18 tty bool, 19 envFrom []EnvFromSource, 20 terminationMessagePolicy, 21 volumeDevices []VolumeDevice, 22 startupProbe Probe, 23 resizePolicy []ContainerResizePolicy, 24 restartPolicy string?',
  Event:
    '1 metadata ObjectMeta, 2 involvedObject ObjectReference, 3 reason, 4 message, 5 source EventSource, 6 firstTimestamp Time, 7 lastTimestamp Time, 8 count int32, 9 type, 10 eventTime MicroTime, 11 series EventSeries, 12 action, 13 related ObjectReference, 14 reportingComponent, 15 reportingInstance',
  EventSeries: '1 count int32, 2 lastObservedTime MicroTime',
  EventSource: '1 component, 2 host',
  ExecAction: '1 command []string',
  GRPCAction: '1 port int32, 2 service string?',
  HTTPGetAction: '1 path, 2 port IntOrString, 3 host, 4 scheme, 5 httpHeaders []HTTPHeader',
  HTTPHeader: '1 name, 2 value',
  HostAlias: '1 ip, 2 hostnames []string',
  Lifecycle: '1 postStart LifecycleHandler, 2 preStop LifecycleHandler',
  LifecycleHandler:
    '1 exec ExecAction, 2 httpGet HTTPGetAction, 3 tcpSocket TCPSocketAction, 4 sleep SleepAction',
  LimitRange: '1 metadata ObjectMeta, 2 spec LimitRangeSpec',
  LimitRangeItem:
    '1 type, 2 max map<Quantity>, 3 min map<Quantity>, 4 default map<Quantity>, 5 defaultRequest map<Quantity>, 6 maxLimitRequestRatio map<Quantity>',
  LimitRangeSpec: '1 limits []LimitRangeItem',
  LoadBalancerIngress: '1 ip, 2 hostname',
  LoadBalancerStatus: '1 ingress []LoadBalancerIngress',
  LocalObjectReference: '1 name',
  Namespace: '1 metadata ObjectMeta, 2 spec NamespaceSpec, 3 status NamespaceStatus',
  NamespaceCondition: '1 type, 2 status, 4 lastTransitionTime Time, 5 reason, 6 message',
  NamespaceSpec: '1 finalizers []string',
  NamespaceStatus: '1 phase, 2 conditions []NamespaceCondition',
  Node: '1 metadata ObjectMeta, 2 spec NodeSpec, 3 status NodeStatus',
  NodeAddress: '1 type, 2 address',
  NodeAffinity:
    '1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector, 2 preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm',
  NodeCondition: '1 type, 2 status, 3 lastHeartbeatTime Time, 4 lastTransitionTime Time, 5 reason, 6 message',
  NodeDaemonEndpoints: '1 kubeletEndpoint DaemonEndpoint',
  NodeSelector: '1 nodeSelectorTerms []NodeSelectorTerm',
  NodeSelectorRequirement: '1 key, 2 operator, 3 values []string',
  NodeSelectorTerm: '1 matchExpressions []NodeSelectorRequirement, 2 matchFields []NodeSelectorRequirement',
  NodeSpec: '1 podCIDR, 3 providerID, 4 unschedulable bool, 5 taints []Taint, 7 podCIDRs []string',
  NodeStatus:
    '1 capacity map<Quantity>, 2 allocatable map<Quantity>, 4 conditions []NodeCondition, 5 addresses []NodeAddress, 6 daemonEndpoints NodeDaemonEndpoints, 7 nodeInfo NodeSystemInfo, 8 images []ContainerImage',
  NodeSystemInfo:
    '1 machineID, 2 systemUUID, 3 bootID, 4 kernelVersion, 5 osImage, 6 containerRuntimeVersion, 7 kubeletVersion, 8 kubeProxyVersion, 9 operatingSystem, 10 architecture',
  ObjectFieldSelector: '1 apiVersion, 2 fieldPath',
  ObjectReference: '1 kind, 2 namespace, 3 name, 4 uid, 5 apiVersion, 6 resourceVersion, 7 fieldPath',
  Pod: '1 metadata ObjectMeta, 2 spec PodSpec, 3 status PodStatus',
  PodAffinity:
    '1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm, 2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm',
  PodAffinityTerm:
    '1 labelSelector LabelSelector, 2 namespaces []string, 3 topologyKey, 4 namespaceSelector LabelSelector, 5 matchLabelKeys []string, 6 mismatchLabelKeys []string',
  PodAntiAffinity:
    '1 requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm, 2 preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm',
  PodCondition:
    '1 type, 2 status, 3 lastProbeTime Time, 4 lastTransitionTime Time, 5 reason, 6 message, 7 observedGeneration int64',
  PodDNSConfig: '1 nameservers []string, 2 searches []string, 3 options []PodDNSConfigOption',
  PodDNSConfigOption: '1 name, 2 value string?',
  PodIP: '1 ip',
  PodOS: '1 name',
  PodReadinessGate: '1 conditionType',
  PodSchedulingGate: '1 name',
  PodSecurityContext:
    '1 seLinuxOptions SELinuxOptions, 2 runAsUser int64?, 3 runAsNonRoot bool?, 4 supplementalGroups []int64, 5 fsGroup int64?, 6 runAsGroup int64?, 7 sysctls []Sysctl, 8 windowsOptions WindowsSecurityContextOptions, 9 fsGroupChangePolicy string?, 10 seccompProfile SeccompProfile, 11 appArmorProfile AppArmorProfile, 12 supplementalGroupsPolicy string?, 13 seLinuxChangePolicy string?',
  PodSpec:
    '1 volumes []Volume, 2 containers []Container, 3 restartPolicy, 4 terminationGracePeriodSeconds int64?, 5 activeDeadlineSeconds int64?, 6 dnsPolicy, 7 nodeSelector map<string>, 8 serviceAccountName, 9 serviceAccount, 10 nodeName, 11 hostNetwork bool, 12 hostPID bool, 13 hostIPC bool, 14 securityContext PodSecurityContext, 15 imagePullSecrets []LocalObjectReference, 16 hostname, 17 subdomain, 18 affinity Affinity, 19 schedulerName, 20 initContainers []Container, 21 automountServiceAccountToken bool?, 22 tolerations []Toleration, 23 hostAliases []HostAlias, 24 priorityClassName, 25 priority int32?, 26 dnsConfig PodDNSConfig, 27 shareProcessNamespace bool?, 28 readinessGates []PodReadinessGate, 29 runtimeClassName string?, 30 enableServiceLinks bool?, 31 preemptionPolicy string?, 32 overhead map<Quantity>, 33 topologySpreadConstraints []TopologySpreadConstraint, 34 ephemeralContainers []EphemeralContainer, 35 setHostnameAsFQDN bool?, 36 os PodOS, 37 hostUsers bool?, 38 schedulingGates []PodSchedulingGate, 40 resources ResourceRequirements',
  PodStatus:
    '1 phase, 2 conditions []PodCondition, 3 message, 4 reason, 5 hostIP, 6 podIP, 7 startTime Time, 8 containerStatuses []ContainerStatus, 9 qosClass, 10 initContainerStatuses []ContainerStatus, 11 nominatedNodeName, 12 podIPs []PodIP',
  PodTemplateSpec: '1 metadata ObjectMeta, 2 spec PodSpec',
  PreferredSchedulingTerm: '1 weight int32, 2 preference NodeSelectorTerm',
  Probe:
    '1 ... ProbeHandler, 2 initialDelaySeconds int32, 3 timeoutSeconds int32, 4 periodSeconds int32, 5 successThreshold int32, 6 failureThreshold int32, 7 terminationGracePeriodSeconds int64?',
  ProbeHandler: '1 exec ExecAction, 2 httpGet HTTPGetAction, 3 tcpSocket TCPSocketAction, 4 grpc GRPCAction',
  ReplicationController:
    '1 metadata ObjectMeta, 2 spec ReplicationControllerSpec, 3 status ReplicationControllerStatus',
  ReplicationControllerCondition: '1 type, 2 status, 3 lastTransitionTime Time, 4 reason, 5 message',
  ReplicationControllerSpec:
    '1 replicas int32?, 2 selector map<string>, 3 template PodTemplateSpec, 4 minReadySeconds int32',
  ReplicationControllerStatus:
    '1 replicas int32, 2 fullyLabeledReplicas int32, 3 observedGeneration int64, 4 readyReplicas int32, 5 availableReplicas int32, 6 conditions []ReplicationControllerCondition',
  ResourceFieldSelector: '1 containerName, 2 resource, 3 divisor Quantity',
  ResourceQuota: '1 metadata ObjectMeta, 2 spec ResourceQuotaSpec, 3 status ResourceQuotaStatus',
  ResourceQuotaSpec: '1 hard map<Quantity>, 2 scopes []string, 3 scopeSelector ScopeSelector',
  ResourceQuotaStatus: '1 hard map<Quantity>, 2 used map<Quantity>',
  ResourceRequirements: '1 limits map<Quantity>, 2 requests map<Quantity>',
  SELinuxOptions: '1 user, 2 role, 3 type, 4 level',
  ScopeSelector: '1 matchExpressions []ScopedResourceSelectorRequirement',
  ScopedResourceSelectorRequirement: '1 scopeName, 2 operator, 3 values []string',
  SeccompProfile: '1 type, 2 localhostProfile string?',
  Secret: '1 metadata ObjectMeta, 2 data map<bytes>, 3 type, 4 stringData map<string>, 5 immutable bool?',
  SecretEnvSource: '1 ... LocalObjectReference, 2 optional bool?',
  SecretKeySelector: '1 ... LocalObjectReference, 2 key, 3 optional bool?',
  SecurityContext:
    '1 capabilities Capabilities, 2 privileged bool?, 3 seLinuxOptions SELinuxOptions, 4 runAsUser int64?, 5 runAsNonRoot bool?, 6 readOnlyRootFilesystem bool?, 7 allowPrivilegeEscalation bool?, 8 runAsGroup int64?, 9 procMount string?, 10 windowsOptions WindowsSecurityContextOptions, 11 seccompProfile SeccompProfile, 12 appArmorProfile AppArmorProfile',
  Service: '1 metadata ObjectMeta, 2 spec ServiceSpec, 3 status ServiceStatus',
  ServiceAccount:
    '1 metadata ObjectMeta, 2 secrets []ObjectReference, 3 imagePullSecrets []LocalObjectReference, 4 automountServiceAccountToken bool?',
  ServicePort:
    '1 name, 2 protocol, 3 port int32, 4 targetPort IntOrString, 5 nodePort int32, 6 appProtocol string?',
  ServiceSpec:
    '1 ports []ServicePort, 2 selector map<string>, 3 clusterIP, 4 type, 5 externalIPs []string, 7 sessionAffinity, 8 loadBalancerIP, 9 loadBalancerSourceRanges []string, 10 externalName, 11 externalTrafficPolicy, 12 healthCheckNodePort int32, 13 publishNotReadyAddresses bool, 14 sessionAffinityConfig SessionAffinityConfig, 17 ipFamilyPolicy string?, 18 clusterIPs []string, 19 ipFamilies []string, 20 allocateLoadBalancerNodePorts bool?, 21 loadBalancerClass string?, 22 internalTrafficPolicy string?, 23 trafficDistribution string?',
  ServiceStatus: '1 loadBalancer LoadBalancerStatus, 2 conditions []Condition',
  SessionAffinityConfig: '1 clientIP ClientIPConfig',
  SleepAction: '1 seconds int64',
  Sysctl: '1 name, 2 value',
  TCPSocketAction: '1 port IntOrString, 2 host',
  Taint: '1 key, 2 value, 3 effect, 4 timeAdded Time',
  Toleration: '1 key, 2 operator, 3 value, 4 effect, 5 tolerationSeconds int64?',
  TopologySpreadConstraint:
    '1 maxSkew int32, 2 topologyKey, 3 whenUnsatisfiable, 4 labelSelector LabelSelector, 5 minDomains int32?, 6 nodeAffinityPolicy string?, 7 nodeTaintsPolicy string?, 8 matchLabelKeys []string',
  WeightedPodAffinityTerm: '1 weight int32, 2 podAffinityTerm PodAffinityTerm',
  WindowsSecurityContextOptions:
    '1 gmsaCredentialSpecName string?, 2 gmsaCredentialSpec string?, 3 runAsUserName string?, 4 hostProcess bool?',
};
