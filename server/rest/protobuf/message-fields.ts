/**
 * The field tables of Kubernetes' protobuf messages: per message, its fields as
 * `number name type`, comma-separated, the name being the field's name in JSON. The tables
 * under fields/ hold the fields the server's shapes (schema/kinds) have; the wire carries
 * more, and a field number not in a table is skipped, as protobuf readers do.
 *
 * Types:
 * - none: string; `bytes` (base64 in JSON, as Go writes []byte); `bool`, `int32`, `int64`;
 * - another message by name; Time, MicroTime, Quantity and IntOrString are messages whose
 *   JSON form is a string or a number (see decode.ts);
 * - `[]T` repeated; `map<T>` a map from string to T;
 * - `T?` a field Go holds by pointer: sent only when set, so its zero value is meant. A
 *   scalar without `?` is always sent, and its zero value means unset, as `omitempty`
 *   leaves it out of JSON;
 * - `... T`: a Go-embedded message, whose fields are the parent's own in JSON (a Volume's
 *   VolumeSource, a Probe's ProbeHandler).
 */
export type MessageFields = Record<string, string>;

export type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64';

export interface Field {
  name: string;
  /** A scalar, or the name of a message. */
  type: string;
  repeated: boolean;
  map: boolean;
  /** Sent only when set (a Go pointer): its zero value is kept. */
  pointer: boolean;
  /** Go-embedded: its fields are merged into the parent. */
  inline: boolean;
}

export const SCALARS: ReadonlySet<string> = new Set<Scalar>(['string', 'bytes', 'bool', 'int32', 'int64']);

/** One message's fields by number, from its table line. */
export function parseFields(line: string): Map<number, Field> {
  const fields = new Map<number, Field>();
  for (const entry of line.split(',')) {
    const [number, name, spec = 'string'] = entry.trim().split(' ');
    if (name === '...') {
      fields.set(Number(number), {
        name,
        type: spec,
        repeated: false,
        map: false,
        pointer: false,
        inline: true,
      });
      continue;
    }
    const repeated = spec.startsWith('[]');
    const map = spec.startsWith('map<');
    const pointer = spec.endsWith('?');
    const type = spec.replace(/^\[\]|^map<|>$|\?$/g, '');
    fields.set(Number(number), { name, type, repeated, map, pointer, inline: false });
  }
  return fields;
}
