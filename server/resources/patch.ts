import type { Shape } from '../../schema/shape.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { ApiError } from '../errors.ts';
import { checkJsonPatch, jsonPatch } from './json-patch.ts';
import { MANIFEST_LIMITS } from './manifests/manifest-limits.ts';
import { checkMergePatch, mergePatch } from './merge-patch.ts';
import { strategicMergePatch } from './strategic-merge-patch.ts';

/**
 * The patch types of the API: JSON merge patch (RFC 7386, GraphQL's `patch` mutations),
 * JSON patch (RFC 6902) and Kubernetes' strategic merge patch. Server-side apply is not
 * among them yet.
 */
export type PatchType = 'merge' | 'json' | 'strategic';

/**
 * Refuses a patch document that cannot apply to anything, before it reaches the store:
 * the wrong JSON type for its patch type (BAD_REQUEST), nesting deeper than manifests may,
 * or `__proto__` keys (INVALID).
 */
export function checkPatch(type: PatchType, kind: string, name: string, patch: unknown): void {
  if (type === 'json') checkJsonPatch(patch);
  else if (!isPlainObject(patch)) {
    throw new ApiError(
      'BAD_REQUEST',
      `a ${type === 'merge' ? 'merge' : 'strategic merge'} patch must be a JSON object`,
    );
  }
  checkMergePatch(kind, name, patch, MANIFEST_LIMITS.maxDepth);
}

/** The patched value; `target` is not modified. `shape` (the target's) gives strategic merge its merge keys. */
export function applyPatch(
  type: PatchType,
  shape: Shape | undefined,
  target: unknown,
  patch: unknown,
): unknown {
  switch (type) {
    case 'merge':
      return mergePatch(target, patch);
    case 'json':
      checkJsonPatch(patch);
      return jsonPatch(target, patch);
    case 'strategic':
      return strategicMergePatch(target, patch as Record<string, unknown>, shape);
  }
}
