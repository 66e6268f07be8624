import { parentPort } from 'node:worker_threads';
import { MANIFEST_LIMITS, ManifestError } from './manifest-limits.ts';
import { parseManifestText } from './manifest-parse.ts';

/** A parse the main thread asks for. */
export interface ParseRequest {
  id: number;
  text: string;
}

/**
 * Its answer: the objects as JSON text (the main thread's JSON.parse of it is faster
 * than structured cloning them over), or a client error's message, or a failure.
 */
export type ParseReply =
  { id: number; json: string } | { id: number; invalid: string } | { id: number; failed: string };

/** Sent once, when the worker has loaded and listens: its start-up (tsx, yaml) is not a parse's time. */
export const READY = 'ready';

/** The thread that parses large manifests (manifest-parser-thread.ts starts it). */
parentPort?.on('message', ({ id, text }: ParseRequest) => {
  let reply: ParseReply;
  try {
    reply = { id, json: JSON.stringify(parseManifestText(text, MANIFEST_LIMITS)) };
  } catch (error) {
    reply =
      error instanceof ManifestError
        ? { id, invalid: error.message }
        : { id, failed: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});

parentPort?.postMessage(READY);
