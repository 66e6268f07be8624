import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  resourceWriter,
  type KubeqlClient,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';
import { ClusterDns } from '../../agent/node/dns/cluster-dns.ts';
import { podDnsConfig } from '../../agent/node/dns/pod-dns.ts';
import { ServiceProxy } from '../../agent/node/proxy/service-proxy.ts';
import { eventually, requireDocker, TestNetwork } from '../support/docker-network.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

/** A Service as the API returns it: with its ClusterIP allocated. */
type ServiceWithIP = Resource & { spec: { clusterIP: string } };

const node = new TestNetwork('kq-dns-test', '10.244.242');
const A = `${node.prefix}.11`;
const B = `${node.prefix}.12`;
const DOMAIN = 'cluster.local';

let cluster: TestCluster;
let client: KubeqlClient;
let writer: ResourceWriter;
let dns: ClusterDns;
let proxy: ServiceProxy;
let upstream: dgram.Socket;
const logs: string[] = [];

/** A stand-in for the host's resolver: example.test has an address, drop.test is never answered. */
async function fakeUpstream(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (message, peer) => {
    const query = dnsPacket.decode(message);
    const question = query.questions![0];
    if (question.name === 'drop.test') return;
    const answers =
      question.name === 'example.test' && question.type === 'A'
        ? [{ type: 'A' as const, name: question.name, ttl: 60, data: '192.0.2.7' }]
        : [];
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_AVAILABLE | (answers.length || question.name === 'example.test' ? 0 : 3),
      questions: query.questions,
      answers,
    });
    socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function resolver(): Resolver {
  const r = new Resolver({ timeout: 3_000, tries: 1 });
  r.setServers([node.gateway]);
  return r;
}

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

async function apply(obj: Resource): Promise<ServiceWithIP> {
  const { kind, metadata } = obj;
  const existing = await client.get(kind, metadata.name!, metadata.namespace);
  const stored = existing
    ? await writer.patch(kind, metadata.name!, metadata.namespace, obj)
    : await writer.create(obj);
  return stored as ServiceWithIP;
}

const service = (name: string, spec: Record<string, unknown>) =>
  apply({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });

const endpoints = (name: string, addresses: Array<{ ip: string; hostname?: string }>, port = 8080) =>
  apply({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default' },
    subsets: [{ addresses, ports: [{ name: 'http', port, protocol: 'TCP' }] }],
  });

/** One query over TCP, as a client does after a truncated UDP answer. */
function queryTcp(name: string, type: 'A' | 'SRV'): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: node.gateway, port: 53 });
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.destroy();
        resolve(dnsPacket.decode(received.subarray(2)));
      }
    });
    socket.write(
      dnsPacket.streamEncode({
        type: 'query',
        id: 7,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
      }),
    );
  });
}

