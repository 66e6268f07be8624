/** Who asks: a user and its groups. */
export interface Subject {
  user: string;
  groups: readonly string[];
}

/** Who asks to do what to which objects: the input of every authorization decision. */
export interface AccessAttributes {
  user: string;
  groups: readonly string[];
  /** get, list, watch, create, update, patch, delete, deletecollection, or a custom verb. */
  verb: string;
  /** "" for the core group. */
  apiGroup: string;
  /** The plural ("pods"). */
  resource: string;
  subresource?: string;
  /** Unset for a cluster-scoped resource, and for a list or watch across all namespaces. */
  namespace?: string;
  name?: string;
}

/** A request for a path outside the resources (`/metrics`, `/apis/apps`): a non-resource request. */
export interface PathAttributes {
  user: string;
  groups: readonly string[];
  /** get, post, put, ...: the HTTP method in lower case. */
  verb: string;
  path: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

/**
 * Kubernetes' wording of a refusal, which kubectl and client libraries print as they get it:
 * `pods "web" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"`.
 */
export function forbiddenMessage(attrs: AccessAttributes): string {
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const subject = attrs.apiGroup ? `${attrs.resource}.${attrs.apiGroup}` : attrs.resource;
  const object = attrs.name ? `${subject} "${attrs.name}"` : subject;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return `${object} is forbidden: User "${attrs.user}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
}

/** Kubernetes' wording of a refused non-resource request: `forbidden: User "alice" cannot get path "/metrics"`. */
export function forbiddenPathMessage(attrs: PathAttributes): string {
  return `forbidden: User "${attrs.user}" cannot ${attrs.verb} path "${attrs.path}"`;
}
