import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { MASTERS_GROUP } from '../auth/authorizer.ts';
import { parseManifests } from '../resources/manifests/manifests.ts';
import type { Context } from './builder.ts';

/**
 * Authorizes an apply object by object, as kubectl's apply is authorized: `create` for an
 * object that does not exist yet, `patch` for one that does, each in its own namespace.
 * Manifests the authorizer cannot place (no known kind) are left to the apply's own errors.
 */
export async function authorizeApply(ctx: Context, text: string, namespace: string | undefined) {
  // Allowed everything anyway: spares the cluster's own components a second parse.
  if (ctx.principal.groups.includes(MASTERS_GROUP)) return;
  for (const manifest of await parseManifests(text)) {
    if (!isPlainObject(manifest)) continue;
    const def = typeof manifest.kind === 'string' ? kindByName(manifest.kind) : undefined;
    if (!def) continue;
    const meta = (isPlainObject(manifest.metadata) ? manifest.metadata : {}) as Partial<Resource['metadata']>;
    const ns = def.namespaced ? (meta.namespace ?? namespace ?? 'default') : undefined;
    const name = typeof meta.name === 'string' ? meta.name : undefined;
    const exists = name !== undefined && ctx.resources.exists(def, ns, name);
    ctx.access.requireKind(ctx.principal, def, exists ? 'patch' : 'create', ns, exists ? name : undefined);
  }
}
