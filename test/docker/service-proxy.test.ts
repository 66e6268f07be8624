import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  resourceWriter,
  type KubeqlClient,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';
import { ServiceProxy } from '../../agent/node/proxy/service-proxy.ts';
import { portalChain } from '../../agent/node/proxy/iptables.ts';
import { eventually, requireDocker, run, TestNetwork } from '../support/docker-network.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

/** A Service as the API returns it: with its ClusterIP allocated. */
type ServiceWithIP = Resource & {
  spec: { clusterIP: string; ports: Array<{ port: number; nodePort?: number }> };
};

// Two "nodes" on this machine, as two agents would have them: each its bridge and proxy.
const node1 = new TestNetwork('kq-proxy-test-1', '10.244.241');
const node2 = new TestNetwork('kq-proxy-test-2', '10.244.243');
const NODE1 = 'proxy-test-node-1';
const NODE2 = 'proxy-test-node-2';
const A = `${node1.prefix}.11`;
const B = `${node1.prefix}.12`;
const C = `${node1.prefix}.13`;
const NODE2_CLIENT = `${node2.prefix}.50`;

let cluster: TestCluster;
let client: KubeqlClient;
let writer: ResourceWriter;
const proxies: ServiceProxy[] = [];
const logs: string[] = [];

function proxyFor(nodeName: string, network: TestNetwork): ServiceProxy {
  const proxy = new ServiceProxy({
    client,
    nodeName,
    podCIDR: network.subnet,
    gateway: network.gateway,
    connectDeadlineMs: 1_500,
    connectAttemptTimeoutMs: 500,
    nodePortRetryMs: 300,
    log: (line) => logs.push(line),
  });
  proxies.push(proxy);
  return proxy;
}

async function createService(name: string, spec: Record<string, unknown>): Promise<ServiceWithIP> {
  const service: Resource = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec,
  };
  return (await writer.create(service)) as ServiceWithIP;
}

const subset = (ips: string[], port = 8080, name = 'http') => ({
  addresses: ips.map((ip) => ({ ip })),
  ports: [{ name, port, protocol: 'TCP' }],
});

async function setEndpoints(name: string, subsets: unknown[]): Promise<void> {
  const existing = await client.get('Endpoints', name, 'default');
  if (existing) await writer.patch('Endpoints', name, 'default', { subsets });
  else
    await writer.create({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: 'default' },
      subsets,
    });
}

/** One HTTP GET from inside a pod of `network`: the body, trimmed. */
const wget = (network: TestNetwork, url: string) => network.wget('client', url);

async function bodies(network: TestNetwork, url: string, count: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) seen.push(await wget(network, url));
  return seen;
}

const countOf = (items: string[]) =>
  items.reduce<Record<string, number>>((m, item) => ({ ...m, [item]: (m[item] ?? 0) + 1 }), {});

const natRules = () => run('iptables', ['-w', '-t', 'nat', '-S']);

