import type { Resource } from '../../client/index.ts';
import type { IngressClassSpec } from '../../schema/kinds/ingressclass.ts';
import type { IngressObject } from './routes.ts';

/** The label of the nodes that run the ingress proxy (kind labels its ingress node so too). */
export const INGRESS_READY_LABEL = 'ingress-ready';

/** The annotation that named an ingress' class before ingressClassName (still honoured). */
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

type IngressClassObject = Resource & { spec?: IngressClassSpec };

/**
 * The Ingresses a controller serves: those whose class (ingressClassName, else the old
 * annotation) is an IngressClass of that controller, and those naming no class while a
 * class of that controller is the default (admission writes the default class into new
 * Ingresses; older ones may still have none).
 */
export function servedIngresses(
  ingresses: IngressObject[],
  classes: IngressClassObject[],
  controller: string,
): IngressObject[] {
  const ours = classes.filter((c) => c.spec?.controller === controller);
  const names = new Set(ours.map((c) => c.metadata.name));
  const isDefault = ours.some((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return ingresses.filter((ingress) => {
    if (ingress.metadata.deletionTimestamp) return false;
    const name = ingress.spec?.ingressClassName ?? ingress.metadata.annotations?.[CLASS_ANNOTATION];
    return name === undefined ? isDefault : names.has(name);
  });
}
