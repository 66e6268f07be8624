import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type Packet,
  type Question,
  type StringAnswer,
} from 'dns-packet';
import { createInformer, messageOf, type Informer, type ListWatchClient } from '../../../client/index.ts';
import { systemClock, type Clock } from '../../../lib/clock.ts';
import type { PodObject } from '../../objects.ts';
import { forwardQuery, parseUpstream } from './forward.ts';
import {
  answerCluster,
  type ClusterAnswer,
  type ClusterState,
  type EndpointsObject,
  type ServiceObject,
} from './records.ts';
import { hostResolvConf } from './resolv-conf.ts';

export interface ClusterDnsOptions {
  client: ListWatchClient;
  /** Where to listen: the node bridge's gateway, which the node's pods get as their nameserver. */
  address: string;
  /** Default 53. */
  port?: number;
  /** Default 'cluster.local'. */
  clusterDomain?: string;
  /** Resolvers for names outside the cluster (`ip` or `ip:port`); default the host's, from /etc/resolv.conf. */
  upstreams?: string[];
  /** How long each upstream may take before the next is tried (default 2 s); SERVFAIL when all fail. */
  forwardTimeoutMs?: number;
  /** Where the zone's SOA serial reads the time (the system clock by default). */
  clock?: Clock;
  log?: (line: string) => void;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;
/** The UDP payload limit without EDNS (RFC 1035). */
const CLASSIC_UDP_SIZE = 512;
/** What this server offers EDNS clients: the size that avoids IP fragmentation (DNS flag day 2020). */
const EDNS_UDP_SIZE = 1232;
/** Idle TCP connections are closed after this long. */
const TCP_IDLE_MS = 10_000;
const HOSTNAME_INDEX = 'hostname';

/**
 * The cluster's DNS for one node, as CoreDNS with the kubernetes plugin: names under the
 * cluster domain are answered from informers on Services, Endpoints and Pods (see
 * answerCluster), every other name is forwarded to the host's resolvers. Serves UDP and
 * TCP on `address:port`.
 */
export class ClusterDns {
  private readonly services: Informer<ServiceObject>;
  private readonly endpoints: Informer<EndpointsObject>;
  private readonly pods: Informer<PodObject>;
  private readonly state: ClusterState;
  private readonly domain: string;
  private readonly upstreams: string[];
  private readonly log: (line: string) => void;
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();
  private readonly now: () => number;

  constructor(private readonly options: ClusterDnsOptions) {
    this.log = options.log ?? ((line) => console.error(line));
    const clock = options.clock ?? systemClock;
    this.now = () => clock.now();
    this.domain = (options.clusterDomain ?? 'cluster.local').toLowerCase().replace(/\.$/, '');
    // Never forward to ourselves: a host whose resolv.conf names this address would loop.
    this.upstreams = (options.upstreams ?? hostResolvConf().nameservers).filter((server) => {
      const { host, port } = parseUpstream(server);
      return host !== options.address || port !== (options.port ?? 53);
    });
    const informerOptions = { onError: (error: unknown) => this.log(`cluster dns: ${messageOf(error)}`) };
    this.services = createInformer<ServiceObject>(options.client, 'Service', {}, informerOptions);
    this.endpoints = createInformer<EndpointsObject>(options.client, 'Endpoints', {}, informerOptions);
    this.pods = createInformer<PodObject>(
      options.client,
      'Pod',
      {},
      {
        ...informerOptions,
        indexers: {
          [HOSTNAME_INDEX]: (pod) =>
            pod.spec?.hostname && pod.spec.subdomain
              ? [`${pod.metadata.namespace}/${pod.spec.subdomain}/${pod.spec.hostname}`.toLowerCase()]
              : [],
        },
      },
    );
    this.state = {
      service: (ns, name) => this.services.get(`${ns}/${name}`),
      endpoints: (ns, name) => this.endpoints.get(`${ns}/${name}`),
      podByHostname: (ns, subdomain, hostname) =>
        this.pods.byIndex(HOSTNAME_INDEX, `${ns}/${subdomain}/${hostname}`).find((p) => p.status?.podIP),
    };
  }

