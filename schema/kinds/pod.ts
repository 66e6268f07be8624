import { defineKind } from '../kind.ts';
import { alwaysSet, described, keyedBy, required, s, type Infer } from '../shape.ts';
import {
  conditionShape,
  LabelSelector,
  LocalObjectReference,
  ObjectMeta,
  Protocol,
  TaintEffect,
  TemplateObjectMeta,
} from './meta.ts';

const ConfigMapKeySelector = s.object('ConfigMapKeySelector', {
  name: s.string('Name of the ConfigMap.'),
  key: required(s.string('The key to select.')),
  optional: s.bool('Whether the ConfigMap or its key may be missing.'),
});

const SecretKeySelector = s.object('SecretKeySelector', {
  name: s.string('Name of the Secret.'),
  key: required(s.string('The key to select.')),
  optional: s.bool('Whether the Secret or its key may be missing.'),
});

const ObjectFieldSelector = s.object('ObjectFieldSelector', {
  apiVersion: s.string('Version of the schema fieldPath is written in; defaults to "v1".'),
  fieldPath: required(s.string('Path of the field to select, e.g. metadata.name or status.podIP.')),
});

const ResourceFieldSelector = s.object('ResourceFieldSelector', {
  containerName: s.string('Container name; required for volumes, optional for env vars.'),
  resource: required(s.string('Resource to select, e.g. limits.cpu or requests.memory.')),
  divisor: s.quantity('Output format of the exposed resources; defaults to "1".'),
});

const EnvVarSource = s.object(
  'EnvVarSource',
  {
    configMapKeyRef: ConfigMapKeySelector,
    secretKeyRef: SecretKeySelector,
    fieldRef: ObjectFieldSelector,
    resourceFieldRef: ResourceFieldSelector,
  },
  'Where an environment variable takes its value from; exactly one source.',
);

const EnvVar = s.object('EnvVar', {
  name: required(s.string('Name of the environment variable.')),
  value: s.string('Literal value; $(VAR) references to earlier variables are expanded.'),
  valueFrom: EnvVarSource,
});

const EnvFromSource = s.object(
  'EnvFromSource',
  {
    prefix: s.string('Prepended to every key to form the variable name.'),
    configMapRef: s.object('ConfigMapEnvSource', { name: s.string(), optional: s.bool() }),
    secretRef: s.object('SecretEnvSource', { name: s.string(), optional: s.bool() }),
  },
  'Imports every key of a ConfigMap or Secret as environment variables.',
);

const ContainerPort = s.object('ContainerPort', {
  name: s.string(
    'IANA service name (at most 15 characters), unique in the container; Services may refer to it.',
  ),
  containerPort: required(s.int('Port number on the pod IP, 1-65535.')),
  hostPort: s.int('Port number on the host, if exposed there; most containers do not need this.'),
  hostIP: s.string('Host IP to bind the host port to.'),
  protocol: described(Protocol, 'Defaults to TCP.'),
});

const ResourceRequirements = s.object(
  'ResourceRequirements',
  {
    limits: s.resources('Maximum amount of each resource allowed (cpu, memory, ephemeral-storage, ...).'),
    requests: s.resources('Minimum amount of each resource the scheduler reserves; defaults to the limits.'),
  },
  'Compute resources of a container, as quantities keyed by resource name.',
);

const VolumeMount = s.object('VolumeMount', {
  name: required(s.string('Name of a volume of the pod.')),
  mountPath: required(s.string('Path in the container at which to mount; must not contain ":".')),
  subPath: s.string("Path within the volume to mount instead of the volume's root."),
  readOnly: s.bool(),
});

const ExecAction = s.object('ExecAction', {
  command: s.list(s.string(), 'Command run in the container, not in a shell; exit status 0 is success.'),
});

const HTTPGetAction = s.object('HTTPGetAction', {
  path: s.string('Path to request; defaults to "/".'),
  port: required(s.intOrString('Port number or name of a container port.')),
  host: s.string('Host name to connect to; defaults to the pod IP.'),
  scheme: s.enum('URIScheme', ['HTTP', 'HTTPS'], 'Defaults to HTTP.'),
  httpHeaders: s.list(
    s.object('HTTPHeader', { name: required(s.string()), value: required(s.string()) }),
    'Headers to send; HTTP allows repeated headers.',
  ),
});

const TCPSocketAction = s.object('TCPSocketAction', {
  port: required(s.intOrString('Port number or name of a container port.')),
  host: s.string('Host name to connect to; defaults to the pod IP.'),
});

