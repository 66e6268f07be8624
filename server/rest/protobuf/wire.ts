/**
 * Protobuf's wire format, read field by field. A varint is kept as its low and high 32 bits:
 * int64 values and negative int32s (sent as ten-byte varints) do not fit a double's 53 bits
 * of integer on the way, though the numbers Kubernetes puts there do once read.
 */

export type WireValue =
  | { wire: 'varint'; lo: number; hi: number }
  | { wire: 'bytes'; bytes: Buffer }
  | { wire: 'fixed'; bytes: Buffer };

/** The fields of one message, in the order they were written. */
export function* wireFields(buffer: Buffer): Generator<[number, WireValue]> {
  const reader = new Reader(buffer);
  while (!reader.done()) {
    const { lo: key } = reader.varint();
    const field = key >>> 3;
    switch (key & 7) {
      case 0:
        yield [field, { wire: 'varint', ...reader.varint() }];
        break;
      case 1:
        yield [field, { wire: 'fixed', bytes: reader.take(8) }];
        break;
      case 2:
        yield [field, { wire: 'bytes', bytes: reader.take(reader.varint().lo >>> 0) }];
        break;
      case 5:
        yield [field, { wire: 'fixed', bytes: reader.take(4) }];
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${key & 7} (field ${field})`);
    }
  }
}

/** The varints of a packed repeated field. */
export function* packedVarints(buffer: Buffer): Generator<{ lo: number; hi: number }> {
  const reader = new Reader(buffer);
  while (!reader.done()) yield reader.varint();
}

/** A varint as a signed 32-bit integer (int32 is sign-extended to 64 bits on the wire). */
export function int32(value: { lo: number }): number {
  return value.lo | 0;
}

/** A varint as a signed 64-bit integer, exact up to 2^53. */
export function int64(value: { lo: number; hi: number }): number {
  return (value.hi | 0) * 2 ** 32 + (value.lo >>> 0);
}

class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}

  done(): boolean {
    return this.at >= this.buffer.length;
  }

  take(length: number): Buffer {
    if (this.at + length > this.buffer.length) throw new Error('truncated protobuf field');
    return this.buffer.subarray(this.at, (this.at += length));
  }

  varint(): { lo: number; hi: number } {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.done()) throw new Error('truncated protobuf varint');
      const byte = this.buffer[this.at++];
      const bits = byte & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (byte < 0x80) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    throw new Error('malformed protobuf varint');
  }
}
