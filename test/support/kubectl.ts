import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { kq, kqEnv } from './cli.ts';
import { startHollowCluster, type HollowCluster, type HollowClusterOptions } from './hollow.ts';

/**
 * kubectl (client-go) sends no credentials over plain HTTP (kubernetes/kubectl#744): the
 * kubectl tests start the server with TLS on loopback (`tls: { serve: true }`) and hand
 * kubectl the kubeconfig `kq config kubeconfig` prints for it, as a user would: the
 * server's root, the cluster CA and the admin token, both read from its data directory.
 */
async function writeKubeconfig(server: { url: string; dataDir: string }, file: string): Promise<void> {
  const argv = ['config', 'kubeconfig', '--server', server.url, '--data', server.dataDir];
  const result = await kq(undefined, argv, { env: kqEnv(undefined) });
  if (result.code !== 0) throw new Error(`kq config kubeconfig failed: ${result.stderr}`);
  fs.writeFileSync(file, result.stdout, { mode: 0o600 });
}

/** A private HOME for one kubectl suite, holding the kubeconfig for `server` (nothing of the machine's). */
export async function kubectlHome(
  server: { url: string; dataDir: string },
  suite: string,
): Promise<{ home: string; kubeconfig: string }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `kubeql-${suite}-`));
  const kubeconfig = path.join(home, 'config');
  await writeKubeconfig(server, kubeconfig);
  return { home, kubeconfig };
}

export interface KubectlHollowCluster {
  cluster: HollowCluster;
  home: string;
  kubeconfig: string;
  /** A client as users have, trusting the cluster's CA. */
  api: KubeqlClient;
}

/**
 * A hollow cluster serving TLS for one kubectl suite, with its private HOME and kubeconfig
 * and a client: started before the suite's tests, stopped after them. `assign` receives
 * them once started (the suite keeps them in its own variables, as kqCluster does).
 */
export function kubectlHollowCluster(
  suite: string,
  options: HollowClusterOptions,
  assign: (started: KubectlHollowCluster) => void,
): void {
  let started: KubectlHollowCluster | undefined;
  beforeAll(async () => {
    const cluster = await startHollowCluster({
      ...options,
      serverOptions: { ...options.serverOptions, tls: { serve: true } },
    });
    const { home, kubeconfig } = await kubectlHome(cluster, suite);
    const api = createClient({ url: cluster.url, token: cluster.token, ca: cluster.cluster.server.ca });
    started = { cluster, home, kubeconfig, api };
    assign(started);
  }, 60_000);
  afterAll(async () => {
    await started?.api.close();
    await started?.cluster.stop();
    if (started) fs.rmSync(started.home, { recursive: true, force: true });
  });
}
