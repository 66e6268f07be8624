import { expect } from 'vitest';
import type { InvalidCase } from './kind-cases-invalid.ts';

/**
 * Manifests from Kubernetes' documentation that use the newer fields of PodSpec,
 * Container, Volume, Service and the workloads (accepted, with the defaults Kubernetes
 * gives them), and wrong values of those fields (refused with their paths), for
 * kinds-defaults.test.ts and kinds-validation.test.ts.
 */

/** An accepted manifest: the kind and name to read back, the fields to select, what to expect of them. */
export interface FieldCase {
  what: string;
  kind: string;
  name: string;
  manifest: string;
  select: string;
  /** Labels of the case's namespace: Pod Security's, for a Kubernetes example beyond the baseline default. */
  namespaceLabels?: Record<string, string>;
  check(obj: Record<string, unknown>): void;
}

export const FIELD_CASES: FieldCase[] = [
  {
    what: 'a pod with the runtime default seccomp profile (Restrict a Container’s Syscalls with seccomp)',
    kind: 'Pod',
    name: 'default-pod',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: default-pod
  labels:
    app: default-pod
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: test-container
    image: hashicorp/http-echo:1.0
    args:
    - "-text=just made some more syscalls!"
    securityContext:
      allowPrivilegeEscalation: false
`,
    select: 'spec { securityContext { seccompProfile { type localhostProfile } } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault', localhostProfile: null } } },
      }),
  },
  {
    what: 'a pod with supplementalGroups and fsGroup (Configure a Security Context)',
    kind: 'Pod',
    name: 'security-context-demo',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: security-context-demo
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
    supplementalGroups: [4000]
    supplementalGroupsPolicy: Strict
  volumes:
  - name: sec-ctx-vol
    emptyDir: {}
  containers:
  - name: sec-ctx-demo
    image: busybox:1.28
    command: [ "sh", "-c", "sleep 1h" ]
    volumeMounts:
    - name: sec-ctx-vol
      mountPath: /data/demo
    securityContext:
      allowPrivilegeEscalation: false
`,
    select: 'spec { securityContext { supplementalGroups supplementalGroupsPolicy fsGroup } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          securityContext: { supplementalGroups: [4000], supplementalGroupsPolicy: 'Strict', fsGroup: 2000 },
        },
      }),
  },
  {
    what: 'a pod with a Localhost AppArmor profile (Restrict a Container’s Access to Resources with AppArmor)',
    kind: 'Pod',
    name: 'hello-apparmor',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor
spec:
  securityContext:
    appArmorProfile:
      type: Localhost
      localhostProfile: k8s-apparmor-example-deny-write
  containers:
  - name: hello
    image: busybox:1.28
    command: [ "sh", "-c", "echo 'Hello AppArmor!' && sleep 1h" ]
`,
    select: 'spec { securityContext { appArmorProfile { type localhostProfile } } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          securityContext: {
            appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-apparmor-example-deny-write' },
          },
        },
      }),
  },
  {
    what: 'a pod that shares its process namespace (Share Process Namespace between Containers)',
    kind: 'Pod',
    name: 'shared-pid',
    // SYS_PTRACE is beyond the baseline level's capabilities.
    namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'privileged' },
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: shared-pid
spec:
  shareProcessNamespace: true
  hostIPC: false
  containers:
  - name: nginx
    image: nginx
  - name: shell
    image: busybox:1.28
    command: ["sleep", "3600"]
    securityContext:
      capabilities:
        add:
        - SYS_PTRACE
    stdin: true
    stdinOnce: true
    tty: true
`,
    select: 'spec { shareProcessNamespace hostPID containers { name stdinOnce } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          shareProcessNamespace: true,
          hostPID: null,
          containers: [
            { name: 'nginx', stdinOnce: null },
            { name: 'shell', stdinOnce: true },
          ],
        },
      }),
  },
  {
    what: 'a Deployment whose log shipper is a native sidecar (Sidecar Containers)',
    kind: 'Deployment',
    name: 'myapp',
    manifest: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp
  labels:
    app: myapp
spec:
  replicas: 1
  selector:
    matchLabels:
      app: myapp
  template:
    metadata:
      labels:
        app: myapp
    spec:
      containers:
        - name: myapp
          image: alpine:latest
          command: ['sh', '-c', 'while true; do echo "logging" >> /opt/logs.txt; sleep 1; done']
          volumeMounts:
            - name: data
              mountPath: /opt
      initContainers:
        - name: logshipper
          image: alpine:latest
          restartPolicy: Always
          command: ['sh', '-c', 'tail -F /opt/logs.txt']
          volumeMounts:
            - name: data
              mountPath: /opt
          readinessProbe:
            exec:
              command: ['cat', '/opt/logs.txt']
      volumes:
        - name: data
          emptyDir: {}
`,
    select:
      'spec { template { spec { initContainers { name restartPolicy readinessProbe { periodSeconds } } } } }',
    check: (d) =>
      expect(d).toEqual({
        spec: {
          template: {
            spec: {
              initContainers: [
                { name: 'logshipper', restartPolicy: 'Always', readinessProbe: { periodSeconds: 10 } },
              ],
            },
          },
        },
      }),
  },
  {
    what: 'a pod with pod-level resources (Assign Pod-level CPU and memory resources)',
    kind: 'Pod',
    name: 'pod-resources-demo',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: pod-resources-demo
spec:
  resources:
    limits:
      cpu: "1"
      memory: "200Mi"
  containers:
  - name: pod-resources-demo-ctr-1
    image: nginx
    resources:
      limits:
        cpu: "0.5"
        memory: "100Mi"
      requests:
        cpu: "0.5"
        memory: "50Mi"
  - name: pod-resources-demo-ctr-2
    image: fedora
    command:
    - sleep
    - inf
`,
    select: 'spec { resources { limits requests } } status { qosClass }',
    // Requests default to the limits; pod-level resources alone decide the QoS class.
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          resources: { limits: { cpu: '1', memory: '200Mi' }, requests: { cpu: '1', memory: '200Mi' } },
        },
        status: { qosClass: 'Guaranteed' },
      }),
  },
  {
    what: 'a pod with a resize policy per resource (Resize CPU and Memory Resources assigned to Containers)',
    kind: 'Pod',
    name: 'resize-demo',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: resize-demo
spec:
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.8
    resizePolicy:
    - resourceName: cpu
      restartPolicy: NotRequired
    - resourceName: memory
      restartPolicy: RestartContainer
    resources:
      limits:
        memory: "200Mi"
        cpu: "700m"
      requests:
        memory: "200Mi"
        cpu: "700m"
`,
    select: 'spec { containers { resizePolicy { resourceName restartPolicy } } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          containers: [
            {
              resizePolicy: [
                { resourceName: 'cpu', restartPolicy: 'NotRequired' },
                { resourceName: 'memory', restartPolicy: 'RestartContainer' },
              ],
            },
          ],
        },
      }),
  },
  {
    what: 'a pod with a projected service account token (Service Account Token Volume Projection)',
    kind: 'Pod',
    name: 'token-pod',
    manifest: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: build-robot
---
apiVersion: v1
kind: Pod
metadata:
  name: token-pod
spec:
  containers:
  - image: nginx
    name: nginx
    volumeMounts:
    - mountPath: /var/run/secrets/tokens
      name: vault-token
  serviceAccountName: build-robot
  volumes:
  - name: vault-token
    projected:
      sources:
      - serviceAccountToken:
          path: vault-token
          expirationSeconds: 7200
          audience: vault
`,
    select:
      'spec { serviceAccount serviceAccountName volumes { projected { sources { serviceAccountToken { path expirationSeconds audience } } } } }',
    // serviceAccount is the old name of serviceAccountName, and reads the same.
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          serviceAccount: 'build-robot',
          serviceAccountName: 'build-robot',
          volumes: [
            {
              projected: {
                sources: [
                  {
                    serviceAccountToken: { path: 'vault-token', expirationSeconds: 7200, audience: 'vault' },
                  },
                ],
              },
            },
            // The API access volume Kubernetes adds beside it: the API's token, the CA, the namespace.
            {
              projected: {
                sources: [
                  { serviceAccountToken: { path: 'token', expirationSeconds: 3607, audience: null } },
                  { serviceAccountToken: null },
                  { serviceAccountToken: null },
                ],
              },
            },
          ],
        },
      }),
  },
  {
    what: 'a pod with an image volume (Use an Image Volume With a Pod)',
    kind: 'Pod',
    name: 'image-volume',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: image-volume
spec:
  # The API access volume every pod gets is service-account-admission.test.ts' subject.
  automountServiceAccountToken: false
  containers:
  - name: shell
    command: ["sleep", "infinity"]
    image: debian
    volumeMounts:
    - name: volume
      mountPath: /volume
  volumes:
  - name: volume
    image:
      reference: quay.io/crio/artifact:v2
  - name: latest
    image:
      reference: quay.io/crio/artifact
`,
    select: 'spec { volumes { name image { reference pullPolicy } } }',
    // The pull policy defaults as a container image's does.
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          volumes: [
            { name: 'volume', image: { reference: 'quay.io/crio/artifact:v2', pullPolicy: 'IfNotPresent' } },
            { name: 'latest', image: { reference: 'quay.io/crio/artifact', pullPolicy: 'Always' } },
          ],
        },
      }),
  },
  {
    what: 'pods with in-tree volumes of cloud and network storage (Volumes)',
    kind: 'Pod',
    name: 'test-ebs',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: test-ebs
spec:
  # The API access volume every pod gets is service-account-admission.test.ts' subject.
  automountServiceAccountToken: false
  containers:
  - image: registry.k8s.io/test-webserver
    name: test-container
    volumeMounts:
    - mountPath: /test-ebs
      name: test-volume
  volumes:
  - name: test-volume
    awsElasticBlockStore:
      volumeID: "vol-0123456789abcdef0"
      fsType: ext4
  - name: nfs-volume
    nfs:
      server: my-nfs-server.example.com
      path: /my-nfs-volume
      readOnly: true
  - name: flex
    flexVolume:
      driver: "kubernetes.io/lvm"
      fsType: "ext4"
      options:
        volumeID: "vol1"
  - name: rbdpd
    rbd:
      monitors:
      - '10.16.154.78:6789'
      pool: kube
      image: foo
      fsType: ext4
      readOnly: true
      user: admin
      keyring: /etc/ceph/keyring
`,
    select:
      'spec { volumes { name awsElasticBlockStore nfs { server path readOnly } flexVolume rbd emptyDir { medium } } }',
    // Kept as given; none of them is defaulted to an emptyDir.
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          volumes: [
            {
              name: 'test-volume',
              awsElasticBlockStore: { volumeID: 'vol-0123456789abcdef0', fsType: 'ext4' },
              nfs: null,
              flexVolume: null,
              rbd: null,
              emptyDir: null,
            },
            {
              name: 'nfs-volume',
              awsElasticBlockStore: null,
              nfs: { server: 'my-nfs-server.example.com', path: '/my-nfs-volume', readOnly: true },
              flexVolume: null,
              rbd: null,
              emptyDir: null,
            },
            {
              name: 'flex',
              awsElasticBlockStore: null,
              nfs: null,
              flexVolume: { driver: 'kubernetes.io/lvm', fsType: 'ext4', options: { volumeID: 'vol1' } },
              rbd: null,
              emptyDir: null,
            },
            {
              name: 'rbdpd',
              awsElasticBlockStore: null,
              nfs: null,
              flexVolume: null,
              rbd: {
                monitors: ['10.16.154.78:6789'],
                pool: 'kube',
                image: 'foo',
                fsType: 'ext4',
                readOnly: true,
                user: 'admin',
                keyring: '/etc/ceph/keyring',
              },
              emptyDir: null,
            },
          ],
        },
      }),
  },
  {
    what: 'a pod with a generic ephemeral volume (Ephemeral Volumes)',
    kind: 'Pod',
    name: 'my-app',
    manifest: `kind: Pod
apiVersion: v1
metadata:
  name: my-app
spec:
  # The API access volume every pod gets is service-account-admission.test.ts' subject.
  automountServiceAccountToken: false
  containers:
    - name: my-frontend
      image: busybox:1.28
      volumeMounts:
      - mountPath: "/scratch"
        name: scratch-volume
      command: [ "sleep", "1000000" ]
  volumes:
    - name: scratch-volume
      ephemeral:
        volumeClaimTemplate:
          metadata:
            labels:
              type: my-frontend-volume
          spec:
            accessModes: [ "ReadWriteOnce" ]
            storageClassName: "scratch-storage-class"
            resources:
              requests:
                storage: 1Gi
`,
    select:
      'spec { volumes { ephemeral { volumeClaimTemplate { metadata { labels } spec { accessModes storageClassName volumeMode resources { requests } } } } } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          volumes: [
            {
              ephemeral: {
                volumeClaimTemplate: {
                  metadata: { labels: { type: 'my-frontend-volume' } },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    storageClassName: 'scratch-storage-class',
                    volumeMode: 'Filesystem',
                    resources: { requests: { storage: '1Gi' } },
                  },
                },
              },
            },
          ],
        },
      }),
  },
  {
    what: 'a pod with host aliases (Adding entries to Pod /etc/hosts with HostAliases)',
    kind: 'Pod',
    name: 'hostaliases-pod',
    manifest: `apiVersion: v1
kind: Pod
metadata:
  name: hostaliases-pod
spec:
  restartPolicy: Never
  hostAliases:
  - ip: "127.0.0.1"
    hostnames:
    - "foo.local"
    - "bar.local"
  - ip: "10.1.2.3"
    hostnames:
    - "foo.remote"
    - "bar.remote"
  containers:
  - name: cat-hosts
    image: busybox:1.28
    command:
    - cat
    args:
    - "/etc/hosts"
`,
    select: 'spec { hostAliases { ip hostnames } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          hostAliases: [
            { ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] },
            { ip: '10.1.2.3', hostnames: ['foo.remote', 'bar.remote'] },
          ],
        },
      }),
  },
  {
    what: 'a pod spread over zones, gated and with a readiness gate (Pod Topology Spread Constraints, Pod Scheduling Readiness)',
    kind: 'Pod',
    name: 'mypod',
    manifest: `kind: Pod
apiVersion: v1
metadata:
  name: mypod
  labels:
    foo: bar
spec:
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: zone
    whenUnsatisfiable: DoNotSchedule
    labelSelector:
      matchLabels:
        foo: bar
  schedulingGates:
  - name: example.com/foo
  readinessGates:
  - conditionType: "www.example.com/feature-1"
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.1
`,
    select:
      'spec { nodeName topologySpreadConstraints { maxSkew topologyKey whenUnsatisfiable } schedulingGates { name } readinessGates { conditionType } }',
    check: (pod) =>
      expect(pod).toEqual({
        spec: {
          nodeName: null,
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' },
          ],
          schedulingGates: [{ name: 'example.com/foo' }],
          readinessGates: [{ conditionType: 'www.example.com/feature-1' }],
        },
      }),
  },
  {
    what: 'a Job with a pod failure policy (Handling retriable and non-retriable pod failures)',
    kind: 'Job',
    name: 'job-pod-failure-policy-example',
    manifest: `apiVersion: batch/v1
kind: Job
metadata:
  name: job-pod-failure-policy-example
spec:
  completions: 12
  parallelism: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: docker.io/library/bash:5
        command: ["bash"]
        args:
        - -c
        - echo "Hello world!" && sleep 5 && exit 42
  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes:
        containerName: main
        operator: In
        values: [42]
    - action: Ignore
      onPodConditions:
      - type: DisruptionTarget
`,
    select:
      'spec { podReplacementPolicy podFailurePolicy { rules { action onExitCodes { containerName operator values } onPodConditions { type status } } } }',
    // A failure policy makes Failed the replacement policy; a condition pattern's status defaults to True.
    check: (job) =>
      expect(job).toEqual({
        spec: {
          podReplacementPolicy: 'Failed',
          podFailurePolicy: {
            rules: [
              {
                action: 'FailJob',
                onExitCodes: { containerName: 'main', operator: 'In', values: [42] },
                onPodConditions: null,
              },
              {
                action: 'Ignore',
                onExitCodes: null,
                onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }],
              },
            ],
          },
        },
      }),
  },
  {
    what: 'an Indexed Job with a back-off limit per index (Backoff limit per index)',
    kind: 'Job',
    name: 'job-backoff-limit-per-index-example',
    manifest: `apiVersion: batch/v1
kind: Job
metadata:
  name: job-backoff-limit-per-index-example
spec:
  completions: 10
  parallelism: 3
  completionMode: Indexed
  backoffLimitPerIndex: 1
  maxFailedIndexes: 5
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: example
        image: python
        command:
        - python3
        - -c
        - |
          import os, sys
          print("Hello world")
          if int(os.environ.get("JOB_COMPLETION_INDEX")) % 2 == 0:
            sys.exit(1)
`,
    select: 'spec { backoffLimit backoffLimitPerIndex maxFailedIndexes podReplacementPolicy }',
    // The job-wide limit no longer stops anything: it defaults to the largest int32.
    check: (job) =>
      expect(job).toEqual({
        spec: {
          backoffLimit: 2147483647,
          backoffLimitPerIndex: 1,
          maxFailedIndexes: 5,
          podReplacementPolicy: 'TerminatingOrFailed',
        },
      }),
  },
  {
    what: 'an Indexed Job with a success policy (Success policy)',
    kind: 'Job',
    name: 'job-success',
    manifest: `apiVersion: batch/v1
kind: Job
metadata:
  name: job-success
spec:
  parallelism: 10
  completions: 10
  completionMode: Indexed
  successPolicy:
    rules:
      - succeededIndexes: 0,2-3
        succeededCount: 1
  template:
    spec:
      containers:
      - name: main
        image: python
        command:
          - python3
          - -c
          - |
            import os, sys
            if os.environ.get("JOB_COMPLETION_INDEX") == "2":
              sys.exit(0)
            else:
              sys.exit(1)
      restartPolicy: Never
`,
    select: 'spec { successPolicy { rules { succeededIndexes succeededCount } } }',
    check: (job) =>
      expect(job).toEqual({
        spec: { successPolicy: { rules: [{ succeededIndexes: '0,2-3', succeededCount: 1 }] } },
      }),
  },
  {
    what: 'a LoadBalancer Service limited to source ranges (Create an External Load Balancer)',
    kind: 'Service',
    name: 'myapp',
    manifest: `apiVersion: v1
kind: Service
metadata:
  name: myapp
spec:
  ports:
  - port: 8765
    targetPort: 9376
  selector:
    app: example
  type: LoadBalancer
  loadBalancerSourceRanges:
  - 10.0.0.0/8
  trafficDistribution: PreferClose
`,
    select: 'spec { loadBalancerSourceRanges trafficDistribution }',
    check: (svc) =>
      expect(svc).toEqual({
        spec: { loadBalancerSourceRanges: ['10.0.0.0/8'], trafficDistribution: 'PreferClose' },
      }),
  },
];

