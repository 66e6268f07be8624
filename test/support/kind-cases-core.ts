import { expect } from 'vitest';
import type { Namespace } from '../../schema/kinds/namespace.ts';
import type { Node } from '../../schema/kinds/node.ts';
import type { Lease } from '../../schema/kinds/lease.ts';
import type { Service } from '../../schema/kinds/service.ts';
import type { Endpoints } from '../../schema/kinds/endpoints.ts';
import type { ConfigMap } from '../../schema/kinds/configmap.ts';
import type { Secret } from '../../schema/kinds/secret.ts';
import type { Event } from '../../schema/kinds/event.ts';
import { inServiceCIDR, kindCase, type KindCase } from './kinds.ts';

/**
 * The cluster-scoped kinds and the namespaced ones that are not workloads: their manifests
 * and what the API makes of them (see KindCase), for kinds-lifecycle.test.ts.
 */
export const CORE_KIND_CASES: KindCase[] = [
  kindCase<Namespace>({
    kind: 'Namespace',
    namespaced: false,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels:
    team: payments
`,
    select: 'spec { finalizers } status { phase }',
    created(ns) {
      expect(ns.spec?.finalizers).toEqual(['kubernetes']);
      expect(ns.status?.phase).toBe('Active');
    },
    change(m) {
      m.spec = { finalizers: ['kubernetes', 'example.com/cleanup'] };
    },
    changed(ns) {
      expect(ns.spec?.finalizers).toEqual(['kubernetes', 'example.com/cleanup']);
    },
    patch: { metadata: { labels: { team: null, env: 'prod' } } },
    patched(ns) {
      expect(ns.metadata.labels).toEqual({ env: 'prod' });
    },
    async finishDeletion(cluster, name) {
      const { namespace: ns } = await cluster.ok<{ namespace: Namespace | null }>(
        `query($n: String!) { namespace(name: $n) { status { phase } } }`,
        { n: name },
      );
      expect(ns?.status?.phase).toBe('Terminating');
      // What the namespace controller does once the namespace is empty.
      await cluster.ok(
        `mutation($n: String!) { patchNamespace(name: $n, patch: { spec: { finalizers: [] } }) { kind } }`,
        { n: name },
      );
    },
  }),
  kindCase<Node>({
    kind: 'Node',
    namespaced: false,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels:
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
spec:
  podCIDR: 10.244.1.0/24
status:
  capacity:
    cpu: "4"
    memory: 16Gi
    pods: "110"
  addresses:
  - type: InternalIP
    address: 192.168.0.11
`,
    select:
      'spec { podCIDR podCIDRs unschedulable taints { key value effect } } status { capacity allocatable addresses { type address } }',
    created(node) {
      expect(node.spec?.podCIDRs).toEqual(['10.244.1.0/24']);
      // A node registers with its status; allocatable defaults to capacity.
      expect(node.status?.capacity).toEqual({ cpu: '4', memory: '16Gi', pods: '110' });
      expect(node.status?.allocatable).toEqual(node.status?.capacity);
      expect(node.status?.addresses).toEqual([{ type: 'InternalIP', address: '192.168.0.11' }]);
    },
    change(m) {
      m.spec!.unschedulable = true;
    },
    changed(node) {
      expect(node.spec?.unschedulable).toBe(true);
      // Status is not the client's to change through an update.
      expect(node.status?.capacity?.cpu).toBe('4');
    },
    patch: { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } },
    patched(node) {
      expect(node.spec?.taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
      expect(node.spec?.unschedulable).toBe(true);
    },
  }),
  kindCase<Lease>({
    kind: 'Lease',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: ${name}
spec:
  holderIdentity: controller-0
  leaseDurationSeconds: 15
`,
    select: 'spec { holderIdentity leaseDurationSeconds leaseTransitions renewTime }',
    created(lease) {
      expect(lease.spec).toEqual({
        holderIdentity: 'controller-0',
        leaseDurationSeconds: 15,
        leaseTransitions: null,
        renewTime: null,
      });
    },
    change(m) {
      m.spec!.holderIdentity = 'controller-1';
    },
    changed(lease) {
      expect(lease.spec?.holderIdentity).toBe('controller-1');
    },
    patch: { spec: { leaseTransitions: 1, renewTime: '2024-01-01T00:00:00.000000Z' } },
    patched(lease) {
      expect(lease.spec?.leaseTransitions).toBe(1);
      expect(lease.spec?.renewTime).toBe('2024-01-01T00:00:00.000000Z');
      expect(lease.spec?.holderIdentity).toBe('controller-1');
    },
  }),
  kindCase<Service>({
    kind: 'Service',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: MyApp
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9376
`,
    select: `spec {
      type clusterIP clusterIPs sessionAffinity ipFamilies ipFamilyPolicy internalTrafficPolicy selector
      ports { name protocol port targetPort nodePort }
    }`,
    created(svc) {
      expect(svc.spec?.type).toBe('ClusterIP');
      expect(inServiceCIDR(svc.spec?.clusterIP)).toBe(true);
      expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
      expect(svc.spec?.sessionAffinity).toBe('None');
      expect(svc.spec?.ipFamilies).toEqual(['IPv4']);
      expect(svc.spec?.ipFamilyPolicy).toBe('SingleStack');
      expect(svc.spec?.internalTrafficPolicy).toBe('Cluster');
      expect(svc.spec?.ports).toEqual([
        { name: null, protocol: 'TCP', port: 80, targetPort: 9376, nodePort: null },
      ]);
    },
    change(m) {
      m.spec!.ports = [
        { name: 'http', port: 80, targetPort: 9376 },
        { name: 'metrics', port: 9090 },
      ];
    },
    changed(svc) {
      expect(svc.spec?.ports).toEqual([
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 9376, nodePort: null },
        { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 9090, nodePort: null },
      ]);
      // The clusterIP the server allocated stays, though the manifest does not carry it.
      expect(inServiceCIDR(svc.spec?.clusterIP)).toBe(true);
    },
    patch: { spec: { selector: { 'app.kubernetes.io/name': 'Other' } } },
    patched(svc) {
      expect(svc.spec?.selector).toEqual({ 'app.kubernetes.io/name': 'Other' });
    },
  }),
  kindCase<Endpoints>({
    kind: 'Endpoints',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: v1
kind: Endpoints
metadata:
  name: ${name}
subsets:
- addresses:
  - ip: 192.168.1.10
  - ip: 192.168.1.11
  ports:
  - name: postgres
    port: 5432
`,
    select: 'subsets { addresses { ip } ports { name port protocol } }',
    created(ep) {
      expect(ep.subsets).toEqual([
        {
          addresses: [{ ip: '192.168.1.10' }, { ip: '192.168.1.11' }],
          ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }],
        },
      ]);
    },
    change(m) {
      m.subsets![0].addresses!.pop();
    },
    changed(ep) {
      expect(ep.subsets?.[0].addresses).toEqual([{ ip: '192.168.1.10' }]);
    },
    patch: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 5433 }] }] },
    patched(ep) {
      // Lists are replaced whole by a merge patch.
      expect(ep.subsets).toEqual([
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: null, port: 5433, protocol: 'TCP' }] },
      ]);
    },
  }),
  kindCase<ConfigMap>({
    kind: 'ConfigMap',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  player_initial_lives: "3"
  ui_properties_file_name: "user-interface.properties"
  game.properties: |
    enemy.types=aliens,monsters
    player.maximum-lives=5
`,
    select: 'data binaryData immutable',
    created(cm) {
      expect(cm.data).toEqual({
        player_initial_lives: '3',
        ui_properties_file_name: 'user-interface.properties',
        'game.properties': 'enemy.types=aliens,monsters\nplayer.maximum-lives=5\n',
      });
      expect(cm.immutable).toBeNull();
    },
    change(m) {
      m.data!.player_initial_lives = '5';
    },
    changed(cm) {
      expect(cm.data?.player_initial_lives).toBe('5');
    },
    patch: { data: { ui_properties_file_name: null, 'extra.key': 'v' } },
    patched(cm) {
      expect(Object.keys(cm.data!).sort()).toEqual(['extra.key', 'game.properties', 'player_initial_lives']);
    },
  }),
  kindCase<Secret>({
    kind: 'Secret',
    namespaced: true,
    hasSpec: false,
    manifest: (name) => `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
type: Opaque
data:
  username: YWRtaW4=
stringData:
  password: t0p-Secret
`,
    select: 'type data stringData immutable',
    created(secret) {
      expect(secret.type).toBe('Opaque');
      // stringData is folded into data, base64-encoded, and never stored.
      expect(secret.data).toEqual({
        username: 'YWRtaW4=',
        password: Buffer.from('t0p-Secret').toString('base64'),
      });
      expect(secret.stringData).toBeNull();
    },
    change(m) {
      m.stringData = { password: 'n3w' };
    },
    changed(secret) {
      expect(Buffer.from(secret.data!.password!, 'base64').toString()).toBe('n3w');
    },
    patch: { stringData: { token: 'abc' }, data: { username: null } },
    patched(secret) {
      expect(secret.data).toEqual({ password: Buffer.from('n3w').toString('base64'), token: 'YWJj' });
      expect(secret.stringData).toBeNull();
    },
  }),
  kindCase<Event>({
    kind: 'Event',
    namespaced: true,
    hasSpec: false,
    manifest: (name, namespace) => `apiVersion: v1
kind: Event
metadata:
  name: ${name}
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-0
  namespace: ${namespace}
reason: Scheduled
message: Successfully assigned ${namespace}/web-0 to worker-1
type: Normal
source:
  component: default-scheduler
`,
    select: 'involvedObject { kind name namespace } reason message type source { component } count',
    created(ev) {
      expect(ev.involvedObject).toMatchObject({ kind: 'Pod', name: 'web-0' });
      expect(ev.reason).toBe('Scheduled');
      expect(ev.type).toBe('Normal');
      expect(ev.source?.component).toBe('default-scheduler');
    },
    change(m) {
      m.count = 2;
      m.message = 'Successfully assigned again';
    },
    changed(ev) {
      expect(ev.count).toBe(2);
      expect(ev.message).toBe('Successfully assigned again');
    },
    patch: { type: 'Warning', reason: 'FailedScheduling' },
    patched(ev) {
      expect(ev.type).toBe('Warning');
      expect(ev.reason).toBe('FailedScheduling');
    },
  }),
];
