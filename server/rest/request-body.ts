import type http from 'node:http';
import { noteRequestBody } from '../audit/response-notes.ts';
import { ApiError } from '../errors.ts';
import { MANIFEST_LIMITS } from '../resources/manifests/manifest-limits.ts';
import { parseManifests } from '../resources/manifests/manifests.ts';
import { decodeProtobufRequest, PROTOBUF } from './protobuf-requests.ts';
import { httpStatus, type Status } from './status.ts';

/** A request body the API cannot take: answered with its own Status (413, 415). */
export class BodyError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

/** Bodies of a write: JSON, one YAML document, or protobuf (kubectl's generators), as Kubernetes takes them. */
const OBJECT_TYPES = ['application/json', 'application/yaml', PROTOBUF];

/** The patch types by media type; server-side apply (APPLY_PATCH) is served apart (apply-patch.ts). */
export const PATCH_TYPES = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
} as const;
export const APPLY_PATCH = 'application/apply-patch+yaml';

export type PatchMediaType = keyof typeof PATCH_TYPES;

/**
 * The body, as text, up to Kubernetes' limit on a request (3 MiB): beyond it, 413. The rest
 * of an oversized body is read and dropped, so that the answer reaches the client.
 */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size <= MANIFEST_LIMITS.maxBytes) return void chunks.push(chunk);
      tooLarge = true;
      chunks.length = 0;
      reject(
        new BodyError(
          httpStatus(
            413,
            'RequestEntityTooLarge',
            `Request entity too large: limit is ${MANIFEST_LIMITS.maxBytes}`,
          ),
        ),
      );
    });
    req.on('end', () => {
      // Protobuf is binary: latin1 keeps one character per byte, for decodeObject to take back.
      if (tooLarge) return;
      const text = Buffer.concat(chunks).toString(mediaType(req) === PROTOBUF ? 'latin1' : 'utf8');
      noteRequestBody(req, text);
      resolve(text);
    });
    req.on('error', reject);
  });
}

/** The media type of the body, without parameters; JSON when none is given. */
export function mediaType(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/**
 * The object of a POST or PUT body: JSON, or YAML within the limits manifests have. An
 * undecodable body is BAD_REQUEST.
 */
export async function decodeObject(text: string, type: string, kind: string): Promise<unknown> {
  if (!OBJECT_TYPES.includes(type)) {
    throw new BodyError(
      httpStatus(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${OBJECT_TYPES.join(', ')}`,
      ),
    );
  }
  if (type === PROTOBUF) return decodeProtobuf(Buffer.from(text, 'latin1'), kind);
  if (type === 'application/yaml') {
    const objects = await parseManifests(text);
    if (objects.length !== 1)
      throw new ApiError('BAD_REQUEST', `the body must be one ${kind}, not ${objects.length} objects`);
    return objects[0];
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      'BAD_REQUEST',
      `the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${messageOf(error)}`,
    );
  }
}

/** The patch type and document of a PATCH body; 415 for a media type that is no patch type served. */
export function decodePatch(
  text: string,
  type: string,
): { type: (typeof PATCH_TYPES)[PatchMediaType]; patch: unknown } {
  if (!Object.hasOwn(PATCH_TYPES, type)) {
    throw new BodyError(
      httpStatus(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${[...Object.keys(PATCH_TYPES), APPLY_PATCH].join(', ')}`,
      ),
    );
  }
  try {
    return { type: PATCH_TYPES[type as PatchMediaType], patch: JSON.parse(text) };
  } catch (error) {
    throw new ApiError('BAD_REQUEST', `error decoding patch: ${messageOf(error)}`);
  }
}

function decodeProtobuf(body: Buffer, kind: string): unknown {
  try {
    const object = decodeProtobufRequest(body);
    if (object) return object;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(
      'BAD_REQUEST',
      `the protobuf body of the ${kind} could not be decoded: ${messageOf(error)}`,
    );
  }
  throw new ApiError(
    'BAD_REQUEST',
    `the protobuf body of the ${kind} does not start with the Kubernetes envelope`,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
