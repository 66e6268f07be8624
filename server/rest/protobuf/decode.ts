import { SCALARS, type Field } from './message-fields.ts';
import { messageFields } from './messages.ts';
import { int32, int64, packedVarints, wireFields, type WireValue } from './wire.ts';

type Json = Record<string, unknown>;

/**
 * The messages whose JSON form is not an object, from their decoded fields. A zero Time is
 * an empty message on the wire and null in JSON: left out here.
 */
const JSON_FORMS: Record<string, (fields: Json) => unknown> = {
  Time: (fields) => timestamp(fields, 0),
  MicroTime: (fields) => timestamp(fields, 6),
  Quantity: (fields) => fields.string ?? '0',
  IntOrString: (fields) => (fields.type === 1 ? (fields.strVal ?? '') : (fields.intVal ?? 0)),
  RawExtension: (fields) => rawJson(fields.raw),
};

/** The JSON form of a message of the named type, as Kubernetes' own JSON would have it. */
export function decodeMessage(type: string, bytes: Buffer): unknown {
  const fields = decodeFields(type, bytes, {});
  const form = JSON_FORMS[type];
  return form ? form(fields) : fields;
}

function decodeFields(type: string, bytes: Buffer, into: Json): Json {
  const fields = messageFields(type);
  if (!fields) throw new Error(`no protobuf field table for ${type}`);
  for (const [number, value] of wireFields(bytes)) {
    const field = fields.get(number);
    if (!field) continue;
    if (field.inline) decodeFields(field.type, bytesOf(field, value), into);
    else if (field.map) {
      const [key, entry] = mapEntry(field, bytesOf(field, value));
      const map = (into[field.name] ??= {}) as Json;
      define(map, key, entry);
    } else if (field.repeated) {
      const list = (into[field.name] ??= []) as unknown[];
      if (value.wire === 'bytes' && PACKABLE.has(field.type)) {
        for (const varint of packedVarints(value.bytes))
          list.push(scalar(field, { wire: 'varint', ...varint }));
      } else list.push(single(field, value) ?? null);
    } else {
      const decoded = single(field, value);
      const unset = decoded === undefined || (!field.pointer && SCALARS.has(field.type) && isZero(decoded));
      if (unset) delete into[field.name];
      else into[field.name] = decoded;
    }
  }
  return into;
}

const PACKABLE: ReadonlySet<string> = new Set(['bool', 'int32', 'int64']);

function single(field: Field, value: WireValue): unknown {
  return SCALARS.has(field.type) ? scalar(field, value) : decodeMessage(field.type, bytesOf(field, value));
}

function scalar(field: Field, value: WireValue): unknown {
  if (field.type === 'string' || field.type === 'bytes') {
    const bytes = bytesOf(field, value);
    return field.type === 'string' ? bytes.toString('utf8') : bytes.toString('base64');
  }
  if (value.wire !== 'varint') throw new Error(`protobuf field ${field.name} is not a ${field.type}`);
  if (field.type === 'bool') return value.lo !== 0 || value.hi !== 0;
  return field.type === 'int32' ? int32(value) : int64(value);
}

/** A map entry is a message of its key (1) and value (2); either may be left out when zero. */
function mapEntry(field: Field, bytes: Buffer): [string, unknown] {
  let key = '';
  let entry: unknown;
  for (const [number, value] of wireFields(bytes)) {
    if (number === 1) key = bytesOf(field, value).toString('utf8');
    else if (number === 2) entry = single(field, value);
  }
  return [key, entry ?? zeroOf(field.type)];
}

function zeroOf(type: string): unknown {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'bool') return false;
  if (SCALARS.has(type)) return 0;
  return decodeMessage(type, Buffer.alloc(0)) ?? null;
}

function bytesOf(field: Field, value: WireValue): Buffer {
  if (value.wire !== 'bytes') throw new Error(`protobuf field ${field.name} is not length-delimited`);
  return value.bytes;
}

function isZero(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

/** An own property even for a key like `__proto__`, as JSON.parse makes it. */
function define(object: Json, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** RFC 3339 in UTC, with `digits` of fraction (Time has none, MicroTime six). */
function timestamp(fields: Json, digits: number): string | undefined {
  const seconds = Number(fields.seconds ?? 0);
  const nanos = Number(fields.nanos ?? 0);
  if (seconds === 0 && nanos === 0) return undefined;
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  const fraction = digits ? `.${String(nanos).padStart(9, '0').slice(0, digits)}` : '';
  return `${whole}${fraction}Z`;
}

/** A RawExtension's bytes are the embedded object's JSON (base64 here, as `bytes` decode). */
function rawJson(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw === '') return undefined;
  return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
}
