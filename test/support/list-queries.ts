import { expect } from 'vitest';
import type { GraphQLResponse, TestCluster } from './harness.ts';

// Shared by the lists-*.test.ts files: manifests to apply, and lists of ConfigMaps and
// Pods as kubectl asks for them (selectors, namespaces, pages).

/** What `apply` answers with for each object (the selection `apply` below makes). */
export interface AppliedObject {
  kind: string;
  metadata: { name: string; namespace: string | null; uid: string };
}

export interface ListConfigMapsArgs {
  namespace?: string | null;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string | null;
}

/** One page of ConfigMaps, with the fields listConfigMaps selects. */
export interface ConfigMapPage {
  metadata: { resourceVersion: string; continue: string | null; remainingItemCount: number | null };
  items: Array<{ metadata: { name: string; namespace: string }; data: Record<string, string> | null }>;
}

/** apply and the list queries against `cluster`. */
export function listApi(cluster: TestCluster) {
  async function apply(manifests: string, namespace?: string): Promise<AppliedObject[]> {
    const data = await cluster.ok<{ apply: AppliedObject[] }>(
      `mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { kind metadata { name namespace uid } } }`,
      { m: manifests, ns: namespace },
    );
    return data.apply;
  }

  function listConfigMaps(args: ListConfigMapsArgs): Promise<GraphQLResponse<{ configMaps: ConfigMapPage }>> {
    return cluster.gql<{ configMaps: ConfigMapPage }>(
      `query($ns: String, $l: String, $f: String, $limit: Int, $c: String) {
        configMaps(namespace: $ns, labelSelector: $l, fieldSelector: $f, limit: $limit, continue: $c) {
          metadata { resourceVersion continue remainingItemCount }
          items { metadata { name namespace } data }
        }
      }`,
      {
        ns: args.namespace,
        l: args.labelSelector,
        f: args.fieldSelector,
        limit: args.limit,
        c: args.continue,
      },
    );
  }

  async function configMapNames(args: ListConfigMapsArgs): Promise<string[]> {
    const result = await listConfigMaps(args);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.configMaps.items.map((i) => i.metadata.name);
  }

  async function podNames(
    namespace: string | null,
    fieldSelector?: string,
    labelSelector?: string,
  ): Promise<string[]> {
    const data = await cluster.ok<{ pods: { items: Array<{ metadata: { name: string } }> } }>(
      `query($ns: String, $f: String, $l: String) {
        pods(namespace: $ns, fieldSelector: $f, labelSelector: $l) { items { metadata { name } } }
      }`,
      { ns: namespace, f: fieldSelector, l: labelSelector },
    );
    return data.pods.items.map((i) => i.metadata.name);
  }

  return { apply, listConfigMaps, configMapNames, podNames };
}

export function configMap(name: string, labels: Record<string, string> = {}, namespace?: string): string {
  const meta = [`  name: ${name}`, namespace ? `  namespace: ${namespace}` : ''].filter(Boolean).join('\n');
  const labelLines = Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n${meta}\n${labelLines ? `  labels:\n${labelLines}\n` : ''}data:\n  name: ${name}\n`;
}

export function pod(name: string, labels: Record<string, string> = {}, extraMeta = ''): string {
  const labelLines = Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${labelLines ? `  labels:\n${labelLines}\n` : ''}${extraMeta}spec:
  containers:
  - name: app
    image: nginx:1.27
`;
}

/** Asserts a GraphQL error with `code`, and returns it. */
export function expectCode(result: GraphQLResponse<unknown>, code: string) {
  expect(result.errors, `expected ${code}, got ${JSON.stringify(result)}`).toBeDefined();
  expect(result.errors![0].extensions?.code, result.errors![0].message).toBe(code);
  return result.errors![0];
}
