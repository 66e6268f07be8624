import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from '../../schema/kinds/index.ts';
import { startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';

/**
 * Every kind through the real HTTP endpoint, as a kubectl user meets it: apply a
 * manifest, read it back, list it, replace it, merge-patch it, delete it. Then the
 * defaults Kubernetes fills in and the validation it answers with, field path by
 * field path.
 */

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

const META =
  'apiVersion kind metadata { name namespace uid resourceVersion generation labels annotations creationTimestamp deletionTimestamp finalizers }';
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** The fields each kind's API is named with, as the schema spells them (pod, pods, createPod...). */
function names(kind: string) {
  const one = kind[0].toLowerCase() + kind.slice(1);
  const many = kind.endsWith('s') ? `${one}List` : `${one}s`;
  return { one, many };
}

function applyManifests(manifests: string, namespace?: string, dryRun?: boolean) {
  return cluster.gql(
    `mutation($m: String!, $ns: String, $dry: Boolean) {
      apply(manifests: $m, namespace: $ns, dryRun: $dry) { kind metadata { name namespace uid resourceVersion generation } }
    }`,
    { m: manifests, ns: namespace, dry: dryRun },
  );
}

async function createNamespace(name: string): Promise<void> {
  await cluster.ok(
    `mutation($n: String!) { createNamespace(namespace: { metadata: { name: $n } }) { kind } }`,
    {
      n: name,
    },
  );
}

/** Asserts a GraphQL error with `code` and, when given, exactly these causes' field paths. */
function expectError(result: GraphQLResponse, code: string, fields?: string[]) {
  expect(result.errors, `expected ${code}, got ${JSON.stringify(result)}`).toBeDefined();
  const error = result.errors![0];
  expect(error.extensions?.code, error.message).toBe(code);
  if (fields) expect((error.extensions?.causes ?? []).map((c) => c.field).sort()).toEqual([...fields].sort());
  return error;
}

interface KindCase {
  kind: string;
  namespaced: boolean;
  /** The manifest as a user writes it for kubectl (no namespace: apply is given one). */
  manifest(name: string, namespace: string): string;
  /** The kind's own fields to read back, beyond apiVersion, kind and metadata. */
  select: string;
  /** Server-side defaults and other facts about the created object. */
  created(obj: any, name: string): void;
  /** A change to spec for `replace`: generation must go up. Kinds without spec change content instead. */
  change(manifest: any): void;
  changed(obj: any): void;
  patch: Record<string, unknown>;
  patched(obj: any): void;
  /** Whether the kind has a spec (and so a generation that follows it). */
  hasSpec: boolean;
  /** What finishes a deletion the API only marks (a Namespace waits for its controller). */
  finishDeletion?(name: string): Promise<void>;
}

const podSpecFields = `restartPolicy terminationGracePeriodSeconds dnsPolicy schedulerName
  containers { name image imagePullPolicy terminationMessagePath terminationMessagePolicy ports { containerPort protocol } }`;

function expectPodSpecDefaults(spec: any) {
  expect(spec.restartPolicy).toBe('Always');
  expect(spec.terminationGracePeriodSeconds).toBe(30);
  expect(spec.dnsPolicy).toBe('ClusterFirst');
  expect(spec.schedulerName).toBe('default-scheduler');
  for (const c of spec.containers) {
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    expect(c.terminationMessagePolicy).toBe('File');
    for (const p of c.ports ?? []) expect(p.protocol).toBe('TCP');
  }
}

const CASES: KindCase[] = [
  {
    kind: 'Namespace',
    namespaced: false,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    team: payments
`,
    select: 'spec { finalizers } status { phase }',
    created(ns) {
      expect(ns.spec.finalizers).toEqual(['kubernetes']);
      expect(ns.status.phase).toBe('Active');
    },
    change(m) {
      m.spec = { finalizers: ['kubernetes', 'example.com/cleanup'] };
    },
    changed(ns) {
      expect(ns.spec.finalizers).toEqual(['kubernetes', 'example.com/cleanup']);
    },
    patch: { metadata: { labels: { team: null, env: 'prod' } } },
    patched(ns) {
      expect(ns.metadata.labels).toEqual({ env: 'prod' });
    },
    async finishDeletion(name) {
      const ns = (
        await cluster.ok(`query($n: String!) { namespace(name: $n) { status { phase } } }`, { n: name })
      ).namespace;
      expect(ns.status.phase).toBe('Terminating');
      // What the namespace controller does once the namespace is empty.
      await cluster.ok(
        `mutation($n: String!) { patchNamespace(name: $n, patch: { spec: { finalizers: [] } }) { kind } }`,
        { n: name },
      );
    },
  },
  {
    kind: 'Node',
    namespaced: false,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels:
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
spec:
  podCIDR: 10.244.1.0/24
status:
  capacity:
    cpu: "4"
    memory: 16Gi
    pods: "110"
  addresses:
  - type: InternalIP
    address: 192.168.0.11
`,
    select:
      'spec { podCIDR podCIDRs unschedulable taints { key value effect } } status { capacity allocatable addresses { type address } }',
    created(node) {
      expect(node.spec.podCIDRs).toEqual(['10.244.1.0/24']);
      // A node registers with its status; allocatable defaults to capacity.
      expect(node.status.capacity).toEqual({ cpu: '4', memory: '16Gi', pods: '110' });
      expect(node.status.allocatable).toEqual(node.status.capacity);
      expect(node.status.addresses).toEqual([{ type: 'InternalIP', address: '192.168.0.11' }]);
    },
    change(m) {
      m.spec.unschedulable = true;
    },
    changed(node) {
      expect(node.spec.unschedulable).toBe(true);
      // Status is not the client's to change through an update.
      expect(node.status.capacity.cpu).toBe('4');
    },
    patch: { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } },
    patched(node) {
      expect(node.spec.taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
      expect(node.spec.unschedulable).toBe(true);
    },
  },
  {
    kind: 'Lease',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: ${name}
spec:
  holderIdentity: controller-0
  leaseDurationSeconds: 15
`,
    select: 'spec { holderIdentity leaseDurationSeconds leaseTransitions renewTime }',
    created(lease) {
      expect(lease.spec).toEqual({
        holderIdentity: 'controller-0',
        leaseDurationSeconds: 15,
        leaseTransitions: null,
        renewTime: null,
      });
    },
    change(m) {
      m.spec.holderIdentity = 'controller-1';
    },
    changed(lease) {
      expect(lease.spec.holderIdentity).toBe('controller-1');
    },
    patch: { spec: { leaseTransitions: 1, renewTime: '2024-01-01T00:00:00.000000Z' } },
    patched(lease) {
      expect(lease.spec.leaseTransitions).toBe(1);
      expect(lease.spec.renewTime).toBe('2024-01-01T00:00:00.000000Z');
      expect(lease.spec.holderIdentity).toBe('controller-1');
    },
  },
  {
    kind: 'Pod',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 80
  - name: cache
    image: redis:latest
  - name: sidecar
    image: busybox:1.36
    command: ["sh", "-c", "sleep infinity"]
    resources:
      limits:
        cpu: 100m
        memory: 64Mi
`,
    select: `spec { ${podSpecFields} enableServiceLinks nodeName containers { resources { limits requests } } }
      status { phase qosClass }`,
    created(pod) {
      expectPodSpecDefaults(pod.spec);
      // Always for ':latest' or no tag, IfNotPresent otherwise.
      expect(pod.spec.containers.map((c: any) => c.imagePullPolicy)).toEqual([
        'Always',
        'Always',
        'IfNotPresent',
      ]);
      expect(pod.spec.enableServiceLinks).toBe(true);
      expect(pod.spec.nodeName).toBeNull();
      // Requests default to limits.
      expect(pod.spec.containers[2].resources.requests).toEqual({ cpu: '100m', memory: '64Mi' });
      expect(pod.status.phase).toBe('Pending');
      expect(pod.status.qosClass).toBe('Burstable');
    },
    change(m) {
      // Images are the part of a Pod's spec that may change (imagePullPolicy may not, so
      // the new image keeps the policy the old one was given).
      m.spec.containers[2].image = 'busybox:1.37';
    },
    changed(pod) {
      expect(pod.spec.containers[2].image).toBe('busybox:1.37');
      expect(pod.spec.containers[2].imagePullPolicy).toBe('IfNotPresent');
      expect(pod.status.phase).toBe('Pending');
    },
    patch: { metadata: { labels: { tier: 'frontend' }, annotations: { 'example.com/owner': 'team-a' } } },
    patched(pod) {
      expect(pod.metadata.labels).toEqual({ app: 'web', tier: 'frontend' });
      expect(pod.metadata.annotations['example.com/owner']).toBe('team-a');
    },
  },
  {
    kind: 'ReplicaSet',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${name}
  labels:
    app: guestbook
    tier: frontend
spec:
  replicas: 3
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php-redis
        image: us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5
`,
    select: `spec { replicas selector { matchLabels } template { metadata { labels } spec { ${podSpecFields} } } }`,
    created(rs) {
      expect(rs.spec.replicas).toBe(3);
      expectPodSpecDefaults(rs.spec.template.spec);
      expect(rs.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    },
    change(m) {
      m.spec.replicas = 5;
    },
    changed(rs) {
      expect(rs.spec.replicas).toBe(5);
    },
    patch: { spec: { replicas: 0 } },
    patched(rs) {
      expect(rs.spec.replicas).toBe(0);
    },
  },
  {
    kind: 'Deployment',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
`,
    select: `spec {
      replicas revisionHistoryLimit progressDeadlineSeconds selector { matchLabels }
      strategy { type rollingUpdate { maxSurge maxUnavailable } }
      template { metadata { labels } spec { ${podSpecFields} } }
    }`,
    created(d) {
      expect(d.spec.replicas).toBe(3);
      expect(d.spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      });
      expect(d.spec.revisionHistoryLimit).toBe(10);
      expect(d.spec.progressDeadlineSeconds).toBe(600);
      expectPodSpecDefaults(d.spec.template.spec);
      expect(d.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    },
    change(m) {
      m.spec.template.spec.containers[0].image = 'nginx:1.16.1';
    },
    changed(d) {
      expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.16.1');
    },
    patch: { spec: { replicas: 5, strategy: { rollingUpdate: { maxSurge: 1 } } } },
    patched(d) {
      expect(d.spec.replicas).toBe(5);
      expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: '25%' });
    },
  },
  {
    kind: 'StatefulSet',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels:
      app: nginx
  serviceName: nginx
  replicas: 3
  minReadySeconds: 10
  template:
    metadata:
      labels:
        app: nginx
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
`,
    select: `spec {
      replicas serviceName podManagementPolicy revisionHistoryLimit minReadySeconds
      updateStrategy { type rollingUpdate { partition } }
      template { spec { ${podSpecFields} } }
    }`,
    created(sts) {
      expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
      expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      expect(sts.spec.revisionHistoryLimit).toBe(10);
      // Given values are kept, not defaulted over.
      expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(10);
      expect(sts.spec.template.spec.restartPolicy).toBe('Always');
    },
    change(m) {
      m.spec.replicas = 5;
    },
    changed(sts) {
      expect(sts.spec.replicas).toBe(5);
    },
    patch: { spec: { updateStrategy: { rollingUpdate: { partition: 2 } } } },
    patched(sts) {
      expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2 } });
    },
  },
  {
    kind: 'DaemonSet',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
        volumeMounts:
        - name: varlog
          mountPath: /var/log
      volumes:
      - name: varlog
        hostPath:
          path: /var/log
`,
    select: `spec {
      revisionHistoryLimit updateStrategy { type rollingUpdate { maxUnavailable maxSurge } }
      template { spec { ${podSpecFields} volumes { name hostPath { path type } } } }
    }`,
    created(ds) {
      expect(ds.spec.updateStrategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      });
      expect(ds.spec.revisionHistoryLimit).toBe(10);
      expectPodSpecDefaults(ds.spec.template.spec);
      expect(ds.spec.template.spec.volumes).toEqual([
        { name: 'varlog', hostPath: { path: '/var/log', type: '' } },
      ]);
    },
    change(m) {
      m.spec.template.spec.containers[0].image = 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0';
    },
    changed(ds) {
      expect(ds.spec.template.spec.containers[0].image).toBe('quay.io/fluentd_elasticsearch/fluentd:v2.6.0');
    },
    patch: { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } },
    patched(ds) {
      expect(ds.spec.updateStrategy).toEqual({ type: 'OnDelete', rollingUpdate: null });
    },
  },
  {
    kind: 'Job',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
`,
    select: `spec {
      completions parallelism backoffLimit completionMode suspend manualSelector
      selector { matchLabels } template { metadata { labels } spec { restartPolicy } }
    }`,
    created(job, name) {
      const uid = job.metadata.uid;
      expect(job.spec).toMatchObject({
        completions: 1,
        parallelism: 1,
        backoffLimit: 4,
        completionMode: 'NonIndexed',
      });
      expect(job.spec.suspend).toBe(false);
      expect(job.spec.template.spec.restartPolicy).toBe('Never');
      // The selector is generated from the Job's uid, and the pod template labelled to match it.
      expect(job.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
      const generated = {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid,
        'job-name': name,
      };
      expect(job.spec.template.metadata.labels).toEqual(generated);
      // A Job without labels of its own takes its template's.
      expect(job.metadata.labels).toEqual(generated);
    },
    change(m) {
      m.spec.backoffLimit = 6;
      m.spec.activeDeadlineSeconds = 600;
    },
    changed(job) {
      expect(job.spec.backoffLimit).toBe(6);
      expect(job.spec.completions).toBe(1);
      expect(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    },
    patch: { spec: { suspend: true } },
    patched(job) {
      expect(job.spec.suspend).toBe(true);
    },
  },
  {
    kind: 'CronJob',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.28
            imagePullPolicy: IfNotPresent
            command:
            - /bin/sh
            - -c
            - date; echo Hello from the Kubernetes cluster
          restartPolicy: OnFailure
`,
    select: `spec {
      schedule concurrencyPolicy suspend successfulJobsHistoryLimit failedJobsHistoryLimit
      jobTemplate { spec { template { spec { ${podSpecFields} } } } }
    }`,
    created(cj) {
      expect(cj.spec).toMatchObject({
        schedule: '* * * * *',
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
      });
      const pod = cj.spec.jobTemplate.spec.template.spec;
      expect(pod.restartPolicy).toBe('OnFailure');
      expect(pod.terminationGracePeriodSeconds).toBe(30);
      expect(pod.dnsPolicy).toBe('ClusterFirst');
    },
    change(m) {
      m.spec.schedule = '*/5 * * * *';
    },
    changed(cj) {
      expect(cj.spec.schedule).toBe('*/5 * * * *');
    },
    patch: { spec: { suspend: true, concurrencyPolicy: 'Forbid' } },
    patched(cj) {
      expect(cj.spec.suspend).toBe(true);
      expect(cj.spec.concurrencyPolicy).toBe('Forbid');
      expect(cj.spec.schedule).toBe('*/5 * * * *');
    },
  },
  {
    kind: 'Service',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: MyApp
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9376
`,
    select: `spec {
      type clusterIP clusterIPs sessionAffinity ipFamilies ipFamilyPolicy internalTrafficPolicy selector
      ports { name protocol port targetPort nodePort }
    }`,
    created(svc) {
      expect(svc.spec.type).toBe('ClusterIP');
      expect(inServiceCIDR(svc.spec.clusterIP)).toBe(true);
      expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
      expect(svc.spec.sessionAffinity).toBe('None');
      expect(svc.spec.ipFamilies).toEqual(['IPv4']);
      expect(svc.spec.ipFamilyPolicy).toBe('SingleStack');
      expect(svc.spec.internalTrafficPolicy).toBe('Cluster');
      expect(svc.spec.ports).toEqual([
        { name: null, protocol: 'TCP', port: 80, targetPort: 9376, nodePort: null },
      ]);
    },
    change(m) {
      m.spec.ports = [
        { name: 'http', port: 80, targetPort: 9376 },
        { name: 'metrics', port: 9090 },
      ];
    },
    changed(svc) {
      expect(svc.spec.ports).toEqual([
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 9376, nodePort: null },
        { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 9090, nodePort: null },
      ]);
      // The clusterIP the server allocated stays, though the manifest does not carry it.
      expect(inServiceCIDR(svc.spec.clusterIP)).toBe(true);
    },
    patch: { spec: { selector: { 'app.kubernetes.io/name': 'Other' } } },
    patched(svc) {
      expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'Other' });
    },
  },
  {
    kind: 'Endpoints',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: v1
kind: Endpoints
metadata:
  name: ${name}
subsets:
- addresses:
  - ip: 192.168.1.10
  - ip: 192.168.1.11
  ports:
  - name: postgres
    port: 5432
`,
    select: 'subsets { addresses { ip } ports { name port protocol } }',
    created(ep) {
      expect(ep.subsets).toEqual([
        {
          addresses: [{ ip: '192.168.1.10' }, { ip: '192.168.1.11' }],
          ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }],
        },
      ]);
    },
    change(m) {
      m.subsets[0].addresses.pop();
    },
    changed(ep) {
      expect(ep.subsets[0].addresses).toEqual([{ ip: '192.168.1.10' }]);
    },
    patch: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 5433 }] }] },
    patched(ep) {
      // Lists are replaced whole by a merge patch.
      expect(ep.subsets).toEqual([
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: null, port: 5433, protocol: 'TCP' }] },
      ]);
    },
  },
  {
    kind: 'ConfigMap',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  player_initial_lives: "3"
  ui_properties_file_name: "user-interface.properties"
  game.properties: |
    enemy.types=aliens,monsters
    player.maximum-lives=5
`,
    select: 'data binaryData immutable',
    created(cm) {
      expect(cm.data).toEqual({
        player_initial_lives: '3',
        ui_properties_file_name: 'user-interface.properties',
        'game.properties': 'enemy.types=aliens,monsters\nplayer.maximum-lives=5\n',
      });
      expect(cm.immutable).toBeNull();
    },
    change(m) {
      m.data.player_initial_lives = '5';
    },
    changed(cm) {
      expect(cm.data.player_initial_lives).toBe('5');
    },
    patch: { data: { ui_properties_file_name: null, 'extra.key': 'v' } },
    patched(cm) {
      expect(Object.keys(cm.data).sort()).toEqual(['extra.key', 'game.properties', 'player_initial_lives']);
    },
  },
  {
    kind: 'Secret',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
type: Opaque
data:
  username: YWRtaW4=
stringData:
  password: t0p-Secret
`,
    select: 'type data stringData immutable',
    created(secret) {
      expect(secret.type).toBe('Opaque');
      // stringData is folded into data, base64-encoded, and never stored.
      expect(secret.data).toEqual({
        username: 'YWRtaW4=',
        password: Buffer.from('t0p-Secret').toString('base64'),
      });
      expect(secret.stringData).toBeNull();
    },
    change(m) {
      m.stringData = { password: 'n3w' };
    },
    changed(secret) {
      expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('n3w');
    },
    patch: { stringData: { token: 'abc' }, data: { username: null } },
    patched(secret) {
      expect(secret.data).toEqual({ password: Buffer.from('n3w').toString('base64'), token: 'YWJj' });
      expect(secret.stringData).toBeNull();
    },
  },
  {
    kind: 'Event',
    namespaced: true,
    hasSpec: false,
    manifest: (name, namespace) => `apiVersion: v1
kind: Event
metadata:
  name: ${name}
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-0
  namespace: ${namespace}
reason: Scheduled
message: Successfully assigned ${namespace}/web-0 to worker-1
type: Normal
source:
  component: default-scheduler
`,
    select: 'involvedObject { kind name namespace } reason message type source { component } count',
    created(ev) {
      expect(ev.involvedObject).toMatchObject({ kind: 'Pod', name: 'web-0' });
      expect(ev.reason).toBe('Scheduled');
      expect(ev.type).toBe('Normal');
      expect(ev.source.component).toBe('default-scheduler');
    },
    change(m) {
      m.count = 2;
      m.message = 'Successfully assigned again';
    },
    changed(ev) {
      expect(ev.count).toBe(2);
      expect(ev.message).toBe('Successfully assigned again');
    },
    patch: { type: 'Warning', reason: 'FailedScheduling' },
    patched(ev) {
      expect(ev.type).toBe('Warning');
      expect(ev.reason).toBe('FailedScheduling');
    },
  },
  {
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: php-apache
  maxReplicas: 10
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 50
`,
    select: `spec {
      minReplicas maxReplicas scaleTargetRef { apiVersion kind name }
      metrics { type resource { name target { type averageUtilization averageValue } } }
    }`,
    created(hpa) {
      expect(hpa.spec.minReplicas).toBe(1);
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'php-apache',
      });
      expect(hpa.spec.metrics).toEqual([
        {
          type: 'Resource',
          resource: {
            name: 'cpu',
            target: { type: 'Utilization', averageUtilization: 50, averageValue: null },
          },
        },
      ]);
    },
    change(m) {
      m.spec.maxReplicas = 20;
    },
    changed(hpa) {
      expect(hpa.spec.maxReplicas).toBe(20);
    },
    patch: { spec: { minReplicas: 2 } },
    patched(hpa) {
      expect(hpa.spec.minReplicas).toBe(2);
      expect(hpa.spec.maxReplicas).toBe(20);
    },
  },
];

function inServiceCIDR(ip: string): boolean {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return false;
  const value = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
  const base = ((10 << 24) >>> 0) + (96 << 16);
  return value > base && value < base + 2 ** 20 - 1;
}

describe('every kind through the API', () => {
  it('covers every kind the cluster serves', () => {
    expect(CASES.map((c) => c.kind).sort()).toEqual(KINDS.map((k) => k.kind).sort());
  });

  describe.each(CASES)('$kind', (c) => {
    const { one, many } = names(c.kind);
    const name = `k-${c.kind.toLowerCase()}`;
    const namespace = c.namespaced ? `kinds-${c.kind.toLowerCase()}` : undefined;
    const nsParam = c.namespaced ? '$ns: String, ' : '';
    const nsArg = c.namespaced ? 'namespace: $ns, ' : '';
    const vars = (extra: Record<string, unknown> = {}) => ({
      ...(c.namespaced ? { ns: namespace } : {}),
      name,
      ...extra,
    });

    const get = async () =>
      (
        await cluster.ok(
          `query(${nsParam}$name: String!) { obj: ${one}(${nsArg}name: $name) { ${META} ${c.select} } }`,
          vars(),
        )
      ).obj;
    const replace = (obj: unknown) =>
      cluster.gql(
        `mutation(${nsParam}$name: String!, $obj: ${c.kind}Input!) {
          obj: replace${c.kind}(${nsArg}name: $name, ${one}: $obj) { ${META} ${c.select} }
        }`,
        vars({ obj }),
      );
    const remove = () =>
      cluster.gql(
        `mutation(${nsParam}$name: String!) { obj: delete${c.kind}(${nsArg}name: $name) { ${META} } }`,
        vars(),
      );
    const list = async (ns?: string) =>
      (
        await cluster.ok(
          `query${c.namespaced ? '($ns: String)' : ''} {
            list: ${many}${c.namespaced ? '(namespace: $ns)' : ''} { apiVersion kind metadata { resourceVersion } items { metadata { name namespace } } }
          }`,
          c.namespaced ? { ns } : {},
        )
      ).list;

    it('is applied, read, listed, replaced, patched and deleted', async () => {
      if (namespace) await createNamespace(namespace);
      const manifest = c.manifest(name, namespace ?? 'default');

      // apply
      const applied = await applyManifests(manifest, namespace);
      expect(applied.errors, JSON.stringify(applied.errors)).toBeUndefined();
      expect(applied.data.apply).toHaveLength(1);
      const created = applied.data.apply[0];
      expect(created.kind).toBe(c.kind);
      expect(created.metadata.name).toBe(name);
      expect(created.metadata.namespace).toBe(namespace ?? null);
      expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.metadata.generation).toBe(1);

      // get
      const obj = await get();
      expect(obj.kind).toBe(c.kind);
      expect(obj.apiVersion).toBe(YAML.parse(manifest).apiVersion);
      expect(obj.metadata.uid).toBe(created.metadata.uid);
      expect(obj.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect(obj.metadata.creationTimestamp).toMatch(RFC3339);
      expect(obj.metadata.deletionTimestamp).toBeNull();
      c.created(obj, name);

      // applying the same manifest again changes nothing
      const again = await applyManifests(manifest, namespace);
      expect(again.errors, JSON.stringify(again.errors)).toBeUndefined();
      expect(again.data.apply[0].metadata.resourceVersion).toBe(created.metadata.resourceVersion);

      // list
      const listed = await list(namespace);
      expect(listed.kind).toBe(`${c.kind}List`);
      expect(listed.items.map((i: any) => i.metadata.name)).toContain(name);
      expect(Number(listed.metadata.resourceVersion)).toBeGreaterThanOrEqual(
        Number(created.metadata.resourceVersion),
      );
      if (c.namespaced) {
        const elsewhere = await list('default');
        expect(elsewhere.items.map((i: any) => i.metadata.name)).not.toContain(name);
        const everywhere = await list(undefined);
        expect(everywhere.items).toContainEqual({ metadata: { name, namespace } });
      }

      // replace, metadata only: a new resourceVersion, the same generation
      const annotated = YAML.parse(manifest);
      annotated.metadata.annotations = { 'example.com/note': 'replaced' };
      annotated.metadata.resourceVersion = obj.metadata.resourceVersion;
      const r1 = await replace(annotated);
      expect(r1.errors, JSON.stringify(r1.errors)).toBeUndefined();
      const afterMeta = r1.data.obj;
      expect(afterMeta.metadata.annotations).toEqual({ 'example.com/note': 'replaced' });
      expect(afterMeta.metadata.resourceVersion).not.toBe(obj.metadata.resourceVersion);
      expect(afterMeta.metadata.generation).toBe(1);
      expect(afterMeta.metadata.uid).toBe(obj.metadata.uid);
      expect(afterMeta.metadata.creationTimestamp).toBe(obj.metadata.creationTimestamp);

      // replace with a changed spec: generation goes up (only kinds with a spec have one to follow)
      const changed = structuredClone(annotated);
      c.change(changed);
      changed.metadata.resourceVersion = afterMeta.metadata.resourceVersion;
      const r2 = await replace(changed);
      expect(r2.errors, JSON.stringify(r2.errors)).toBeUndefined();
      const afterSpec = r2.data.obj;
      c.changed(afterSpec);
      expect(afterSpec.metadata.resourceVersion).not.toBe(afterMeta.metadata.resourceVersion);
      expect(afterSpec.metadata.generation).toBe(c.hasSpec ? 2 : 1);
      expect(await get()).toEqual(afterSpec);

      // replace from a stale read
      const stale = structuredClone(changed);
      stale.metadata.resourceVersion = obj.metadata.resourceVersion;
      expectError(await replace(stale), 'CONFLICT');

      // merge patch
      const p = await cluster.gql(
        `mutation(${nsParam}$name: String!, $patch: JSON!) {
          obj: patch${c.kind}(${nsArg}name: $name, patch: $patch) { ${META} ${c.select} }
        }`,
        vars({ patch: c.patch }),
      );
      expect(p.errors, JSON.stringify(p.errors)).toBeUndefined();
      const patched = p.data.obj;
      c.patched(patched);
      expect(patched.metadata.annotations).toMatchObject({ 'example.com/note': 'replaced' });
      expect(patched.metadata.resourceVersion).not.toBe(afterSpec.metadata.resourceVersion);
      expect(patched.metadata.generation).toBe(c.hasSpec ? ('spec' in c.patch ? 3 : 2) : 1);
      expect(await get()).toEqual(patched);

      // delete
      const deleted = await remove();
      expect(deleted.errors, JSON.stringify(deleted.errors)).toBeUndefined();
      expect(deleted.data.obj.metadata.uid).toBe(obj.metadata.uid);
      await c.finishDeletion?.(name);
      expect(await get()).toBeNull();
      const missing = expectError(await remove(), 'NOT_FOUND');
      expect(missing.message).toContain(name);
      expect((await list(namespace)).items.map((i: any) => i.metadata.name)).not.toContain(name);
    });
  });
});

describe('defaults and allocation', () => {
  it('has the namespace `default`, Active, and refuses to delete it', async () => {
    const ns = await cluster.ok(`{ namespace(name: "default") { metadata { name } status { phase } } }`);
    expect(ns.namespace).toEqual({ metadata: { name: 'default' }, status: { phase: 'Active' } });
    const result = await cluster.gql(`mutation { deleteNamespace(name: "default") { kind } }`);
    expectError(result, 'FORBIDDEN');
    const still = await cluster.ok(
      `{ namespace(name: "default") { metadata { deletionTimestamp } status { phase } } }`,
    );
    expect(still.namespace).toEqual({ metadata: { deletionTimestamp: null }, status: { phase: 'Active' } });
  });

  it('puts objects that name no namespace into `default`', async () => {
    const result = await applyManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: defaults-cm\n`);
    expect(result.data.apply[0].metadata.namespace).toBe('default');
    const cm = await cluster.ok(`{ configMap(name: "defaults-cm") { metadata { namespace } } }`);
    expect(cm.configMap.metadata.namespace).toBe('default');
  });

  it('creates a Deployment from a typed GraphQL input object', async () => {
    await createNamespace('typed');
    const deployment = {
      metadata: { name: 'typed-web', labels: { app: 'typed-web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'typed-web' } },
        template: {
          metadata: { labels: { app: 'typed-web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                ports: [{ containerPort: 80, name: 'http' }],
                resources: { requests: { cpu: '250m', memory: '64Mi' } },
                readinessProbe: { httpGet: { port: 'http' } },
              },
            ],
          },
        },
        strategy: { rollingUpdate: { maxSurge: 1 } },
      },
    };
    const result = await cluster.ok(
      `mutation($d: DeploymentInput!) {
        createDeployment(namespace: "typed", deployment: $d) {
          apiVersion kind metadata { name namespace generation uid }
          spec {
            replicas revisionHistoryLimit progressDeadlineSeconds
            strategy { type rollingUpdate { maxSurge maxUnavailable } }
            template { spec { restartPolicy containers {
              imagePullPolicy resources { requests }
              readinessProbe { periodSeconds timeoutSeconds successThreshold failureThreshold httpGet { path port scheme } }
            } } }
          }
        }
      }`,
      { d: deployment },
    );
    const d = result.createDeployment;
    expect(d.apiVersion).toBe('apps/v1');
    expect(d.kind).toBe('Deployment');
    expect(d.metadata).toMatchObject({ name: 'typed-web', namespace: 'typed', generation: 1 });
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' },
    });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    const container = d.spec.template.spec.containers[0];
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.readinessProbe).toEqual({
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
      httpGet: { path: '/', port: 'http', scheme: 'HTTP' },
    });
    const read = await cluster.ok(
      `{ deployment(namespace: "typed", name: "typed-web") { metadata { uid } } }`,
    );
    expect(read.deployment.metadata.uid).toBe(d.metadata.uid);

    const again = await cluster.gql(
      `mutation($d: DeploymentInput!) { createDeployment(namespace: "typed", deployment: $d) { kind } }`,
      { d: deployment },
    );
    expectError(again, 'ALREADY_EXISTS');
  });

  it('scales a Deployment through scaleDeployment, bumping its generation', async () => {
    await createNamespace('scale');
    await applyManifests(
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: scaled
spec:
  selector: { matchLabels: { app: scaled } }
  template:
    metadata: { labels: { app: scaled } }
    spec:
      containers: [{ name: c, image: busybox }]
`,
      'scale',
    );
    const result = await cluster.ok(
      `mutation { scaleDeployment(namespace: "scale", name: "scaled", replicas: 4) { metadata { generation } spec { replicas } } }`,
    );
    expect(result.scaleDeployment).toEqual({ metadata: { generation: 2 }, spec: { replicas: 4 } });
    const negative = await cluster.gql(
      `mutation { scaleDeployment(namespace: "scale", name: "scaled", replicas: -1) { kind } }`,
    );
    expectError(negative, 'INVALID', ['spec.replicas']);
  });

  it('allocates distinct NodePorts in 30000-32767 and refuses one already allocated', async () => {
    await createNamespace('nodeports');
    const service = (name: string, nodePort?: number) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: NodePort
  selector:
    app: ${name}
  ports:
  - port: 80
    targetPort: 8080
${nodePort ? `    nodePort: ${nodePort}\n` : ''}`;
    const read = async (name: string) =>
      (
        await cluster.ok(
          `query($n: String!) { service(namespace: "nodeports", name: $n) { spec { type clusterIP externalTrafficPolicy ports { nodePort } } } }`,
          { n: name },
        )
      ).service.spec;

    // Several in one apply (one commit) and several in separate ones.
    const together = Array.from({ length: 5 }, (_, i) => service(`np-${i}`)).join('---\n');
    expect((await applyManifests(together, 'nodeports')).errors).toBeUndefined();
    for (const i of [5, 6, 7])
      expect((await applyManifests(service(`np-${i}`), 'nodeports')).errors).toBeUndefined();

    const ports: number[] = [];
    for (let i = 0; i < 8; i++) {
      const spec = await read(`np-${i}`);
      expect(spec.type).toBe('NodePort');
      expect(spec.externalTrafficPolicy).toBe('Cluster');
      expect(inServiceCIDR(spec.clusterIP)).toBe(true);
      ports.push(spec.ports[0].nodePort);
    }
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(30000);
      expect(port).toBeLessThanOrEqual(32767);
    }
    expect(new Set(ports).size).toBe(ports.length);

    // Applying again keeps the allocated port.
    await applyManifests(service('np-0'), 'nodeports');
    expect((await read('np-0')).ports[0].nodePort).toBe(ports[0]);

    const taken = await applyManifests(service('np-taken', ports[3]), 'nodeports');
    const error = expectError(taken, 'INVALID', ['spec.ports[0].nodePort']);
    expect(error.message).toContain('already allocated');
    expect(
      (await cluster.ok(`{ service(namespace: "nodeports", name: "np-taken") { kind } }`)).service,
    ).toBeNull();

    const outOfRange = await applyManifests(service('np-range', 8080), 'nodeports');
    expectError(outOfRange, 'INVALID', ['spec.ports[0].nodePort']);

    // A port that is free may be asked for by hand.
    const free = [30001, 30002, 30003].find((p) => !ports.includes(p))!;
    expect((await applyManifests(service('np-manual', free), 'nodeports')).errors).toBeUndefined();
    expect((await read('np-manual')).ports[0].nodePort).toBe(free);
  });

  it('gives every Service its own clusterIP and refuses a taken one', async () => {
    await createNamespace('clusterips');
    const svc = (name: string, ip?: string) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports: [{ port: 80 }]\n${ip ? `  clusterIP: ${ip}\n` : ''}`;
    await applyManifests([1, 2, 3, 4].map((i) => svc(`ip-${i}`)).join('---\n'), 'clusterips');
    const items = (await cluster.ok(`{ services(namespace: "clusterips") { items { spec { clusterIP } } } }`))
      .services.items;
    const ips = items.map((s: any) => s.spec.clusterIP);
    expect(ips).toHaveLength(4);
    expect(new Set(ips).size).toBe(4);
    for (const ip of ips) expect(inServiceCIDR(ip)).toBe(true);
    expectError(await applyManifests(svc('ip-taken', ips[0]), 'clusterips'), 'INVALID', ['spec.clusterIP']);
    expectError(await applyManifests(svc('ip-outside', '192.168.0.1'), 'clusterips'), 'INVALID', [
      'spec.clusterIP',
    ]);
    const headless = await applyManifests(svc('ip-none', 'None'), 'clusterips');
    expect(headless.errors).toBeUndefined();
  });
});

describe('validation', () => {
  beforeAll(async () => {
    await createNamespace('invalid');
  });

  const invalid = async (manifest: string, fields: string[]) => {
    const error = expectError(await applyManifests(manifest, 'invalid'), 'INVALID', fields);
    const name = YAML.parseAllDocuments(manifest).at(-1)?.toJS()?.metadata?.name;
    if (name) expect(error.message).toContain(name);
    return error;
  };

  const deployment = (name: string, selector: string, labels: string, container = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: ${selector}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers:
      - name: web
        image: nginx:1.27
${container}`;

  it('rejects a name that is not a DNS subdomain', async () => {
    const error = await invalid(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n`, [
      'metadata.name',
    ]);
    expect(error.extensions?.causes?.[0].message).toContain('RFC 1123');
    // A Service name must be a DNS label: no dots.
    await invalid(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: my.service\nspec:\n  ports: [{ port: 80 }]\n`,
      ['metadata.name'],
    );
  });

  it('rejects a bad label key and a bad label value', async () => {
    await invalid(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-label\n  labels:\n    -app: web\n`,
      ['metadata.labels.-app'],
    );
    await invalid(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-label-value\n  labels:\n    app: "has spaces"\n`,
      ['metadata.labels.app'],
    );
  });

  it('rejects a Deployment whose selector does not match its template labels', async () => {
    const error = await invalid(deployment('mismatch', '{ app: web }', '{ app: api }'), [
      'spec.template.metadata.labels',
    ]);
    expect(error.extensions?.causes?.[0].message).toContain('`selector` does not match template `labels`');
  });

  it("refuses to change a Deployment's selector", async () => {
    const created = await applyManifests(
      deployment('immutable', '{ app: web }', '{ app: web, tier: fe }'),
      'invalid',
    );
    expect(created.errors).toBeUndefined();
    await invalid(deployment('immutable', '{ app: web, tier: fe }', '{ app: web, tier: fe }'), [
      'spec.selector',
    ]);
    const kept = await cluster.ok(
      `{ deployment(namespace: "invalid", name: "immutable") { metadata { generation } spec { selector { matchLabels } } } }`,
    );
    expect(kept.deployment).toEqual({
      metadata: { generation: 1 },
      spec: { selector: { matchLabels: { app: 'web' } } },
    });
  });

  it('rejects ports out of range', async () => {
    // targetPort defaults to port, so it is out of range too.
    await invalid(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: bad-port\nspec:\n  ports:\n  - port: 70000\n`,
      ['spec.ports[0].port', 'spec.ports[0].targetPort'],
    );
    await invalid(
      `apiVersion: v1
kind: Pod
metadata:
  name: bad-container-port
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 0
`,
      ['spec.containers[0].ports[0].containerPort'],
    );
    await invalid(
      deployment(
        'bad-template-port',
        '{ app: web }',
        '{ app: web }',
        '        ports:\n        - containerPort: 65536\n',
      ),
      ['spec.template.spec.containers[0].ports[0].containerPort'],
    );
  });

  it('rejects Secret data that is not base64', async () => {
    const error = await invalid(
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: not-base64\ndata:\n  password: hunter2!\n  ok: aGk=\n`,
      ['data.password'],
    );
    expect(error.extensions?.causes?.[0].message).toContain('illegal base64 data');
  });

  it('rejects a quantity that does not parse', async () => {
    const error = expectError(
      await applyManifests(
        `apiVersion: v1
kind: Pod
metadata:
  name: bad-quantity
spec:
  containers:
  - name: web
    image: nginx
    resources:
      limits:
        cpu: lots
      requests:
        memory: 64Mi
`,
        'invalid',
      ),
      'INVALID',
    );
    // Reported on the limit itself: `...limits[cpu]` by admission, or `...limits` naming
    // "cpu" when the resource list is checked as the manifest is decoded.
    const causes = error.extensions!.causes!;
    expect(causes.every((c) => c.field.startsWith('spec.containers[0].resources.'))).toBe(true);
    const limit = causes.find((c) => c.field.startsWith('spec.containers[0].resources.limits'));
    expect(limit, JSON.stringify(causes)).toBeDefined();
    expect(`${limit!.field} ${limit!.message}`).toContain('cpu');
    expect(limit!.message).toContain('quantities must match');
    expect(causes.some((c) => c.field.includes('memory') || c.message.includes('memory'))).toBe(false);
    // A Quantity-typed field is checked as the manifest is decoded.
    await invalid(
      `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: bad-hpa-quantity
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  maxReplicas: 3
  metrics:
  - type: Pods
    pods:
      metric: { name: packets-per-second }
      target: { type: AverageValue, averageValue: 1k2 }
`,
      ['spec.metrics[0].pods.target.averageValue'],
    );
  });

  it('rejects a CronJob schedule that does not parse', async () => {
    const cronJob = (name: string, schedule: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "${schedule}"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: c, image: busybox }]
          restartPolicy: OnFailure
`;
    await invalid(cronJob('bad-schedule', 'every five minutes'), ['spec.schedule']);
    await invalid(cronJob('bad-minute', '61 * * * *'), ['spec.schedule']);
    await invalid(cronJob('six-fields', '0 0 * * * *'), ['spec.schedule']);
    for (const [i, ok] of ['@hourly', '*/15 9-17 * * MON-FRI', '0 0 1 jan,jul *'].entries()) {
      expect((await applyManifests(cronJob(`good-schedule-${i}`, ok), 'invalid')).errors).toBeUndefined();
    }
  });

  it('rejects unknown fields with their exact path', async () => {
    const error = await invalid(
      deployment('typo', '{ app: web }', '{ app: web }', '        imagee: nginx:1.28\n'),
      ['spec.template.spec.containers[0].imagee'],
    );
    expect(error.extensions?.causes?.[0].reason).toBe('UnknownField');
    await invalid(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo2\n  lables: { a: b }\n`, [
      'metadata.lables',
    ]);
    await invalid(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo3\nspec:\n  data: {}\n`, ['spec']);
    await invalid(
      `apiVersion: v1
kind: Service
metadata:
  name: typo4
spec:
  ports:
  - port: 80
  - port: 81
    name: b
    targetport: 8081
`,
      ['spec.ports[1].targetport'],
    );
  });

  it('rejects wrong types and enum values with their path', async () => {
    await invalid(
      deployment('string-replicas', '{ app: web }', '{ app: web }').replace(
        'spec:\n',
        'spec:\n  replicas: three\n',
      ),
      ['spec.replicas'],
    );
    await invalid(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: bad-type\nspec:\n  type: Magic\n  ports: [{ port: 80 }]\n`,
      ['spec.type'],
    );
  });

  it('answers malformed YAML with BAD_REQUEST and the line', async () => {
    const result = await applyManifests(
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
data:
  a: "1"
    b: "2"
`,
      'invalid',
    );
    const error = expectError(result, 'BAD_REQUEST');
    expect(error.message).toMatch(/line 7\b/);
    const unclosed = expectError(
      await applyManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x\n`),
      'BAD_REQUEST',
    );
    expect(unclosed.message).toMatch(/line \d+/);
  });

  it('answers a manifest without kind, or of a kind nobody serves', async () => {
    expectError(await applyManifests(`apiVersion: v1\nmetadata:\n  name: x\n`, 'invalid'), 'INVALID', [
      'kind',
    ]);
    expectError(
      await applyManifests(`apiVersion: v1\nkind: Gadget\nmetadata:\n  name: x\n`, 'invalid'),
      'BAD_REQUEST',
    );
    expectError(await applyManifests(`# nothing here\n`, 'invalid'), 'BAD_REQUEST');
  });

  it('writes all documents of a multi-document apply or none', async () => {
    const manifests = `apiVersion: v1
kind: ConfigMap
metadata:
  name: all-or-none-1
data:
  a: "1"
---
apiVersion: v1
kind: Secret
metadata:
  name: all-or-none-2
data:
  password: "not base64!"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: all-or-none-3
`;
    expectError(await applyManifests(manifests, 'invalid'), 'INVALID', ['data.password']);
    const cms = await cluster.ok(`{ configMaps(namespace: "invalid") { items { metadata { name } } } }`);
    expect(cms.configMaps.items.map((i: any) => i.metadata.name)).not.toContain('all-or-none-1');
    expect(cms.configMaps.items.map((i: any) => i.metadata.name)).not.toContain('all-or-none-3');
    expect(
      (await cluster.ok(`{ secret(namespace: "invalid", name: "all-or-none-2") { kind } }`)).secret,
    ).toBeNull();

    // A shape error in the second document refuses the first too.
    const shape = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: all-or-none-4\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: all-or-none-5\n  colour: red\n`;
    const error = expectError(await applyManifests(shape, 'invalid'), 'INVALID', ['metadata.colour']);
    expect(error.message).toContain('manifest 2 of 2');
    expect(
      (await cluster.ok(`{ configMap(namespace: "invalid", name: "all-or-none-4") { kind } }`)).configMap,
    ).toBeNull();

    // Fixed, the same documents are written together, the Namespace before what it holds.
    const fixed = `apiVersion: v1
kind: Namespace
metadata:
  name: all-or-none
---
${manifests.replace('"not base64!"', 'aHVudGVyMg==').replaceAll('metadata:\n', 'metadata:\n  namespace: all-or-none\n')}`;
    const written = await applyManifests(fixed);
    expect(written.errors, JSON.stringify(written.errors)).toBeUndefined();
    expect(written.data.apply.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/all-or-none',
      'ConfigMap/all-or-none-1',
      'Secret/all-or-none-2',
      'ConfigMap/all-or-none-3',
    ]);
  });

  it('answers NOT_FOUND for a namespace that does not exist', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: homeless\n`;
    const error = expectError(await applyManifests(cm, 'no-such-namespace'), 'NOT_FOUND');
    expect(error.message).toContain('no-such-namespace');
    expectError(
      await cluster.gql(
        `mutation { createConfigMap(namespace: "no-such-namespace", configMap: { metadata: { name: "homeless" } }) { kind } }`,
      ),
      'NOT_FOUND',
    );
    expect(
      (await cluster.ok(`{ configMaps(namespace: "no-such-namespace") { items { kind } } }`)).configMaps
        .items,
    ).toEqual([]);
  });

  it('stores nothing on a dry run, but defaults and validates', async () => {
    const dry = await cluster.ok(
      `mutation {
        createPod(namespace: "invalid", dryRun: true, pod: { metadata: { name: "dry-pod" }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } }) {
          metadata { name uid } spec { restartPolicy containers { imagePullPolicy } } status { phase }
        }
      }`,
    );
    expect(dry.createPod).toMatchObject({
      metadata: { name: 'dry-pod' },
      spec: { restartPolicy: 'Always', containers: [{ imagePullPolicy: 'IfNotPresent' }] },
      status: { phase: 'Pending' },
    });
    expect((await cluster.ok(`{ pod(namespace: "invalid", name: "dry-pod") { kind } }`)).pod).toBeNull();

    const before = (await cluster.ok(`{ configMaps { metadata { resourceVersion } } }`)).configMaps.metadata
      .resourceVersion;
    const applied = await applyManifests(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry-cm\n`,
      'invalid',
      true,
    );
    expect(applied.errors).toBeUndefined();
    expect(applied.data.apply[0].metadata.name).toBe('dry-cm');
    expect(
      (await cluster.ok(`{ configMap(namespace: "invalid", name: "dry-cm") { kind } }`)).configMap,
    ).toBeNull();
    const after = (await cluster.ok(`{ configMaps { metadata { resourceVersion } } }`)).configMaps.metadata
      .resourceVersion;
    expect(after).toBe(before);

    expectError(
      await applyManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Dry_Bad\n`, 'invalid', true),
      'INVALID',
      ['metadata.name'],
    );
  });

  it('refuses a replace or delete from a stale resourceVersion with CONFLICT', async () => {
    const created = await cluster.ok(
      `mutation { createConfigMap(namespace: "invalid", configMap: { metadata: { name: "cas" }, data: { v: "1" } }) { metadata { resourceVersion } } }`,
    );
    const rv = created.createConfigMap.metadata.resourceVersion;
    const replace = (value: string, resourceVersion: string) =>
      cluster.gql(
        `mutation($cm: ConfigMapInput!) { replaceConfigMap(namespace: "invalid", name: "cas", configMap: $cm) { metadata { resourceVersion } data } }`,
        { cm: { metadata: { name: 'cas', resourceVersion }, data: { v: value } } },
      );
    const first = await replace('2', rv);
    expect(first.errors).toBeUndefined();
    const error = expectError(await replace('3', rv), 'CONFLICT');
    expect(error.message).toContain('the object has been modified');
    expectError(
      await cluster.gql(
        `mutation($p: JSON!) { patchConfigMap(namespace: "invalid", name: "cas", patch: $p) { kind } }`,
        { p: { metadata: { resourceVersion: rv }, data: { v: '4' } } },
      ),
      'CONFLICT',
    );
    expectError(
      await cluster.gql(
        `mutation($rv: String) { deleteConfigMap(namespace: "invalid", name: "cas", resourceVersion: $rv) { kind } }`,
        {
          rv,
        },
      ),
      'CONFLICT',
    );
    const current = await cluster.ok(`{ configMap(namespace: "invalid", name: "cas") { data } }`);
    expect(current.configMap.data).toEqual({ v: '2' });
  });

  it('refuses a replace whose name differs from the one addressed', async () => {
    await cluster.ok(
      `mutation { createConfigMap(namespace: "invalid", configMap: { metadata: { name: "named" } }) { kind } }`,
    );
    expectError(
      await cluster.gql(
        `mutation { replaceConfigMap(namespace: "invalid", name: "named", configMap: { metadata: { name: "other" } }) { kind } }`,
      ),
      'BAD_REQUEST',
    );
  });
});
