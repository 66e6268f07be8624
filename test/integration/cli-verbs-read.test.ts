import YAML from 'yaml';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeqlClient } from '../../client/index.ts';
import { files, kq } from '../support/cli.ts';
import type { HollowCluster } from '../support/hollow.ts';
import { deploymentYAML, kqCluster, type DeploymentObject } from '../support/kq-cluster.ts';
import { waitFor } from '../support/wait.ts';

// The kq verbs that read: get (tables, output formats, selectors, STATUS), describe,
// events, api-resources and explain, in-process against a hollow cluster (see kqCluster).

let cluster: HollowCluster;
let api: KubeqlClient;
let env: Record<string, string>;
const { namespace, ok, readyPods } = kqCluster((started) => ({ cluster, api, env } = started));

describe('get', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await namespace('get');
    await ok(['apply', '-n', ns, '-f', '-'], {
      stdin: `${deploymentYAML('web', 2)}---\n${deploymentYAML('api', 1)}`,
    });
    await waitFor(async () => (await readyPods(ns, 'app in (web,api)')).length === 3, {
      ms: 15_000,
      what: 'pods',
    });
  });

  it('prints kubectl tables: aligned columns, READY 1/1, STATUS, AGE', async () => {
    const out = await ok(['get', 'deploy', '-n', ns]);
    expect(out).toMatch(
      /^NAME {3}READY {3}UP-TO-DATE {3}AVAILABLE {3}AGE\napi {4}1\/1 {5}1 {12}1 {11}\d+s\nweb {4}2\/2 {5}2 {12}2 {11}\d+s\n$/,
    );
    const pods = await ok(['get', 'po', '-n', ns, '-l', 'app=web']);
    const lines = pods.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME +READY {3}STATUS {4}RESTARTS {3}AGE$/);
    expect(lines.slice(1).every((l) => /^web-\S+ +1\/1 +Running +0 +\d+s$/.test(l))).toBe(true);
    // Every column starts where its header does.
    const at = lines[0].indexOf('STATUS');
    for (const line of lines.slice(1)) expect(line.slice(at, at + 7)).toBe('Running');
  });

  it('-o wide, name, json, yaml, jsonpath and custom-columns', async () => {
    expect(await ok(['get', 'deploy', '-n', ns, '-o', 'wide'])).toMatch(
      /^NAME {3}READY {3}UP-TO-DATE {3}AVAILABLE {3}AGE +CONTAINERS {3}IMAGES {7}SELECTOR\napi .* app +nginx:1\.25 {3}app=api\n/,
    );
    expect(await ok(['get', 'deployments.apps', `--namespace=${ns}`, '-o=name'])).toBe(
      'deployment.apps/api\ndeployment.apps/web\n',
    );
    const json = JSON.parse(await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'json']));
    expect(json).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: { replicas: 2 },
    });
    const list: { kind: string; items: DeploymentObject[] } = JSON.parse(
      await ok(['get', 'deploy', '-n', ns, '-o', 'json']),
    );
    expect(list.kind).toBe('List');
    expect(list.items.map((d) => d.metadata.name)).toEqual(['api', 'web']);
    const yaml = await ok(['get', 'deploy/web', '-n', ns, '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\nmetadata:\n/);
    expect(yaml).toContain('  containers:\n      - image: nginx:1.25\n');
    expect(await ok(['get', 'deploy', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}'])).toBe('api web');
    expect(
      await ok([
        'get',
        'deploy',
        '-n',
        ns,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{"\\n"}{end}',
      ]),
    ).toBe('api=1\nweb=2\n');
    expect(
      await ok([
        'get',
        'deploy',
        'web',
        '-n',
        ns,
        '-o',
        `jsonpath={.status.conditions[?(@.type=="Available")].status}`,
      ]),
    ).toBe('True');
    expect(
      await ok([
        'get',
        'deploy',
        '-n',
        ns,
        '-o',
        'custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image',
      ]),
    ).toBe('NAME   IMAGE\napi    nginx:1.25\nweb    nginx:1.25\n');
  });

  it('leaves managedFields out of -o yaml|json unless --show-managed-fields, as kubectl', async () => {
    const yaml = await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'yaml']);
    expect(yaml).not.toContain('managedFields');
    const shown = YAML.parse(
      await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'yaml', '--show-managed-fields']),
    ) as { metadata: { managedFields: Array<{ manager: string; operation: string }> } };
    expect(shown.metadata.managedFields.map((entry) => entry.operation)).toContain('Update');
    const listed = JSON.parse(
      await ok(['get', 'deploy', '-n', ns, '-o', 'json', '--show-managed-fields']),
    ) as {
      items: Array<{ metadata: { managedFields?: unknown[] } }>;
    };
    expect(listed.items.every((item) => (item.metadata.managedFields ?? []).length > 0)).toBe(true);
  });

  it('-A, --field-selector, --show-labels, --no-headers, several kinds, and nothing found', async () => {
    const all = await ok(['get', 'deploy', '-A', '-l', 'app=web']);
    expect(all.split('\n')[0]).toMatch(/^NAMESPACE {3}NAME {3}READY/);
    expect(all).toContain(`${ns}`);
    const node = cluster.nodes[0].name;
    const onNode = await ok([
      'get',
      'pods',
      '-n',
      ns,
      '--field-selector',
      `spec.nodeName=${node}`,
      '-o',
      'wide',
    ]);
    for (const line of onNode.trim().split('\n').slice(1)) expect(line).toContain(` ${node} `);
    expect(await ok(['get', 'deploy', 'api', '-n', ns, '--show-labels', '--no-headers'])).toMatch(
      /^api +1\/1 +1 +1 +\d+s +app=api\n$/,
    );
    const both = await ok(['get', 'deploy,rs', '-n', ns, '-l', 'app=api']);
    expect(both).toMatch(
      /^NAME +READY.*\ndeployment\.apps\/api .*\n\nNAME +DESIRED {3}CURRENT {3}READY {3}AGE\nreplicaset\.apps\/api-\S+ +1 +1 +1 +\d+s\n$/,
    );
    const none = await kq(cluster, ['get', 'pods', '-n', ns, '-l', 'app=nothing'], { env });
    expect(none).toEqual({ code: 0, stdout: '', stderr: `No resources found in ${ns} namespace.\n` });
    expect((await ok(['get', 'no'])).split('\n')[0]).toBe('NAME       STATUS   ROLES    AGE   VERSION');
    expect(await ok(['get', 'ns', ns, '--no-headers'])).toMatch(new RegExp(`^${ns} +Active +\\d+s\\n$`));
  });

  it('derives STATUS as kubectl does: a container that keeps failing is CrashLoopBackOff or Error', async () => {
    await ok(['run', 'crash', '-n', ns, '--image=busybox', '--restart=Never']);
    await api.request(
      `mutation($ns: String) { deletePod(namespace: $ns, name: "crash", gracePeriodSeconds: 0) { kind } }`,
      { ns },
    );
    await waitFor(async () => !(await api.get('Pod', 'crash', ns)), { what: 'pod gone' });
    const ready = files({
      'crash.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: crash
  annotations: {kubeql.io/simulate-exit-code: "1"}
spec:
  restartPolicy: Always
  containers: [{name: c, image: busybox}]
`,
    });
    await ok(['apply', '-n', ns, '-f', path.join(ready, 'crash.yaml')]);
    const status = await waitFor(
      async () => {
        const out = await ok(['get', 'pod', 'crash', '-n', ns, '--no-headers']);
        return /^crash +0\/1 +(CrashLoopBackOff|Error) +[1-9]/.test(out) && out;
      },
      { ms: 15_000, what: 'CrashLoopBackOff' },
    );
    expect(status).toMatch(/^crash +0\/1 +(CrashLoopBackOff|Error) +\d+ \(\d+s ago\) +\d+s\n$/);
  });
});

describe('inspect', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await namespace('inspect');
    await ok(['run', 'web', '-n', ns, '--image=nginx:1.25', '--port=80']);
    await ok(['expose', 'deployment', 'web', '-n', ns, '--port=80']);
    await waitFor(async () => (await readyPods(ns, 'run=web')).length === 1, { ms: 15_000, what: 'pod' });
  });

  it('describe a deployment: its fields, new ReplicaSet and events as kubectl lays them out', async () => {
    const out = await ok(['describe', 'deployment', 'web', '-n', ns]);
    expect(out).toMatch(
      /^Name: {19}web\nNamespace: {14}inspect-\d+\nCreationTimestamp: {6}\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000\n/,
    );
    expect(out).toContain(
      'Replicas:               1 desired | 1 updated | 1 total | 1 available | 0 unavailable\n',
    );
    expect(out).toContain('RollingUpdateStrategy:  25% max unavailable, 25% max surge\n');
    expect(out).toMatch(/NewReplicaSet: +web-\S+ \(1\/1 replicas created\)\n/);
    expect(out).toMatch(
      /Events:\n {2}Type {4}Reason +Age +From +Message\n {2}---- {4}------ +---- +---- +-------\n {2}Normal {2}ScalingReplicaSet +\d+s +\S+ +Scaled up replica set web-\S+ to 1\n/,
    );
  });

  it('describe a pod, a service and a node', async () => {
    const pod = await ok(['describe', 'pods', '-l', 'run=web', '-n', ns]);
    expect(pod).toMatch(/^Name: +web-\S+\nNamespace: +inspect-\d+\nPriority: +0\n/);
    expect(pod).toMatch(/\nStatus: +Running\n/);
    expect(pod).toMatch(/\nControlled By: +ReplicaSet\/web-\S+\n/);
    expect(pod).toMatch(/\n {4}State: +Running\n {6}Started: +\w{3}, /);
    expect(pod).toMatch(
      /\n {2}Normal {2}Scheduled +\d+s +\S+ +Successfully assigned inspect-\d+\/web-\S+ to hollow-\d+\n/,
    );
    const svc = await ok(['describe', 'svc/web', '-n', ns]);
    expect(svc).toMatch(/\nSelector: +run=web\nType: +ClusterIP\n/);
    await waitFor(
      async () => /\nEndpoints: +10\.\d+\.\d+\.\d+:80\n/.test(await ok(['describe', 'svc/web', '-n', ns])),
      { what: 'endpoints' },
    );
    expect(await ok(['describe', 'ep', 'web', '-n', ns])).toMatch(
      /\nSubsets:\n {2}Addresses: +10\.\S+\n {2}NotReadyAddresses: {2}<none>\n {2}Ports:\n {4}Name {5}Port {2}Protocol\n {4}-{4} {5}-{4} {2}-{8}\n {4}<unset> {2}80 {4}TCP\n/,
    );
    await ok(['create', 'secret', 'generic', 'pw', '-n', ns, '--from-literal=password=s3cret']);
    const secret = await ok(['describe', 'secret', 'pw', '-n', ns]);
    expect(secret).toContain('Type:  Opaque\n\nData\n====\npassword:  6 bytes\n');
    expect(secret).not.toContain('s3cret');
    const node = await ok(['describe', 'node', cluster.nodes[0].name]);
    expect(node).toMatch(/^Name: +hollow-\d+\nRoles: +<none>\n/);
    expect(node).toMatch(/\nNon-terminated Pods: +\(\d+ in total\)\n/);
  });

  it('events, api-resources, explain', async () => {
    const events = await ok(['events', '-n', ns, '--for', 'deployment/web']);
    expect(events).toMatch(
      /^LAST SEEN {3}TYPE {5}REASON {14}OBJECT {11}MESSAGE\n\d+s +Normal {3}ScalingReplicaSet {3}deployment\/web {3}Scaled up replica set web-\S+ to 1\n$/,
    );
    const resources = await ok(['api-resources']);
    expect(resources.split('\n')[0]).toMatch(/^NAME +SHORTNAMES {3}APIVERSION +NAMESPACED {3}KIND$/);
    expect(resources).toMatch(/\ndeployments +deploy +apps\/v1 +true +Deployment\n/);
    expect(resources).toMatch(/\nnodes +no +v1 +false +Node\n/);
    const explain = await ok(['explain', 'deployment.spec.replicas']);
    expect(explain).toBe(
      'GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n\nDESCRIPTION:\n    Desired number of pods; defaults to 1.\n',
    );
    const pods = await ok(['explain', 'pods.spec']);
    expect(pods).toMatch(/\nFIELDS:\n/);
    expect(pods).toMatch(/\n {2}containers\t<\[\]Container>/);
    const missing = await kq(cluster, ['explain', 'pods.spec.nothing'], { env });
    expect(missing).toMatchObject({ code: 1, stderr: 'error: field "nothing" does not exist\n' });
  });
});
