import { created, name, NONE, selectorText, type Columns } from './cells.ts';
import type { KindObjects } from './objects.ts';

/** kubectl's columns of Ingresses, IngressClasses, NetworkPolicies and EndpointSlices. */

type NetworkingKind = 'Ingress' | 'IngressClass' | 'NetworkPolicy' | 'EndpointSlice';
type IngressObject = KindObjects['Ingress'];
type EndpointSliceObject = KindObjects['EndpointSlice'];

/** kubectl's list of at most three values, `a,b,c + 2 more...`, and `<unset>` for none. */
function firstThree(values: string[]): string {
  if (!values.length) return '<unset>';
  const shown = values.slice(0, 3).join(',');
  return values.length > 3 ? `${shown} + ${values.length - 3} more...` : shown;
}

/** PORTS: each port's number, else its name, else `*`. */
function slicePorts(slice: EndpointSliceObject): string {
  return firstThree(
    (slice.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? '*'))),
  );
}

/** ENDPOINTS: every endpoint's addresses. */
function sliceAddresses(slice: EndpointSliceObject): string {
  return firstThree((slice.endpoints ?? []).flatMap((endpoint) => endpoint.addresses));
}

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
  EndpointSlice: {
    headers: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
    row: (slice, now) => [
      name(slice),
      slice.addressType,
      slicePorts(slice),
      sliceAddresses(slice),
      created(slice, now),
    ],
  },
};
