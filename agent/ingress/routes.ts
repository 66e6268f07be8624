import type { Resource } from '../../client/index.ts';
import type { Ingress, IngressBackend } from '../../schema/kinds/ingress.ts';

export type IngressObject = Resource & Ingress;

/** Where one request goes: a port of a Service in the ingress' namespace. */
export interface Route {
  namespace: string;
  service: string;
  /** The Service port, by number or by name, as the Ingress names it. */
  port: { number?: number; name?: string };
  /** `namespace/name` of the Ingress that made the route (for logs and errors). */
  ingress: string;
}

interface PathRule {
  path: string;
  exact: boolean;
  route: Route;
  /** The Ingress' creation time: of two rules for the same host and path, the older wins. */
  created: string;
}

/**
 * The HTTP routes of every Ingress an ingress controller serves, merged as ingress-nginx
 * merges them, and the lookup of a request's host and path:
 *
 * - host: a rule's exact host (case-insensitive) first, then a wildcard host (`*.example.com`
 *   matches one label: `a.example.com`, not `example.com` or `a.b.example.com`), then the
 *   rules without a host;
 * - path within that host: an Exact path equal to the request's; else the longest Prefix
 *   path that matches whole `/`-separated elements (`/foo` matches `/foo`, `/foo/` and
 *   `/foo/bar`, not `/foobar`; a trailing `/` in the rule is ignored). ImplementationSpecific
 *   paths match as Prefix does here;
 * - of two Ingresses claiming the same host, path and type, the older one (then the first
 *   by namespace/name);
 * - nothing matched: the oldest Ingress' defaultBackend, else none (the proxy answers 404).
 *
 * Backends that name a `resource` instead of a Service are not routed (no controller here
 * serves storage buckets).
 */
export class RouteTable {
  private readonly exactHosts = new Map<string, PathRule[]>();
  private readonly wildcardHosts = new Map<string, PathRule[]>();
  private readonly anyHost: PathRule[] = [];
  private readonly defaultBackend?: Route;

  constructor(ingresses: IngressObject[]) {
    const ordered = [...ingresses].sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        ingressKey(a).localeCompare(ingressKey(b)),
    );
    for (const ingress of ordered) {
      const created = ingress.metadata.creationTimestamp ?? '';
      const fallback = ingress.spec?.defaultBackend && routeTo(ingress, ingress.spec.defaultBackend);
      if (fallback) this.defaultBackend ??= fallback;
      for (const rule of ingress.spec?.rules ?? []) {
        const host = rule.host?.toLowerCase();
        const rules = !host
          ? this.anyHost
          : host.startsWith('*.')
            ? listIn(this.wildcardHosts, host.slice(2))
            : listIn(this.exactHosts, host);
        for (const p of rule.http?.paths ?? []) {
          const route = routeTo(ingress, p.backend);
          if (!route) continue;
          const exact = p.pathType === 'Exact';
          const path = exact ? (p.path ?? '/') : trimSlash(p.path ?? '/');
          if (rules.some((r) => r.exact === exact && r.path === path)) continue;
          rules.push({ path, exact, route, created });
        }
      }
    }
  }

  /** The route for a request's Host header (port ignored) and path (query ignored), if any. */
  match(hostHeader: string | undefined, url: string): Route | undefined {
    const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
    const path = decodePath(url);
    const dot = host.indexOf('.');
    const candidates = [
      this.exactHosts.get(host),
      dot > 0 ? this.wildcardHosts.get(host.slice(dot + 1)) : undefined,
      this.anyHost,
    ];
    for (const rules of candidates) {
      const found = rules && matchPath(rules, path);
      if (found) return found;
    }
    return this.defaultBackend;
  }
}

function matchPath(rules: PathRule[], path: string): Route | undefined {
  const exact = rules.find((r) => r.exact && r.path === path);
  if (exact) return exact.route;
  let best: PathRule | undefined;
  for (const rule of rules) {
    if (rule.exact || !prefixMatches(rule.path, path)) continue;
    if (!best || rule.path.length > best.path.length) best = rule;
  }
  return best?.route;
}

/** Whether a Prefix rule (without its trailing slash) matches the path element by element. */
function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '') return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

function decodePath(url: string): string {
  const path = url.split('?', 1)[0] || '/';
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

function routeTo(ingress: IngressObject, backend: IngressBackend): Route | undefined {
  if (!backend.service) return undefined;
  const { number, name } = backend.service.port ?? {};
  return {
    namespace: ingress.metadata.namespace ?? 'default',
    service: backend.service.name,
    port: number ? { number } : { name: name ?? undefined },
    ingress: ingressKey(ingress),
  };
}

function ingressKey(ingress: IngressObject): string {
  return `${ingress.metadata.namespace}/${ingress.metadata.name}`;
}

function listIn(map: Map<string, PathRule[]>, key: string): PathRule[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
