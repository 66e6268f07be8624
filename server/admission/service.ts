import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Service, ServiceSpec } from '../../schema/kinds/service.ts';
import type { AdmissionContext, KindAdmission } from './admission.ts';
import {
  allocateClusterIP,
  allocateNodePort,
  inServiceRange,
  NODE_PORT_MAX,
  NODE_PORT_MIN,
  parseIPv4,
  SERVICE_CIDR,
} from './service-allocation.ts';
import * as validation from './validation.ts';

type ServiceObject = Service & Resource;

const DEFAULT_CLIENT_IP_TIMEOUT = 10800;
const MAX_CLIENT_IP_TIMEOUT = 86400;

const needsClusterIP = (spec: ServiceSpec) => spec.type !== 'ExternalName';
const needsNodePorts = (spec: ServiceSpec) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const needsHealthCheckNodePort = (spec: ServiceSpec) =>
  spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
/** Reachable from outside the cluster: only then does externalTrafficPolicy mean anything. */
const externallyAccessible = (spec: ServiceSpec) =>
  needsNodePorts(spec) || (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0);

/** The specs of every stored Service but this one: what its allocations must not collide with. */
function otherServices(svc: ServiceObject, ctx: AdmissionContext<ServiceObject>): ServiceSpec[] {
  const specs: ServiceSpec[] = [];
  for (const other of ctx.services()) {
    const self =
      other.metadata.namespace === svc.metadata.namespace && other.metadata.name === svc.metadata.name;
    if (!self) specs.push(other.spec ?? {});
  }
  return specs;
}

function takenIPs(specs: ServiceSpec[]): Set<string> {
  const taken = new Set<string>();
  for (const spec of specs) {
    for (const ip of [spec.clusterIP, ...(spec.clusterIPs ?? [])]) if (ip && ip !== 'None') taken.add(ip);
  }
  return taken;
}

function takenNodePorts(specs: ServiceSpec[]): Set<number> {
  const taken = new Set<number>();
  for (const spec of specs) {
    for (const port of spec.ports ?? []) if (port.nodePort) taken.add(port.nodePort);
    if (spec.healthCheckNodePort) taken.add(spec.healthCheckNodePort);
  }
  return taken;
}

/**
 * Clients that apply the same manifest again do not send what the server allocated;
 * keeping the old values makes that update a no-op instead of a reallocation (or, for
 * the immutable clusterIP, an error).
 */
function keepAllocated(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && needsClusterIP(spec) && !spec.clusterIP) {
    spec.clusterIP = old.clusterIP;
    spec.clusterIPs ??= old.clusterIPs;
  }
  if (needsNodePorts(old) && needsNodePorts(spec)) {
    // A nodePort the user now gives another port explicitly is not patched back in.
    const explicit = new Set(spec.ports?.map((port) => port.nodePort).filter(Boolean));
    for (const port of spec.ports ?? []) {
      if (port.nodePort) continue;
      const before =
        old.ports?.find((p) => (p.name ?? '') === (port.name ?? '')) ??
        old.ports?.find((p) => p.port === port.port && p.protocol === port.protocol);
      if (before?.nodePort && !explicit.has(before.nodePort)) port.nodePort = before.nodePort;
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(spec)) {
    spec.healthCheckNodePort ||= old.healthCheckNodePort;
  }
}

/**
 * When the type changes, values the server allocated or defaulted for the old type go
 * away, so that a client sending back the object it read does not fail validation.
 * Values the user changed in the same update are left for validation to judge.
 */
