/**
 * One step of a field path, in the form FieldsV1 writes it as a key: `f:<field>` (a field
 * of an object or a key of a map), `k:{"name":"web"}` (the item of a keyed list with
 * those key fields), `v:<json>` (a value of a set list), `i:<n>` (an index).
 */
export type PathElement = string;

export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/**
 * The key fields in name order, so the same item always gives the same element: the JSON
 * of an object of those fields, written out without building one (every item of every
 * keyed list is keyed on every write).
 */
export function keyElement(key: Record<string, unknown>): PathElement {
  let element = 'k:{';
  for (const name of Object.keys(key).sort()) {
    if (key[name] === undefined) continue;
    if (element.length > 3) element += ',';
    element += `${JSON.stringify(name)}:${JSON.stringify(key[name])}`;
  }
  return `${element}}`;
}

/** Whether a FieldsV1 key is a path element this server can read. */
export function isPathElement(element: string): boolean {
  const kind = element.slice(0, 2);
  const rest = element.slice(2);
  if (kind === 'f:') return rest.length > 0;
  if (kind === 'i:') return /^\d+$/.test(rest);
  if (kind !== 'k:' && kind !== 'v:') return false;
  try {
    const parsed: unknown = JSON.parse(rest);
    return kind === 'v:' || (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed));
  } catch {
    return false;
  }
}

/**
 * A path as Kubernetes prints it in apply conflicts: `.spec.replicas`,
 * `.spec.template.spec.containers[name="web"].image`, `.metadata.finalizers[="a"]`.
 */
export function printPath(path: readonly PathElement[]): string {
  return path.map(printElement).join('');
}

function printElement(element: PathElement): string {
  const rest = element.slice(2);
  switch (element.slice(0, 2)) {
    case 'f:':
      return `.${rest}`;
    case 'k:': {
      const key = JSON.parse(rest) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(',')}]`;
    }
    case 'v:':
      return `[=${rest}]`;
    default:
      return `[${rest}]`;
  }
}
