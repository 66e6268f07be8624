import http from 'node:http';

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

/** One GraphQL POST over node's http (a keep-alive `agent`): the body as it came over the wire, and when its last byte did. */
export function postGraphQL(
  agent: http.Agent,
  url: string,
  token: string,
  request: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<{ body: Buffer; encoding?: string; ms: number }> {
  const body = JSON.stringify(request);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            body: Buffer.concat(chunks),
            encoding: res.headers['content-encoding'],
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
