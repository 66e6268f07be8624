/**
 * The few protobuf bodies the server reads: kubectl sends TokenRequest,
 * SelfSubjectAccessReview and SelfSubjectReview as `application/vnd.kubernetes.protobuf`
 * (the `k8s\0` envelope around a runtime.Unknown) and does not fall back to JSON. Decoded
 * into the JSON shape of the same object; only the fields the server reads.
 */

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

type Fields = Map<number, Array<Buffer | number>>;

/** The JSON form of a protobuf TokenRequest, SelfSubjectAccessReview or SelfSubjectReview. */
export function decodeProtobufRequest(body: Buffer): Record<string, unknown> | undefined {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') return undefined;
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(bytes(unknown, 1));
  const kind = text(typeMeta, 2);
  const object = fields(bytes(unknown, 2));
  const spec = fields(bytes(object, 2));
  if (kind === 'TokenRequest') {
    const seconds = spec.get(4)?.[0];
    return { kind, spec: typeof seconds === 'number' ? { expirationSeconds: seconds } : {} };
  }
  if (kind === 'SelfSubjectAccessReview') {
    if (spec.has(1)) {
      const attrs = fields(bytes(spec, 1));
      const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
      return {
        kind,
        spec: { resourceAttributes: Object.fromEntries(names.map((name, i) => [name, text(attrs, i + 1)])) },
      };
    }
    const attrs = fields(bytes(spec, 2));
    return { kind, spec: { nonResourceAttributes: { path: text(attrs, 1), verb: text(attrs, 2) } } };
  }
  return { kind };
}

function bytes(message: Fields, field: number): Buffer {
  const value = message.get(field)?.[0];
  return Buffer.isBuffer(value) ? value : Buffer.alloc(0);
}

function text(message: Fields, field: number): string {
  return bytes(message, field).toString('utf8');
}

/** A message's fields by number: varints as numbers, length-delimited ones as bytes. */
function fields(buffer: Buffer): Fields {
  const found: Fields = new Map();
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= buffer.length) throw new Error('truncated protobuf varint');
      const byte = buffer[at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < buffer.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    let value: Buffer | number;
    switch (key & 7) {
      case 0:
        value = varint();
        break;
      case 2: {
        const length = varint();
        if (at + length > buffer.length) throw new Error('truncated protobuf field');
        value = buffer.subarray(at, (at += length));
        break;
      }
      case 1:
        at += 8;
        continue;
      case 5:
        at += 4;
        continue;
      default:
        throw new Error(`unsupported protobuf wire type ${key & 7}`);
    }
    const list = found.get(field);
    if (list) list.push(value);
    else found.set(field, [value]);
  }
  return found;
}
