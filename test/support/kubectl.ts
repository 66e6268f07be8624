import fs from 'node:fs';
import { kq, kqEnv } from './cli.ts';

/**
 * kubectl (client-go) sends no credentials over plain HTTP (kubernetes/kubectl#744): the
 * kubectl tests start the server with TLS on loopback (`tls: { serve: true }`) and hand
 * kubectl the kubeconfig `kq config kubeconfig` prints for it, as a user would: the
 * server's root, the cluster CA and the admin token, both read from its data directory.
 */
export async function writeKubeconfig(server: { url: string; dataDir: string }, file: string): Promise<void> {
  const argv = ['config', 'kubeconfig', '--server', server.url, '--data', server.dataDir];
  const result = await kq(undefined, argv, { env: kqEnv(undefined) });
  if (result.code !== 0) throw new Error(`kq config kubeconfig failed: ${result.stderr}`);
  fs.writeFileSync(file, result.stdout, { mode: 0o600 });
}