describe('ServiceProxy (userspace kube-proxy) on real Docker and iptables', () => {
  let web: ServiceWithIP;

  beforeAll(async () => {
    await requireDocker();
    cluster = await startCluster();
    client = createClient({ url: cluster.url, token: cluster.token });
    writer = resourceWriter(client);
    await node1.create();
    await node2.create();
    await Promise.all([
      node1.httpd('a', A, 'a'),
      node1.httpd('b', B, 'b'),
      node1.httpd('c', C, 'c'),
      node1.client('client'),
      node2.client('client', ['--ip', NODE2_CLIENT]),
    ]);
    web = await createService('web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
    await setEndpoints('web', [subset([A, B])]);
    await proxyFor(NODE1, node1).start();
  }, 60_000);

  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop().catch(() => {});
    await client?.close();
    await cluster?.stop();
    await node1.remove();
    await node2.remove();
  }, 60_000);

  it('installs its chain, jumped to from PREROUTING for the pod range only', async () => {
    const chain = portalChain(NODE1);
    expect(chain).toMatch(/^KUBEQL-PORTALS-[0-9A-F]{8}$/);
    const rules = await natRules();
    expect(rules).toContain(`-A PREROUTING -s ${node1.subnet} -j ${chain}`);
    expect(rules).toMatch(
      new RegExp(
        `-A ${chain} -d ${web.spec.clusterIP}/32 -p tcp -m tcp --dport 80 .*-j REDIRECT --to-ports \\d+`,
      ),
    );
    // First but for the NetworkPolicy chains' jumps (of Docker nodes other tests run on this engine).
    const filter = await run('iptables', ['-w', '-S', 'DOCKER-USER']);
    const userRules = filter.split('\n').filter((rule) => !/-j KUBEQL-NETPOL-/.test(rule));
    expect(userRules[1]).toBe('-A DOCKER-USER -s 10.244.0.0/16 -d 10.244.0.0/16 -j ACCEPT');
    const postrouting = await run('iptables', ['-w', '-t', 'nat', '-S', 'POSTROUTING']);
    expect(postrouting.split('\n')[1]).toBe('-A POSTROUTING -s 10.244.0.0/16 -d 10.244.0.0/16 -j RETURN');
  });

  it('spreads connections to the cluster IP round-robin over the ready endpoints', async () => {
    const seen = await bodies(node1, `http://${web.spec.clusterIP}/`, 6);
    expect(countOf(seen)).toEqual({ a: 3, b: 3 });
  });

  it('applies Endpoints changes live', async () => {
    await setEndpoints('web', [subset([C])]);
    await eventually(async () =>
      expect(await bodies(node1, `http://${web.spec.clusterIP}/`, 3)).toEqual(['c', 'c', 'c']),
    );
    await setEndpoints('web', [subset([A, B, C])]);
    await eventually(async () =>
      expect(countOf(await bodies(node1, `http://${web.spec.clusterIP}/`, 6))).toEqual({ a: 2, b: 2, c: 2 }),
    );
  });

  it('skips an endpoint that refuses, without failing a request', async () => {
    // b listed at a port nothing listens on, and an address no container has.
    await setEndpoints('web', [subset([A]), subset([B], 9999), subset([`${node1.prefix}.99`])]);
    await eventually(async () =>
      expect(await bodies(node1, `http://${web.spec.clusterIP}/`, 4)).toEqual(['a', 'a', 'a', 'a']),
    );
  });

  it('replays a request to another endpoint when one drops the connection before answering', async () => {
    // Backends on the host (at the bridge's gateway) that accept and then reset, or close, unanswered:
    // what a server that stops listening does to connections it has not served yet.
    const dropped = { reset: 0, closed: 0 };
    const listen = (onConnection: (socket: net.Socket) => void) =>
      new Promise<net.Server>((resolve) => {
        const server = net.createServer(onConnection);
        server.listen(0, node1.gateway, () => resolve(server));
      });
    const resetter = await listen((socket) => {
      dropped.reset++;
      socket.resetAndDestroy();
    });
    const closer = await listen((socket) => {
      dropped.closed++;
      socket.end();
    });
    const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
    try {
      await setEndpoints('web', [
        subset([A]),
        subset([node1.gateway], portOf(resetter)),
        subset([node1.gateway], portOf(closer)),
      ]);
      await eventually(async () => {
        expect(await bodies(node1, `http://${web.spec.clusterIP}/`, 6)).toEqual([
          'a',
          'a',
          'a',
          'a',
          'a',
          'a',
        ]);
        expect(dropped.reset).toBeGreaterThan(0);
        expect(dropped.closed).toBeGreaterThan(0);
      });
    } finally {
      resetter.close();
      closer.close();
    }
  });

  it('resets connections when a service has no endpoints', async () => {
    const empty = await createService('empty', { ports: [{ port: 81, targetPort: 8080 }] });
    await eventually(async () => {
      const rules = await natRules();
      expect(rules).toContain(`-d ${empty.spec.clusterIP}/32`);
    });
    await expect(wget(node1, `http://${empty.spec.clusterIP}:81/`)).rejects.toThrow();
  });

  it('honours ClientIP session affinity', async () => {
    const sticky = await createService('sticky', {
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      sessionAffinity: 'ClientIP',
    });
    await setEndpoints('sticky', [subset([A, B, C])]);
    const seen = await eventually(() => bodies(node1, `http://${sticky.spec.clusterIP}/`, 5));
    expect(new Set(seen).size).toBe(1);
  });

  it('fails no request through a rolling update, also when a pod stops listening before its endpoint is withdrawn', async () => {
    const ip = (n: number) => `${node1.prefix}.${20 + n}`;
    const roll = await createService('roll', {
      type: 'NodePort',
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    const url = `http://127.0.0.1:${roll.spec.ports[0].nodePort}/`;
    await Promise.all([node1.httpd('r1', ip(1), 'v1'), node1.httpd('r2', ip(2), 'v1')]);
    await setEndpoints('roll', [subset([ip(1), ip(2)])]);
    await eventually(async () => expect((await (await fetch(url)).text()).trim()).toBe('v1'));

    const results: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        try {
          results.push((await (await fetch(url)).text()).trim());
        } catch (error) {
          results.push(`failed: ${(error as Error).message} ${String((error as Error).cause)}`);
        }
      }
    };
    const load = Promise.all([client(), client(), client()]);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Surge one new pod, then kill an old one before its endpoint is withdrawn (the race retries cover).
    await node1.httpd('r3', ip(3), 'v2');
    await setEndpoints('roll', [subset([ip(1), ip(2), ip(3)])]);
    await pause(300);
    await node1.stopListening('r1');
    await pause(300);
    await setEndpoints('roll', [subset([ip(2), ip(3)])]);
    await node1.stop('r1');
    await node1.httpd('r4', ip(4), 'v2');
    await setEndpoints('roll', [subset([ip(2), ip(3), ip(4)])]);
    await pause(300);
    await node1.stopListening('r2');
    await pause(300);
    await setEndpoints('roll', [subset([ip(3), ip(4)])]);
    await node1.stop('r2');
    await pause(500);
    running = false;
    await load;
    expect(results.filter((r) => r !== 'v1' && r !== 'v2')).toEqual([]);
    expect(results.length).toBeGreaterThan(20);
    expect(results.slice(-3)).toEqual(['v2', 'v2', 'v2']);
  });

  it('answers a NodePort on 127.0.0.1 from the host, and a pod on another node bridge through its own proxy', async () => {
    const np = await createService('web-np', {
      type: 'NodePort',
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    const nodePort = np.spec.ports[0].nodePort as number;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    await setEndpoints('web-np', [subset([A])]);
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${nodePort}/`);
      expect((await res.text()).trim()).toBe('a');
    });
    // Node 2's pods reach pods on node 1's bridge directly, with their own address, and by cluster IP.
    expect(await wget(node2, `http://${A}:8080/`)).toBe('a');
    expect(await wget(node2, `http://${A}:8080/cgi-bin/ip`)).toContain(NODE2_CLIENT); // busybox shows [::ffff:a.b.c.d]
    const proxy2 = proxyFor(NODE2, node2);
    await proxy2.start();
    expect(await wget(node2, `http://${np.spec.clusterIP}/`)).toBe('a');
    // Node 1 holds the node port; node 2 takes it over once node 1 is gone.
    await proxies[0].stop();
    expect(await natRules()).not.toContain(portalChain(NODE1));
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${nodePort}/`);
      expect((await res.text()).trim()).toBe('a');
    });
  });

  it('replaces the state a killed agent of the same node name left behind', async () => {
    // A second proxy under node 2's name while the first still runs: as after a SIGKILL and restart.
    const again = proxyFor(NODE2, node2);
    await again.start();
    const jumps = (await natRules())
      .split('\n')
      .filter((l) => l.startsWith('-A PREROUTING') && l.includes(portalChain(NODE2)));
    expect(jumps).toEqual([`-A PREROUTING -s ${node2.subnet} -j ${portalChain(NODE2)}`]);
    expect(await wget(node2, `http://${web.spec.clusterIP}/`)).toBe('a');
    await again.stop();
    expect(await natRules()).not.toContain(portalChain(NODE2));
  });

  it('logged nothing unexpected', () => {
    expect(logs).toEqual([]);
  });
});
