import { kindByName } from '../../schema/kinds/index.ts';
import { ApiError, notFound } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { PodUidLookup, TokenBinding } from './service-account-tokens.ts';

/** The object a TokenRequest binds its token to (spec.boundObjectRef). */
export interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

/** What a TokenRequest asks for beyond the ServiceAccount and the lifetime. */
export interface TokenRequestSpec {
  audiences?: readonly string[];
  boundObjectRef?: BoundObjectRef;
}

/** Where stored Pods are looked up, for tokens bound to one. */
export function podUidLookup(resources: ResourceService): PodUidLookup {
  const pod = kindByName('Pod')!;
  return (namespace, name) => resources.get(pod, namespace, name)?.metadata.uid;
}

/**
 * A TokenRequest's audiences and bound object, checked as Kubernetes checks them: only
 * Pods may be bound here (Kubernetes also binds Secrets and Nodes), the Pod must be in
 * the ServiceAccount's namespace and, when a uid is given, be that very object.
 */
export function tokenBinding(
  resources: ResourceService,
  namespace: string,
  account: string,
  spec: TokenRequestSpec,
): TokenBinding {
  const ref = spec.boundObjectRef;
  if (!ref) return { audiences: spec.audiences };
  if (ref.kind !== 'Pod' || (ref.apiVersion !== undefined && ref.apiVersion !== 'v1')) {
    throw new ApiError(
      'INVALID',
      `TokenRequest.authentication.k8s.io "${account}" is invalid: spec.boundObjectRef.kind: Unsupported value: "${ref.kind ?? ''}": supported values: "Pod"`,
      [{ path: 'spec.boundObjectRef.kind', reason: 'NotSupported', message: 'supported values: "Pod"' }],
    );
  }
  const uid = podUidLookup(resources)(namespace, ref.name ?? '');
  if (!uid) throw notFound('pods', ref.name ?? '');
  if (ref.uid && ref.uid !== uid) {
    throw new ApiError(
      'CONFLICT',
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return { audiences: spec.audiences, pod: { name: ref.name!, uid } };
}
