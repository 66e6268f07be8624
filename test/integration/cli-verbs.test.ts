import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';
import { files, kq, kqEnv, kqProcess } from '../support/cli.ts';

// Every kq verb in-process (the same runVerb the binary runs, with captured streams)
// against a hollow cluster over HTTP and WebSocket, asserting what it printed and,
// through the SDK, what it did. Each test works in a namespace of its own.

let cluster: HollowCluster;
let api: KubeqlClient;
let env: Record<string, string>;
beforeAll(async () => {
  cluster = await startHollowCluster({ nodes: 2 });
  api = createClient({ url: cluster.url, token: cluster.token });
  env = kqEnv(cluster);
});
afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

let seq = 0;
async function namespace(prefix: string): Promise<string> {
  const name = `${prefix}-${++seq}`;
  await cluster.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

/** kq in-process; a failure fails the test with kq's own error line. */
async function ok(argv: string[], options: Parameters<typeof kq>[2] = {}): Promise<string> {
  const result = await kq(cluster, argv, { env, ...options });
  if (result.code !== 0) throw new Error(`kq ${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

const deploymentYAML = (name: string, replicas = 1, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
${extra}  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        ports: [{containerPort: 80}]
`;

const readyPods = async (ns: string, selector: string) =>
  (await api.list<any>('Pod', { namespace: ns, labelSelector: selector })).items.filter((p) =>
    (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
  );

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
    const list = JSON.parse(await ok(['get', 'deploy', '-n', ns, '-o', 'json']));
    expect(list.kind).toBe('List');
    expect(list.items.map((d: any) => d.metadata.name)).toEqual(['api', 'web']);
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

describe('apply, create, run, expose', () => {
  it('apply -f: a file, a directory, stdin; created, configured, unchanged; --dry-run stores nothing', async () => {
    const ns = await namespace('apply');
    const dir = files({
      'app/web.yaml': deploymentYAML('web'),
      'app/config.yml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: prod}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n',
      'app/README.md': 'not a manifest',
    });
    expect(await ok(['apply', '-n', ns, '-f', 'app', '--dry-run=server'], { cwd: dir })).toBe(
      'configmap/settings created (server dry run)\nconfigmap/other created (server dry run)\ndeployment.apps/web created (server dry run)\n',
    );
    expect(await api.get('ConfigMap', 'settings', ns)).toBeNull();
    expect(await ok(['apply', '-n', ns, '-f', 'app'], { cwd: dir })).toBe(
      'configmap/settings created\nconfigmap/other created\ndeployment.apps/web created\n',
    );
    expect((await api.get<any>('ConfigMap', 'settings', ns))?.data).toEqual({ mode: 'prod' });
    const changed = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: dev}\n';
    expect(await ok(['apply', '-n', ns, '-f', '-'], { stdin: changed })).toBe(
      'configmap/settings configured\n',
    );
    expect((await api.get<any>('ConfigMap', 'settings', ns))?.data).toEqual({ mode: 'dev' });
    expect(await ok(['apply', '-n', ns, '-f', '-'], { stdin: changed })).toBe(
      'configmap/settings unchanged\n',
    );
    const out = await ok(['apply', '-n', ns, '-f', path.join(dir, 'app', 'web.yaml'), '-o', 'name']);
    expect(out).toBe('deployment.apps/web\n');
    const mismatch = await kq(cluster, ['apply', '-n', 'elsewhere', '-f', '-'], {
      env,
      stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: ${ns}}\n`,
    });
    expect(mismatch.stderr).toBe(
      `error: the namespace from the provided object "${ns}" does not match the namespace "elsewhere". You must pass '--namespace=${ns}' to perform this operation.\n`,
    );
  });

  it('create deployment, namespace, configmap and secret generic', async () => {
    const ns = await namespace('create');
    expect(
      await ok(['create', 'deployment', 'web', '-n', ns, '--image=nginx:1.25', '--replicas=2', '--port=80']),
    ).toBe('deployment.apps/web created\n');
    const web = await api.get<any>('Deployment', 'web', ns);
    expect(web.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'web' } } });
    expect(web.spec.template.spec.containers).toEqual([
      expect.objectContaining({
        name: 'nginx',
        image: 'nginx:1.25',
        ports: [expect.objectContaining({ containerPort: 80 })],
      }),
    ]);
    expect(await ok(['create', 'namespace', `${ns}-b`])).toBe(`namespace/${ns}-b created\n`);
    expect(await api.get('Namespace', `${ns}-b`)).not.toBeNull();
    const dir = files({ 'app.properties': 'a=1\n', 'tls/key': 'secret-key' });
    expect(
      await ok(
        [
          'create',
          'configmap',
          'cfg',
          '-n',
          ns,
          '--from-literal=mode=prod',
          '--from-file=app.properties',
          '--from-file=renamed=app.properties',
        ],
        { cwd: dir },
      ),
    ).toBe('configmap/cfg created\n');
    expect((await api.get<any>('ConfigMap', 'cfg', ns)).data).toEqual({
      mode: 'prod',
      'app.properties': 'a=1\n',
      renamed: 'a=1\n',
    });
    expect(
      await ok(
        ['create', 'secret', 'generic', 'db', '-n', ns, '--from-literal=password=s3cret', '--from-file=tls'],
        { cwd: dir },
      ),
    ).toBe('secret/db created\n');
    const secret = await api.get<any>('Secret', 'db', ns);
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('s3cret');
    expect(Buffer.from(secret.data.key, 'base64').toString()).toBe('secret-key');
    expect(
      await ok([
        'create',
        'configmap',
        'dry',
        '-n',
        ns,
        '--from-literal=a=b',
        '--dry-run=server',
        '-o',
        'yaml',
      ]),
    ).toContain('name: dry\n');
    expect(await api.get('ConfigMap', 'dry', ns)).toBeNull();
  });

  it('run a Deployment or a Pod; expose it', async () => {
    const ns = await namespace('run');
    expect(
      await ok([
        'run',
        'web',
        '-n',
        ns,
        '--image=nginx:1.25',
        '--replicas=2',
        '--port=8080',
        '--env=MODE=prod',
        '--labels=app=web,tier=front',
      ]),
    ).toBe('deployment.apps/web created\n');
    const web = await api.get<any>('Deployment', 'web', ns);
    expect(web.spec.selector.matchLabels).toEqual({ app: 'web', tier: 'front' });
    expect(web.spec.template.spec.containers[0]).toMatchObject({
      name: 'web',
      env: [{ name: 'MODE', value: 'prod' }],
    });
    expect(
      await ok(['run', 'once', '-n', ns, '--image=busybox', '--restart=Never', '--', 'echo', 'hello']),
    ).toBe('pod/once created\n');
    expect((await api.get<any>('Pod', 'once', ns)).spec).toMatchObject({
      restartPolicy: 'Never',
      containers: [{ args: ['echo', 'hello'] }],
    });

    expect(
      await ok([
        'expose',
        'deployment',
        'web',
        '-n',
        ns,
        '--port=80',
        '--target-port=8080',
        '--name=web-svc',
      ]),
    ).toBe('service/web-svc exposed\n');
    const svc = await api.get<any>('Service', 'web-svc', ns);
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      selector: { app: 'web', tier: 'front' },
      ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
    expect(await ok(['get', 'svc', 'web-svc', '-n', ns, '--no-headers'])).toMatch(
      /^web-svc +ClusterIP +\d+\.\d+\.\d+\.\d+ +<none> +80\/TCP +\d+s\n$/,
    );
    await waitFor(async () => (await readyPods(ns, 'app=web')).length === 2, { ms: 15_000, what: 'pods' });
    await waitFor(async () => /:8080/.test(await ok(['get', 'ep', 'web-svc', '-n', ns])), {
      ms: 15_000,
      what: 'endpoints',
    });
  });
});

describe('change and delete', () => {
  it('scale, set image, label and annotate', async () => {
    const ns = await namespace('change');
    await ok(['apply', '-n', ns, '-f', '-'], { stdin: deploymentYAML('web') });
    expect(await ok(['scale', 'deploy', 'web', '-n', ns, '--replicas=3'])).toBe(
      'deployment.apps/web scaled\n',
    );
    expect((await api.get<any>('Deployment', 'web', ns)).spec.replicas).toBe(3);
    expect(await ok(['set', 'image', 'deployment/web', 'app=nginx:1.26', '-n', ns])).toBe(
      'deployment.apps/web image updated\n',
    );
    expect((await api.get<any>('Deployment', 'web', ns)).spec.template.spec.containers[0].image).toBe(
      'nginx:1.26',
    );
    const noSuchContainer = await kq(cluster, ['set', 'image', 'deployment/web', 'nope=x', '-n', ns], {
      env,
    });
    expect(noSuchContainer.code).toBe(1);
    expect(noSuchContainer.stderr).toMatch(
      /^The Deployment "web" is invalid: |^Error from server \(Invalid\): /,
    );

    expect(await ok(['label', 'deploy', 'web', 'tier=front', '-n', ns])).toBe(
      'deployment.apps/web labeled\n',
    );
    expect((await api.get('Deployment', 'web', ns))?.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    const clash = await kq(cluster, ['label', 'deploy', 'web', 'tier=back', '-n', ns], { env });
    expect(clash).toMatchObject({
      code: 1,
      stderr: "error: 'tier' already has a value (front), and --overwrite is false\n",
    });
    expect(await ok(['label', 'deploy/web', 'tier=back', '--overwrite', '-n', ns])).toBe(
      'deployment.apps/web labeled\n',
    );
    expect(await ok(['label', 'deploy/web', 'tier=back', '-n', ns])).toBe(
      'deployment.apps/web not labeled\n',
    );
    expect(await ok(['label', 'deploy/web', 'tier-', '-n', ns])).toBe('deployment.apps/web labeled\n');
    expect((await api.get('Deployment', 'web', ns))?.metadata.labels).toEqual({ app: 'web' });
    expect(await ok(['annotate', 'deploy', 'web', 'owner=team-a', '-n', ns])).toBe(
      'deployment.apps/web annotated\n',
    );
    expect((await api.get('Deployment', 'web', ns))?.metadata.annotations).toMatchObject({ owner: 'team-a' });
    await ok(['create', 'deployment', 'api', '--image=nginx', '-n', ns]);
    expect(await ok(['label', 'deploy', '-l', 'app', 'checked=yes', '-n', ns])).toBe(
      'deployment.apps/api labeled\ndeployment.apps/web labeled\n',
    );
  });

  it('edit: $EDITOR, saved with the resourceVersion read; a change in between is a conflict', async () => {
    const ns = await namespace('edit');
    await ok(['apply', '-n', ns, '-f', '-'], { stdin: deploymentYAML('web') });
    // Until the controllers are done with it, its status changes: an edit would conflict, rightly.
    await ok(['rollout', 'status', 'deployment/web', '-n', ns]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const edited = await ok(['edit', 'deployment/web', '-n', ns], {
      env: { ...env, EDITOR: `sed -i 's/replicas: 1/replicas: 4/'` },
    });
    expect(edited).toBe('deployment.apps/web edited\n');
    expect((await api.get<any>('Deployment', 'web', ns)).spec.replicas).toBe(4);
    expect(await ok(['edit', 'deployment/web', '-n', ns], { env: { ...env, EDITOR: 'true' } })).toBe(
      'Edit cancelled, no changes made.\n',
    );

    // The "editor" changes the object on the server first, as a colleague would meanwhile.
    const dir = files({
      'editor.sh': `#!/bin/sh
node -e '
fetch(process.env.KQ_SERVER + "/graphql", { method: "POST",
  headers: { "content-type": "application/json", authorization: "Bearer " + process.env.KQ_TOKEN },
  body: JSON.stringify({ query: "mutation { scaleDeployment(namespace: \\"${ns}\\", name: \\"web\\", replicas: 2) { kind } }" }) })
  .then((r) => r.text()).then(() => process.exit(0), () => process.exit(1));'
sed -i 's/replicas: 4/replicas: 5/' "$1"
`,
    });
    fs.chmodSync(path.join(dir, 'editor.sh'), 0o755);
    const conflict = await kqProcess(['edit', 'deployment/web', '-n', ns], {
      env: { ...env, EDITOR: path.join(dir, 'editor.sh') },
    });
    expect(conflict.code).toBe(1);
    const [first, second] = conflict.stderr.split('\n');
    expect(first).toBe(
      'Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(second).toMatch(/^error: A copy of your changes has been stored to ".*deployments-web\.yaml"$/);
    expect((await api.get<any>('Deployment', 'web', ns)).spec.replicas).toBe(2);
  });

  it('delete by name, -l, -f; --cascade=orphan keeps the dependents', async () => {
    const ns = await namespace('delete');
    const dir = files({ 'web.yaml': deploymentYAML('web'), 'api.yaml': deploymentYAML('api') });
    await ok(['apply', '-n', ns, '-f', '.'], { cwd: dir });
    await ok(['create', 'configmap', 'a', '-n', ns, '--from-literal=x=1']);
    await ok(['create', 'configmap', 'b', '-n', ns, '--from-literal=x=1']);
    await ok(['label', 'cm', 'a', 'b', 'group=temp', '-n', ns]);
    expect(await ok(['delete', 'cm', '-l', 'group=temp', '-n', ns])).toBe(
      'configmap "a" deleted\nconfigmap "b" deleted\n',
    );
    expect((await api.list('ConfigMap', { namespace: ns, labelSelector: 'group=temp' })).items).toEqual([]);

    await waitFor(
      async () =>
        (await api.list('ReplicaSet', { namespace: ns, labelSelector: 'app=web' })).items.length === 1,
      { what: 'rs' },
    );
    expect(await ok(['delete', 'deploy', 'web', '-n', ns, '--cascade=orphan'])).toBe(
      'deployment.apps "web" deleted\n',
    );
    expect(await api.get('Deployment', 'web', ns)).toBeNull();
    const [rs] = (await api.list<any>('ReplicaSet', { namespace: ns, labelSelector: 'app=web' })).items;
    expect(rs.metadata.ownerReferences ?? []).toEqual([]);

    expect(await ok(['delete', '-f', 'api.yaml', '-n', ns, '--grace-period=0'], { cwd: dir })).toBe(
      'deployment.apps "api" deleted\n',
    );
    expect(await api.get('Deployment', 'api', ns)).toBeNull();
    const missing = await kq(cluster, ['delete', 'deploy', 'api', '-n', ns], { env });
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'Error from server (NotFound): deployments.apps "api" not found\n',
    });
    expect(await ok(['delete', 'deploy', 'api', '-n', ns, '--ignore-not-found'])).toBe('');
  });
});

describe('rollout', () => {
  it('pause, resume, restart, history --revision', async () => {
    const ns = await namespace('rollout');
    await ok(['apply', '-n', ns, '-f', '-'], { stdin: deploymentYAML('web') });
    expect(await ok(['rollout', 'pause', 'deployment/web', '-n', ns])).toBe('deployment.apps/web paused\n');
    expect((await api.get<any>('Deployment', 'web', ns)).spec.paused).toBe(true);
    const again = await kq(cluster, ['rollout', 'pause', 'deployment/web', '-n', ns], { env });
    expect(again).toMatchObject({ code: 1, stderr: 'error: deployments.apps "web" is already paused\n' });
    expect(await ok(['rollout', 'resume', 'deploy/web', '-n', ns])).toBe('deployment.apps/web resumed\n');
    expect((await api.get<any>('Deployment', 'web', ns)).spec.paused).toBeFalsy();
    expect(await ok(['rollout', 'restart', 'deployment', 'web', '-n', ns])).toBe(
      'deployment.apps/web restarted\n',
    );
    const restarted = await api.get<any>('Deployment', 'web', ns);
    expect(restarted.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    await waitFor(async () => /\n2 /.test(await ok(['rollout', 'history', 'deployment/web', '-n', ns])), {
      what: 'revision 2',
    });
    const revision = await ok(['rollout', 'history', 'deployment/web', '-n', ns, '--revision=1']);
    expect(revision).toMatch(
      /^deployment\.apps\/web with revision #1\nPod Template:\n {2}Labels: +app=web\n/,
    );
    expect(revision).toMatch(/\n {3}app:\n {4}Image: +nginx:1\.25\n/);
  });

  it('status exits 1 on ProgressDeadlineExceeded', async () => {
    const ns = await namespace('deadline');
    // No node has the label, so the pod stays Pending and the rollout never progresses.
    const crashing = deploymentYAML('stuck', 1, '  progressDeadlineSeconds: 1\n').replace(
      '      containers:\n',
      '      nodeSelector: {disk: none}\n      containers:\n',
    );
    await ok(['apply', '-n', ns, '-f', '-'], { stdin: crashing });
    const result = await kq(cluster, ['rollout', 'status', 'deployment/stuck', '-n', ns, '--timeout=20s'], {
      env,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: deployment "stuck" exceeded its progress deadline\n');
    expect(result.stdout).toMatch(/^Waiting for deployment "stuck" rollout to finish: /);
    expect(await ok(['get', 'pods', '-n', ns, '--no-headers'])).toMatch(
      /^stuck-\S+ +0\/1 +Pending +0 +\d+s\n$/,
    );
  });
  it('status exits 1 when --timeout runs out first', async () => {
    const ns = await namespace('timeout');
    const pending = deploymentYAML('waits').replace(
      '      containers:\n',
      '      nodeSelector: {disk: none}\n      containers:\n',
    );
    await ok(['apply', '-n', ns, '-f', '-'], { stdin: pending });
    const result = await kq(cluster, ['rollout', 'status', 'deploy/waits', '-n', ns, '--timeout=1s'], {
      env,
    });
    expect(result).toMatchObject({ code: 1, stderr: 'error: timed out waiting for the condition\n' });
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

describe('config, version, completion', () => {
  it('config: saved server, token and namespace; flags and environment override them', async () => {
    const home = files({});
    const own = { PATH: env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg') };
    const ns = await namespace('config');
    await ok(['create', 'configmap', 'here', '-n', ns, '--from-literal=a=b']);
    const noToken = await kq(cluster, ['get', 'cm'], { env: { ...own, KQ_SERVER: 'http://127.0.0.1:9' } });
    expect(noToken.code).toBe(1);
    expect(await ok(['config', 'set', 'server', cluster.url], { env: own })).toBe('Property "server" set.\n');
    expect(await ok(['config', 'set', 'token', cluster.token], { env: own })).toBe('Property "token" set.\n');
    expect(await ok(['config', 'set-context', '--current', `--namespace=${ns}`], { env: own })).toBe(
      'Context "kubeql" modified.\n',
    );
    const file = path.join(home, 'cfg', 'kubeql', 'config.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      server: cluster.url,
      token: cluster.token,
      namespace: ns,
    });
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(await ok(['config', 'view'], { env: own })).toBe(
      `namespace: ${ns}\nserver: ${cluster.url}\ntoken: REDACTED\n`,
    );
    expect(await ok(['get', 'cm', '-o', 'name'], { env: own })).toBe('configmap/here\n');
    expect(await ok(['get', 'cm', '-o', 'name', '-n', 'default'], { env: own })).not.toContain(
      'configmap/here',
    );
    expect(await ok(['config', 'current-namespace'], { env: { ...own, KQ_NAMESPACE: 'from-env' } })).toBe(
      'from-env\n',
    );
    expect((await kq(cluster, ['get', 'cm'], { env: { ...own, KQ_TOKEN: 'wrong' } })).stderr).toBe(
      'error: You must be logged in to the server (Unauthorized)\n',
    );
    expect(await ok(['config', 'unset', 'namespace'], { env: own })).toBe('Property "namespace" unset.\n');
    expect(await ok(['config', 'current-namespace'], { env: own })).toBe('default\n');
  });

  it('version', async () => {
    const out = await ok(['version']);
    expect(out).toBe(
      `Client Version: v0.1.0\nServer: ${cluster.url} (reachable; the API reports no version)\n`,
    );
    expect(await kq(undefined, ['version', '--client'], { env: kqEnv(undefined) })).toEqual({
      code: 0,
      stdout: 'Client Version: v0.1.0\n',
      stderr: '',
    });
  });

  it('completion scripts for bash and zsh', async () => {
    const bash = await ok(['completion', 'bash']);
    expect(bash).toContain('complete -o default -F _kq kq');
    expect(bash).toMatch(/compgen -W "[^"]*\bdeploy\b[^"]*"/);
    expect(spawnSync('bash', ['-n'], { input: bash }).status).toBe(0);
    const zsh = await ok(['completion', 'zsh']);
    expect(zsh).toMatch(/^#compdef kq\n/);
    expect(zsh).toContain('rollout)');
  });
});
