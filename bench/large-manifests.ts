/**
 * The largest realistic manifests of each kind an application ships, for the admission
 * benchmark: one "app" is a Deployment of five containers (probes, env, volumes, affinity),
 * its Service, ConfigMap, Secret, Ingress, NetworkPolicy, HorizontalPodAutoscaler and
 * PodDisruptionBudget, a StatefulSet with volumeClaimTemplates or a Job, a Role and its
 * RoleBinding, and an object of a custom kind (CRD below).
 */

export const CRD_GROUP = 'bench.example.com';
export const CRD_KIND = 'Pipeline';
export const CRD_PLURAL = 'pipelines';

/** The CustomResourceDefinition whose objects each app holds one of. */
export function pipelineCrd() {
  const step = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      image: { type: 'string' },
      args: { type: 'array', items: { type: 'string' } },
      timeoutSeconds: { type: 'integer' },
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${CRD_PLURAL}.${CRD_GROUP}` },
    spec: {
      group: CRD_GROUP,
      scope: 'Namespaced',
      names: { plural: CRD_PLURAL, singular: 'pipeline', kind: CRD_KIND },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    schedule: { type: 'string' },
                    concurrency: { type: 'integer' },
                    steps: { type: 'array', items: step },
                    params: { type: 'object', additionalProperties: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

/** A team's namespace: a quota on what its apps may hold and a LimitRange for their containers. */
export function teamNamespace(name: string): object[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'team', namespace: name },
      spec: {
        hard: {
          'requests.cpu': '1000',
          'requests.memory': '2Ti',
          'limits.cpu': '2000',
          'limits.memory': '4Ti',
          pods: '5000',
          services: '1000',
          secrets: '1000',
          configmaps: '1000',
          persistentvolumeclaims: '1000',
          'count/deployments.apps': '1000',
          'count/statefulsets.apps': '1000',
          'count/jobs.batch': '1000',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'containers', namespace: name },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: '500m', memory: '256Mi' },
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            max: { cpu: '4', memory: '8Gi' },
          },
        ],
      },
    },
  ];
}

const labels = (app: string) => ({
  'app.kubernetes.io/name': app,
  'app.kubernetes.io/part-of': 'shop',
  'app.kubernetes.io/version': '1.4.2',
});

function container(app: string, name: string, port: number) {
  return {
    name,
    image: `registry.example.com/shop/${name}:1.4.2`,
    imagePullPolicy: 'IfNotPresent',
    args: ['--port', String(port), '--log-format=json', '--config=/etc/app/config.yaml'],
    ports: [
      { name: 'http', containerPort: port, protocol: 'TCP' },
      { name: 'metrics', containerPort: port + 1000, protocol: 'TCP' },
    ],
    env: [
      { name: 'APP_NAME', value: app },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-secrets`, key: 'db-password' } } },
      { name: 'FEATURES', valueFrom: { configMapKeyRef: { name: `${app}-config`, key: 'features' } } },
    ],
    envFrom: [{ configMapRef: { name: `${app}-config` } }],
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    livenessProbe: {
      httpGet: { path: '/healthz', port },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      failureThreshold: 3,
    },
    readinessProbe: { httpGet: { path: '/ready', port }, periodSeconds: 5 },
    startupProbe: { tcpSocket: { port }, failureThreshold: 30, periodSeconds: 2 },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'secrets', mountPath: '/etc/secrets', readOnly: true },
      { name: 'cache', mountPath: '/var/cache/app' },
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function podTemplate(app: string) {
  return {
    metadata: { labels: labels(app), annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      containers: ['api', 'worker', 'sidecar', 'proxy', 'exporter'].map((name, i) =>
        container(app, name, 8080 + i),
      ),
      volumes: [
        { name: 'config', configMap: { name: `${app}-config` } },
        { name: 'secrets', secret: { secretName: `${app}-secrets` } },
        { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
      ],
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                labelSelector: { matchLabels: { 'app.kubernetes.io/name': app } },
                topologyKey: 'kubernetes.io/hostname',
              },
            },
          ],
        },
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] },
            ],
          },
        },
      },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' }],
      terminationGracePeriodSeconds: 30,
      securityContext: { fsGroup: 10001 },
    },
  };
}

