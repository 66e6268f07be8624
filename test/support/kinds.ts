import { expect } from 'vitest';
import type { ObjectMeta } from '../../schema/kinds/meta.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import type { GraphQLResponse, TestCluster } from './harness.ts';

// Shared by the kinds-*.test.ts files: every kind through the real HTTP endpoint, as a
// kubectl user meets it (apply, read, list, replace, patch, delete), the defaults
// Kubernetes fills in and the validation it answers with.

/** The metadata the server sets on every object it stores. */
export type StoredMeta = ObjectMeta & {
  name: string;
  uid: string;
  resourceVersion: string;
  generation: number;
  creationTimestamp: string;
};

/** An object of a kind's type (from its schema) as the API reads it back. */
export type Stored<T> = T & { apiVersion: string; kind: string; metadata: StoredMeta };

/** What every kind's type has in common. */
export interface KindObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** What `apply` answers with (the selection applyManifests makes). */
export interface Applied {
  apply: Array<{
    kind: string;
    metadata: {
      name: string;
      namespace: string | null;
      uid: string;
      resourceVersion: string;
      generation: number;
    };
  }>;
}

/** One kind's walk through the API: its manifest and what the server makes of it. */
export interface KindCase<T extends KindObject = KindObject> {
  kind: string;
  namespaced: boolean;
  /** The object's name where the kind rules it (a CRD's is `<plural>.<group>`); `k-<kind>` otherwise. */
  name?: string;
  /** The manifest as a user writes it for kubectl (no namespace: apply is given one). */
  manifest(name: string, namespace: string): string;
  /** The kind's own fields to read back, beyond apiVersion, kind and metadata. */
  select: string;
  /** Server-side defaults and other facts about the created object. */
  created(obj: Stored<T>, name: string): void;
  /** A change to spec for `replace`: generation must go up. Kinds without spec change content instead. */
  change(manifest: T): void;
  changed(obj: Stored<T>): void;
  patch: Record<string, unknown>;
  patched(obj: Stored<T>): void;
  /** Whether the kind has a spec (and so a generation that follows it). */
  hasSpec: boolean;
  /** What finishes a deletion the API only marks (a Namespace waits for its controller). */
  finishDeletion?(cluster: TestCluster, name: string): Promise<void>;
}

/** apply and createNamespace against `cluster`. */
export function kindApi(cluster: TestCluster) {
  return {
    applyManifests(
      manifests: string,
      namespace?: string,
      dryRun?: boolean,
    ): Promise<GraphQLResponse<Applied>> {
      return cluster.gql<Applied>(
        `mutation($m: String!, $ns: String, $dry: Boolean) {
          apply(manifests: $m, namespace: $ns, dryRun: $dry) { kind metadata { name namespace uid resourceVersion generation } }
        }`,
        { m: manifests, ns: namespace, dry: dryRun },
      );
    },
    async createNamespace(name: string, labels?: Record<string, string>): Promise<void> {
      await cluster.ok(
        `mutation($n: String!, $l: StringMap) { createNamespace(namespace: { metadata: { name: $n, labels: $l } }) { kind } }`,
        { n: name, l: labels },
      );
    },
  };
}

/** Asserts a GraphQL error with `code` and, when given, exactly these causes' field paths. */
export function expectError(result: GraphQLResponse<unknown>, code: string, fields?: string[]) {
  expect(result.errors, `expected ${code}, got ${JSON.stringify(result)}`).toBeDefined();
  const error = result.errors![0];
  expect(error.extensions?.code, error.message).toBe(code);
  if (fields) expect((error.extensions?.causes ?? []).map((c) => c.field).sort()).toEqual([...fields].sort());
  return error;
}

export const podSpecFields = `restartPolicy terminationGracePeriodSeconds dnsPolicy schedulerName
  containers { name image imagePullPolicy terminationMessagePath terminationMessagePolicy ports { containerPort protocol } }`;

export function expectPodSpecDefaults(spec: PodSpec | undefined) {
  expect(spec?.restartPolicy).toBe('Always');
  expect(spec?.terminationGracePeriodSeconds).toBe(30);
  expect(spec?.dnsPolicy).toBe('ClusterFirst');
  expect(spec?.schedulerName).toBe('default-scheduler');
  for (const c of spec?.containers ?? []) {
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    expect(c.terminationMessagePolicy).toBe('File');
    for (const p of c.ports ?? []) expect(p.protocol).toBe('TCP');
  }
}

/** Whether `ip` is a host address in the service CIDR, 10.96.0.0/12. */
export function inServiceCIDR(ip: string | undefined): boolean {
  const parts = (ip ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return false;
  const value = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
  const base = ((10 << 24) >>> 0) + (96 << 16);
  return value > base && value < base + 2 ** 20 - 1;
}

/** A KindCase typed by its kind, for a list of them all. */
export function kindCase<T extends KindObject>(c: KindCase<T>): KindCase {
  return c;
}
