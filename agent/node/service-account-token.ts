import { messageOf, type KubeqlClient } from '../../client/index.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import type { Volume } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';

type Projection = NonNullable<NonNullable<Volume['projected']>['sources']>[number];
export type TokenProjection = NonNullable<Projection['serviceAccountToken']>;

/** The tokens a projected volume's serviceAccountToken sources write, by source. */
export type ProjectedTokens = ReadonlyMap<TokenProjection, string>;

/** TokenRequest's default lifetime, when a source asks for none. */
const DEFAULT_EXPIRATION_SECONDS = 3600;
/** The kubelet renews a token once 80% of its lifetime has passed, and at the latest after a day. */
const REFRESH_FRACTION = 0.8;
const MAX_REFRESH_MS = 24 * 60 * 60 * 1000;

interface CachedToken {
  token: string;
  expiresAt: number;
  refreshAt: number;
}

const CREATE_TOKEN = `mutation($ns: String!, $sa: String!, $seconds: Int, $aud: [String!], $pod: String, $uid: String) {
  createToken(namespace: $ns, serviceAccountName: $sa, expirationSeconds: $seconds, audiences: $aud,
    boundObjectKind: "Pod", boundObjectName: $pod, boundObjectUid: $uid) { token expirationTimestamp }
}`;

/**
 * The kubelet's token manager: bound ServiceAccount tokens for pods' projected volumes,
 * each asked for through the API (TokenRequest for the pod's ServiceAccount, bound to the
 * Pod, with the source's audience and lifetime) and kept until 80% of its lifetime has
 * passed or a day, whichever is first. When a token falls due, the pods of its namespace
 * are to be synced again (`onDue`), which writes the new one. A token that cannot be
 * renewed is kept while it is still valid.
 */
export class ServiceAccountTokenManager {
  private readonly cache = new Map<string, CachedToken>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly listeners = new Set<(namespace: string) => void>();

  constructor(
    private readonly client: Pick<KubeqlClient, 'request'>,
    private readonly options: { clock?: Clock; log?: (line: string) => void } = {},
  ) {}

  /**
   * The tokens of the volume's serviceAccountToken sources, from the cache or asked for
   * now; throws the kubelet's `failed to fetch token: ...` when one cannot be had.
   */
  async tokensFor(pod: PodObject, volume: Volume): Promise<ProjectedTokens> {
    const tokens = new Map<TokenProjection, string>();
    for (const source of volume.projected?.sources ?? []) {
      if (source.serviceAccountToken)
        tokens.set(source.serviceAccountToken, await this.token(pod, source.serviceAccountToken));
    }
    return tokens;
  }

  /** Calls `listener(namespace)` when a token of a pod in that namespace is due for renewal. */
  onDue(listener: (namespace: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets the tokens of a pod that is gone. */
  forget(uid: string): void {
    for (const key of [...this.cache.keys()]) {
      if (!key.startsWith(`${uid}/`)) continue;
      this.cache.delete(key);
      clearTimeout(this.timers.get(key));
      this.timers.delete(key);
    }
  }

  /** Stops every renewal timer. */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async token(pod: PodObject, source: TokenProjection): Promise<string> {
    const clock = this.options.clock ?? systemClock;
    const namespace = pod.metadata.namespace ?? 'default';
    const account = pod.spec?.serviceAccountName || 'default';
    const seconds = source.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const key = `${pod.metadata.uid}/${account}/${source.audience ?? ''}/${seconds}`;
    const cached = this.cache.get(key);
    const now = clock.now();
    if (cached && now < cached.refreshAt) return cached.token;
    try {
      const { createToken } = await this.client.request<{
        createToken: { token: string; expirationTimestamp: string };
      }>(CREATE_TOKEN, {
        ns: namespace,
        sa: account,
        seconds,
        aud: source.audience ? [source.audience] : undefined,
        pod: pod.metadata.name,
        uid: pod.metadata.uid,
      });
      const expiresAt = Date.parse(createToken.expirationTimestamp);
      const lifetime = Number.isNaN(expiresAt) ? seconds * 1000 : expiresAt - now;
      const refreshAt = now + Math.min(lifetime * REFRESH_FRACTION, MAX_REFRESH_MS);
      this.cache.set(key, { token: createToken.token, expiresAt: now + lifetime, refreshAt });
      this.schedule(key, namespace, refreshAt - now);
      return createToken.token;
    } catch (error) {
      if (cached && now < cached.expiresAt) {
        this.options.log?.(`pod ${namespace}/${pod.metadata.name}: token not renewed: ${messageOf(error)}`);
        this.schedule(key, namespace, Math.min(60_000, cached.expiresAt - now));
        return cached.token;
      }
      throw new Error(`failed to fetch token: ${messageOf(error)}`);
    }
  }

  private schedule(key: string, namespace: string, inMs: number): void {
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        for (const listener of this.listeners) listener(namespace);
      },
      Math.max(0, inMs),
    );
    timer.unref();
    this.timers.set(key, timer);
  }
}
