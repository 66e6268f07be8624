import { ConfigSources } from '../../agent/node/config-sources.ts';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startCluster } from './harness.ts';

/** A real API server, a client of it and a synced ConfigSources over that client. */
export async function startConfigSources(): Promise<{
  client: KubeqlClient;
  sources: ConfigSources;
  stop: () => Promise<void>;
}> {
  const cluster = await startCluster();
  const client = createClient({ url: cluster.url, token: cluster.token });
  const sources = new ConfigSources(client, { onError: () => {} }).start();
  await sources.waitForSync();
  return {
    client,
    sources,
    async stop() {
      await sources.stop();
      await client.close();
      await cluster.stop();
    },
  };
}
