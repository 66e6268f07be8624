import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeqlClient } from '../../client/index.ts';
import type { Untyped } from '../support/harness.ts';
import type { HollowCluster } from '../support/hollow.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHollowCluster } from '../support/kubectl.ts';
import { eventually } from '../support/wait.ts';

// `kubectl rollout history|undo` for StatefulSets and DaemonSets, which read and apply the
// ControllerRevisions their controllers keep, on a hollow cluster over TLS.

const BINARIES = kubectlBinaries('kubectl-history');

function workload(kind: 'StatefulSet' | 'DaemonSet', name: string, ns: string, tag: string) {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: ns },
    spec: {
      ...(kind === 'StatefulSet' ? { replicas: 2, serviceName: name } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: `nginx:${tag}` }] },
      },
    },
  };
}

describe.skipIf(!Object.values(BINARIES).some(Boolean))('kubectl rollout history and undo', () => {
  let cluster: HollowCluster;
  let home: string;
  let kubeconfig: string;
  let api: KubeqlClient;

  kubectlHollowCluster(
    'kubectl-history',
    { nodes: 2 },
    (started) => ({ cluster, home, kubeconfig, api } = started),
  );

  for (const [version, binary] of Object.entries(BINARIES)) {
    describe.skipIf(!binary)(`kubectl ${version}`, () => {
      const ns = `history-${version.replace('.', '-')}`;
      const kubectl = (...args: string[]) => runKubectl(binary!, [...args, '-n', ns], { home, kubeconfig });
      const ok = async (...args: string[]) => {
        const run = await kubectl(...args);
        if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
        return run.stdout;
      };
      /** The images the pods of `app` run, once none is being replaced. */
      const podImages = async (app: string) => {
        const pods = (await api.listAll('Pod', { namespace: ns, labelSelector: `app=${app}` }))
          .items as Untyped[];
        if (pods.some((pod) => pod.metadata.deletionTimestamp)) return [];
        return [...new Set(pods.map((pod) => pod.spec.containers[0].image as string))];
      };
      const templateImage = async (kind: string, name: string) =>
        ((await api.get(kind, name, ns)) as Untyped).spec.template.spec.containers[0].image as string;

      beforeAll(async () => {
        await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
          m: `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`,
        });
      });

      for (const kind of ['StatefulSet', 'DaemonSet'] as const) {
        const name = kind === 'StatefulSet' ? 'web' : 'agent';
        const resource = `${kind.toLowerCase()}/${name}`;

        it(`${kind}: history lists revisions, --revision shows a template, undo brings the old image back`, async () => {
          await cluster.writer.create(workload(kind, name, ns, 'v1'));
          await eventually(
            () => podImages(name),
            (images) => images.join() === 'nginx:v1',
            { ms: 20_000 },
          );
          expect(await ok('set', 'image', resource, 'c=nginx:v2')).toContain(
            `${resource.split('/')[0]}.apps/${name} image updated`,
          );
          await eventually(
            () => podImages(name),
            (images) => images.join() === 'nginx:v2',
            { ms: 20_000 },
          );

          const history = await eventually(
            () => ok('rollout', 'history', resource),
            (out) => /^2\s+<none>$/m.test(out),
          );
          expect(history).toMatch(new RegExp(`^${kind.toLowerCase()}.apps/${name} \\n?`));
          expect(history).toMatch(/^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/m);

          const second = await ok('rollout', 'history', resource, '--revision=2');
          expect(second).toContain(`${kind.toLowerCase()}.apps/${name} with revision #2`);
          expect(second).toMatch(/Image:\s+nginx:v2/);
          const first = await ok('rollout', 'history', resource, '--revision=1');
          expect(first).toMatch(/Image:\s+nginx:v1/);

          expect(await ok('rollout', 'undo', resource, '--to-revision=1')).toBe(
            `${kind.toLowerCase()}.apps/${name} rolled back\n`,
          );
          expect(await templateImage(kind, name)).toBe('nginx:v1');
          await eventually(
            () => podImages(name),
            (images) => images.join() === 'nginx:v1',
            { ms: 20_000 },
          );
          // The old revision is renumbered, not copied: 2 and 3 now.
          const after = await eventually(
            () => ok('rollout', 'history', resource),
            (out) => /^3\s+<none>$/m.test(out),
          );
          expect(after).toMatch(/^REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/m);

          // Already at revision 3's template: nothing to do.
          expect(await ok('rollout', 'undo', resource, '--to-revision=3')).toContain(
            'skipped rollback (current template already matches revision 3)',
          );
          const missing = await kubectl('rollout', 'undo', resource, '--to-revision=9');
          expect(missing.code).not.toBe(0);
          expect(missing.stderr).toContain('unable to find specified revision 9 in history');
        });
      }

      it('get controllerrevisions prints NAME, CONTROLLER, REVISION and AGE', async () => {
        const out = await ok('get', 'controllerrevisions');
        const lines = out.trimEnd().split('\n');
        expect(lines[0]).toMatch(/^NAME\s+CONTROLLER\s+REVISION\s+AGE$/);
        const rows = lines.slice(1).map((line) => line.split(/\s+/).slice(1, 3).join(' '));
        expect(rows.sort()).toEqual([
          'daemonset.apps/agent 2',
          'daemonset.apps/agent 3',
          'statefulset.apps/web 2',
          'statefulset.apps/web 3',
        ]);
      });
    });
  }
});
