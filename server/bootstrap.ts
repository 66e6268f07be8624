import net from 'node:net';
import os from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import type { KindDefinition } from '../schema/kind.ts';
import { kindByName } from '../schema/kinds/index.ts';
import { KUBEQL_INGRESS_CONTROLLER } from '../schema/kinds/ingressclass.ts';
import { defaultClusterRoleBindings, defaultClusterRoles } from './auth/default-roles.ts';
import { ApiError } from './errors.ts';
import type { ResourceService } from './resources/service.ts';

/** The namespaces a Kubernetes cluster always has. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Creates what every cluster starts with, once; a restart finds them and changes nothing. */
export async function bootstrapNamespaces(resources: ResourceService): Promise<void> {
  const def = kindByName('Namespace')!;
  for (const name of SYSTEM_NAMESPACES) {
    await createOnce(resources, def, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

/**
 * The default ClusterRoles (cluster-admin, admin, edit, view and the system roles every
 * caller holds) and their bindings, created when missing. Like Kubernetes' RBAC bootstrap,
 * an existing one is left as its owner changed it.
 */
export async function bootstrapRbac(resources: ResourceService): Promise<void> {
  const clusterRole = kindByName('ClusterRole')!;
  for (const role of defaultClusterRoles()) await createOnce(resources, clusterRole, role);
  const binding = kindByName('ClusterRoleBinding')!;
  for (const crb of defaultClusterRoleBindings()) await createOnce(resources, binding, crb);
}

/**
 * The default StorageClass `standard`: volumes made by the local-path provisioner on the
 * node where a claim's first pod is scheduled, deleted with their claim. Made when
 * missing at start, as Kubernetes distributions make theirs; changes to it are kept.
 */
export async function bootstrapStorage(resources: ResourceService): Promise<void> {
  const standard = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'kubeql.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
  await createOnce(resources, kindByName('StorageClass')!, standard);
}

/**
 * The default IngressClass `kubeql`, served by the ingress proxy each Docker node runs
 * (agent/ingress): an Ingress that names no class gets it. Made when missing at start,
 * as distributions that ship an ingress controller make theirs; changes to it are kept.
 */
export async function bootstrapIngressClass(resources: ResourceService): Promise<void> {
  const kubeql = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'kubeql', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: KUBEQL_INGRESS_CONTROLLER },
  };
  await createOnce(resources, kindByName('IngressClass')!, kubeql);
}

/** Where the API server can be reached from the cluster, as it starts listening. */
export interface ApiServing {
  /** The address it listens on; 0.0.0.0 or :: for every address of the host. */
  address: string;
  port: number;
  scheme: 'http' | 'https';
  /** The cluster CA (PEM) that signed its certificate, when it made one. */
  ca?: string;
}

/** The ClusterIP of the `kubernetes` Service: the first of the service range, which allocation never hands out. */
const KUBERNETES_SERVICE_IP = '10.96.0.1';
const API_PORT_NAME = 'https';

/**
 * What pods call the API through, as kube-apiserver's endpoint reconciler keeps them: the
 * `kubernetes` Service in `default` (ClusterIP 10.96.0.1, port 443 named https to the
 * server's port) and its Endpoints and EndpointSlice, at the address nodes reach the
 * server on. Written at every start, so a new port or address replaces the old one.
 * A node's service proxy connects from the node's host, so a server listening on
 * loopback is reached by the pods of nodes on its own machine; plain HTTP stays plain
 * behind port 443.
 */
export async function bootstrapApiService(resources: ResourceService, serving: ApiServing): Promise<void> {
  const ip = advertisedAddress(serving.address);
  const port = { name: API_PORT_NAME, port: serving.port, protocol: 'TCP' };
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  await ensure(resources, kindByName('Service')!, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: KUBERNETES_SERVICE_IP,
      clusterIPs: [KUBERNETES_SERVICE_IP],
      sessionAffinity: 'None',
      ports: [{ name: API_PORT_NAME, port: 443, protocol: 'TCP', targetPort: serving.port }],
    },
  });
  await ensure(resources, kindByName('Endpoints')!, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [{ addresses: [{ ip }], ports: [port] }],
  });
  await ensure(resources, kindByName('EndpointSlice')!, 'default', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    addressType: net.isIPv6(ip) ? 'IPv6' : 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [port],
  });
}

/**
 * `kube-public/cluster-info`, as kubeadm publishes it: a kubeconfig naming the server
 * and, over TLS with the cluster's own CA, its certificate-authority-data. The root CA
 * publisher copies that CA into every namespace's `kube-root-ca.crt`; over plain HTTP
 * (or a certificate of the user's) there is none, and `ca.crt` is empty.
 */
export async function bootstrapClusterInfo(resources: ResourceService, serving: ApiServing): Promise<void> {
  const host = advertisedAddress(serving.address);
  const cluster: Record<string, string> = {
    server: `${serving.scheme}://${net.isIPv6(host) ? `[${host}]` : host}:${serving.port}`,
  };
  if (serving.ca) cluster['certificate-authority-data'] = Buffer.from(serving.ca).toString('base64');
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: '', cluster }],
    contexts: null,
    'current-context': '',
    preferences: {},
    users: null,
  };
  await ensure(resources, kindByName('ConfigMap')!, 'kube-public', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cluster-info', namespace: 'kube-public' },
    data: { kubeconfig: stringify(kubeconfig) },
  });
}

/**
 * The address to publish for a server listening on `address`: that address when it is
 * one; for every address, the host's first external IPv4 (container bridges last), as
 * kube-apiserver advertises its first non-loopback one; loopback when there is none.
 */
function advertisedAddress(address: string): string {
  if (address !== '0.0.0.0' && address !== '::') return address;
  const external = Object.entries(os.networkInterfaces())
    .flatMap(([name, entries]) => (entries ?? []).map((entry) => ({ name, ...entry })))
    .filter((entry) => entry.family === 'IPv4' && !entry.internal);
  const bridge = (name: string) => /^(docker|br-|veth|kubeql|cni|virbr)/.test(name);
  return (external.find((entry) => !bridge(entry.name)) ?? external[0])?.address ?? '127.0.0.1';
}

/**
 * Creates the object, or replaces it when its content differs from `manifest` (the
 * fields given; what the server added is kept as stored).
 */
async function ensure(
  resources: ResourceService,
  def: KindDefinition,
  namespace: string,
  manifest: { metadata: { name: string } & Record<string, unknown> } & Record<string, unknown>,
): Promise<void> {
  const stored = resources.get(def, namespace, manifest.metadata.name);
  if (!stored) return createOnce(resources, def, manifest, namespace);
  const merged = mergeOver(stored, manifest);
  if (isDeepStrictEqual(merged, stored)) return;
  await resources.replace(def, namespace, manifest.metadata.name, merged);
}

/** `base` with the fields of `over` written on it, objects merged key by key, lists replaced. */
function mergeOver<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeOver(merged[key], value);
  return merged as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function createOnce(
  resources: ResourceService,
  def: KindDefinition,
  manifest: { metadata: { name: string } & Record<string, unknown> } & Record<string, unknown>,
  namespace?: string,
): Promise<void> {
  if (resources.get(def, namespace, manifest.metadata.name)) return;
  try {
    await resources.create(def, namespace, manifest);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'ALREADY_EXISTS')) throw error;
  }
}
