import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';

/**
 * The hash of a pod template that names a workload's revisions: the Deployment's
 * `pod-template-hash` (and its ReplicaSets' names), the StatefulSet's and DaemonSet's
 * `controller-revision-hash`. Kubernetes hashes the object as serialized, where empty
 * and omitted fields are left out, so empty lists and objects are dropped here too:
 * a template written with `env: []` is the same revision as one without.
 */

/** apimachinery's rand alphabet: no vowels (no words), no 0/1/3 (no look-alikes). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A value as canonical JSON: object keys sorted, and members that are null, undefined,
 * an empty object or an empty list left out. Equal templates give equal text, whatever
 * their key order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value) ?? null);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((item) => canonical(item) ?? null);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = canonical((value as Record<string, unknown>)[key]);
      if (member !== undefined) out[key] = member;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value ?? undefined;
}

/** 32-bit FNV-1a of bytes, continuing from `hash` (the offset basis by default). */
function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (const byte of bytes) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** rand.SafeEncodeString: each character mapped into the safe alphabet (by its code). */
function safeEncodeString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/**
 * controller.ComputeHash: FNV-32a of the template (as canonical JSON), then of the
 * collision count as 4 little-endian bytes when there is one (0 included), rendered as
 * the decimal number through SafeEncodeString, e.g. `5d8b6b7f9c`. The same template
 * always gives the same hash; a Deployment bumps its collisionCount to get another one
 * when the name is taken.
 */
export function templateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let hash = fnv32a(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv32a(bytes, hash);
  }
  return safeEncodeString(String(hash));
}
