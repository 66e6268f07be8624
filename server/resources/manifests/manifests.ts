import { ApiError } from '../../errors.ts';
import { MANIFEST_LIMITS, ManifestError } from './manifest-limits.ts';
import { parseManifestText } from './manifest-parse.ts';
import { ManifestParserThread } from './manifest-parser-thread.ts';
import { TooMuchWork } from './yaml-values.ts';

/**
 * Manifests this small are parsed on the event loop, the common case, with no thread
 * hop: a few milliseconds. Larger ones, and small ones still unparsed after INLINE_MS
 * (many documents, aliases), go to the parser thread, where YAML's seconds per
 * megabyte block nobody.
 */
const INLINE_BYTES = 16 * 1024;
const INLINE_MS = 50;

const thread = new ManifestParserThread({ timeoutMs: 20_000, maxQueued: 8, maxHeapMb: 256 });

/**
 * The objects of an apply's text (JSON, or YAML with several documents; arrays and
 * Lists unwrapped) within MANIFEST_LIMITS. Malformed or oversized text is BAD_REQUEST.
 */
export async function parseManifests(text: string): Promise<unknown[]> {
  const { maxBytes } = MANIFEST_LIMITS;
  if (text.length > maxBytes || Buffer.byteLength(text) > maxBytes) {
    throw new ApiError(
      'BAD_REQUEST',
      `error parsing manifests: the manifests are larger than the limit of ${maxBytes} bytes`,
    );
  }
  if (text.length <= INLINE_BYTES) {
    try {
      return parseManifestText(text, MANIFEST_LIMITS, performance.now() + INLINE_MS);
    } catch (error) {
      if (error instanceof ManifestError) throw new ApiError('BAD_REQUEST', error.message);
      if (!(error instanceof TooMuchWork)) throw error;
    }
  }
  return JSON.parse(await thread.parse(text)) as unknown[];
}
