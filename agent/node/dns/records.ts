import type { Answer, Question, RecordType } from 'dns-packet';
import type { Resource } from '../../../client/index.ts';
import { systemClock } from '../../../lib/clock.ts';
import type { EndpointSubset } from '../../../schema/kinds/endpoints.ts';
import type { ServiceSpec } from '../../../schema/kinds/service.ts';
import type { PodObject } from '../../objects.ts';

export type ServiceObject = Resource & { spec?: ServiceSpec };
export type EndpointsObject = Resource & { subsets?: EndpointSubset[] };

/** What the cluster's names are made of, as the DNS server's informers hold it. */
export interface ClusterState {
  service(namespace: string, name: string): ServiceObject | undefined;
  endpoints(namespace: string, name: string): EndpointsObject | undefined;
  /** The pod that asked for `<hostname>.<subdomain>.<namespace>.svc` (spec.hostname, spec.subdomain). */
  podByHostname(namespace: string, subdomain: string, hostname: string): PodObject | undefined;
}

export interface ClusterAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  /** Addresses of SRV targets. */
  additionals: Answer[];
  /** The SOA of the zone, for negative answers (so resolvers cache them briefly). */
  authorities: Answer[];
}

/** As CoreDNS' kubernetes plugin: short, since services and endpoints change. */
export const RECORD_TTL = 5;

const A = (name: string, ip: string): Answer => ({ type: 'A', name, ttl: RECORD_TTL, class: 'IN', data: ip });
const dashed = (ip: string) => ip.replace(/\./g, '-');
const isIPv4 = (text: string) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(text);

/**
 * Answers a question about a name under the cluster domain the way CoreDNS' kubernetes
 * plugin does, or returns undefined for names outside it (to be forwarded):
 * - `<svc>.<ns>.svc.<domain>`: the cluster IP; a headless service's ready endpoint IPs;
 *   an ExternalName service's CNAME.
 * - `<hostname>.<svc>.<ns>.svc.<domain>` for a headless service's endpoints: by the
 *   endpoint's hostname (StatefulSet pods), else the pod that asked for that hostname
 *   and subdomain, or by the dashed IP (`10-244-3-7`).
 * - `_<port>._<proto>.<svc>.<ns>.svc.<domain>`: SRV for a named port.
 * - `<a-b-c-d>.<ns>.pod.<domain>`: that IP.
 * Anything else under the domain is NXDOMAIN; AAAA and other types of a known name get
 * an empty answer (the cluster is IPv4 only).
 */
export function answerCluster(
  state: ClusterState,
  domain: string,
  question: Question,
  now = systemClock.now(),
): ClusterAnswer | undefined {
  const name = question.name.toLowerCase().replace(/\.$/, '');
  const zone = domain.toLowerCase();
  if (name !== zone && !name.endsWith(`.${zone}`)) return undefined;
  const labels = name === zone ? [] : name.slice(0, -zone.length - 1).split('.');
  const soa = soaRecord(zone, now);
  const found = (answers: Answer[], additionals: Answer[] = []): ClusterAnswer => ({
    rcode: 'NOERROR',
    answers,
    additionals,
    authorities: answers.length ? [] : [soa],
  });
  const nxdomain: ClusterAnswer = { rcode: 'NXDOMAIN', answers: [], additionals: [], authorities: [soa] };

  if (labels.length === 0) return found(question.type === 'SOA' ? [soa] : []);
  const kind = labels[labels.length - 1];
  const rest = labels.slice(0, -1);
  if (kind === 'pod') {
    if (rest.length === 1) return found([]); // the namespace's zone
    if (rest.length !== 2 || !isIPv4(rest[0].replace(/-/g, '.'))) return nxdomain;
    return found(wants(question.type, 'A') ? [A(question.name, rest[0].replace(/-/g, '.'))] : []);
  }
  if (kind !== 'svc') return nxdomain;
  if (rest.length <= 1) return found([]); // svc.<domain>, <ns>.svc.<domain>

  if (rest.length === 4 && rest[0].startsWith('_') && rest[1].startsWith('_')) {
    const [port, proto, svc, ns] = rest;
    const records = srvRecords(state, domain, ns, svc, port.slice(1), proto.slice(1).toUpperCase());
    if (!records) return nxdomain;
    return wants(question.type, 'SRV') ? found(records.answers, records.additionals) : found([]);
  }

  const [ns, svcName] = [rest[rest.length - 1], rest[rest.length - 2]];
  const service = state.service(ns, svcName);
  if (!service || rest.length > 3) return nxdomain;
  const spec = service.spec ?? {};
  const headless = spec.clusterIP === 'None';

  if (rest.length === 3) {
    if (!headless) return nxdomain;
    const ip = endpointIP(state, ns, svcName, rest[0]);
    if (!ip) return nxdomain;
    return found(wants(question.type, 'A') ? [A(question.name, ip)] : []);
  }

  if (spec.type === 'ExternalName' && spec.externalName) {
    const target = spec.externalName.replace(/\.$/, '');
    return found([{ type: 'CNAME', name: question.name, ttl: RECORD_TTL, class: 'IN', data: target }]);
  }
  if (!wants(question.type, 'A')) return found([]);
  if (!headless) return found(spec.clusterIP ? [A(question.name, spec.clusterIP)] : []);
  return found(readyAddresses(state.endpoints(ns, svcName)).map((a) => A(question.name, a.ip)));
}

