/**
 * The one object a list or watch selects by `metadata.name=X` (or `==`) in its field
 * selector: what Kubernetes authorizes such a request for, as a get of that name, so that a
 * caller granted one object (a node, its pod's Secret; a resourceNames rule) may watch it.
 */
export function selectedName(fieldSelector: string | null | undefined): string | undefined {
  for (const term of fieldSelector?.split(',') ?? []) {
    const match = /^\s*metadata\.name\s*==?\s*(\S+?)\s*$/.exec(term);
    if (match) return match[1];
  }
  return undefined;
}
