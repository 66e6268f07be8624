import { describe, expect, it } from 'vitest';
import { ServiceAccountTokenManager } from '../../agent/node/service-account-token.ts';
import type { PodObject } from '../../agent/objects.ts';
import { ManualClock } from '../../lib/clock.ts';
import type { Volume } from '../../schema/kinds/pod.ts';

/** The node's token manager: what it asks the API for, and the kubelet's renewal rule. */

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: 'team', uid: 'uid-1' },
  spec: { serviceAccountName: 'reader', containers: [{ name: 'c', image: 'x' }] },
} as PodObject;
const volume: Volume = {
  name: 'kube-api-access-abcde',
  projected: {
    sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600, audience: 'vault' } }],
  },
};
const source = volume.projected!.sources![0].serviceAccountToken!;

function fakeApi(clock: ManualClock) {
  const calls: Array<Record<string, unknown>> = [];
  let failure: Error | undefined;
  return {
    calls,
    fail(error: Error | undefined) {
      failure = error;
    },
    async request<T>(_query: string, variables?: Record<string, unknown>): Promise<T> {
      calls.push(variables ?? {});
      if (failure) throw failure;
      const seconds = variables?.seconds as number;
      const expirationTimestamp = new Date(clock.now() + seconds * 1000).toISOString();
      return { createToken: { token: `token-${calls.length}`, expirationTimestamp } } as T;
    },
  };
}

describe('ServiceAccountTokenManager', () => {
  it("asks for a token of the pod's account, bound to the pod, with the source's audience and lifetime", async () => {
    const clock = new ManualClock(1_000_000);
    const api = fakeApi(clock);
    const tokens = new ServiceAccountTokenManager(api, { clock });
    const got = await tokens.tokensFor(pod, volume);
    expect(got.get(source)).toBe('token-1');
    expect(api.calls).toEqual([
      { ns: 'team', sa: 'reader', seconds: 3600, aud: ['vault'], pod: 'app', uid: 'uid-1' },
    ]);
    tokens.stop();
  });

  it('keeps a token until 80% of its lifetime has passed, then asks for a new one', async () => {
    const clock = new ManualClock(1_000_000);
    const api = fakeApi(clock);
    const tokens = new ServiceAccountTokenManager(api, { clock });
    await tokens.tokensFor(pod, volume);
    clock.advance(2879_000);
    expect((await tokens.tokensFor(pod, volume)).get(source)).toBe('token-1');
    clock.advance(1_000);
    expect((await tokens.tokensFor(pod, volume)).get(source)).toBe('token-2');
    expect(api.calls).toHaveLength(2);
    tokens.stop();
  });

  it('keeps a valid token it cannot renew, and fails as the kubelet does once it has none', async () => {
    const clock = new ManualClock(1_000_000);
    const api = fakeApi(clock);
    const tokens = new ServiceAccountTokenManager(api, { clock });
    await tokens.tokensFor(pod, volume);
    api.fail(new Error('serviceaccounts "reader" not found'));
    clock.advance(3000_000);
    expect((await tokens.tokensFor(pod, volume)).get(source)).toBe('token-1');
    clock.advance(600_000);
    await expect(tokens.tokensFor(pod, volume)).rejects.toThrow(
      'failed to fetch token: serviceaccounts "reader" not found',
    );
    tokens.forget('uid-1');
    tokens.stop();
  });

  it('tells when a token falls due, so the pods of its namespace are synced again', async () => {
    const clock = new ManualClock(1_000_000);
    const api = fakeApi(clock);
    const tokens = new ServiceAccountTokenManager(api, { clock });
    const due: string[] = [];
    tokens.onDue((namespace) => due.push(namespace));
    const short: Volume = {
      name: 'v',
      projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 0.05 } }] },
    };
    await tokens.tokensFor(pod, short);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(due).toEqual(['team']);
    tokens.stop();
  });
});