describe('ClusterDns on a real node bridge', () => {
  let web: ServiceWithIP;

  beforeAll(async () => {
    await requireDocker();
    cluster = await startCluster();
    client = createClient({ url: cluster.url, token: cluster.token });
    writer = resourceWriter(client);
    await node.create();
    upstream = await fakeUpstream();
    const upstreamPort = (upstream.address() as net.AddressInfo).port;

    web = await service('web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await endpoints('web', [{ ip: A }, { ip: B }]);
    await service('db', { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] });
    await endpoints('db', [
      { ip: A, hostname: 'db-0' },
      { ip: B, hostname: 'db-1' },
    ]);

    dns = new ClusterDns({
      client,
      address: node.gateway,
      clusterDomain: DOMAIN,
      upstreams: [`127.0.0.1:${upstreamPort}`],
      forwardTimeoutMs: 500,
      log: (line) => logs.push(line),
    });
    proxy = new ServiceProxy({
      client,
      nodeName: 'dns-test-node',
      podCIDR: node.subnet,
      gateway: node.gateway,
      log: (line) => logs.push(line),
    });
    await Promise.all([dns.start(), proxy.start()]);

    // A pod's DNS settings as the runtime would pass them to Docker.
    const config = podDnsConfig(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'client', namespace: 'default' },
        spec: { containers: [] },
      },
      node.gateway,
      DOMAIN,
      { nameservers: [], searches: [], options: [] },
    );
    await Promise.all([
      node.httpd('a', A, 'a'),
      node.httpd('b', B, 'b'),
      node.client('client', [
        ...config.Dns.flatMap((s) => ['--dns', s]),
        ...config.DnsSearch.flatMap((s) => ['--dns-search', s]),
        ...config.DnsOptions.flatMap((s) => ['--dns-opt', s]),
      ]),
    ]);
  }, 60_000);

  afterAll(async () => {
    await dns?.stop();
    await proxy?.stop();
    upstream?.close();
    await client?.close();
    await cluster?.stop();
    await node.remove();
  }, 60_000);

  it('lets a pod reach a service by its short and its full name', async () => {
    const short = await eventually(() => node.wget('client', 'http://web/'));
    expect(['a', 'b']).toContain(short);
    const full = await node.wget('client', 'http://web.default.svc.cluster.local/');
    expect(['a', 'b']).toContain(full);
    expect(await node.exec('client', ['cat', '/etc/resolv.conf'])).toMatch(
      /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local[\s\S]*ndots:5/,
    );
  });

  it('resolves a StatefulSet-style pod name from inside a pod', async () => {
    const out = await node.exec('client', ['nslookup', 'db-1.db.default.svc.cluster.local']);
    expect(out).toContain(B);
    expect(await node.wget('client', 'http://db-0.db:8080/')).toBe('a');
  });

  it('answers A with the cluster IP, and for a headless service with the ready endpoint IPs', async () => {
    const r = resolver();
    expect(await r.resolve4('web.default.svc.cluster.local')).toEqual([web.spec.clusterIP]);
    expect((await r.resolve4('db.default.svc.cluster.local')).sort()).toEqual([A, B]);
    expect(await r.resolve4('db-0.db.default.svc.cluster.local')).toEqual([A]);
    expect(await r.resolve4(`${B.replace(/\./g, '-')}.db.default.svc.cluster.local`)).toEqual([B]);
    expect(await r.resolve4('10-244-9-9.default.pod.cluster.local')).toEqual(['10.244.9.9']);
  });

  it('answers NXDOMAIN for unknown cluster names and no data for AAAA of known ones', async () => {
    const r = resolver();
    expect(await errorCode(r.resolve4('nope.default.svc.cluster.local'))).toBe('ENOTFOUND');
    expect(await errorCode(r.resolve4('web.other.svc.cluster.local'))).toBe('ENOTFOUND');
    expect(await errorCode(r.resolve4('db-7.db.default.svc.cluster.local'))).toBe('ENOTFOUND');
    expect(await errorCode(r.resolve4('web.default.cluster.local'))).toBe('ENOTFOUND');
    expect(await errorCode(r.resolve6('web.default.svc.cluster.local'))).toBe('ENODATA');
  });

  it('answers SRV for named ports', async () => {
    const r = resolver();
    expect(await r.resolveSrv('_http._tcp.web.default.svc.cluster.local')).toEqual([
      { name: 'web.default.svc.cluster.local', port: 80, priority: 0, weight: 100 },
    ]);
    const targets = (await r.resolveSrv('_http._tcp.db.default.svc.cluster.local')).map(
      (s) => `${s.name}:${s.port}`,
    );
    expect(targets.sort()).toEqual([
      'db-0.db.default.svc.cluster.local:8080',
      'db-1.db.default.svc.cluster.local:8080',
    ]);
    expect(await errorCode(r.resolveSrv('_grpc._tcp.web.default.svc.cluster.local'))).toBe('ENOTFOUND');
  });

  it('follows Endpoints and Pods live', async () => {
    const r = resolver();
    await endpoints('db', [{ ip: B, hostname: 'db-1' }]);
    await eventually(async () => expect(await r.resolve4('db.default.svc.cluster.local')).toEqual([B]));
    expect(await errorCode(r.resolve4('db-0.db.default.svc.cluster.local'))).toBe('ENOTFOUND');

    // A pod with hostname and subdomain resolves before (or without) being in the Endpoints.
    const pod = await writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cache-0', namespace: 'default' },
      spec: {
        hostname: 'cache-0',
        subdomain: 'db',
        containers: [{ name: 'c', image: 'kubeql/busybox:stable' }],
      },
    });
    await writer.updateStatus(pod, { phase: 'Running', podIP: '10.244.242.77' });
    await eventually(async () =>
      expect(await r.resolve4('cache-0.db.default.svc.cluster.local')).toEqual(['10.244.242.77']),
    );
  });

  it('answers ExternalName services with a CNAME and its target', async () => {
    await service('ext', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' });
    const r = resolver();
    await eventually(async () =>
      expect(await r.resolveCname('ext.default.svc.cluster.local')).toEqual([
        'web.default.svc.cluster.local',
      ]),
    );
    expect(await r.resolve4('ext.default.svc.cluster.local')).toEqual([web.spec.clusterIP]);
  });

  it('forwards other names upstream, with SERVFAIL when the upstream does not answer', async () => {
    const r = resolver();
    expect(await r.resolve4('example.test')).toEqual(['192.0.2.7']);
    expect(await errorCode(r.resolve4('missing.test'))).toBe('ENOTFOUND');
    expect(await errorCode(r.resolve4('drop.test'))).toBe('ESERVFAIL');
  });

  it('serves TCP, and truncates UDP answers that do not fit', async () => {
    const tcp = await queryTcp('web.default.svc.cluster.local', 'A');
    expect(tcp.answers?.map((a) => (a as dnsPacket.StringAnswer).data)).toEqual([web.spec.clusterIP]);

    const many = Array.from({ length: 60 }, (_, i) => ({ ip: `10.244.242.${100 + i}` }));
    await service('big', { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] });
    await endpoints('big', many);
    const udp = dgram.createSocket('udp4');
    const response = await eventually(async () => {
      const answer = await new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer')), 2_000);
        udp.once('message', (message) => {
          clearTimeout(timer);
          resolve(dnsPacket.decode(message));
        });
        udp.send(
          dnsPacket.encode({
            type: 'query',
            id: 9,
            questions: [{ type: 'A', name: 'big.default.svc.cluster.local' }],
          }),
          53,
          node.gateway,
        );
      });
      expect(answer.flag_tc).toBe(true);
      return answer;
    });
    udp.close();
    expect(response.answers).toEqual([]);
    // A resolver retries over TCP and gets everything.
    expect((await resolver().resolve4('big.default.svc.cluster.local')).length).toBe(60);
  });

  it('logged nothing unexpected', () => {
    expect(logs).toEqual([]);
  });
});

