import { describe, expect, it } from 'vitest';
import {
  PolicyEvaluator,
  type PolicyObject,
  type PolicyPod,
  type Protocol,
} from '../../agent/node/network-policy/policy-evaluator.ts';
import { clusterDnsPod } from '../../agent/node/network-policy/policy-pods.ts';
import type { NetworkPolicySpec } from '../../schema/kinds/networkpolicy.ts';

const pod = (
  namespace: string,
  name: string,
  ip: string,
  labels: Record<string, string> = {},
  ports: PolicyPod['ports'] = [],
): PolicyPod => ({ namespace, name, ip, labels, ports });

const policy = (namespace: string, spec: NetworkPolicySpec, name = 'p'): PolicyObject => ({
  namespace,
  name,
  spec,
});

// The cast: the schema types port as int-or-string and endPort as optional numbers; literals are fine.
const spec = (s: unknown) => s as NetworkPolicySpec;

const db = pod('default', 'db', '10.244.1.10', { role: 'db' }, [
  { name: 'redis', port: 6379, protocol: 'TCP' },
]);
const frontend = pod('default', 'frontend', '10.244.1.11', { role: 'frontend' });
const other = pod('default', 'other', '10.244.1.12', { role: 'other' });
const project = pod('myproject', 'client', '10.244.2.10', { app: 'client' });
const elsewhere = pod('elsewhere', 'client', '10.244.2.11', { role: 'frontend' });
const pods = [db, frontend, other, project, elsewhere];
const namespaces = new Map<string, Record<string, string>>([
  ['default', {}],
  ['myproject', { project: 'myproject' }],
  ['elsewhere', {}],
]);

function evaluator(policies: PolicyObject[], extraPods: PolicyPod[] = []) {
  const e = new PolicyEvaluator({ policies, pods: [...pods, ...extraPods], namespaces });
  return (from: PolicyPod | string, to: PolicyPod | string, port = 80, protocol: Protocol = 'TCP') =>
    e.allows({
      from: typeof from === 'string' ? from : from.ip,
      to: typeof to === 'string' ? to : to.ip,
      port,
      protocol,
    });
}