  /** Syncs the informers, then listens; rejects when the address cannot be bound. */
  async start(): Promise<void> {
    for (const informer of [this.services, this.endpoints, this.pods]) informer.start();
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync(), this.pods.waitForSync()]);
    const port = this.options.port ?? 53;
    const where = `${this.options.address}:${port}`;
    try {
      await this.listenUdp(port);
      await this.listenTcp(port);
    } catch (error) {
      await this.stop();
      throw new Error(`cluster DNS cannot listen on ${where}: ${messageOf(error)}`);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.services.stop(), this.endpoints.stop(), this.pods.stop()]);
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    for (const socket of this.connections) socket.destroy();
    const tcp = this.tcp;
    this.tcp = undefined;
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private listenUdp(port: number): Promise<void> {
    const socket = dgram.createSocket({ type: net.isIPv6(this.options.address) ? 'udp6' : 'udp4' });
    this.udp = socket;
    socket.on('message', (message, peer) => {
      void this.respond(message, false).then((response) => {
        if (response && this.udp === socket) socket.send(response, peer.port, peer.address);
      });
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, this.options.address, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.log(`cluster dns: udp: ${messageOf(error)}`));
        resolve();
      });
    });
  }

  private listenTcp(port: number): Promise<void> {
    const server = net.createServer((socket) => this.serveTcp(socket));
    this.tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.address, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Queries on a TCP connection are length-prefixed (RFC 1035 4.2.2) and may be pipelined. */
  private serveTcp(socket: net.Socket): void {
    this.connections.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const query = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + query.length);
        void this.respond(query, true).then((response) => {
          if (!response || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(response.length);
          socket.write(Buffer.concat([length, response]));
        });
      }
    });
  }

  /** The response to one query, or undefined for a packet that is not a query at all. */
  private async respond(message: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return undefined;
    }
    if (query.type !== 'query') return undefined;
    try {
      return await this.answer(message, query, tcp);
    } catch (error) {
      this.log(`cluster dns: ${messageOf(error)}`);
      return reply(query, RCODE.SERVFAIL, tcp);
    }
  }

  private async answer(message: Buffer, query: DecodedPacket, tcp: boolean): Promise<Buffer> {
    const opcode = ((query.flags ?? 0) >> 11) & 0xf;
    if (opcode !== 0) return reply(query, RCODE.NOTIMP, tcp);
    const question = query.questions?.[0];
    if (!question || query.questions!.length !== 1) return reply(query, RCODE.FORMERR, tcp);
    const cluster = answerCluster(this.state, this.domain, question, this.now());
    if (!cluster) {
      const forwarded = await forwardQuery(message, this.upstreams, {
        timeoutMs: this.options.forwardTimeoutMs ?? 2_000,
        tcp,
      });
      return forwarded ?? reply(query, RCODE.SERVFAIL, tcp);
    }
    const chased = await this.chaseCname(question, cluster);
    return reply(query, RCODE[cluster.rcode], tcp, { ...cluster, answers: [...cluster.answers, ...chased] });
  }

  /**
   * An ExternalName service answers with a CNAME; stub resolvers expect the target's
   * records in the same answer, so they are looked up too (in the cluster, or upstream).
   */
  private async chaseCname(question: Question, cluster: ClusterAnswer): Promise<Answer[]> {
    const cname = cluster.answers.find((a): a is StringAnswer => a.type === 'CNAME');
    if (!cname || question.type === 'CNAME') return [];
    const target: Question = { type: question.type, name: cname.data, class: 'IN' };
    const inCluster = answerCluster(this.state, this.domain, target, this.now());
    if (inCluster) return inCluster.answers;
    const query = dnsPacket.encode({
      type: 'query',
      id: Math.floor(Math.random() * 65536),
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [target],
    });
    const forwarded = await forwardQuery(query, this.upstreams, {
      timeoutMs: this.options.forwardTimeoutMs ?? 2_000,
      tcp: false,
    });
    if (!forwarded) return [];
    try {
      return dnsPacket.decode(forwarded).answers ?? [];
    } catch {
      return [];
    }
  }
}

/**
 * Encodes a response to `query`: recursion available, authoritative for cluster answers,
 * EDNS echoed, and over UDP truncated (TC, no records) when larger than the client takes.
 */
function reply(
  query: DecodedPacket,
  rcode: number,
  tcp: boolean,
  records?: Pick<ClusterAnswer, 'answers' | 'additionals' | 'authorities'>,
): Buffer {
  const opt = query.additionals?.find((a) => a.type === 'OPT');
  const edns: Answer[] = opt
    ? [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: EDNS_UDP_SIZE,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ]
    : [];
  let flags = (query.flags ?? 0) & (dnsPacket.RECURSION_DESIRED | (0xf << 11));
  flags |= dnsPacket.RECURSION_AVAILABLE | rcode;
  if (records) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  const packet: Packet = {
    type: 'response',
    id: query.id,
    flags,
    questions: query.questions,
    answers: records?.answers ?? [],
    authorities: records?.authorities ?? [],
    additionals: [...(records?.additionals ?? []), ...edns],
  };
  const encoded = dnsPacket.encode(packet);
  const limit =
    opt && 'udpPayloadSize' in opt ? Math.max(CLASSIC_UDP_SIZE, opt.udpPayloadSize) : CLASSIC_UDP_SIZE;
  if (tcp || encoded.length <= limit) return encoded;
  return dnsPacket.encode({
    ...packet,
    flags: flags | dnsPacket.TRUNCATED_RESPONSE,
    answers: [],
    authorities: [],
    additionals: edns,
  });
}
