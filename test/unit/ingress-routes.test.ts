import { describe, expect, it } from 'vitest';
import { servedIngresses } from '../../agent/ingress/ingress-class.ts';
import { RouteTable, type IngressObject } from '../../agent/ingress/routes.ts';

type Path = { path?: string; pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific'; to: string };

function ingress(
  name: string,
  rules: Array<{ host?: string; paths: Path[] }>,
  extra: { created?: string; defaultBackend?: string; className?: string; annotation?: string } = {},
): IngressObject {
  const backend = (to: string) => ({ service: { name: to, port: { number: 80 } } });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: 'web',
      creationTimestamp: extra.created ?? '2026-01-01T00:00:00Z',
      ...(extra.annotation ? { annotations: { 'kubernetes.io/ingress.class': extra.annotation } } : {}),
    },
    spec: {
      ...(extra.className ? { ingressClassName: extra.className } : {}),
      ...(extra.defaultBackend ? { defaultBackend: backend(extra.defaultBackend) } : {}),
      rules: rules.map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: { paths: r.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: backend(p.to) })) },
      })),
    },
  } as IngressObject;
}

const to = (table: RouteTable, host: string, path: string) => table.match(host, path)?.service;

describe('ingress routes', () => {
  it('matches Prefix paths element by element, the longest first, and Exact paths before them', () => {
    const table = new RouteTable([
      ingress('site', [
        {
          host: 'shop.example.com',
          paths: [
            { path: '/', pathType: 'Prefix', to: 'home' },
            { path: '/api/', pathType: 'Prefix', to: 'api' },
            { path: '/api/v2', pathType: 'Prefix', to: 'api-v2' },
            { path: '/api', pathType: 'Exact', to: 'api-root' },
          ],
        },
      ]),
    ]);
    expect(to(table, 'shop.example.com', '/')).toBe('home');
    expect(to(table, 'shop.example.com', '/api')).toBe('api-root');
    expect(to(table, 'shop.example.com', '/api/')).toBe('api');
    expect(to(table, 'shop.example.com', '/api/users?page=2')).toBe('api');
    expect(to(table, 'shop.example.com', '/api/v2/users')).toBe('api-v2');
    expect(to(table, 'shop.example.com', '/api/v20')).toBe('api');
    expect(to(table, 'shop.example.com', '/apiary')).toBe('home');
    expect(to(table, 'SHOP.example.com:8081', '/api/x')).toBe('api');
  });

  it('prefers an exact host to a wildcard one (one label deep) to the rules without a host', () => {
    const table = new RouteTable([
      ingress('hosts', [
        { host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', to: 'exact' }] },
        { host: '*.example.com', paths: [{ path: '/', pathType: 'Prefix', to: 'wild' }] },
        { paths: [{ path: '/', pathType: 'Prefix', to: 'any' }] },
      ]),
    ]);
    expect(to(table, 'a.example.com', '/')).toBe('exact');
    expect(to(table, 'b.example.com', '/')).toBe('wild');
    expect(to(table, 'c.b.example.com', '/')).toBe('any');
    expect(to(table, 'example.com', '/')).toBe('any');
    expect(to(table, '', '/')).toBe('any');
  });

  it('falls back to a host-less rule when the host has no matching path, then to the default backend', () => {
    const table = new RouteTable([
      ingress('a', [{ host: 'a.test', paths: [{ path: '/only', pathType: 'Exact', to: 'only' }] }], {
        defaultBackend: 'fallback',
      }),
    ]);
    expect(to(table, 'a.test', '/only')).toBe('only');
    expect(to(table, 'a.test', '/other')).toBe('fallback');
    expect(new RouteTable([]).match('a.test', '/')).toBeUndefined();
  });

  it('gives a host and path two Ingresses claim to the older one', () => {
    const rule = (name: string) => [
      { host: 'x.test', paths: [{ path: '/', pathType: 'Prefix' as const, to: name }] },
    ];
    const table = new RouteTable([
      ingress('newer', rule('newer'), { created: '2026-02-01T00:00:00Z' }),
      ingress('older', rule('older'), { created: '2026-01-01T00:00:00Z' }),
    ]);
    expect(to(table, 'x.test', '/')).toBe('older');
    expect(table.match('x.test', '/')?.ingress).toBe('web/older');
  });

  it('serves the Ingresses of its classes, and the classless ones when its class is the default', () => {
    const classes = [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'ours', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
        spec: { controller: 'kubeql.io/ingress' },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IngressClass',
        metadata: { name: 'nginx' },
        spec: { controller: 'k8s.io/ingress-nginx' },
      },
    ];
    const all = [
      ingress('named', [], { className: 'ours' }),
      ingress('annotated', [], { annotation: 'ours' }),
      ingress('classless', []),
      ingress('theirs', [], { className: 'nginx' }),
      ingress('unknown-class', [], { className: 'missing' }),
    ];
    const names = (list: IngressObject[]) => list.map((i) => i.metadata.name);
    expect(names(servedIngresses(all, classes, 'kubeql.io/ingress'))).toEqual([
      'named',
      'annotated',
      'classless',
    ]);
    const notDefault = [{ ...classes[0], metadata: { name: 'ours' } }];
    expect(names(servedIngresses(all, notDefault, 'kubeql.io/ingress'))).toEqual(['named', 'annotated']);
  });
});
