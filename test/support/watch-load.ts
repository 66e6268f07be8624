import { createClient, isCode, resourceWriter, type KubeqlClient } from '../../client/index.ts';
import type { Resource } from '../../client/types.ts';

/** One change as a writer had it acknowledged, or as a watch or informer reported it. */
export interface Change {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
}

export interface Writers {
  /** Every write the server acknowledged, in the order the acknowledgements came. */
  readonly acked: Change[];
  /** Writes that failed and were retried (the server was down, or died before it answered). */
  readonly retries: number;
  /** Stops after the writes in flight (each retried until the server answers). */
  stop(): Promise<void>;
  /** Closes the writers' clients (after stop). */
  closeClients(): Promise<void>;
}

/**
 * Writers of ConfigMaps, each through a client of its own, each cycling create → patches
 * → delete over names of its own, retrying every failed write until the server answers.
 * A write the server committed but never acknowledged (it died first) is found on the
 * retry: ALREADY_EXISTS for a create, NOT_FOUND for a delete; a retried patch is a second
 * write. Only acknowledged writes are recorded: those a watch must report.
 */
export function startWriters(
  target: { url: string; token: string },
  { writers = 3, namespace = 'default', patchesPerObject = 3, pauseMs = 0 } = {},
): Writers {
  const acked: Change[] = [];
  let retries = 0;
  let stopping = false;
  const clients: KubeqlClient[] = [];

  const ack = (type: Change['type'], obj: Resource | null) => {
    if (!obj?.metadata.resourceVersion || !obj.metadata.name) return;
    acked.push({ revision: Number(obj.metadata.resourceVersion), type, name: obj.metadata.name });
  };

  const writer = async (w: number) => {
    const client = createClient({ url: target.url, token: target.token });
    clients.push(client);
    const write = resourceWriter(client);
    // Retries one write until the server answers; `settled` names the answers that mean an
    // earlier, unacknowledged attempt already did it.
    const retry = async <T>(attempt: () => Promise<T>, settled: string): Promise<T | undefined> => {
      for (;;) {
        try {
          return await attempt();
        } catch (error) {
          if (isCode(error, settled as 'NOT_FOUND')) return undefined;
          if (!isCode(error, 'UNAVAILABLE') && !isCode(error, 'TOO_MANY_REQUESTS')) throw error;
          retries++;
          await sleep(20 + Math.random() * 60);
        }
      }
    };
    for (let n = 0; !stopping; n++) {
      const name = `w${w}-${n}`;
      const created = await retry(
        () =>
          write.create({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, namespace },
            data: { n: '0' },
          }),
        'ALREADY_EXISTS',
      );
      if (created) ack('ADDED', created);
      for (let p = 1; p <= patchesPerObject; p++) {
        const patched = await retry(
          () => write.patch('ConfigMap', name, namespace, { data: { n: String(p) } }),
          'NEVER',
        );
        ack('MODIFIED', patched ?? null);
        if (pauseMs) await sleep(pauseMs);
      }
      // A delete without finalizers or grace removes at once and returns the last state.
      const deleted = await retry(() => write.delete('ConfigMap', name, namespace), 'NOT_FOUND');
      ack('DELETED', deleted ?? null);
    }
  };

  const running = Array.from({ length: writers }, (_, w) => writer(w));
  return {
    acked,
    get retries() {
      return retries;
    },
    async stop() {
      stopping = true;
      await Promise.all(running);
    },
    async closeClients() {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/** Checks that `seen` reports every acknowledged change, in revision order, each once. */
export function verify(acked: readonly Change[], seen: readonly Change[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < seen.length; i++) {
    if (seen[i].revision <= seen[i - 1].revision) {
      problems.push(`out of order or repeated: ${fmt(seen[i - 1])} then ${fmt(seen[i])}`);
      if (problems.length > 10) return problems;
    }
  }
  const byRevision = new Map(seen.map((change) => [change.revision, change]));
  for (const change of acked) {
    const got = byRevision.get(change.revision);
    if (!got) problems.push(`missed ${fmt(change)}`);
    else if (got.type !== change.type || got.name !== change.name)
      problems.push(`${fmt(change)} was reported as ${fmt(got)}`);
    if (problems.length > 10) return problems;
  }
  return problems;
}

function fmt(change: Change): string {
  return `${change.type} ${change.name}@${change.revision}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
