import crypto from 'node:crypto';
import type { Resource } from '../../schema/kind.ts';

/** Where bootstrap tokens live, as in Kubernetes: Secrets of this type in kube-system named `bootstrap-token-<id>`. */
export const BOOTSTRAP_TOKEN_NAMESPACE = 'kube-system';
export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_PREFIX = 'bootstrap-token-';
/** The group of every bootstrap token, whom joining nodes are granted to as. */
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';

const TOKEN_FORMAT = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;

/**
 * Kubernetes' bootstrap token authenticator: `<id>.<secret>` is accepted while the Secret
 * `kube-system/bootstrap-token-<id>` of type bootstrap.kubernetes.io/token holds that id and
 * secret, says `usage-bootstrap-authentication: "true"` and has not passed its `expiration`.
 * The caller is `system:bootstrap:<id>` in `system:bootstrappers` (and the
 * `system:bootstrappers:*` groups of `auth-extra-groups`).
 */
export function authenticateBootstrapToken(
  token: string,
  secretNamed: (namespace: string, name: string) => Resource | undefined,
  now = Date.now(),
): { name: string; groups: string[] } | undefined {
  const match = TOKEN_FORMAT.exec(token);
  if (!match) return undefined;
  const [, id, secret] = match;
  const stored = secretNamed(BOOTSTRAP_TOKEN_NAMESPACE, `${BOOTSTRAP_TOKEN_PREFIX}${id}`);
  if (!stored || stored.type !== BOOTSTRAP_TOKEN_TYPE) return undefined;
  // As stored: `data` values base64.
  const field = (key: string) => {
    const value = (stored.data as Record<string, unknown> | undefined)?.[key];
    return typeof value !== 'string' ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  if (field('token-id') !== id || !sameText(field('token-secret') ?? '', secret)) return undefined;
  if (field('usage-bootstrap-authentication') !== 'true') return undefined;
  const expiration = field('expiration');
  if (expiration !== undefined && !(Date.parse(expiration) > now)) return undefined;
  const extra = (field('auth-extra-groups') ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group.startsWith(`${BOOTSTRAPPERS_GROUP}:`));
  return { name: `system:bootstrap:${id}`, groups: [BOOTSTRAPPERS_GROUP, ...extra, 'system:authenticated'] };
}

/** Compares in time independent of where the texts differ. */
function sameText(a: string, b: string): boolean {
  const left = crypto.createHash('sha256').update(a).digest();
  const right = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(left, right);
}