const selector = (app: string) => ({ matchLabels: { 'app.kubernetes.io/name': app } });

/** The objects of one app, `app` its name: twelve objects of twelve kinds. */
export function appManifests(app: string, stateful: boolean): object[] {
  const meta = (name: string) => ({ name, labels: labels(app) });
  const objects: object[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(app),
      spec: {
        replicas: 3,
        selector: selector(app),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        template: podTemplate(app),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(app),
      spec: {
        selector: { 'app.kubernetes.io/name': app },
        ports: [
          { name: 'http', port: 80, targetPort: 'http' },
          { name: 'metrics', port: 9090, targetPort: 'metrics' },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${app}-config`),
      data: {
        features: 'search,recommendations,checkout-v2',
        'config.yaml': Array.from({ length: 60 }, (_, i) => `setting${i}: value-${i}`).join('\n'),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`${app}-secrets`),
      type: 'Opaque',
      stringData: { 'db-password': 'correct-horse-battery-staple', 'api-key': 'k'.repeat(64) },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(app),
      spec: {
        tls: [{ hosts: [`${app}.shop.example.com`], secretName: `${app}-tls` }],
        rules: [
          {
            host: `${app}.shop.example.com`,
            http: {
              paths: ['/', '/api', '/static'].map((path) => ({
                path,
                pathType: 'Prefix',
                backend: { service: { name: app, port: { name: 'http' } } },
              })),
            },
          },
        ],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(app),
      spec: {
        podSelector: selector(app),
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } } },
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } },
            ],
            ports: [{ protocol: 'TCP', port: 8080 }],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
      },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(app),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
        minReplicas: 3,
        maxReplicas: 20,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(app),
      spec: { minAvailable: 2, selector: selector(app) },
    },
    stateful
      ? {
          apiVersion: 'apps/v1',
          kind: 'StatefulSet',
          metadata: meta(`${app}-db`),
          spec: {
            serviceName: `${app}-db`,
            replicas: 3,
            selector: selector(`${app}-db`),
            template: { ...podTemplate(`${app}-db`) },
            volumeClaimTemplates: [
              {
                metadata: { name: 'data' },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
              },
              {
                metadata: { name: 'wal' },
                spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
              },
            ],
          },
        }
      : {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata: meta(`${app}-migrate`),
          spec: {
            backoffLimit: 4,
            activeDeadlineSeconds: 600,
            template: {
              metadata: { labels: labels(app) },
              spec: { ...podTemplate(app).spec, restartPolicy: 'Never' },
            },
          },
        },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(`${app}-reader`),
      rules: [
        { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(`${app}-reader`),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${app}-reader` },
      subjects: [{ kind: 'ServiceAccount', name: app }],
    },
    {
      apiVersion: `${CRD_GROUP}/v1`,
      kind: CRD_KIND,
      metadata: meta(`${app}-release`),
      spec: {
        schedule: '0 3 * * *',
        concurrency: 2,
        steps: ['build', 'test', 'scan', 'deploy'].map((name) => ({
          name,
          image: `registry.example.com/ci/${name}:2`,
          args: ['--app', app, '--verbose'],
          timeoutSeconds: 900,
        })),
        params: { region: 'eu-west-1', channel: 'stable' },
      },
    },
  ];
  return objects;
}

/** `count` objects: whole apps, the last one cut short. */
export function mixedManifests(count: number): object[] {
  const objects: object[] = [];
  for (let i = 0; objects.length < count; i++) objects.push(...appManifests(`app-${i}`, i % 2 === 0));
  return objects.slice(0, count);
}
