/**
 * What a manifest of a served kind at another apiVersion is told: Kubernetes' mapping
 * error, with the version this cluster serves the kind at. Old manifests mostly meet it
 * for versions Kubernetes removed (extensions/v1beta1, apps/v1beta2, batch/v1beta1,
 * policy/v1beta1, networking.k8s.io/v1beta1, ...), whose objects the current version holds.
 */
export function noMatchesForVersion(kind: string, apiVersion: string, served?: string): string {
  const hint = served && served !== apiVersion ? `; use ${served}` : '';
  return `no matches for kind "${kind}" in version "${apiVersion}"${hint}`;
}