export const Probe = s.object(
  'Probe',
  {
    exec: ExecAction,
    httpGet: HTTPGetAction,
    tcpSocket: TCPSocketAction,
    grpc: s.object('GRPCAction', {
      port: required(s.int('Port number of the gRPC health service.')),
      service: s.string('Service name passed in the HealthCheckRequest.'),
    }),
    initialDelaySeconds: s.int('Seconds after the container starts before the first probe.'),
    timeoutSeconds: s.int('Seconds after which the probe times out; defaults to 1.'),
    periodSeconds: s.int('How often to probe, in seconds; defaults to 10.'),
    successThreshold: s.int(
      'Consecutive successes to be considered successful after a failure; defaults to 1.',
    ),
    failureThreshold: s.int('Consecutive failures to be considered failed; defaults to 3.'),
    terminationGracePeriodSeconds: s.int(
      "Grace period when a failed liveness or startup probe kills the container; overrides the pod's.",
    ),
  },
  'A health check run by the kubelet; exactly one of exec, httpGet, tcpSocket or grpc. A failing liveness probe restarts the container, a failing readiness probe removes the pod from Service endpoints, and a startup probe holds the other two back until it succeeds once.',
);

export const LifecycleHandler = s.object(
  'LifecycleHandler',
  {
    exec: ExecAction,
    httpGet: HTTPGetAction,
    tcpSocket: TCPSocketAction,
    sleep: s.object('SleepAction', { seconds: required(s.int('Seconds to sleep.')) }),
  },
  'An action run at a point of the container lifecycle; exactly one handler.',
);

const Lifecycle = s.object(
  'Lifecycle',
  {
    postStart: LifecycleHandler,
    preStop: LifecycleHandler,
  },
  'Handlers run right after a container starts (postStart) and before it is terminated (preStop).',
);

const SecurityContext = s.object(
  'SecurityContext',
  {
    runAsUser: s.int('UID to run the entrypoint as; overrides the pod-level setting.'),
    runAsGroup: s.int('GID to run the entrypoint as.'),
    runAsNonRoot: s.bool('Refuse to start the container if it would run as UID 0.'),
    privileged: s.bool('Run as privileged: equivalent to root on the host.'),
    readOnlyRootFilesystem: s.bool(),
    allowPrivilegeEscalation: s.bool(
      'Whether a process may gain more privileges than its parent (no_new_privs).',
    ),
    capabilities: s.object('Capabilities', {
      add: s.list(s.string(), 'POSIX capabilities to add.'),
      drop: s.list(s.string(), 'POSIX capabilities to drop.'),
    }),
  },
  'Security options of one container; they override the pod-level ones.',
);

export const Container = s.object(
  'Container',
  {
    name: required(s.string('DNS-1123 label, unique in the pod.')),
    image: s.string('Container image reference, e.g. nginx:1.27.'),
    command: s.list(
      s.string(),
      "Entrypoint; the image's ENTRYPOINT is used if not given. Not run in a shell.",
    ),
    args: s.list(s.string(), "Arguments to the entrypoint; the image's CMD is used if not given."),
    workingDir: s.string("Working directory; the image's default if not given."),
    ports: keyedBy(
      s.list(ContainerPort, 'Ports the container exposes; informational except for hostPort.'),
      'containerPort',
      ['containerPort', 'protocol'],
    ),
    env: keyedBy(s.list(EnvVar, 'Environment variables.'), 'name'),
    envFrom: s.list(EnvFromSource, 'Sources of environment variables; env entries take precedence.'),
    resources: ResourceRequirements,
    volumeMounts: keyedBy(
      s.list(VolumeMount, 'Volumes of the pod to mount into the filesystem.'),
      'mountPath',
    ),
    livenessProbe: Probe,
    readinessProbe: Probe,
    startupProbe: Probe,
    lifecycle: Lifecycle,
    imagePullPolicy: s.enum(
      'PullPolicy',
      ['Always', 'IfNotPresent', 'Never'],
      'Defaults to Always for the :latest tag or no tag, IfNotPresent otherwise.',
    ),
    terminationMessagePath: s.string(
      'File the termination message is read from; defaults to /dev/termination-log.',
    ),
    terminationMessagePolicy: s.enum(
      'TerminationMessagePolicy',
      ['File', 'FallbackToLogsOnError'],
      'FallbackToLogsOnError uses the log tail when the message file is empty and the container failed.',
    ),
    stdin: s.bool('Allocate a buffer for stdin; reads return EOF otherwise.'),
    tty: s.bool('Allocate a TTY; requires stdin.'),
    securityContext: SecurityContext,
  },
  'A single application container of a pod.',
);

