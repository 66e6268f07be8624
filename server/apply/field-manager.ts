/** Who writes, for managedFields: the request's fieldManager, or what Kubernetes derives without one. */
export interface FieldOwner {
  fieldManager?: string;
  /** The subresource the write came through (`scale`), when not the object or its status. */
  subresource?: 'scale';
}

/** The manager of writes that name none and carry no User-Agent (the API's own clients, GraphQL). */
export const DEFAULT_FIELD_MANAGER = 'kubeql';

/** Kubernetes' bound on a fieldManager's length. */
const MAX_FIELD_MANAGER = 128;

/**
 * The manager of a write without fieldManager, as the Kubernetes API server derives it:
 * the User-Agent's product name (`kubectl/v1.31.0 (linux/amd64) ...` → `kubectl`).
 */
export function managerFromUserAgent(userAgent: string | undefined): string | undefined {
  const product = userAgent?.split('/')[0].trim();
  return product ? product.slice(0, MAX_FIELD_MANAGER) : undefined;
}
