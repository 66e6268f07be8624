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

    // An explicit --data is the server's own directory: its admin token wins over the saved one.
    await ok(['config', 'set', 'token', 'saved-elsewhere'], { env: own });
    const kubeconfig = await ok(['config', 'kubeconfig', '--data', cluster.dataDir], { env: own });
    expect(kubeconfig).toContain(`token: ${cluster.token}`);
    expect(kubeconfig).not.toContain('saved-elsewhere');
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