function dropTypeDependent(spec: ServiceSpec, old: ServiceSpec): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (spec.clusterIP === old.clusterIP) delete spec.clusterIP;
    if (same(spec.clusterIPs, old.clusterIPs)) delete spec.clusterIPs;
    if (same(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === old.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === old.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(spec)) {
    const oldNodePorts = new Set(old.ports?.map((port) => port.nodePort));
    for (const port of spec.ports ?? []) if (oldNodePorts.has(port.nodePort)) delete port.nodePort;
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(spec)) {
    if (spec.healthCheckNodePort === old.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
  if (externallyAccessible(old) && !externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy === old.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
}

function allocate(svc: ServiceObject, spec: ServiceSpec, ctx: AdmissionContext<ServiceObject>): void {
  let others: ServiceSpec[] | undefined;
  const getOthers = () => (others ??= otherServices(svc, ctx));

  if (needsClusterIP(spec)) {
    spec.clusterIP ||= spec.clusterIPs?.[0] || allocateClusterIP(takenIPs(getOthers()));
    if (!spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  }

  if (!needsNodePorts(spec)) return;
  const taken = takenNodePorts([...getOthers(), spec]);
  // Ports with the same number (53/TCP and 53/UDP) share one nodePort, as in Kubernetes.
  const byPort = new Map<number, number>();
  for (const port of spec.ports ?? []) {
    if (port.nodePort && !byPort.has(port.port)) byPort.set(port.port, port.nodePort);
  }
  for (const port of spec.ports ?? []) {
    if (port.nodePort) continue;
    port.nodePort = byPort.get(port.port) ?? allocateNodePort(taken);
    taken.add(port.nodePort);
    byPort.set(port.port, port.nodePort);
  }
  if (needsHealthCheckNodePort(spec) && !spec.healthCheckNodePort) {
    spec.healthCheckNodePort = allocateNodePort(taken);
  }
}

function validatePorts(spec: ServiceSpec, others: () => ServiceSpec[], errors: FieldError[]): void {
  const ports = spec.ports ?? [];
  if (ports.length === 0 && spec.type !== 'ExternalName' && spec.clusterIP !== 'None') {
    errors.push(fieldError('spec.ports', 'Required', 'Required value'));
  }
  const names = new Set<string>();
  const portKeys = new Set<string>();
  const nodePortKeys = new Set<string>();
  let taken: Set<number> | undefined;
  ports.forEach((port, i) => {
    const at = joinPath('spec.ports', i);
    validation.portName(port.name, ports.length, joinPath(at, 'name'), names, errors);
    validation.portNumber(port.port, joinPath(at, 'port'), errors);
    const portKey = `${port.port}/${port.protocol}`;
    if (portKeys.has(portKey)) errors.push(fieldError(at, 'Duplicate', `Duplicate value: "${portKey}"`));
    portKeys.add(portKey);
    validation.portNumberOrName(port.targetPort, joinPath(at, 'targetPort'), errors);

    if (!port.nodePort) return;
    const nodePortPath = joinPath(at, 'nodePort');
    if (!needsNodePorts(spec)) {
      errors.push(fieldError(nodePortPath, 'Forbidden', `may not be used when \`type\` is '${spec.type}'`));
      return;
    }
    const nodePortKey = `${port.nodePort}/${port.protocol}`;
    if (nodePortKeys.has(nodePortKey)) {
      errors.push(fieldError(nodePortPath, 'Duplicate', `Duplicate value: "${nodePortKey}"`));
    }
    nodePortKeys.add(nodePortKey);
    taken ??= takenNodePorts(others());
    nodePortProblems(port.nodePort, taken, nodePortPath, errors);
  });

  if (spec.healthCheckNodePort) {
    const path = 'spec.healthCheckNodePort';
    if (!needsHealthCheckNodePort(spec)) {
      const why = "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'";
      errors.push(fieldError(path, 'Invalid', `Invalid value: ${spec.healthCheckNodePort}: ${why}`));
    } else if (ports.some((port) => port.nodePort === spec.healthCheckNodePort)) {
      errors.push(fieldError(path, 'Duplicate', `Duplicate value: ${spec.healthCheckNodePort}`));
    } else {
      nodePortProblems(spec.healthCheckNodePort, (taken ??= takenNodePorts(others())), path, errors);
    }
  }
}

function nodePortProblems(nodePort: number, taken: Set<number>, path: string, errors: FieldError[]): void {
  if (nodePort < NODE_PORT_MIN || nodePort > NODE_PORT_MAX) {
    const why = `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`;
    errors.push(fieldError(path, 'Invalid', `Invalid value: ${nodePort}: ${why}`));
  } else if (taken.has(nodePort)) {
    errors.push(
      fieldError(path, 'Invalid', `Invalid value: ${nodePort}: provided port is already allocated`),
    );
  }
}

function validateAddresses(spec: ServiceSpec, others: () => ServiceSpec[], errors: FieldError[]): void {
  if (spec.type === 'ExternalName') {
    const forbidden = 'may not be set for ExternalName services';
    if (spec.clusterIP) errors.push(fieldError('spec.clusterIP', 'Forbidden', forbidden));
    if (spec.clusterIPs?.length) errors.push(fieldError('spec.clusterIPs', 'Forbidden', forbidden));
    if (spec.ipFamilies?.length) errors.push(fieldError('spec.ipFamilies', 'Forbidden', forbidden));
    if (spec.ipFamilyPolicy) errors.push(fieldError('spec.ipFamilyPolicy', 'Forbidden', forbidden));
    // A trailing dot marks the name as fully qualified, as in DNS.
    const name = spec.externalName?.replace(/\.$/, '');
    if (name) validation.dns1123Subdomain(name, 'spec.externalName', errors);
    else errors.push(fieldError('spec.externalName', 'Required', 'Required value'));
    return;
  }

  const ip = spec.clusterIP;
  if (ip === 'None') {
    if (needsNodePorts(spec)) {
      errors.push(
        fieldError(
          'spec.clusterIP',
          'Invalid',
          `Invalid value: "None": may not be set to 'None' for ${spec.type} services`,
        ),
      );
    }
  } else if (ip) {
    if (parseIPv4(ip) === undefined) {
      const why = "must be empty, 'None', or a valid IP address";
      errors.push(fieldError('spec.clusterIP', 'Invalid', `Invalid value: "${ip}": ${why}`));
    } else if (!inServiceRange(ip)) {
      const why = `provided IP is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`;
      errors.push(fieldError('spec.clusterIP', 'Invalid', `Invalid value: "${ip}": ${why}`));
    } else if (takenIPs(others()).has(ip)) {
      errors.push(
        fieldError('spec.clusterIP', 'Invalid', `Invalid value: "${ip}": provided IP is already allocated`),
      );
    }
  }
  const ips = spec.clusterIPs ?? [];
  if (ips.length > 0 && ips[0] !== ip) {
    errors.push(
      fieldError('spec.clusterIPs[0]', 'Invalid', `Invalid value: "${ips[0]}": must match \`clusterIP\``),
    );
  }
  const singleStack = 'this cluster is not configured for dual-stack services';
  if (ips.length > 1)
    errors.push(
      fieldError('spec.clusterIPs', 'Invalid', `Invalid value: "${ips.join(',')}": ${singleStack}`),
    );
  spec.ipFamilies?.forEach((family, i) => {
    if (family !== 'IPv4') {
      errors.push(
        fieldError(
          `spec.ipFamilies[${i}]`,
          'Invalid',
          `Invalid value: "${family}": not configured on this cluster`,
        ),
      );
    }
  });
  if (spec.ipFamilyPolicy === 'RequireDualStack') {
    errors.push(
      fieldError('spec.ipFamilyPolicy', 'Invalid', `Invalid value: "RequireDualStack": ${singleStack}`),
    );
  }
}

function validateTraffic(spec: ServiceSpec, errors: FieldError[]): void {
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (timeout !== undefined && (timeout <= 0 || timeout > MAX_CLIENT_IP_TIMEOUT)) {
      const why = `must be greater than 0 and less than ${MAX_CLIENT_IP_TIMEOUT}`;
      errors.push(
        fieldError(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          'Invalid',
          `Invalid value: ${timeout}: ${why}`,
        ),
      );
    }
  } else if (spec.sessionAffinityConfig) {
    errors.push(
      fieldError(
        'spec.sessionAffinityConfig',
        'Invalid',
        `must not be set when session affinity is ${spec.sessionAffinity}`,
      ),
    );
  }
  if (spec.externalTrafficPolicy && !externallyAccessible(spec)) {
    const why = 'may only be set for externally-accessible services';
    errors.push(
      fieldError(
        'spec.externalTrafficPolicy',
        'Invalid',
        `Invalid value: "${spec.externalTrafficPolicy}": ${why}`,
      ),
    );
  }
  spec.externalIPs?.forEach((ip, i) => {
    if (parseIPv4(ip) === undefined) {
      errors.push(
        fieldError(`spec.externalIPs[${i}]`, 'Invalid', `Invalid value: "${ip}": must be a valid IP address`),
      );
    }
  });
  if (spec.loadBalancerIP && parseIPv4(spec.loadBalancerIP) === undefined) {
    errors.push(
      fieldError(
        'spec.loadBalancerIP',
        'Invalid',
        `Invalid value: "${spec.loadBalancerIP}": must be a valid IP address`,
      ),
    );
  }
}

export const serviceAdmission: KindAdmission<ServiceObject> = {
  default(svc, ctx) {
    const spec: ServiceSpec = (svc.spec ??= {});
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (
      spec.sessionAffinity === 'ClientIP' &&
      spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined
    ) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
    }
    for (const port of spec.ports ?? []) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
    const old: ServiceSpec | undefined = ctx.old?.spec;
    if (old) {
      keepAllocated(spec, old);
      dropTypeDependent(spec, old);
    }
    if (needsClusterIP(spec)) {
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
    }
    if (externallyAccessible(spec)) spec.externalTrafficPolicy ??= 'Cluster';
    allocate(svc, spec, ctx);
  },

  validate(svc, ctx) {
    const errors: FieldError[] = [];
    validation.dns1123Label(svc.metadata.name ?? '', 'metadata.name', errors);
    const spec: ServiceSpec = svc.spec ?? {};
    let others: ServiceSpec[] | undefined;
    const getOthers = () => (others ??= otherServices(svc, ctx));
    validatePorts(spec, getOthers, errors);
    validateAddresses(spec, getOthers, errors);
    validateTraffic(spec, errors);
    validation.labels(spec.selector, 'spec.selector', errors);

    const old: ServiceSpec | undefined = ctx.old?.spec;
    // ExternalName services have no cluster IP, so switching to or from one may change it.
    if (old?.clusterIP && old.type !== 'ExternalName' && spec.type !== 'ExternalName') {
      validation.immutable(spec.clusterIP, old.clusterIP, 'spec.clusterIP', errors);
    }
    return errors;
  },
};
