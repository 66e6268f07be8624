/** The write workload both API benchmarks send: one createPod of a realistic pod. */
export const CREATE_POD = `mutation($ns: String, $pod: PodInput!) { createPod(namespace: $ns, pod: $pod) { metadata { resourceVersion } } }`;

/** A pod as a Deployment of the demo app would create it. */
export function pod(name: string) {
  return {
    metadata: { name, labels: { app: 'bench', shard: String(name.length % 10) } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'kubeql/demo-web:v1',
          ports: [{ containerPort: 8000 }],
          env: [{ name: 'WEBAPP_PORT', value: '8000' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
          readinessProbe: { httpGet: { path: '/', port: 8000 } },
        },
      ],
    },
  };
}

/** The p-th percentile of samples (nearest rank). */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
