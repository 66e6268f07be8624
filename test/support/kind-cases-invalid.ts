/**
 * Manifests of the kinds Kubernetes added beyond the core workloads that Kubernetes
 * refuses, each with the field paths of every problem it reports, for
 * kinds-validation.test.ts. `message` is part of the first cause's message.
 */
export interface InvalidCase {
  what: string;
  manifest: string;
  fields: string[];
  message?: string;
}

const podTemplate = (labels: string, restartPolicy = '') => `  template:
    metadata:
      labels: ${labels}
    spec:
${restartPolicy ? `      restartPolicy: ${restartPolicy}\n` : ''}      containers:
      - name: nginx
        image: nginx
`;

export const INVALID_CASES: InvalidCase[] = [
  {
    what: 'a ReplicationController whose selector does not match its template',
    manifest: `apiVersion: v1
kind: ReplicationController
metadata:
  name: rc-mismatch
spec:
  selector:
    app: web
${podTemplate('{ app: api }')}`,
    fields: ['spec.template.metadata.labels'],
    message: '`selector` does not match template `labels`',
  },
  {
    what: 'a ReplicationController whose pods would not restart',
    manifest: `apiVersion: v1
kind: ReplicationController
metadata:
  name: rc-never
spec:
${podTemplate('{ app: web }', 'Never')}`,
    fields: ['spec.template.spec.restartPolicy'],
    message: 'supported values: "Always"',
  },
  {
    what: 'a ReplicationController with neither selector nor template',
    manifest: `apiVersion: v1
kind: ReplicationController
metadata:
  name: rc-empty
spec:
  replicas: -1
`,
    fields: ['spec.replicas', 'spec.selector', 'spec.template'],
  },
  {
    what: 'a Role rule without verbs or resources',
    manifest: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: no-verbs
rules:
- apiGroups: [""]
  verbs: []
`,
    fields: ['rules[0].verbs', 'rules[0].resources'],
    message: 'verbs must contain at least one value',
  },
  {
    what: 'a Role naming non-resource URLs',
    manifest: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: healthz
rules:
- nonResourceURLs: ["/healthz"]
  verbs: ["get"]
`,
    fields: ['rules[0].nonResourceURLs'],
    message: 'namespaced rules cannot apply to non-resource URLs',
  },
  {
    what: 'a RoleBinding to a kind that is no role, for a subject of no known kind',
    manifest: `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: odd-binding
subjects:
- kind: Robot
  name: r2d2
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Deployment
  name: web
`,
    fields: ['roleRef.kind', 'subjects[0].kind'],
  },
  {
    what: 'a ClusterRoleBinding to a ServiceAccount of no namespace',
    manifest: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: homeless-account
subjects:
- kind: ServiceAccount
  name: monitor
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
`,
    fields: ['subjects[0].namespace'],
  },
  {
    what: 'a PersistentVolumeClaim with no access mode and no size',
    manifest: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: no-size
spec:
  resources:
    requests: {}
`,
    fields: ['spec.accessModes', 'spec.resources[storage]'],
    message: 'at least 1 access mode is required',
  },
  {
    what: 'a PersistentVolumeClaim with an unknown access mode',
    manifest: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: odd-mode
spec:
  accessModes: [ReadWriteSometimes]
  resources:
    requests:
      storage: 1Gi
`,
    fields: ['spec.accessModes[0]'],
    message: 'Unsupported value: "ReadWriteSometimes"',
  },
  {
    what: 'a PersistentVolume with no capacity and no source',
    manifest: `apiVersion: v1
kind: PersistentVolume
metadata:
  name: nowhere
spec:
  accessModes: [ReadWriteOnce]
`,
    fields: ['spec', 'spec.capacity'],
  },
  {
    what: 'a local PersistentVolume with a second source and no node affinity',
    manifest: `apiVersion: v1
kind: PersistentVolume
metadata:
  name: two-sources
spec:
  capacity:
    storage: 100Gi
  accessModes: [ReadWriteOnce]
  local:
    path: /mnt/disks/ssd1
  nfs:
    server: nfs.example.com
    path: /exports
`,
    fields: ['spec.nfs', 'spec.nodeAffinity'],
  },
  {
    what: 'a StorageClass that recycles',
    manifest: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: recycler
provisioner: example.com/nfs
reclaimPolicy: Recycle
`,
    fields: ['reclaimPolicy'],
    message: 'supported values: "Delete", "Retain"',
  },
  {
    what: 'an Ingress path without a pathType',
    manifest: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: no-path-type
spec:
  rules:
  - http:
      paths:
      - path: /
        backend:
          service:
            name: web
            port:
              number: 80
`,
    fields: ['spec.rules[0].http.paths[0].pathType'],
  },
  {
    what: 'an Ingress Prefix path that is relative, to a Service port of neither name nor number',
    manifest: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: relative
spec:
  rules:
  - host: "*.foo.com"
    http:
      paths:
      - path: testpath
        pathType: Prefix
        backend:
          service:
            name: web
`,
    fields: ['spec.rules[0].http.paths[0].path', 'spec.rules[0].http.paths[0].backend'],
    message: 'must be an absolute path',
  },
  {
    what: 'an Ingress with neither rules nor a default backend, and a TLS host that is no name',
    manifest: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: empty-ingress
spec:
  tls:
  - hosts: ["*.*.example.com"]
    secretName: tls-secret
`,
    fields: ['spec', 'spec.tls[0].hosts[0]'],
  },
  {
    what: 'a NetworkPolicy peer of an ipBlock and pods, an except outside the block, a range from a named port',
    manifest: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: mixed-peer
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except: [10.0.0.0/24]
      podSelector:
        matchLabels:
          role: frontend
    ports:
    - port: http
      endPort: 8080
`,
    fields: [
      'spec.ingress[0].from[0]',
      'spec.ingress[0].from[0].ipBlock.except[0]',
      'spec.ingress[0].ports[0].endPort',
    ],
  },
  {
    what: 'a NetworkPolicy peer that names nothing',
    manifest: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: empty-peer
spec:
  podSelector: {}
  egress:
  - to:
    - {}
`,
    fields: ['spec.egress[0].to[0]'],
    message: 'must specify a peer',
  },
  {
    what: 'a LimitRange whose minimum is above its maximum, with defaults for pods',
    manifest: `apiVersion: v1
kind: LimitRange
metadata:
  name: upside-down
spec:
  limits:
  - type: Container
    min:
      memory: 1Gi
    max:
      memory: 500Mi
  - type: Pod
    default:
      cpu: 500m
`,
    fields: ['spec.limits[0].min[memory]', 'spec.limits[1].default'],
    message: 'min value 1Gi is greater than max value 500Mi',
  },
  {
    what: 'a ResourceQuota on a resource that is not one, and a negative one',
    manifest: `apiVersion: v1
kind: ResourceQuota
metadata:
  name: odd-quota
spec:
  hard:
    widgets: "3"
    pods: "-1"
`,
    fields: ['spec.hard[pods]', 'spec.hard[widgets]'],
  },
  {
    what: 'a PodDisruptionBudget with both minAvailable and maxUnavailable, one a bad percentage',
    manifest: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: both-budgets
spec:
  minAvailable: 2
  maxUnavailable: 150%
  selector:
    matchLabels:
      app: zookeeper
`,
    fields: ['spec', 'spec.maxUnavailable'],
    message: 'minAvailable and maxUnavailable cannot be both set',
  },
];
