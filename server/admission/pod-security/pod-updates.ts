import type { Container, Pod } from '../../../schema/kinds/pod.ts';

/**
 * Whether a pod update is evaluated again. A pod's spec is immutable but for its images
 * (and deadlines, tolerations, scheduling gates, which no check reads), so Kubernetes
 * re-evaluates only an update that changes an image or adds an ephemeral container: one
 * that changes labels, annotations or finalizers cannot make a running pod violate.
 */
export function isSignificantPodUpdate(pod: Pod, old: Pod): boolean {
  const images = (cs: readonly Container[] | undefined) => (cs ?? []).map((c) => c.image);
  const changed = (a: readonly Container[] | undefined, b: readonly Container[] | undefined) => {
    const [x, y] = [images(a), images(b)];
    return x.length !== y.length || x.some((image, i) => image !== y[i]);
  };
  if (changed(pod.spec?.containers, old.spec?.containers)) return true;
  if (changed(pod.spec?.initContainers, old.spec?.initContainers)) return true;
  const before = new Map((old.spec?.ephemeralContainers ?? []).map((c) => [c.name, c.image]));
  return (pod.spec?.ephemeralContainers ?? []).some(
    (c) => !before.has(c.name) || before.get(c.name) !== c.image,
  );
}
