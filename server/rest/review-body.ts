import type http from 'node:http';
import { isPlainObject } from '../../schema/shape-check.ts';
import { ApiError } from '../errors.ts';
import { MANIFEST_LIMITS } from '../resources/manifests/manifest-limits.ts';
import { decodeProtobufRequest, PROTOBUF } from './protobuf-requests.ts';
import { BodyError, decodeObject, mediaType } from './request-body.ts';
import { httpStatus } from './status.ts';

/**
 * The body of a request answered at once (TokenRequest, the self reviews): JSON or YAML as
 * for any object, or the protobuf kubectl sends for these; `{}` when empty.
 */
export async function reviewBody(req: http.IncomingMessage, kind: string): Promise<Record<string, unknown>> {
  const raw = await readRaw(req);
  if (raw.length === 0) return {};
  const type = mediaType(req);
  let body: unknown;
  try {
    body =
      type === PROTOBUF ? decodeProtobufRequest(raw) : await decodeObject(raw.toString('utf8'), type, kind);
  } catch (error) {
    if (error instanceof ApiError || error instanceof BodyError) throw error;
    throw new ApiError(
      'BAD_REQUEST',
      `the body of the ${kind} could not be decoded: ${(error as Error).message}`,
    );
  }
  if (!isPlainObject(body)) throw new ApiError('BAD_REQUEST', `the body of a ${kind} must be an object`);
  return body;
}

function readRaw(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MANIFEST_LIMITS.maxBytes) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size <= MANIFEST_LIMITS.maxBytes) return resolve(Buffer.concat(chunks));
      const limit = `Request entity too large: limit is ${MANIFEST_LIMITS.maxBytes}`;
      reject(new BodyError(httpStatus(413, 'RequestEntityTooLarge', limit)));
    });
    req.on('error', reject);
  });
}