describe('NetworkPolicy evaluation', () => {
  it('leaves pods no policy selects unrestricted', () => {
    const allows = evaluator([]);
    expect(allows(frontend, db)).toBe(true);
    expect(allows('8.8.8.8', db, 6379)).toBe(true);
    expect(allows(db, '1.1.1.1', 443)).toBe(true);
  });

  it('default-deny ingress isolates every pod of its namespace, for ingress only', () => {
    const allows = evaluator([policy('default', spec({ podSelector: {}, policyTypes: ['Ingress'] }))]);
    expect(allows(frontend, db)).toBe(false);
    expect(allows(project, db)).toBe(false);
    expect(allows('192.168.1.1', other)).toBe(false);
    // Egress of the isolated pods stays open, and other namespaces are untouched.
    expect(allows(db, project)).toBe(true);
    expect(allows(project, elsewhere)).toBe(true);
  });

  it('allow-all ingress ({} rule) opens what default-deny closed: policies add up', () => {
    const allows = evaluator([
      policy('default', spec({ podSelector: {}, policyTypes: ['Ingress'] }), 'deny'),
      policy('default', spec({ podSelector: {}, ingress: [{}] }), 'allow'),
    ]);
    expect(allows(frontend, db, 1234)).toBe(true);
    expect(allows('8.8.8.8', db, 22, 'UDP')).toBe(true);
  });

  it('default-deny egress isolates for egress only', () => {
    const allows = evaluator([policy('default', spec({ podSelector: {}, policyTypes: ['Egress'] }))]);
    expect(allows(db, project)).toBe(false);
    expect(allows(db, '1.1.1.1')).toBe(false);
    expect(allows(project, db)).toBe(true);
    expect(allows(project, elsewhere)).toBe(true);
  });

  describe("the documentation's test-network-policy", () => {
    const allows = evaluator([
      policy(
        'default',
        spec({
          podSelector: { matchLabels: { role: 'db' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [
                { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
                { namespaceSelector: { matchLabels: { project: 'myproject' } } },
                { podSelector: { matchLabels: { role: 'frontend' } } },
              ],
              ports: [{ protocol: 'TCP', port: 6379 }],
            },
          ],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
        }),
        'test-network-policy',
      ),
    ]);

    it('admits frontend pods of its namespace on 6379/TCP only', () => {
      expect(allows(frontend, db, 6379)).toBe(true);
      expect(allows(frontend, db, 80)).toBe(false);
      expect(allows(frontend, db, 6379, 'UDP')).toBe(false);
      expect(allows(other, db, 6379)).toBe(false);
    });

    it('admits every pod of a selected namespace, and no frontend of another', () => {
      expect(allows(project, db, 6379)).toBe(true);
      expect(allows(elsewhere, db, 6379)).toBe(false);
    });

    it('admits the ipBlock but not its exception', () => {
      expect(allows('172.17.0.5', db, 6379)).toBe(true);
      expect(allows('172.17.2.200', db, 6379)).toBe(true);
      expect(allows('172.17.1.5', db, 6379)).toBe(false);
      expect(allows('172.18.0.5', db, 6379)).toBe(false);
    });

    it('lets db out to 10.0.0.0/24 on 5978 only', () => {
      expect(allows(db, '10.0.0.5', 5978)).toBe(true);
      expect(allows(db, '10.0.0.5', 80)).toBe(false);
      expect(allows(db, '10.0.1.5', 5978)).toBe(false);
      expect(allows(db, frontend, 5978)).toBe(false);
    });

    it('does not restrict the pods it does not select', () => {
      expect(allows(other, frontend, 9999)).toBe(true);
    });
  });

  it('ANDs namespaceSelector and podSelector in one peer, ORs them in two', () => {
    const and = evaluator([
      policy(
        'default',
        spec({
          podSelector: { matchLabels: { role: 'db' } },
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchExpressions: [{ key: 'project', operator: 'Exists' }] },
                  podSelector: { matchLabels: { app: 'client' } },
                },
              ],
            },
          ],
        }),
      ),
    ]);
    const stranger = pod('myproject', 'stranger', '10.244.2.12', { app: 'other' });
    const andWithStranger = evaluator(
      [
        policy(
          'default',
          spec({
            podSelector: { matchLabels: { role: 'db' } },
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: { matchLabels: { project: 'myproject' } },
                    podSelector: { matchLabels: { app: 'client' } },
                  },
                ],
              },
            ],
          }),
        ),
      ],
      [stranger],
    );
    expect(and(project, db)).toBe(true);
    expect(and(frontend, db)).toBe(false);
    expect(andWithStranger(project, db)).toBe(true);
    expect(andWithStranger(stranger, db)).toBe(false);
    const or = evaluator(
      [
        policy(
          'default',
          spec({
            podSelector: { matchLabels: { role: 'db' } },
            ingress: [
              {
                from: [
                  { namespaceSelector: { matchLabels: { project: 'myproject' } } },
                  { podSelector: { matchLabels: { app: 'client' } } },
                ],
              },
            ],
          }),
        ),
      ],
      [stranger],
    );
    expect(or(stranger, db)).toBe(true);
    // podSelector alone means the policy's own namespace: elsewhere's pods do not match it.
    expect(or(elsewhere, db)).toBe(false);
  });

  it('selects namespaces by the kubernetes.io/metadata.name label every namespace has', () => {
    const allows = evaluator([
      policy(
        'default',
        spec({
          podSelector: {},
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'elsewhere' } } }],
            },
          ],
        }),
      ),
    ]);
    expect(allows(elsewhere, db)).toBe(true);
    expect(allows(project, db)).toBe(false);
    // The policy's own namespace is not implied.
    expect(allows(frontend, db)).toBe(false);
  });

  it('applies a port range with endPort', () => {
    const allows = evaluator([
      policy(
        'default',
        spec({
          podSelector: { matchLabels: { role: 'db' } },
          ingress: [{ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }],
        }),
      ),
    ]);
    expect(allows(frontend, db, 32000)).toBe(true);
    expect(allows(frontend, db, 32500)).toBe(true);
    expect(allows(frontend, db, 32768)).toBe(true);
    expect(allows(frontend, db, 32769)).toBe(false);
    expect(allows(frontend, db, 31999)).toBe(false);
  });

  it('admits a protocol without a port on every port of it', () => {
    const allows = evaluator([
      policy(
        'default',
        spec({ podSelector: { matchLabels: { role: 'db' } }, ingress: [{ ports: [{ protocol: 'UDP' }] }] }),
      ),
    ]);
    expect(allows(frontend, db, 5353, 'UDP')).toBe(true);
    expect(allows(frontend, db, 5353, 'TCP')).toBe(false);
  });

  it("resolves a named port on ingress against the selected pod's container ports", () => {
    const web = pod('default', 'web', '10.244.1.20', { app: 'web' }, [
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
    const bare = pod('default', 'bare', '10.244.1.21', { app: 'web' });
    const allows = evaluator(
      [
        policy(
          'default',
          spec({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'http' }] }] }),
        ),
      ],
      [web, bare],
    );
    expect(allows(frontend, web, 8080)).toBe(true);
    expect(allows(frontend, web, 80)).toBe(false);
    // A pod without the named port admits nothing by that rule.
    expect(allows(frontend, bare, 8080)).toBe(false);
  });

  it("resolves a named port on egress against each destination pod's ports", () => {
    const a = pod('default', 'a', '10.244.1.30', { app: 'a' }, [
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ]);
    const b = pod('default', 'b', '10.244.1.31', { app: 'b' }, [
      { name: 'metrics', port: 9200, protocol: 'TCP' },
    ]);
    const allows = evaluator(
      [
        policy(
          'default',
          spec({
            podSelector: { matchLabels: { role: 'frontend' } },
            policyTypes: ['Egress'],
            egress: [{ ports: [{ port: 'metrics' }] }],
          }),
        ),
      ],
      [a, b],
    );
    expect(allows(frontend, a, 9100)).toBe(true);
    expect(allows(frontend, b, 9200)).toBe(true);
    expect(allows(frontend, a, 9200)).toBe(false);
    expect(allows(frontend, '1.1.1.1', 9100)).toBe(false);
  });

  it('needs both the egress of the source and the ingress of the destination', () => {
    const allows = evaluator([
      policy(
        'default',
        spec({
          podSelector: { matchLabels: { role: 'frontend' } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }],
        }),
        'frontend-out',
      ),
      policy(
        'default',
        spec({
          podSelector: { matchLabels: { role: 'db' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { role: 'other' } } }] }],
        }),
        'db-in',
      ),
    ]);
    expect(allows(frontend, db)).toBe(false);
    expect(allows(other, db)).toBe(true);
    expect(allows(frontend, other)).toBe(false);
  });

  it('isolates for ingress too when policyTypes is absent and only egress rules are given', () => {
    const allows = evaluator([
      policy(
        'default',
        spec({
          podSelector: { matchLabels: { role: 'db' } },
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
        }),
      ),
    ]);
    expect(allows(frontend, db)).toBe(false);
    expect(allows(db, frontend)).toBe(true);
    expect(allows(db, '8.8.8.8')).toBe(false);
  });

  it('matches an address that is not IPv4 only by rules admitting every address', () => {
    const byPod = evaluator([
      policy('default', spec({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })),
    ]);
    expect(byPod('2001:db8::1', db)).toBe(false);
    expect(byPod(frontend, db)).toBe(true);
    const everyone = evaluator([policy('default', spec({ podSelector: {}, ingress: [{}] }))]);
    expect(everyone('2001:db8::1', db)).toBe(true);
  });

  it('only selects pods in the policy namespace', () => {
    const allows = evaluator([
      policy('elsewhere', spec({ podSelector: { matchLabels: { role: 'frontend' } } })),
    ]);
    expect(allows(other, frontend)).toBe(true);
    expect(allows(other, elsewhere)).toBe(false);
  });

  describe('DNS under an egress policy', () => {
    const dns = clusterDnsPod('10.244.1.1');
    const denyEgress = policy('default', spec({ podSelector: {}, policyTypes: ['Egress'] }), 'deny');
    const check = (policies: PolicyObject[], protocol: Protocol = 'UDP') =>
      evaluator(policies, [dns])(frontend, dns, 53, protocol);

    it('is denied without a rule for it, as in Kubernetes', () => {
      expect(check([denyEgress])).toBe(false);
    });

    it('is allowed by a port 53 rule', () => {
      const allowDns = policy(
        'default',
        spec({
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
        }),
        'dns',
      );
      expect(check([denyEgress, allowDns])).toBe(true);
      expect(check([denyEgress, allowDns], 'TCP')).toBe(false);
    });

    it('is allowed by the usual kube-dns selector, named ports included', () => {
      const allowDns = policy(
        'default',
        spec({
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
                },
              ],
              ports: [
                { protocol: 'UDP', port: 'dns' },
                { protocol: 'TCP', port: 'dns-tcp' },
              ],
            },
          ],
        }),
        'dns',
      );
      expect(check([denyEgress, allowDns])).toBe(true);
      expect(check([denyEgress, allowDns], 'TCP')).toBe(true);
    });
  });
});
