import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeqlClient } from '../../client/index.ts';
import { files, kq, kqProcess } from '../support/cli.ts';
import type { HollowCluster } from '../support/hollow.ts';
import {
  deploymentYAML,
  kqCluster,
  type ConfigMapObject,
  type DeploymentObject,
  type PodObject,
  type SecretObject,
  type ServiceObject,
} from '../support/kq-cluster.ts';
import { waitFor } from '../support/wait.ts';

// The kq verbs that write: apply, create, run, expose, scale, set image, label, annotate,
// edit, delete and rollout, in-process against a hollow cluster (see kqCluster), checking
// through the SDK what they did. Each test works in a namespace of its own.

let cluster: HollowCluster;
let api: KubeqlClient;
let env: Record<string, string>;
const { namespace, ok, readyPods } = kqCluster((started) => ({ cluster, api, env } = started));

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
    expect((await api.get<ConfigMapObject>('ConfigMap', 'settings', ns))?.data).toEqual({ mode: 'prod' });
    const changed = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: dev}\n';
    expect(await ok(['apply', '-n', ns, '-f', '-'], { stdin: changed })).toBe(
      'configmap/settings configured\n',
    );
    expect((await api.get<ConfigMapObject>('ConfigMap', 'settings', ns))?.data).toEqual({ mode: 'dev' });
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
    const web = await api.get<DeploymentObject>('Deployment', 'web', ns);
    expect(web?.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'web' } } });
    expect(web?.spec?.template.spec?.containers).toEqual([
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
    expect((await api.get<ConfigMapObject>('ConfigMap', 'cfg', ns))?.data).toEqual({
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
    const secret = await api.get<SecretObject>('Secret', 'db', ns);
    expect(secret?.type).toBe('Opaque');
    expect(Buffer.from(secret!.data!.password, 'base64').toString()).toBe('s3cret');
    expect(Buffer.from(secret!.data!.key, 'base64').toString()).toBe('secret-key');
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
    const web = await api.get<DeploymentObject>('Deployment', 'web', ns);
    expect(web?.spec?.selector.matchLabels).toEqual({ app: 'web', tier: 'front' });
    expect(web?.spec?.template.spec?.containers[0]).toMatchObject({
      name: 'web',
      env: [{ name: 'MODE', value: 'prod' }],
    });
    expect(
      await ok(['run', 'once', '-n', ns, '--image=busybox', '--restart=Never', '--', 'echo', 'hello']),
    ).toBe('pod/once created\n');
    expect((await api.get<PodObject>('Pod', 'once', ns))?.spec).toMatchObject({
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
    const svc = await api.get<ServiceObject>('Service', 'web-svc', ns);
    expect(svc?.spec).toMatchObject({
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
    expect((await api.get<DeploymentObject>('Deployment', 'web', ns))?.spec?.replicas).toBe(3);
    expect(await ok(['set', 'image', 'deployment/web', 'app=nginx:1.26', '-n', ns])).toBe(
      'deployment.apps/web image updated\n',
    );
    expect(
      (await api.get<DeploymentObject>('Deployment', 'web', ns))?.spec?.template.spec?.containers[0].image,
    ).toBe('nginx:1.26');
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
    // A label key like any other, not the `constructor` every object inherits.
    expect(await ok(['label', 'deploy/web', 'constructor=yes', '-n', ns])).toBe(
      'deployment.apps/web labeled\n',
    );
    expect(await ok(['label', 'deploy/web', 'constructor-', 'prototype-', '-n', ns])).toBe(
      'deployment.apps/web labeled\n',
    );
    expect(await ok(['label', 'deploy/web', 'constructor-', '-n', ns])).toBe(
      'deployment.apps/web not labeled\n',
    );
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
    expect((await api.get<DeploymentObject>('Deployment', 'web', ns))?.spec?.replicas).toBe(4);
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
    expect((await api.get<DeploymentObject>('Deployment', 'web', ns))?.spec?.replicas).toBe(2);
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
    const [rs] = (await api.list('ReplicaSet', { namespace: ns, labelSelector: 'app=web' })).items;
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
    expect((await api.get<DeploymentObject>('Deployment', 'web', ns))?.spec?.paused).toBe(true);
    const again = await kq(cluster, ['rollout', 'pause', 'deployment/web', '-n', ns], { env });
    expect(again).toMatchObject({ code: 1, stderr: 'error: deployments.apps "web" is already paused\n' });
    expect(await ok(['rollout', 'resume', 'deploy/web', '-n', ns])).toBe('deployment.apps/web resumed\n');
    expect((await api.get<DeploymentObject>('Deployment', 'web', ns))?.spec?.paused).toBeFalsy();
    expect(await ok(['rollout', 'restart', 'deployment', 'web', '-n', ns])).toBe(
      'deployment.apps/web restarted\n',
    );
    const restarted = await api.get<DeploymentObject>('Deployment', 'web', ns);
    expect(
      restarted?.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
    ).toBeTruthy();
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
