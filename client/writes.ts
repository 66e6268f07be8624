import { apiNames } from '../schema/api-names.ts';
import type { KubeqlClient } from './client.ts';
import type { Resource } from './types.ts';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  /** Precondition: delete only this version. */
  resourceVersion?: string;
}

/**
 * The writes controllers, agents and tools make, for any kind, each returning the
 * object as stored (`manifest`). An interface, so a controller's unit test can hand a
 * recording fake to its reconcile and assert the writes it makes.
 */
export interface ResourceWriter {
  create<T extends Resource>(obj: T): Promise<T>;
  /** Fails with CONFLICT when obj.metadata.resourceVersion is stale. */
  replace<T extends Resource>(obj: T): Promise<T>;
  /** JSON merge patch. */
  patch<T extends Resource = Resource>(
    kind: string,
    name: string,
    namespace: string | undefined,
    patch: unknown,
  ): Promise<T>;
  /** The object marked for deletion, or its last state when it is gone. */
  delete(
    kind: string,
    name: string,
    namespace: string | undefined,
    options?: DeleteOptions,
  ): Promise<Resource | null>;
  /** The status subresource; with resourceVersion, a CONFLICT when stale. */
  updateStatus<T extends Resource>(obj: T, status: unknown, resourceVersion?: string): Promise<T>;
  /** Binds a pending Pod to a Node; CONFLICT when it is already bound. */
  bind(namespace: string, name: string, nodeName: string): Promise<Resource>;
}

/** Declares and passes only the arguments given: cluster-scoped kinds have no `namespace`. */
function mutation(field: string, args: Record<string, [type: string, value: unknown]>) {
  const given = Object.entries(args).filter(([, [, value]]) => value !== undefined);
  const declared = given.map(([name, [type]]) => `$${name}: ${type}`).join(', ');
  const passed = given.map(([name]) => `${name}: $${name}`).join(', ');
  return {
    query: `mutation${declared ? `(${declared})` : ''} { ${field}${passed ? `(${passed})` : ''} { manifest } }`,
    variables: Object.fromEntries(given.map(([name, [, value]]) => [name, value])),
  };
}

export function resourceWriter(client: Pick<KubeqlClient, 'request'>): ResourceWriter {
  const run = async <T>(field: string, args: Record<string, [string, unknown]>): Promise<T> => {
    const { query, variables } = mutation(field, args);
    const data = await client.request<Record<string, { manifest: T } | null>>(query, variables);
    return data[field]?.manifest as T;
  };
  return {
    create: (obj) =>
      run(`create${obj.kind}`, {
        namespace: ['String', obj.metadata.namespace],
        [apiNames(obj.kind).one]: [`${obj.kind}Input!`, obj],
      }),
    replace: (obj) =>
      run(`replace${obj.kind}`, {
        namespace: ['String', obj.metadata.namespace],
        name: ['String!', obj.metadata.name],
        [apiNames(obj.kind).one]: [`${obj.kind}Input!`, obj],
      }),
    patch: (kind, name, namespace, patch) =>
      run(`patch${kind}`, {
        namespace: ['String', namespace],
        name: ['String!', name],
        patch: ['JSON!', patch],
      }),
    delete: (kind, name, namespace, options = {}) =>
      run(`delete${kind}`, {
        namespace: ['String', namespace],
        name: ['String!', name],
        propagationPolicy: ['PropagationPolicy', options.propagationPolicy],
        gracePeriodSeconds: ['Int', options.gracePeriodSeconds],
        resourceVersion: ['String', options.resourceVersion],
      }),
    updateStatus: (obj, status, resourceVersion) =>
      run(`update${obj.kind}Status`, {
        namespace: ['String', obj.metadata.namespace],
        name: ['String!', obj.metadata.name],
        status: [`${obj.kind}StatusInput!`, status],
        resourceVersion: ['String', resourceVersion],
      }),
    bind: (namespace, name, nodeName) =>
      run('bindPod', {
        namespace: ['String', namespace],
        name: ['String!', name],
        nodeName: ['String!', nodeName],
      }),
  };
}
