/**
 * SPDY/3.1 framing (draft 3.1, section 2.2), the part a server of Kubernetes'
 * port-forward protocol needs: frames read from a byte stream as they complete, and the
 * frames it writes. Header blocks stay compressed here (spdy-headers.ts reads them).
 */

export const SPDY_VERSION = 3;

export const FRAME = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goAway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM's status codes that a server sends. */
export const RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5 } as const;

export type SpdyFrame =
  | { control: false; streamId: number; flags: number; data: Buffer }
  | { control: true; type: number; flags: number; data: Buffer };

/** Frames longer than this are refused: port-forward's are a data chunk at most (32 KiB from kubectl). */
const MAX_FRAME_BYTES = 1024 * 1024;

/** Reads frames out of the bytes of a connection, however they are split. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the frames they complete, in order. Throws on a frame it will not read. */
  push(bytes: Buffer): SpdyFrame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    const frames: SpdyFrame[] = [];
    while (this.pending.length >= 8) {
      const length = this.pending.readUIntBE(5, 3);
      if (length > MAX_FRAME_BYTES) throw new Error(`a SPDY frame of ${length} bytes`);
      if (this.pending.length < 8 + length) break;
      const first = this.pending.readUInt32BE(0);
      const flags = this.pending[4];
      const data = this.pending.subarray(8, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      if (first & 0x80000000) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new Error(`SPDY version ${version} is not spoken here`);
        frames.push({ control: true, type: first & 0xffff, flags, data });
      } else {
        frames.push({ control: false, streamId: first & 0x7fffffff, flags, data });
      }
    }
    return frames;
  }
}

export function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags << 24) | data.length) >>> 0, 4);
  return Buffer.concat([head, data]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((flags << 24) | data.length) >>> 0, 4);
  return Buffer.concat([head, data]);
}

/** SYN_REPLY: the stream is accepted; `block` is its encoded header block. */
export function synReply(streamId: number, block: Buffer): Buffer {
  return controlFrame(FRAME.synReply, 0, Buffer.concat([uint32(streamId), block]));
}

export function rstStream(streamId: number, status: number): Buffer {
  return controlFrame(FRAME.rstStream, 0, Buffer.concat([uint32(streamId), uint32(status)]));
}

export function ping(id: number): Buffer {
  return controlFrame(FRAME.ping, 0, uint32(id));
}

/** The stream id a SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS or WINDOW_UPDATE is about. */
export function streamIdOf(frame: Extract<SpdyFrame, { control: true }>): number {
  return frame.data.readUInt32BE(0) & 0x7fffffff;
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}
