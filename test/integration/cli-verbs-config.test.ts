import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { files, kq, kqEnv } from '../support/cli.ts';
import type { HollowCluster } from '../support/hollow.ts';
import { kqCluster } from '../support/kq-cluster.ts';

// kq's own settings and metadata: config, version and completion, in-process against a
// hollow cluster (see kqCluster).

let cluster: HollowCluster;
let env: Record<string, string>;
const { namespace, ok } = kqCluster((started) => ({ cluster, env } = started));

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
      'current-context': 'kubeql',
      contexts: { kubeql: { server: cluster.url, token: cluster.token, namespace: ns } },
    });
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(await ok(['config', 'view'], { env: own })).toBe(
      `contexts:\n  kubeql:\n    namespace: ${ns}\n    server: ${cluster.url}\n    token: REDACTED\ncurrent-context: kubeql\n`,
    );
    // Every namespace also holds the cluster CA's ConfigMap (once its controller has made it), as in Kubernetes.
    const names = (await ok(['get', 'cm', '-o', 'name'], { env: own })).split('\n').filter(Boolean);
    expect(names.filter((name) => name !== 'configmap/kube-root-ca.crt')).toEqual(['configmap/here']);
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

    // An explicit --data is the server's own directory: its admin token wins over the saved one.
    await ok(['config', 'set', 'token', 'saved-elsewhere'], { env: own });
    const kubeconfig = await ok(['config', 'kubeconfig', '--data', cluster.dataDir], { env: own });
    expect(kubeconfig).toContain(`token: ${cluster.token}`);
    expect(kubeconfig).not.toContain('saved-elsewhere');
  });

  it('config written before contexts is read as the context "kubeql"', async () => {
    const home = files({});
    const own = { PATH: env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'cfg') };
    const file = path.join(home, 'cfg', 'kubeql', 'config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ server: cluster.url, token: cluster.token }));
    expect(await ok(['get', 'ns', 'default', '-o', 'name'], { env: own })).toBe('namespace/default\n');
    expect(await ok(['config', 'current-context'], { env: own })).toBe('kubeql\n');
    expect(await ok(['config', 'get-contexts', '-o', 'name'], { env: own })).toBe('kubeql\n');
    expect(await ok(['config', 'set-context', 'other', '--namespace=kube-system'], { env: own })).toBe(
      'Context "other" created.\n',
    );
    expect(await ok(['config', 'set-context', 'other', '--server', cluster.url], { env: own })).toBe(
      'Context "other" modified.\n',
    );
    expect(await ok(['config', 'use-context', 'other'], { env: own })).toBe('Switched to context "other".\n');
    expect(await ok(['config', 'current-namespace'], { env: own })).toBe('kube-system\n');
    expect(await ok(['config', 'delete-context', 'kubeql'], { env: own })).toBe(
      `deleted context kubeql from ${file}\n`,
    );
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      'current-context': 'other',
      contexts: { other: { namespace: 'kube-system', server: cluster.url } },
    });
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