const pod = (name: string, spec: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
${spec}`;

const job = (name: string, spec: string, restartPolicy = 'Never') => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec}  template:
    spec:
      restartPolicy: ${restartPolicy}
      containers:
      - name: main
        image: busybox
`;

const statefulSet = (name: string, spec: string, container = '') => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  selector: { matchLabels: { app: db } }
${spec}  template:
    metadata: { labels: { app: db } }
    spec:
      containers:
      - name: db
        image: busybox
${container}`;

const busybox = `  containers:
  - name: app
    image: busybox
`;

export const INVALID_FIELD_CASES: InvalidCase[] = [
  {
    what: 'an init container restarted other than Always',
    manifest: pod(
      'sidecar-on-failure',
      `  initContainers:
  - name: setup
    image: busybox
    restartPolicy: OnFailure
${busybox}`,
    ),
    fields: ['spec.initContainers[0].restartPolicy'],
    message: 'supported values: "Always"',
  },
  {
    what: 'a restart policy on a container that is not an init container',
    manifest: pod('container-restart', `${busybox}    restartPolicy: Always\n`),
    fields: ['spec.containers[0].restartPolicy'],
    message: 'may not be set for non-init containers',
  },
  {
    what: 'probes on an init container that is not a sidecar',
    manifest: pod(
      'init-probe',
      `  initContainers:
  - name: setup
    image: busybox
    readinessProbe: { exec: { command: [ "true" ] } }
${busybox}`,
    ),
    fields: ['spec.initContainers[0].readinessProbe'],
    message: 'may not be set for init containers',
  },
  {
    what: 'a Localhost seccomp profile without its file, and a file for another type',
    manifest: pod(
      'seccomp-localhost',
      `  securityContext:
    seccompProfile: { type: Localhost }
${busybox}    securityContext:
      seccompProfile: { type: RuntimeDefault, localhostProfile: profiles/audit.json }
`,
    ),
    fields: [
      'spec.securityContext.seccompProfile.localhostProfile',
      'spec.containers[0].securityContext.seccompProfile.localhostProfile',
    ],
    message: 'must be set when seccomp type is Localhost',
  },
  {
    what: 'a seccomp profile type Kubernetes does not know',
    manifest: pod('seccomp-type', `  securityContext:\n    seccompProfile: { type: Strict }\n${busybox}`),
    fields: ['spec.securityContext.seccompProfile.type'],
    message: 'supported values: "RuntimeDefault", "Localhost", "Unconfined"',
  },
  {
    what: 'a Localhost AppArmor profile without a name',
    manifest: pod(
      'apparmor-localhost',
      `${busybox}    securityContext:\n      appArmorProfile: { type: Localhost }\n`,
    ),
    fields: ['spec.containers[0].securityContext.appArmorProfile.localhostProfile'],
    message: 'must be set when AppArmor type is Localhost',
  },
  {
    what: "the node's process namespace and a shared one at once",
    manifest: pod('pid-both', `  hostPID: true\n  shareProcessNamespace: true\n${busybox}`),
    fields: ['spec.shareProcessNamespace'],
    message: 'ShareProcessNamespace and HostPID cannot both be enabled',
  },
  {
    what: 'a negative supplemental group and a malformed sysctl',
    manifest: pod(
      'groups',
      `  securityContext:
    supplementalGroups: [4000, -1]
    sysctls: [{ name: "net..core", value: "1" }]
${busybox}`,
    ),
    fields: ['spec.securityContext.supplementalGroups[1]', 'spec.securityContext.sysctls[0].name'],
  },
  {
    what: 'a resize policy for a resource that cannot be resized',
    manifest: pod(
      'resize-gpu',
      `${busybox}    resizePolicy: [{ resourceName: nvidia.com/gpu, restartPolicy: NotRequired }]\n`,
    ),
    fields: ['spec.containers[0].resizePolicy[0].resourceName'],
    message: 'supported values: "cpu", "memory"',
  },
  {
    what: 'pod-level resources other than cpu and memory',
    manifest: pod('pod-storage', `  resources:\n    limits: { ephemeral-storage: 1Gi }\n${busybox}`),
    fields: ['spec.resources.limits[ephemeral-storage]'],
  },
  {
    what: 'a mount with both subPath and subPathExpr, and Bidirectional propagation unprivileged',
    manifest: pod(
      'mounts',
      `  volumes: [{ name: data, emptyDir: {} }]
${busybox}    volumeMounts:
    - { name: data, mountPath: /a, subPath: x, subPathExpr: "$(POD_NAME)" }
    - { name: data, mountPath: /b, mountPropagation: Bidirectional }
`,
    ),
    fields: [
      'spec.containers[0].volumeMounts[0].subPathExpr',
      'spec.containers[0].volumeMounts[1].mountPropagation',
    ],
    message: 'subPathExpr and subPath are mutually exclusive',
  },
  {
    what: 'an in-tree volume source that is not an object, and two sources in one volume',
    manifest: pod(
      'legacy-sources',
      `  volumes:
  - name: ebs
    awsElasticBlockStore: vol-0123
  - name: both
    emptyDir: {}
    nfs: { server: nfs.example.com, path: /exports }
${busybox}`,
    ),
    fields: ['spec.volumes[0].awsElasticBlockStore', 'spec.volumes[1].nfs'],
  },
  {
    what: 'a projected token that expires too soon',
    manifest: pod(
      'short-token',
      `  volumes:
  - name: token
    projected:
      sources: [{ serviceAccountToken: { path: token, expirationSeconds: 60 } }]
${busybox}`,
    ),
    fields: ['spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds'],
    message: 'may not specify a duration less than 10 minutes',
  },
  {
    what: 'an ephemeral volume whose claim has neither access mode nor size',
    manifest: pod(
      'ephemeral-empty',
      `  volumes:
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        spec: { storageClassName: fast }
${busybox}`,
    ),
    fields: [
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes',
      'spec.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests[storage]',
    ],
  },
  {
    what: 'ephemeral containers on create',
    manifest: pod(
      'ephemeral-create',
      `${busybox}  ephemeralContainers:
  - name: debugger
    image: busybox
    targetContainerName: app
`,
    ),
    fields: ['spec.ephemeralContainers'],
    message: 'cannot be set on create',
  },
  {
    what: 'a topology spread constraint without skew and a scheduling gate twice',
    manifest: pod(
      'spread',
      `  topologySpreadConstraints:
  - { maxSkew: 0, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2 }
  schedulingGates: [{ name: example.com/foo }, { name: example.com/foo }]
${busybox}`,
    ),
    fields: [
      'spec.topologySpreadConstraints[0].maxSkew',
      'spec.topologySpreadConstraints[0].minDomains',
      'spec.schedulingGates[1].name',
    ],
  },
  {
    what: 'a back-off limit per index on a NonIndexed Job',
    manifest: job('per-index', '  backoffLimitPerIndex: 1\n'),
    fields: ['spec.backoffLimitPerIndex'],
    message: 'requires indexed completion mode',
  },
  {
    what: 'a pod failure policy with restartPolicy OnFailure and malformed rules',
    manifest: job(
      'failure-policy',
      `  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: { operator: In, values: [42, 0, 3], containerName: sidecar }
    - action: FailIndex
      onPodConditions: [{ type: DisruptionTarget }]
    - action: Ignore
`,
      'OnFailure',
    ),
    fields: [
      'spec.template.spec.restartPolicy',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[1]',
      'spec.podFailurePolicy.rules[0].onExitCodes.values',
      'spec.podFailurePolicy.rules[1].action',
      'spec.podFailurePolicy.rules[2]',
    ],
    message: 'only "Never" is supported when podFailurePolicy is specified',
  },
  {
    what: 'a pod failure policy action Kubernetes does not know',
    manifest: job(
      'failure-action',
      '  podFailurePolicy:\n    rules: [{ action: Retry, onPodConditions: [{ type: DisruptionTarget }] }]\n',
    ),
    fields: ['spec.podFailurePolicy.rules[0].action'],
    message: 'supported values: "FailJob", "FailIndex", "Ignore", "Count"',
  },
  {
    what: 'a success policy on a NonIndexed Job',
    manifest: job('success-nonindexed', '  successPolicy:\n    rules: [{ succeededCount: 1 }]\n'),
    fields: ['spec.successPolicy'],
    message: 'requires indexed completion mode',
  },
  {
    what: 'a StatefulSet claim template without a name, and a mount of a claim it does not have',
    manifest: statefulSet(
      'claims',
      `  volumeClaimTemplates:
  - spec:
      accessModes: [ReadWriteOnce]
      resources: { requests: { storage: 1Gi } }
`,
      '        volumeMounts: [{ name: www, mountPath: /usr/share/nginx/html }]\n',
    ),
    fields: [
      'spec.volumeClaimTemplates[0].metadata.name',
      'spec.template.spec.containers[0].volumeMounts[0].name',
    ],
  },
  {
    what: 'a StatefulSet claim retention policy Kubernetes does not know',
    manifest: statefulSet('retention', '  persistentVolumeClaimRetentionPolicy: { whenDeleted: Keep }\n'),
    fields: ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted'],
    message: 'supported values: "Retain", "Delete"',
  },
  {
    what: 'a Service traffic distribution Kubernetes does not know',
    manifest: `apiVersion: v1
kind: Service
metadata:
  name: traffic
spec:
  ports: [{ port: 80 }]
  trafficDistribution: Nearest
`,
    fields: ['spec.trafficDistribution'],
    message: 'supported values: "PreferClose", "PreferSameZone", "PreferSameNode"',
  },
];