const KeyToPath = s.object('KeyToPath', {
  key: required(s.string('The key to project.')),
  path: required(s.string('Relative path of the file to create; may not contain "..".')),
  mode: s.int('Mode bits of the file (0-0777); defaults to the volume defaultMode.'),
});

const DownwardAPIVolumeFile = s.object('DownwardAPIVolumeFile', {
  path: required(s.string('Relative path of the file to create; may not contain "..".')),
  fieldRef: ObjectFieldSelector,
  resourceFieldRef: ResourceFieldSelector,
  mode: s.int('Mode bits of the file (0-0777); defaults to the volume defaultMode.'),
});

const DownwardAPIItems = s.list(
  DownwardAPIVolumeFile,
  'Files to create, each from a field of the pod or a resource of a container.',
);

export const Volume = s.object(
  'Volume',
  {
    name: required(s.string('DNS-1123 label, unique in the pod; volumeMounts refer to it.')),
    emptyDir: s.object(
      'EmptyDirVolumeSource',
      {
        medium: s.string('"" (node storage) or "Memory" (tmpfs).'),
        sizeLimit: s.quantity('Maximum amount of local storage the volume may use.'),
      },
      'A scratch directory that lives as long as the pod.',
    ),
    configMap: s.object(
      'ConfigMapVolumeSource',
      {
        name: s.string('Name of the ConfigMap.'),
        items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
        defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
        optional: s.bool('Whether the ConfigMap or its keys may be missing.'),
      },
      'Projects the keys of a ConfigMap as files.',
    ),
    secret: s.object(
      'SecretVolumeSource',
      {
        secretName: s.string('Name of the Secret, in the pod namespace.'),
        items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
        defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
        optional: s.bool('Whether the Secret or its keys may be missing.'),
      },
      'Projects the keys of a Secret as files.',
    ),
    hostPath: s.object(
      'HostPathVolumeSource',
      {
        path: required(s.string('Path of the directory on the host.')),
        // "" (check nothing) is a value, which a GraphQL enum cannot name.
        type: s.oneOf(
          [
            '',
            'DirectoryOrCreate',
            'Directory',
            'FileOrCreate',
            'File',
            'Socket',
            'CharDevice',
            'BlockDevice',
          ],
          'What must exist at the path; "" checks nothing.',
        ),
      },
      'A file or directory of the node; ties the pod to that node.',
    ),
    persistentVolumeClaim: s.object(
      'PersistentVolumeClaimVolumeSource',
      {
        claimName: required(s.string('Name of a PersistentVolumeClaim in the pod namespace.')),
        readOnly: s.bool(),
      },
      'Mounts the volume bound to a PersistentVolumeClaim.',
    ),
    downwardAPI: s.object(
      'DownwardAPIVolumeSource',
      {
        items: DownwardAPIItems,
        defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
      },
      "Exposes the pod's own fields (labels, annotations, ...) and its containers' resources as files.",
    ),
    projected: s.object(
      'ProjectedVolumeSource',
      {
        sources: s.list(
          s.object(
            'VolumeProjection',
            {
              configMap: s.object('ConfigMapProjection', {
                name: s.string('Name of the ConfigMap.'),
                items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
                optional: s.bool('Whether the ConfigMap or its keys may be missing.'),
              }),
              secret: s.object('SecretProjection', {
                name: s.string('Name of the Secret.'),
                items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
                optional: s.bool('Whether the Secret or its keys may be missing.'),
              }),
              downwardAPI: s.object('DownwardAPIProjection', { items: DownwardAPIItems }),
            },
            'One source of a projected volume; exactly one of configMap, secret or downwardAPI.',
          ),
          'Sources whose files are merged into the one directory.',
        ),
        defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
      },
      'Several ConfigMaps, Secrets and downward API files in one directory.',
    ),
  },
  'A named volume of a pod; exactly one source.',
);

const NodeSelectorRequirement = s.object('NodeSelectorRequirement', {
  key: required(s.string('Label key (or field name in matchFields).')),
  operator: required(
    s.enum(
      'NodeSelectorOperator',
      ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'],
      'Gt and Lt compare a single integer value.',
    ),
  ),
  values: s.list(s.string()),
});

