/** The subresources of a pod that stream rather than read or write the object. */
export const POD_STREAM_SUBRESOURCES = ['log', 'exec', 'attach', 'portforward'] as const;

export type PodStreamSubresource = (typeof POD_STREAM_SUBRESOURCES)[number];

export interface PodSubresource {
  namespace: string;
  name: string;
  subresource: PodStreamSubresource;
}

/**
 * The pod and subresource a core-group path names (`rest` follows /api/v1):
 * `namespaces/{ns}/pods/{name}/{log|exec|attach|portforward}`, or undefined.
 */
export function podSubresourceOf(
  group: string,
  version: string,
  rest: readonly string[],
): PodSubresource | undefined {
  if (group !== '' || version !== 'v1' || rest.length !== 5) return undefined;
  const [namespaces, namespace, pods, name, subresource] = rest;
  if (namespaces !== 'namespaces' || pods !== 'pods') return undefined;
  if (!(POD_STREAM_SUBRESOURCES as readonly string[]).includes(subresource)) return undefined;
  return { namespace, name, subresource: subresource as PodStreamSubresource };
}

/** The path's pod subresource, for a request's URL path (undecoded, as it came). */
export function podSubresourceAt(pathname: string): PodSubresource | undefined {
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] !== 'api') return undefined;
  try {
    return podSubresourceOf('', parts[1], parts.slice(2).map(decodeURIComponent));
  } catch {
    // A malformed escape: no pod by that name.
    return undefined;
  }
}
