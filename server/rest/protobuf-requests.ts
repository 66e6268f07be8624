import { ApiError } from '../errors.ts';
import { decodeMessage } from './protobuf/decode.ts';
import { isProtobufKind, messageOf } from './protobuf/messages.ts';
import { wireFields } from './protobuf/wire.ts';

/**
 * Request bodies in `application/vnd.kubernetes.protobuf`: kubectl sends its generators'
 * objects (create configmap, create deployment, ...) and TokenRequest and the self reviews
 * this way, and does not fall back to JSON. Such a body is the `k8s\0` magic and a
 * runtime.Unknown: the object's TypeMeta (1: apiVersion 1, kind 2) and its message's bytes (2).
 */

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from('k8s\0', 'latin1');

/** The JSON form of the object in a protobuf body; undefined when it is no Kubernetes envelope. */
export function decodeProtobufRequest(body: Buffer): Record<string, unknown> | undefined {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  let typeMeta: Buffer = Buffer.alloc(0);
  let raw: Buffer = Buffer.alloc(0);
  let encoding = '';
  for (const [number, value] of wireFields(body.subarray(MAGIC.length))) {
    if (value.wire !== 'bytes') continue;
    if (number === 1) typeMeta = value.bytes;
    else if (number === 2) raw = value.bytes;
    else if (number === 3) encoding = value.bytes.toString('utf8');
  }
  if (encoding)
    throw new ApiError('BAD_REQUEST', `protobuf bodies in content encoding ${encoding} are not supported`);
  const { apiVersion = '', kind = '' } = decodeTypeMeta(typeMeta);
  if (!isProtobufKind(apiVersion, kind)) {
    throw new ApiError(
      'BAD_REQUEST',
      `this server does not decode ${apiVersion || 'an unnamed version'} ${kind || 'object'} from protobuf: send it as application/json`,
    );
  }
  return {
    apiVersion,
    kind,
    ...(decodeMessage(messageOf(apiVersion, kind), raw) as Record<string, unknown>),
  };
}

function decodeTypeMeta(bytes: Buffer): { apiVersion?: string; kind?: string } {
  const meta: { apiVersion?: string; kind?: string } = {};
  for (const [number, value] of wireFields(bytes)) {
    if (value.wire !== 'bytes') continue;
    if (number === 1) meta.apiVersion = value.bytes.toString('utf8');
    else if (number === 2) meta.kind = value.bytes.toString('utf8');
  }
  return meta;
}
