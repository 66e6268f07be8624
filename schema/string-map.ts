/**
 * A string map's (labels, annotations, ConfigMap or Secret data) own entry for `key`, or
 * undefined. `map[key]` would find what every object inherits for a key such as
 * `constructor`, which Kubernetes allows in these maps like any other.
 */
export function mapEntry(map: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return map && Object.hasOwn(map, key) ? map[key] : undefined;
}
