import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeqlClient } from '../../client/index.ts';
import { versionInfo } from '../../server/rest/discovery.ts';
import type { Untyped } from '../support/harness.ts';
import type { HollowCluster } from '../support/hollow.ts';
import { kubectlBinaries, type KubectlRun } from '../support/kubectl-binaries.ts';
import { kubectlHollowCluster } from '../support/kubectl.ts';
import { eventually, waitFor } from '../support/wait.ts';

// The everyday kubectl commands the other kubectl suites leave out, on a hollow cluster over
// TLS: edit, delete --wait, cluster-info, wait, get --watch-only, label and annotate
// --overwrite, get all, describe, api-versions, version, autoscale, set env, set resources,
// expose and run --rm. Each checks what kubectl printed and what the server stored.

const BINARIES = kubectlBinaries('kubectl-everyday');

interface KubectlProcess {
  /** What kubectl printed so far. */
  output(): { stdout: string; stderr: string };
  /** Whether it has exited. */
  exited(): boolean;
  done: Promise<KubectlRun>;
  stop(): void;
}

describe.skipIf(!Object.values(BINARIES).some(Boolean))('everyday kubectl commands', () => {
  let cluster: HollowCluster;
  let home: string;
  let kubeconfig: string;
  let api: KubeqlClient;

  kubectlHollowCluster(
    'kubectl-everyday',
    { nodes: 1 },
    (started) => ({ cluster, home, kubeconfig, api } = started),
  );

  for (const [version, binary] of Object.entries(BINARIES)) {
    describe.skipIf(!binary)(`kubectl ${version}`, () => {
      const ns = `everyday-${version.replace('.', '-')}`;

      /** Starts kubectl in `ns`; `env` adds to the private HOME and kubeconfig (an editor, say). */
      const start = (args: string[], env: Record<string, string> = {}): KubectlProcess => {
        const child = spawn(binary!, ['-n', ns, ...args], {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            KUBECONFIG: kubeconfig,
            // kubectl edit keeps a failed edit's copy in the temporary directory: keep it in HOME.
            TMPDIR: home,
            ...env,
          },
        });
        let stdout = '';
        let stderr = '';
        let exited = false;
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdin.end();
        const done = new Promise<KubectlRun>((resolve) =>
          child.on('close', (code) => {
            exited = true;
            resolve({ code: code ?? 1, stdout, stderr });
          }),
        );
        const timer = setTimeout(() => child.kill(), 60_000);
        void done.then(() => clearTimeout(timer));
        return { output: () => ({ stdout, stderr }), exited: () => exited, done, stop: () => child.kill() };
      };
      const kubectl = (args: string[], env?: Record<string, string>) => start(args, env).done;
      const ok = async (...args: string[]) => {
        const run = await kubectl(args);
        if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
        return run.stdout;
      };
      const get = (kind: string, name: string): Promise<Untyped> => api.get(kind, name, ns);
      /** Creates a Deployment with kubectl and waits until all its replicas are available. */
      const deployment = async (name: string, replicas: number) => {
        expect(await ok('create', 'deployment', name, '--image=nginx:1.27', `--replicas=${replicas}`)).toBe(
          `deployment.apps/${name} created\n`,
        );
        return eventually(
          () => get('Deployment', name),
          (d) => d.status?.availableReplicas === replicas && d.status?.updatedReplicas === replicas,
          { ms: 15_000, what: `deployment ${name} available` },
        );
      };

      beforeAll(() =>
        api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
          m: `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`,
        }),
      );

      it('cluster-info names the control plane; api-versions lists the served groups; version shows the server', async () => {
        const origin = new URL(cluster.url).origin;
        expect(await ok('cluster-info')).toBe(
          `Kubernetes control plane is running at ${origin}\n\n` +
            "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
        );

        const versions = (await ok('api-versions')).trim().split('\n');
        expect(versions).toEqual([...versions].sort());
        expect(versions).toEqual(
          expect.arrayContaining([
            'v1',
            'apps/v1',
            'batch/v1',
            'autoscaling/v2',
            // HorizontalPodAutoscalers are served at v1 too, converted (see autoscale below).
            'autoscaling/v1',
            'networking.k8s.io/v1',
            'rbac.authorization.k8s.io/v1',
            'policy/v1',
          ]),
        );

        const reported = JSON.parse(await ok('version', '-o', 'json'));
        expect(reported.clientVersion.gitVersion).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.`));
        expect(reported.serverVersion).toEqual(versionInfo());
        expect(reported.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+\+kubeql$/);
      });

      it('edit: a changed field is saved, an invalid edit fails with the server error, no change cancels', async () => {
        const before = await deployment('edited', 2);
        const edit = (script: string) =>
          kubectl(['edit', 'deployment/edited'], { KUBE_EDITOR: `sed -i '${script}'`, SHELL: '/bin/sh' });

        expect(await edit('s/^  replicas: 2$/  replicas: 3/')).toEqual({
          code: 0,
          stdout: 'deployment.apps/edited edited\n',
          stderr: '',
        });
        const edited = await get('Deployment', 'edited');
        expect(edited.spec.replicas).toBe(3);
        expect(edited.metadata.generation).toBe(before.metadata.generation + 1);

        const invalid = await edit('s/^  replicas: 3$/  replicas: -1/');
        expect(invalid.code).toBe(1);
        expect(invalid.stderr).toContain('error: deployments.apps "edited" is invalid\n');
        // kubectl reopens the file with the server's causes on top; the editor changes nothing
        // more, so the edit ends there and the copy keeps them.
        const copy = /A copy of your changes has been stored to "([^"]+)"/.exec(invalid.stderr)?.[1];
        expect(copy).toBeDefined();
        expect(fs.readFileSync(copy!, 'utf8')).toContain(
          '# deployments.apps "edited" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n',
        );
        expect(invalid.stderr).toContain('error: Edit cancelled, no valid changes were saved.\n');
        const kept = await get('Deployment', 'edited');
        expect(kept.spec.replicas).toBe(3);

        expect(await kubectl(['edit', 'deployment/edited'], { KUBE_EDITOR: 'true' })).toEqual({
          code: 0,
          stdout: '',
          stderr: 'Edit cancelled, no changes made.\n',
        });
        expect((await get('Deployment', 'edited')).metadata.generation).toBe(kept.metadata.generation);
      });

      it('delete waits until the object is gone: a finalizer holds it, --wait=false returns at once', async () => {
        const configMap = (name: string, finalizers?: string[]) =>
          cluster.writer.create({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, namespace: ns, finalizers },
            data: { a: '1' },
          });
        await configMap('plain');
        expect(await ok('delete', 'configmap', 'plain', '--wait')).toBe('configmap "plain" deleted\n');
        expect(await get('ConfigMap', 'plain')).toBeNull();

        await configMap('held', ['example.com/hold']);
        const waiting = start(['delete', 'configmap', 'held']);
        await eventually(
          () => get('ConfigMap', 'held'),
          (cm) => Boolean(cm?.metadata.deletionTimestamp),
          { ms: 10_000, what: 'held marked for deletion' },
        );
        await waitFor(() => waiting.output().stdout === 'configmap "held" deleted\n', {
          ms: 10_000,
          what: 'kubectl delete printing its line',
        });
        // Marked and printed, but kubectl goes on waiting while the finalizer holds the object.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        expect(waiting.exited()).toBe(false);
        await cluster.writer.patch('ConfigMap', 'held', ns, { metadata: { finalizers: null } });
        expect(await waiting.done).toEqual({ code: 0, stdout: 'configmap "held" deleted\n', stderr: '' });
        expect(await get('ConfigMap', 'held')).toBeNull();

        await configMap('held-again', ['example.com/hold']);
        const started = Date.now();
        expect(await ok('delete', 'configmap', 'held-again', '--wait=false')).toBe(
          'configmap "held-again" deleted\n',
        );
        expect(Date.now() - started).toBeLessThan(5000);
        const marked = await get('ConfigMap', 'held-again');
        expect(marked.metadata.deletionTimestamp).toBeTruthy();
        await cluster.writer.patch('ConfigMap', 'held-again', ns, { metadata: { finalizers: null } });
        await eventually(
          () => get('ConfigMap', 'held-again'),
          (cm) => cm === null,
          { ms: 10_000, what: 'held-again gone' },
        );
      });

      it('wait --for=condition=Available returns once the Deployment is available', async () => {
        expect(await ok('create', 'deployment', 'awaited', '--image=nginx:1.27', '--replicas=2')).toBe(
          'deployment.apps/awaited created\n',
        );
        expect(await ok('wait', '--for=condition=Available', 'deployment/awaited', '--timeout=30s')).toBe(
          'deployment.apps/awaited condition met\n',
        );
        const awaited = await get('Deployment', 'awaited');
        expect(awaited.status.conditions).toEqual(
          expect.arrayContaining([expect.objectContaining({ type: 'Available', status: 'True' })]),
        );
        const never = await kubectl([
          'wait',
          '--for=condition=Nonexistent',
          'deployment/awaited',
          '--timeout=1s',
        ]);
        expect(never.code).toBe(1);
        expect(never.stderr).toContain('error: timed out waiting for the condition on deployments/awaited');
      });

      it('get --watch-only -o json prints the changes that follow, not the current state', async () => {
        await deployment('watched', 1);
        const watch = start([
          'get',
          'deployment',
          'watched',
          '--watch-only',
          '--output-watch-events',
          '-o',
          'json',
        ]);
        try {
          // The watch starts at some point after kubectl does: change the Deployment until it shows.
          let tick = 0;
          await waitFor(
            async () => {
              if (/"type":\s*"MODIFIED"/.test(watch.output().stdout)) return true;
              await cluster.writer.patch('Deployment', 'watched', ns, {
                metadata: { annotations: { tick: String(++tick) } },
              });
              return false;
            },
            { ms: 15_000, every: 300, what: `a watch event (${watch.output().stderr})` },
          );
          await waitFor(() => watch.output().stdout.trimEnd().endsWith('}'), { ms: 5000 });
        } finally {
          watch.stop();
        }
        const events = parseJsonStream(watch.output().stdout);
        expect(events.length).toBeGreaterThan(0);
        expect(events.every((event) => event.type === 'MODIFIED')).toBe(true);
        expect(events.every((event) => event.object.metadata.name === 'watched')).toBe(true);
        const versions = events.map((event) => Number(event.object.metadata.resourceVersion));
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(Number(events.at(-1)!.object.metadata.annotations.tick)).toBeGreaterThan(0);
      });

      it('label and annotate refuse to change a value without --overwrite, and change it with it', async () => {
        await deployment('tagged', 1);
        expect(await ok('label', 'deployment', 'tagged', 'tier=a')).toBe('deployment.apps/tagged labeled\n');
        const refused = await kubectl(['label', 'deployment', 'tagged', 'tier=b']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toBe("error: 'tier' already has a value (a), and --overwrite is false\n");
        expect((await get('Deployment', 'tagged')).metadata.labels.tier).toBe('a');
        expect(await ok('label', 'deployment', 'tagged', 'tier=b', '--overwrite')).toBe(
          'deployment.apps/tagged labeled\n',
        );
        expect((await get('Deployment', 'tagged')).metadata.labels).toEqual({ app: 'tagged', tier: 'b' });

        expect(await ok('annotate', 'deployment', 'tagged', 'note=a')).toBe(
          'deployment.apps/tagged annotated\n',
        );
        const kept = await kubectl(['annotate', 'deployment', 'tagged', 'note=b']);
        expect(kept.code).toBe(1);
        expect(kept.stderr).toBe(
          "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (a)\n",
        );
        expect(await ok('annotate', 'deployment', 'tagged', 'note=b', '--overwrite')).toBe(
          'deployment.apps/tagged annotated\n',
        );
        expect((await get('Deployment', 'tagged')).metadata.annotations.note).toBe('b');
      });

      it('get all lists the pods, ReplicaSets, Deployments and Services of the namespace', async () => {
        const all = await ok('get', 'all', '-l', 'app=tagged');
        const pod = /^pod\/(tagged-[a-z0-9]+-[a-z0-9]{5})\s+1\/1\s+Running\s+0\s/m.exec(all)?.[1];
        expect(pod).toBeDefined();
        const replicaSet = (await api.listAll('ReplicaSet', { namespace: ns, labelSelector: 'app=tagged' }))
          .items[0].metadata.name;
        const sections = all.trim().split('\n\n');
        expect(sections.map((section) => section.split('\n')[0].split(/\s+/))).toEqual([
          ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
          ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
          ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
        ]);
        expect(all).toMatch(new RegExp(`^replicaset\\.apps/${replicaSet}\\s+1\\s+1\\s+1\\s`, 'm'));
        expect(all).toMatch(/^deployment\.apps\/tagged\s+1\/1\s+1\s+1\s/m);

        await ok('expose', 'deployment', 'tagged', '--port=80');
        expect(await ok('get', 'all', '-l', 'app=tagged')).toMatch(
          /^service\/tagged\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s/m,
        );
      });

      it('describe deployment shows its ReplicaSets and its events', async () => {
        const uid = (await get('Deployment', 'edited')).metadata.uid;
        const owned = (await api.listAll('ReplicaSet', { namespace: ns })).items.filter((rs) =>
          rs.metadata.ownerReferences?.some((ref) => ref.uid === uid),
        );
        expect(owned).toHaveLength(1);
        const described = await ok('describe', 'deployment', 'edited');
        expect(described).toMatch(/^Name:\s+edited$/m);
        expect(described).toMatch(new RegExp(`^Namespace:\\s+${ns}$`, 'm'));
        expect(described).toMatch(
          /^Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable$/m,
        );
        expect(described).toMatch(/^\s+Image:\s+nginx:1\.27$/m);
        expect(described).toMatch(/^\s+Available\s+True\s+MinimumReplicasAvailable$/m);
        expect(described).toMatch(/^OldReplicaSets:\s+<none>$/m);
        expect(described).toMatch(
          new RegExp(`^NewReplicaSet:\\s+${owned[0].metadata.name} \\(3/3 replicas created\\)$`, 'm'),
        );
        expect(described).toMatch(
          new RegExp(
            `^\\s+Normal\\s+ScalingReplicaSet\\s+\\S+\\s+\\S+\\s+Scaled up replica set ${owned[0].metadata.name} to 2$`,
            'm',
          ),
        );
        expect(described).toMatch(new RegExp(`Scaled up replica set ${owned[0].metadata.name} to 3$`, 'm'));
      });

      it('autoscale makes a HorizontalPodAutoscaler, written at autoscaling/v1 (1.32) or v2 (1.33)', async () => {
        await deployment('scaled', 1);
        const run = await kubectl([
          'autoscale',
          'deployment',
          'scaled',
          '--min=2',
          '--max=5',
          '--cpu-percent=80',
        ]);
        // kubectl 1.32 writes autoscaling/v1: stored as v2, with the same CPU target.
        expect(run).toEqual({
          code: 0,
          stdout: 'horizontalpodautoscaler.autoscaling/scaled autoscaled\n',
          stderr: '',
        });
        const hpa = await get('HorizontalPodAutoscaler', 'scaled');
        expect(hpa.spec).toEqual({
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' },
          minReplicas: 2,
          maxReplicas: 5,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
            },
          ],
        });
        // The HPA controller raises the Deployment to its minimum.
        await eventually(
          () => get('Deployment', 'scaled'),
          (d) => d.spec.replicas === 2,
          { ms: 30_000, what: 'scaled to the minimum of 2' },
        );
        expect(await ok('get', 'hpa', 'scaled')).toMatch(
          /^scaled\s+Deployment\/scaled\s+cpu: \S+\/80%\s+2\s+5\s+\d+\s/m,
        );
      });

      it('set env and set resources change the pod template', async () => {
        await deployment('configured', 1);
        expect(await ok('set', 'env', 'deployment/configured', 'GREETING=hello', 'LEVEL=2')).toBe(
          'deployment.apps/configured env updated\n',
        );
        expect(await ok('set', 'env', 'deployment/configured', '--list')).toBe(
          '# Deployment configured, container nginx\nGREETING=hello\nLEVEL=2\n',
        );
        expect(await ok('set', 'env', 'deployment/configured', 'LEVEL-')).toBe(
          'deployment.apps/configured env updated\n',
        );
        expect(
          await ok(
            'set',
            'resources',
            'deployment',
            'configured',
            '--limits=cpu=200m,memory=256Mi',
            '--requests=cpu=100m',
          ),
        ).toBe('deployment.apps/configured resource requirements updated\n');
        const container = (await get('Deployment', 'configured')).spec.template.spec.containers[0];
        expect(container.env).toEqual([{ name: 'GREETING', value: 'hello' }]);
        expect(container.resources).toEqual({
          limits: { cpu: '200m', memory: '256Mi' },
          requests: { cpu: '100m' },
        });
        // A new template rolls out: the pods carry the new environment and resources.
        await eventually(
          async () =>
            (await api.listAll('Pod', { namespace: ns, labelSelector: 'app=configured' })).items.filter(
              (pod) => !pod.metadata.deletionTimestamp,
            ) as Untyped[],
          (pods) =>
            pods.length === 1 &&
            pods[0].spec.containers[0].env?.[0]?.value === 'hello' &&
            pods[0].spec.containers[0].resources?.limits?.memory === '256Mi',
          { ms: 15_000, what: 'the new pod' },
        );
      });

      it('expose deployment makes a ClusterIP Service selecting its pods', async () => {
        expect(await ok('expose', 'deployment', 'configured', '--port=80', '--target-port=8000')).toBe(
          'service/configured exposed\n',
        );
        const svc = await get('Service', 'configured');
        expect(svc.spec).toMatchObject({
          type: 'ClusterIP',
          selector: { app: 'configured' },
          ports: [{ port: 80, targetPort: 8000, protocol: 'TCP' }],
        });
        expect(svc.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(await ok('get', 'service', 'configured')).toMatch(
          new RegExp(
            `^configured\\s+ClusterIP\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+80/TCP\\s`,
            'm',
          ),
        );
      });

      it('run --rm -i --restart=Never prints the output of the pod and deletes it', async () => {
        const run = await kubectl([
          'run',
          'once',
          '--rm',
          '-i',
          '--restart=Never',
          '--image=busybox',
          '--',
          'echo',
          'hello',
        ]);
        expect(run.code).toBe(0);
        expect(run.stdout).toBe('hello\npod "once" deleted\n');
        // Hollow nodes cannot attach to stdin: kubectl says so and streams the logs instead —
        // unless the pod had already completed when kubectl looked, and it went straight to the logs.
        if (run.stderr !== '')
          expect(run.stderr).toContain(
            "warning: couldn't attach to pod/once, falling back to streaming logs: attaching to a container's stdin is not supported",
          );
        await eventually(
          () => get('Pod', 'once'),
          (pod) => pod === null,
          { ms: 10_000, what: 'the pod deleted' },
        );
      });
    });
  }
});

/** The objects of a stream of JSON documents, one after another, as `kubectl get -w -o json` prints them. */
function parseJsonStream(text: string): Untyped[] {
  const objects: Untyped[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{' && depth++ === 0) start = i;
    else if (char === '}' && --depth === 0) objects.push(JSON.parse(text.slice(start, i + 1)));
  }
  return objects;
}
