import type { Connection } from './connection.ts';

/**
 * A kubeconfig for kubectl (and any client-go program) naming the same cluster as kq:
 * the server's root (its Kubernetes REST API sits beside /graphql), the cluster CA as
 * certificate-authority-data, the token, and one context, "kubeql", with the namespace.
 */
export function kubeconfigFor(connection: Connection, namespace: string): Record<string, unknown> {
  const cluster: Record<string, string> = { server: new URL(connection.url).origin };
  if (connection.ca) cluster['certificate-authority-data'] = Buffer.from(connection.ca).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kubeql', cluster }],
    users: [{ name: 'kubeql-admin', user: { token: connection.token } }],
    contexts: [{ name: 'kubeql', context: { cluster: 'kubeql', user: 'kubeql-admin', namespace } }],
    'current-context': 'kubeql',
    preferences: {},
  };
}
