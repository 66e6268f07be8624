const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;
const STABILITY = { '': 2, beta: 1, alpha: 0 } as const;

/**
 * Orders version names as Kubernetes prefers them: GA before beta before alpha, a
 * higher major (then minor) first, and names that are not Kubernetes versions last,
 * alphabetically (v1 > v1beta2 > v1beta1 > v1alpha1 > foo1). Discovery lists a group's
 * versions in this order, the first being the preferred one.
 */
export function compareVersionPriority(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const stability = (m: RegExpExecArray) => STABILITY[(m[2] ?? '') as keyof typeof STABILITY];
  return (
    stability(mb) - stability(ma) || Number(mb[1]) - Number(ma[1]) || Number(mb[3] ?? 0) - Number(ma[3] ?? 0)
  );
}
