import { expect } from 'vitest';
import type { Pod } from '../../schema/kinds/pod.ts';
import type { ReplicaSet } from '../../schema/kinds/replicaset.ts';
import type { ReplicationController } from '../../schema/kinds/replicationcontroller.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import type { StatefulSet } from '../../schema/kinds/statefulset.ts';
import type { DaemonSet } from '../../schema/kinds/daemonset.ts';
import type { ControllerRevision } from '../../schema/kinds/controllerrevision.ts';
import type { Job } from '../../schema/kinds/job.ts';
import type { CronJob } from '../../schema/kinds/cronjob.ts';
import type { HorizontalPodAutoscaler } from '../../schema/kinds/hpa.ts';
import { expectPodSpecDefaults, kindCase, podSpecFields, type KindCase } from './kinds.ts';

/**
 * The workload kinds (pods, their controllers and the autoscaler): their manifests and what
 * the API makes of them (see KindCase), for kinds-lifecycle.test.ts.
 */
export const WORKLOAD_KIND_CASES: KindCase[] = [
  kindCase<Pod>({
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
      expect(pod.spec?.containers.map((c) => c.imagePullPolicy)).toEqual([
        'Always',
        'Always',
        'IfNotPresent',
      ]);
      expect(pod.spec?.enableServiceLinks).toBe(true);
      expect(pod.spec?.nodeName).toBeNull();
      // Requests default to limits.
      expect(pod.spec?.containers[2].resources?.requests).toEqual({ cpu: '100m', memory: '64Mi' });
      expect(pod.status?.phase).toBe('Pending');
      expect(pod.status?.qosClass).toBe('Burstable');
    },
    change(m) {
      // Images are the part of a Pod's spec that may change (imagePullPolicy may not, so
      // the new image keeps the policy the old one was given).
      m.spec!.containers[2].image = 'busybox:1.37';
    },
    changed(pod) {
      expect(pod.spec?.containers[2].image).toBe('busybox:1.37');
      expect(pod.spec?.containers[2].imagePullPolicy).toBe('IfNotPresent');
      expect(pod.status?.phase).toBe('Pending');
    },
    patch: { metadata: { labels: { tier: 'frontend' }, annotations: { 'example.com/owner': 'team-a' } } },
    patched(pod) {
      expect(pod.metadata.labels).toEqual({ app: 'web', tier: 'frontend' });
      expect(pod.metadata.annotations?.['example.com/owner']).toBe('team-a');
    },
  }),
  kindCase<ReplicaSet>({
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
      expect(rs.spec?.replicas).toBe(3);
      expectPodSpecDefaults(rs.spec?.template?.spec);
      expect(rs.spec?.template?.spec?.containers[0].imagePullPolicy).toBe('IfNotPresent');
    },
    change(m) {
      m.spec!.replicas = 5;
    },
    changed(rs) {
      expect(rs.spec?.replicas).toBe(5);
    },
    patch: { spec: { replicas: 0 } },
    patched(rs) {
      expect(rs.spec?.replicas).toBe(0);
    },
  }),
  kindCase<Deployment>({
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
      expect(d.spec?.replicas).toBe(3);
      expect(d.spec?.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      });
      expect(d.spec?.revisionHistoryLimit).toBe(10);
      expect(d.spec?.progressDeadlineSeconds).toBe(600);
      expectPodSpecDefaults(d.spec?.template?.spec);
      expect(d.spec?.template?.spec?.containers[0].imagePullPolicy).toBe('IfNotPresent');
    },
    change(m) {
      m.spec!.template.spec!.containers[0].image = 'nginx:1.16.1';
    },
    changed(d) {
      expect(d.spec?.template?.spec?.containers[0].image).toBe('nginx:1.16.1');
    },
    patch: { spec: { replicas: 5, strategy: { rollingUpdate: { maxSurge: 1 } } } },
    patched(d) {
      expect(d.spec?.replicas).toBe(5);
      expect(d.spec?.strategy?.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: '25%' });
    },
  }),
  kindCase<StatefulSet>({
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
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      storageClassName: "my-storage-class"
      resources:
        requests:
          storage: 1Gi
`,
    select: `spec {
      replicas serviceName podManagementPolicy revisionHistoryLimit minReadySeconds
      updateStrategy { type rollingUpdate { partition } }
      template { spec { ${podSpecFields} } }
      persistentVolumeClaimRetentionPolicy { whenDeleted whenScaled }
      volumeClaimTemplates { apiVersion kind metadata { name } spec { accessModes storageClassName volumeMode resources { requests } } status { phase } }
    }`,
    created(sts) {
      // The claim templates are defaulted as claims are; the claims outlive the set unless told otherwise.
      expect(sts.spec?.volumeClaimTemplates).toEqual([
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'www' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'my-storage-class',
            volumeMode: 'Filesystem',
            resources: { requests: { storage: '1Gi' } },
          },
          status: { phase: 'Pending' },
        },
      ]);
      expect(sts.spec?.persistentVolumeClaimRetentionPolicy).toEqual({
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      });
      expect(sts.spec?.podManagementPolicy).toBe('OrderedReady');
      expect(sts.spec?.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      expect(sts.spec?.revisionHistoryLimit).toBe(10);
      // Given values are kept, not defaulted over.
      expect(sts.spec?.template?.spec?.terminationGracePeriodSeconds).toBe(10);
      expect(sts.spec?.template?.spec?.restartPolicy).toBe('Always');
    },
    change(m) {
      m.spec!.replicas = 5;
    },
    changed(sts) {
      expect(sts.spec?.replicas).toBe(5);
    },
    patch: { spec: { updateStrategy: { rollingUpdate: { partition: 2 } } } },
    patched(sts) {
      expect(sts.spec?.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2 } });
    },
  }),
  kindCase<DaemonSet>({
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
      expect(ds.spec?.updateStrategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      });
      expect(ds.spec?.revisionHistoryLimit).toBe(10);
      expectPodSpecDefaults(ds.spec?.template?.spec);
      expect(ds.spec?.template?.spec?.volumes).toEqual([
        { name: 'varlog', hostPath: { path: '/var/log', type: '' } },
      ]);
    },
    change(m) {
      m.spec!.template.spec!.containers[0].image = 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0';
    },
    changed(ds) {
      expect(ds.spec?.template?.spec?.containers[0].image).toBe(
        'quay.io/fluentd_elasticsearch/fluentd:v2.6.0',
      );
    },
    patch: { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: null } } },
    patched(ds) {
      expect(ds.spec?.updateStrategy).toEqual({ type: 'OnDelete', rollingUpdate: null });
    },
  }),
  kindCase<ControllerRevision>({
    kind: 'ControllerRevision',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: apps/v1
kind: ControllerRevision
metadata:
  name: ${name}
data:
  spec:
    template:
      $patch: replace
      spec:
        containers:
        - name: web
          image: nginx:1.27
revision: 1
`,
    select: 'data revision',
    created(cr) {
      expect(cr.revision).toBe(1);
      expect(cr.data).toEqual({
        spec: {
          template: { $patch: 'replace', spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
        },
      });
    },
    // Its data is immutable: only the number changes, as a rollback renumbers a revision.
    change(m) {
      m.revision = 2;
    },
    changed(cr) {
      expect(cr.revision).toBe(2);
    },
    patch: { revision: 3 },
    patched(cr) {
      expect(cr.revision).toBe(3);
    },
  }),
  kindCase<Job>({
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
      expect(job.spec?.suspend).toBe(false);
      expect(job.spec?.template?.spec?.restartPolicy).toBe('Never');
      // The selector is generated from the Job's uid, and the pod template labelled to match it.
      expect(job.spec?.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
      const generated = {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': name,
        'controller-uid': uid,
        'job-name': name,
      };
      expect(job.spec?.template?.metadata?.labels).toEqual(generated);
      // A Job without labels of its own takes its template's.
      expect(job.metadata.labels).toEqual(generated);
    },
    change(m) {
      m.spec!.backoffLimit = 6;
      m.spec!.activeDeadlineSeconds = 600;
    },
    changed(job) {
      expect(job.spec?.backoffLimit).toBe(6);
      expect(job.spec?.completions).toBe(1);
      expect(job.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid']).toBe(job.metadata.uid);
    },
    patch: { spec: { suspend: true } },
    patched(job) {
      expect(job.spec?.suspend).toBe(true);
    },
  }),
  kindCase<CronJob>({
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
      const pod = cj.spec?.jobTemplate?.spec?.template?.spec;
      expect(pod?.restartPolicy).toBe('OnFailure');
      expect(pod?.terminationGracePeriodSeconds).toBe(30);
      expect(pod?.dnsPolicy).toBe('ClusterFirst');
    },
    change(m) {
      m.spec!.schedule = '*/5 * * * *';
    },
    changed(cj) {
      expect(cj.spec?.schedule).toBe('*/5 * * * *');
    },
    patch: { spec: { suspend: true, concurrencyPolicy: 'Forbid' } },
    patched(cj) {
      expect(cj.spec?.suspend).toBe(true);
      expect(cj.spec?.concurrencyPolicy).toBe('Forbid');
      expect(cj.spec?.schedule).toBe('*/5 * * * *');
    },
  }),
  kindCase<ReplicationController>({
    kind: 'ReplicationController',
    namespaced: true,
    hasSpec: true,
    // Kubernetes' documentation example, without its selector: it is defaulted from the template.
    manifest: (name) => `apiVersion: v1
kind: ReplicationController
metadata:
  name: ${name}
spec:
  replicas: 3
  template:
    metadata:
      name: nginx
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
`,
    select: `spec { replicas minReadySeconds selector template { metadata { labels } spec { ${podSpecFields} } } }
      status { replicas }`,
    created(rc) {
      expect(rc.spec?.replicas).toBe(3);
      expect(rc.spec?.selector).toEqual({ app: 'nginx' });
      expect(rc.metadata.labels).toEqual({ app: 'nginx' });
      expectPodSpecDefaults(rc.spec?.template?.spec);
      expect(rc.spec?.template?.spec?.containers[0].imagePullPolicy).toBe('Always');
    },
    change(m) {
      m.spec!.replicas = 5;
    },
    changed(rc) {
      expect(rc.spec?.replicas).toBe(5);
    },
    patch: { spec: { replicas: 0 } },
    patched(rc) {
      expect(rc.spec?.replicas).toBe(0);
      expect(rc.spec?.selector).toEqual({ app: 'nginx' });
    },
  }),
  kindCase<HorizontalPodAutoscaler>({
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
      expect(hpa.spec?.minReplicas).toBe(1);
      expect(hpa.spec?.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'php-apache',
      });
      expect(hpa.spec?.metrics).toEqual([
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
      expect(hpa.spec?.maxReplicas).toBe(20);
    },
    patch: { spec: { minReplicas: 2 } },
    patched(hpa) {
      expect(hpa.spec?.minReplicas).toBe(2);
      expect(hpa.spec?.maxReplicas).toBe(20);
    },
  }),
];
