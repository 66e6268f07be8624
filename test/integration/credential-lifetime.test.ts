import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_EXPIRATION_SECONDS } from '../../server/auth/service-account-tokens.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { openRaw, type RawSession } from '../support/raw-ws.ts';
import { rbacCallers } from '../support/rbac-callers.ts';

// What a ServiceAccount token opened (a WebSocket connection, a REST watch) ends when the
// token does: at its expiry, or when its ServiceAccount is deleted.

let cluster: TestCluster;
let callers: ReturnType<typeof rbacCallers>;
const sessions: RawSession[] = [];
const CONFIGMAPS_WATCH = '/api/v1/namespaces/life/configmaps?watch=1';

beforeAll(async () => {
  cluster = await startCluster();
  callers = rbacCallers(cluster);
  await cluster.ok(`mutation {
    createNamespace(namespace: { metadata: { name: "life" } }) { kind }
    createConfigMap(namespace: "life", configMap: { metadata: { name: "seen" } }) { kind }
  }`);
  await callers.tokenOf('life', 'watcher');
  await callers.tokenOf('life', 'doomed');
  await cluster.ok(`mutation {
    createRoleBinding(namespace: "life", roleBinding: { metadata: { name: "view" },
      roleRef: { kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "watcher", namespace: "life" },
                 { kind: "ServiceAccount", name: "doomed", namespace: "life" }] }) { kind }
  }`);
});

afterAll(async () => {
  for (const session of sessions) session.ws.terminate();
  await callers.dispose();
  await cluster.stop();
});

/**
 * A token of `life/name` that expires `seconds` from now. TokenRequest refuses lifetimes under
 * ten minutes, as Kubernetes does, so the token is issued as if ten minutes had mostly passed.
 */
function expiringToken(name: string, seconds: number): { token: string; expiresAt: number } {
  const uid = cluster.server.access.serviceAccountUid('life', name)!;
  const now = Date.now();
  const issuedAt = now - (MIN_EXPIRATION_SECONDS - seconds) * 1000;
  const { token } = cluster.server.access.tokens.issue(
    { namespace: 'life', name, uid },
    MIN_EXPIRATION_SECONDS,
    issuedAt,
  );
  return { token, expiresAt: Math.floor(issuedAt / 1000) * 1000 + MIN_EXPIRATION_SECONDS * 1000 };
}

/** A WebSocket connection with `token` holding a watch of the ConfigMaps in `life`. */
async function watchingSession(token: string): Promise<RawSession> {
  const session = await openRaw(cluster.wsUrl);
  sessions.push(session);
  await session.init(token);
  const watch = session.subscribe('1', 'subscription { watchConfigMaps(namespace: "life") { type } }');
  await watch.until((messages) => messages.length > 0);
  expect(session.isOpen).toBe(true);
  return session;
}

/** Opens a REST watch with `token`; resolves, once its response has ended, with when that was. */
async function restWatchEnd(token: string): Promise<number> {
  const res = await fetch(cluster.url.replace(/\/graphql$/, '') + CONFIGMAPS_WATCH, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  await res.text();
  return Date.now();
}

describe('credentials that end', () => {
  it('close a WebSocket connection when its token expires, saying why', async () => {
    const { token, expiresAt } = expiringToken('watcher', 3);
    const session = await watchingSession(token);
    const { code, reason } = await session.closed;
    const closedAt = Date.now();
    expect({ code, reason }).toEqual({ code: 4002, reason: 'Token expired: connect again with a new token' });
    expect(closedAt).toBeGreaterThanOrEqual(expiresAt);
    // One check a second: the connection ends at most that long after the expiry (and a margin for a busy machine).
    expect(closedAt - expiresAt).toBeLessThan(2500);
  });

  it('end a REST watch when its token expires', async () => {
    const { token, expiresAt } = expiringToken('watcher', 3);
    const endedAt = await restWatchEnd(token);
    expect(endedAt).toBeGreaterThanOrEqual(expiresAt);
    expect(endedAt - expiresAt).toBeLessThan(2500);
    const again = await fetch(cluster.url.replace(/\/graphql$/, '') + CONFIGMAPS_WATCH, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(again.status).toBe(401);
  });

  it('leave the admin token and an unexpired ServiceAccount token open', async () => {
    const { token } = expiringToken('watcher', 60);
    const long = await watchingSession(token);
    const admin = await watchingSession(cluster.token);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(long.isOpen).toBe(true);
    expect(admin.isOpen).toBe(true);
  });

  it('close connections and end watches when the ServiceAccount is deleted', async () => {
    const { token } = expiringToken('doomed', 300);
    const session = await watchingSession(token);
    const watchEnded = restWatchEnd(token);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const deletedAt = Date.now();
    await cluster.ok(`mutation { deleteServiceAccount(namespace: "life", name: "doomed") { kind } }`);
    const { code, reason } = await session.closed;
    expect({ code, reason }).toEqual({ code: 4003, reason: 'Token revoked: its ServiceAccount was deleted' });
    expect((await watchEnded) - deletedAt).toBeLessThan(2500);
  });
});