const NodeSelectorTerm = s.object(
  'NodeSelectorTerm',
  {
    matchExpressions: s.list(NodeSelectorRequirement, 'Requirements on node labels.'),
    matchFields: s.list(NodeSelectorRequirement, 'Requirements on node fields (metadata.name).'),
  },
  'Requirements that are ANDed; an empty term matches no node.',
);

const PodAffinityTerm = s.object('PodAffinityTerm', {
  labelSelector: LabelSelector,
  namespaces: s.list(s.string(), "Namespaces of the pods to match; the pod's own namespace if empty."),
  topologyKey: required(s.string('Node label whose equal values form one topology domain (node, zone...).')),
});

const WeightedPodAffinityTerm = s.object('WeightedPodAffinityTerm', {
  weight: required(s.int('1-100, added to the score of the nodes matching the term.')),
  podAffinityTerm: required(PodAffinityTerm),
});

const podAffinityFields = {
  requiredDuringSchedulingIgnoredDuringExecution: s.list(
    PodAffinityTerm,
    'Every term must be satisfied for the pod to be scheduled onto a node.',
  ),
  preferredDuringSchedulingIgnoredDuringExecution: s.list(
    WeightedPodAffinityTerm,
    'Terms the scheduler prefers to satisfy, by weight.',
  ),
};

const Affinity = s.object(
  'Affinity',
  {
    nodeAffinity: s.object('NodeAffinity', {
      requiredDuringSchedulingIgnoredDuringExecution: s.object(
        'NodeSelector',
        { nodeSelectorTerms: required(s.list(NodeSelectorTerm, 'Terms that are ORed.')) },
        'Nodes the pod may be scheduled onto.',
      ),
      preferredDuringSchedulingIgnoredDuringExecution: s.list(
        s.object('PreferredSchedulingTerm', {
          weight: required(s.int('1-100.')),
          preference: required(NodeSelectorTerm),
        }),
        'Node terms the scheduler prefers, by weight.',
      ),
    }),
    podAffinity: s.object('PodAffinity', podAffinityFields, 'Co-locate with pods matching the terms.'),
    podAntiAffinity: s.object(
      'PodAntiAffinity',
      podAffinityFields,
      'Keep away from pods matching the terms.',
    ),
  },
  'Scheduling constraints relative to nodes and to other pods.',
);

const Toleration = s.object(
  'Toleration',
  {
    key: s.string('Taint key to tolerate; empty with operator Exists tolerates every taint.'),
    operator: s.enum('TolerationOperator', ['Exists', 'Equal'], 'Defaults to Equal.'),
    value: s.string('Taint value to match; must be empty with operator Exists.'),
    effect: described(TaintEffect, 'Taint effect to match; empty matches all.'),
    tolerationSeconds: s.int('For NoExecute: how long the pod stays bound after the taint appears.'),
  },
  'Lets the pod be scheduled onto (or stay on) nodes with a matching taint.',
);

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
      s.list(Container, 'Run to completion in order before the containers start.'),
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
    hostNetwork: s.bool("Use the node's network namespace; container ports become host ports."),
    hostname: s.string('Hostname of the pod; defaults to the pod name.'),
    subdomain: s.string('With a headless Service of that name: <hostname>.<subdomain>.<namespace>.svc.'),
    schedulerName: s.string('Scheduler that places the pod; defaults to default-scheduler.'),
    priority: s.int('Priority, resolved from priorityClassName.'),
    priorityClassName: s.string(),
    affinity: Affinity,
    tolerations: s.list(Toleration),
    securityContext: s.object(
      'PodSecurityContext',
      {
        runAsUser: s.int('UID to run the entrypoint of every container as.'),
        runAsGroup: s.int('GID to run the entrypoint of every container as.'),
        fsGroup: s.int('Supplemental group owning the volumes.'),
        runAsNonRoot: s.bool('Refuse to start a container that would run as UID 0.'),
      },
      'Security options of every container of the pod.',
    ),
    enableServiceLinks: s.bool("Inject Services' addresses as Docker-link style env vars; defaults to true."),
    imagePullSecrets: keyedBy(
      s.list(LocalObjectReference, 'Secrets in the pod namespace used to pull images.'),
      'name',
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
export type Container = Infer<typeof Container>;
export type Probe = Infer<typeof Probe>;
export type LifecycleHandler = Infer<typeof LifecycleHandler>;
export type Volume = Infer<typeof Volume>;
export type Toleration = Infer<typeof Toleration>;
export type NodeSelectorTerm = Infer<typeof NodeSelectorTerm>;
export type PodAffinityTerm = Infer<typeof PodAffinityTerm>;
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
