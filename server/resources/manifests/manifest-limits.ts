/**
 * What one `apply` may send, checked while the manifests are parsed, before anything
 * walks them by recursion. Each limit is far above what real manifests need and low
 * enough that parsing stays bounded in time, memory and stack.
 */
export const MANIFEST_LIMITS = {
  /** Kubernetes' limit on a request body (3 MiB), so on the manifests of one apply too. */
  maxBytes: 3 * 1024 * 1024,
  /**
   * Objects and lists inside one another. A Deployment in a List, down to an env var's
   * configMapKeyRef, is about 13 deep; everything after parsing (shape checks, copies,
   * comparisons, storage) recurses once per level, so this keeps their stacks small.
   */
  maxDepth: 100,
  /** YAML documents, empty ones included (`---` lines). */
  maxDocuments: 1000,
  /** Objects one apply writes, after Lists are unwrapped: one transaction's worth. */
  maxObjects: 1000,
  /**
   * Values (objects, lists, scalars) YAML manifests amount to, every alias counted at
   * each use: aliases can expand a few hundred bytes into billions of values ("billion
   * laughs"). Real manifests of 3 MiB are a few hundred thousand values; JSON, without
   * aliases, is bounded by maxBytes alone.
   */
  maxValues: 1_000_000,
} as const;

export type ManifestLimits = { readonly [K in keyof typeof MANIFEST_LIMITS]: number };

/**
 * Manifests that cannot be read: malformed, or over a limit. A plain Error, not an
 * ApiError, because the worker thread that parses large manifests sends only its
 * message back; the caller turns it into BAD_REQUEST.
 */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** `error parsing manifests (line 3, column 7): ...`, as the old parser and kubectl word it. */
export function manifestError(text: string, offset: number | undefined, message: string): ManifestError {
  const at = offset === undefined ? '' : ` (${lineAndColumn(text, offset)})`;
  return new ManifestError(`error parsing manifests${at}: ${message}`);
}

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${end - start + 1}`;
}
