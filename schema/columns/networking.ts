import { created, name, NONE, selectorText, type Columns } from './cells.ts';
import type { KindObjects } from './objects.ts';

/** kubectl's columns of Ingresses, IngressClasses and NetworkPolicies. */

type NetworkingKind = 'Ingress' | 'IngressClass' | 'NetworkPolicy';
type IngressObject = KindObjects['Ingress'];

/** HOSTS: the rules' hosts, at most four shown, "*" when no rule names one. */
function ingressHosts(ingress: IngressObject): string {
  const hosts = (ingress.spec?.rules ?? []).map((rule) => rule.host).filter((host): host is string => !!host);
  if (!hosts.length) return '*';
  const shown = hosts.slice(0, 4).join(',');
  return hosts.length > 4 ? `${shown} + ${hosts.length - 4} more...` : shown;
}

function ingressAddress(ingress: IngressObject): string {
  return (ingress.status?.loadBalancer?.ingress ?? [])
    .map((lb) => lb.ip || lb.hostname)
    .filter(Boolean)
    .join(',');
}

export const NETWORKING_COLUMNS: { [K in NetworkingKind]: Columns<KindObjects[K]> } = {
  Ingress: {
    headers: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
    row: (ing, now) => [
      name(ing),
      ing.spec?.ingressClassName ?? NONE,
      ingressHosts(ing),
      ingressAddress(ing),
      ing.spec?.tls?.length ? '80, 443' : '80',
      created(ing, now),
    ],
  },
  IngressClass: {
    headers: ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
    row: (ic, now) => {
      const p = ic.spec?.parameters;
      const parameters = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : NONE;
      return [name(ic), ic.spec?.controller ?? '', parameters, created(ic, now)];
    },
  },
  NetworkPolicy: {
    headers: ['NAME', 'POD-SELECTOR', 'AGE'],
    row: (np, now) => [name(np), selectorText(np.spec?.podSelector), created(np, now)],
  },
};