/** Whether a question of `type` is answered by records of `record` type. */
function wants(type: RecordType | string, record: RecordType): boolean {
  return type === record || type === 'ANY';
}

function readyAddresses(endpoints: EndpointsObject | undefined) {
  const seen = new Map<string, { ip: string; hostname?: string }>();
  for (const subset of endpoints?.subsets ?? []) {
    for (const address of subset.addresses ?? []) {
      if (!seen.has(address.ip))
        seen.set(address.ip, { ip: address.ip, hostname: address.hostname ?? undefined });
    }
  }
  return [...seen.values()];
}

function endpointIP(state: ClusterState, ns: string, svc: string, label: string): string | undefined {
  const addresses = readyAddresses(state.endpoints(ns, svc));
  const byName = addresses.find((a) => a.hostname?.toLowerCase() === label);
  if (byName) return byName.ip;
  const byIP = addresses.find((a) => dashed(a.ip) === label);
  if (byIP) return byIP.ip;
  // A pod that is not (yet) in the Endpoints, e.g. before the endpoints controller caught up.
  const pod = state.podByHostname(ns, svc, label);
  return pod?.metadata.deletionTimestamp ? undefined : (pod?.status?.podIP ?? undefined);
}

function srvRecords(
  state: ClusterState,
  domain: string,
  ns: string,
  svcName: string,
  portName: string,
  protocol: string,
): { answers: Answer[]; additionals: Answer[] } | undefined {
  const service = state.service(ns, svcName);
  const spec = service?.spec;
  const port = spec?.ports?.find((p) => p.name === portName && (p.protocol ?? 'TCP') === protocol);
  if (!spec || !port) return undefined;
  const owner = `_${portName}._${protocol.toLowerCase()}.${svcName}.${ns}.svc.${domain}`;
  const srv = (target: string, targetPort: number): Answer => ({
    type: 'SRV',
    name: owner,
    ttl: RECORD_TTL,
    class: 'IN',
    data: { priority: 0, weight: 100, port: targetPort, target },
  });
  if (spec.clusterIP !== 'None') {
    if (!spec.clusterIP) return { answers: [], additionals: [] };
    const target = `${svcName}.${ns}.svc.${domain}`;
    return { answers: [srv(target, port.port)], additionals: [A(target, spec.clusterIP)] };
  }
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  for (const subset of state.endpoints(ns, svcName)?.subsets ?? []) {
    const endpointPort = subset.ports?.find((p) => p.name === portName && (p.protocol ?? 'TCP') === protocol);
    if (!endpointPort) continue;
    for (const address of subset.addresses ?? []) {
      const target = `${address.hostname ?? dashed(address.ip)}.${svcName}.${ns}.svc.${domain}`;
      answers.push(srv(target, endpointPort.port));
      additionals.push(A(target, address.ip));
    }
  }
  return { answers, additionals };
}

/** The zone's SOA; its serial is the time in seconds, so it grows as the records change. */
function soaRecord(zone: string, now: number): Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl: RECORD_TTL,
    class: 'IN',
    data: {
      mname: `ns.dns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: Math.floor(now / 1000) >>> 0,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: RECORD_TTL,
    },
  };
}