describe('podDnsConfig', () => {
  const host = {
    nameservers: ['192.0.2.53', '127.0.0.53'],
    searches: ['corp.example'],
    options: ['timeout:2'],
  };
  const pod = (spec: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'shop' },
    spec: { containers: [], ...spec },
  });

  it('ClusterFirst (the default): the cluster DNS, the namespace search path, ndots:5', () => {
    expect(podDnsConfig(pod({}), '10.244.3.1', 'cluster.local', host)).toEqual({
      Dns: ['10.244.3.1'],
      DnsSearch: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      DnsOptions: ['ndots:5'],
    });
  });

  it("Default, and ClusterFirst with hostNetwork: the host's settings without loopback resolvers", () => {
    const hosts = { Dns: ['192.0.2.53'], DnsSearch: ['corp.example'], DnsOptions: ['timeout:2'] };
    expect(podDnsConfig(pod({ dnsPolicy: 'Default' }), '10.244.3.1', 'cluster.local', host)).toEqual(hosts);
    expect(podDnsConfig(pod({ hostNetwork: true }), '10.244.3.1', 'cluster.local', host)).toEqual(hosts);
    expect(
      podDnsConfig(
        pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }),
        '10.244.3.1',
        'cluster.local',
        host,
      ).Dns,
    ).toEqual(['10.244.3.1']);
  });

  it('None: only dnsConfig; other policies merge dnsConfig in', () => {
    const dnsConfig = {
      nameservers: ['198.51.100.1'],
      searches: ['extra.example'],
      options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
    };
    expect(podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig }), '10.244.3.1', 'cluster.local', host)).toEqual({
      Dns: ['198.51.100.1'],
      DnsSearch: ['extra.example'],
      DnsOptions: ['ndots:2', 'edns0'],
    });
    expect(podDnsConfig(pod({ dnsConfig }), '10.244.3.1', 'k.test', host)).toEqual({
      Dns: ['10.244.3.1', '198.51.100.1'],
      DnsSearch: ['shop.svc.k.test', 'svc.k.test', 'k.test', 'corp.example', 'extra.example'],
      DnsOptions: ['ndots:2', 'edns0'],
    });
  });
});
