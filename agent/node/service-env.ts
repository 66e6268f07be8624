import type { Resource } from '../../client/index.ts';
import type { ServiceSpec } from '../../schema/kinds/service.ts';

type ServiceObject = Resource & { spec?: ServiceSpec };

/** Services whose variables every pod gets, enableServiceLinks or not (the kubelet's "master services"). */
const MASTER_SERVICE_NAMESPACE = 'default';
const MASTER_SERVICES = new Set(['kubernetes']);

/**
 * The environment the kubelet gives a pod's containers about Services: for every
 * service with a cluster IP in the pod's namespace (only with enableServiceLinks, the
 * default) and for `kubernetes` in `default` (always):
 * `<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT` (first port), `<SVC>_SERVICE_PORT_<NAME>`
 * (named ports), and Docker links' `<SVC>_PORT`, `<SVC>_PORT_<port>_<PROTO>` with
 * `_PROTO`, `_PORT` and `_ADDR`. Names are upper-cased with dashes as underscores. A
 * same-named service in the pod's namespace wins over `kubernetes` in `default`.
 * Variables a container sets itself take precedence over these (the caller's merge).
 */
export function serviceEnvironment(
  services: Iterable<ServiceObject>,
  namespace: string,
  enableServiceLinks = true,
): Record<string, string> {
  const chosen = new Map<string, ServiceObject>();
  for (const service of services) {
    const { name, namespace: ns } = service.metadata;
    if (!name || !hasClusterIP(service)) continue;
    if (ns === MASTER_SERVICE_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, service);
    } else if (ns === namespace && enableServiceLinks) {
      chosen.set(name, service);
    }
  }
  const env: Record<string, string> = {};
  for (const [name, service] of [...chosen].sort(([a], [b]) => a.localeCompare(b))) {
    Object.assign(env, variablesOf(name, service.spec!));
  }
  return env;
}

function hasClusterIP(service: ServiceObject): boolean {
  const ip = service.spec?.clusterIP;
  return !!ip && ip !== 'None' && (service.spec?.ports?.length ?? 0) > 0;
}

const envName = (text: string) => text.toUpperCase().replace(/-/g, '_');

function variablesOf(name: string, spec: ServiceSpec): Record<string, string> {
  const prefix = envName(name);
  const ip = spec.clusterIP!;
  const ports = spec.ports!;
  const env: Record<string, string> = {
    [`${prefix}_SERVICE_HOST`]: ip,
    [`${prefix}_SERVICE_PORT`]: String(ports[0].port),
  };
  for (const port of ports) {
    if (port.name) env[`${prefix}_SERVICE_PORT_${envName(port.name)}`] = String(port.port);
  }
  ports.forEach((port, i) => {
    const protocol = port.protocol ?? 'TCP';
    const url = `${protocol.toLowerCase()}://${ip}:${port.port}`;
    // Docker links special-case the first port.
    if (i === 0) env[`${prefix}_PORT`] = url;
    const portPrefix = `${prefix}_PORT_${port.port}_${protocol.toUpperCase()}`;
    env[portPrefix] = url;
    env[`${portPrefix}_PROTO`] = protocol.toLowerCase();
    env[`${portPrefix}_PORT`] = String(port.port);
    env[`${portPrefix}_ADDR`] = ip;
  });
  return env;
}
