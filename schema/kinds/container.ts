import { described, extend, keyedBy, required, s, type Infer } from '../shape.ts';
import { Protocol } from './meta.ts';
import { SecurityContext } from './security-context.ts';

/** A container of a pod: image, command, environment, ports, mounts, probes and hooks. */

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

export const ObjectFieldSelector = s.object('ObjectFieldSelector', {
  apiVersion: s.string('Version of the schema fieldPath is written in; defaults to "v1".'),
  fieldPath: required(s.string('Path of the field to select, e.g. metadata.name or status.podIP.')),
});

export const ResourceFieldSelector = s.object('ResourceFieldSelector', {
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

export const ResourceRequirements = s.object(
  'ResourceRequirements',
  {
    limits: s.resources('Maximum amount of each resource allowed (cpu, memory, ephemeral-storage, ...).'),
    requests: s.resources('Minimum amount of each resource the scheduler reserves; defaults to the limits.'),
  },
  'Compute resources, as quantities keyed by resource name.',
);

const ContainerResizePolicy = s.object(
  'ContainerResizePolicy',
  {
    resourceName: required(s.string('cpu or memory.')),
    restartPolicy: required(
      s.enum(
        'ResourceResizeRestartPolicy',
        ['NotRequired', 'RestartContainer'],
        'Whether changing the resource in place restarts the container.',
      ),
    ),
  },
  'How a container takes a change of one of its resources.',
);

const VolumeMount = s.object('VolumeMount', {
  name: required(s.string('Name of a volume of the pod.')),
  mountPath: required(s.string('Path in the container at which to mount; must not contain ":".')),
  subPath: s.string("Path within the volume to mount instead of the volume's root."),
  subPathExpr: s.string(
    "As subPath, with $(VAR) references to the container's environment expanded; exclusive with subPath.",
  ),
  readOnly: s.bool(),
  recursiveReadOnly: s.enum(
    'RecursiveReadOnlyMode',
    ['Disabled', 'IfPossible', 'Enabled'],
    'Whether a read-only mount is read-only in its submounts too; only with readOnly.',
  ),
  mountPropagation: s.enum(
    'MountPropagationMode',
    ['None', 'HostToContainer', 'Bidirectional'],
    'How mounts propagate between host and container; defaults to None. Bidirectional needs a privileged container.',
  ),
});

const VolumeDevice = s.object(
  'VolumeDevice',
  {
    name: required(s.string('Name of a persistentVolumeClaim volume of the pod.')),
    devicePath: required(s.string('Path in the container the block device is mapped to.')),
  },
  'A raw block device of a persistent volume, mapped into the container.',
);

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
    resizePolicy: s.list(ContainerResizePolicy, 'How the container takes an in-place resize, per resource.'),
    restartPolicy: s.enum(
      'ContainerRestartPolicy',
      ['Always', 'OnFailure', 'Never'],
      'Only on init containers, and only Always: a sidecar, started before the containers and kept running beside them.',
    ),
    volumeMounts: keyedBy(
      s.list(VolumeMount, 'Volumes of the pod to mount into the filesystem.'),
      'mountPath',
    ),
    volumeDevices: keyedBy(
      s.list(VolumeDevice, 'Block devices of persistentVolumeClaim volumes to map into the container.'),
      'devicePath',
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
    stdinOnce: s.bool('Close stdin after the first attach session ends.'),
    tty: s.bool('Allocate a TTY; requires stdin.'),
    securityContext: SecurityContext,
  },
  'A single application container of a pod.',
);

export const EphemeralContainer = described(
  extend(Container, 'EphemeralContainer', {
    targetContainerName: s.string(
      'Container whose process namespace this one joins; the pod-level namespaces if not given.',
    ),
  }),
  'A debugging container added to a running pod through its ephemeralcontainers subresource; never on create. Ports, resources, probes, lifecycle and restartPolicy are not allowed.',
);

export type Container = Infer<typeof Container>;
export type Probe = Infer<typeof Probe>;
export type LifecycleHandler = Infer<typeof LifecycleHandler>;
