import zlib from 'node:zlib';

/** A header block's names (lower case, as SPDY sends them) and their values. */
export type SpdyHeaders = Map<string, string[]>;

/**
 * SPDY/3's zlib dictionary for header blocks (draft 3, 2.6.10.1): header names and
 * common values each behind its 32-bit length, then a run of bare text. Both ends must
 * hold it byte for byte: a zlib stream names its dictionary by checksum.
 */
const DICTIONARY_WORDS = (
  'options|head|post|put|delete|trace|accept|accept-charset|accept-encoding|accept-language|' +
  'accept-ranges|age|allow|authorization|cache-control|connection|content-base|' +
  'content-encoding|content-language|content-length|content-location|content-md5|' +
  'content-range|content-type|date|etag|expect|expires|from|host|if-match|if-modified-since|' +
  'if-none-match|if-range|if-unmodified-since|last-modified|location|max-forwards|pragma|' +
  'proxy-authenticate|proxy-authorization|range|referer|retry-after|server|te|trailer|' +
  'transfer-encoding|upgrade|user-agent|vary|via|warning|www-authenticate|method|get|status|' +
  '200 OK|version|HTTP/1.1|url|public|set-cookie|keep-alive|origin'
).split('|');
const DICTIONARY_TEXT =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request' +
  '401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented' +
  '503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ' +
  'Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,' +
  'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=' +
  'gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

const SPDY_DICTIONARY = Buffer.concat([
  ...DICTIONARY_WORDS.map((word) => Buffer.concat([uint32(word.length), Buffer.from(word)])),
  Buffer.from(DICTIONARY_TEXT),
]);

/**
 * Reads the header blocks one direction of a connection sends: one zlib stream over all
 * of them, each block ending with a sync flush, so a block is read in order, after the
 * ones before it.
 */
export class HeaderDecoder {
  private readonly inflate = zlib.createInflate({ dictionary: SPDY_DICTIONARY });

  decode(block: Buffer): Promise<SpdyHeaders> {
    return new Promise((resolve, reject) => {
      this.inflate.once('error', reject);
      this.inflate.write(block);
      this.inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.inflate.off('error', reject);
        const chunks: Buffer[] = [];
        for (let chunk: Buffer | null; (chunk = this.inflate.read() as Buffer | null) !== null;)
          chunks.push(chunk);
        try {
          resolve(parseHeaders(Buffer.concat(chunks)));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  close(): void {
    this.inflate.destroy();
  }
}

/**
 * Writes the header blocks of one direction of a connection. Each block is one stored
 * (uncompressed) deflate block of the connection's zlib stream, then the empty stored
 * block a sync flush ends with (readers hand out what they have on it): a valid
 * continuation for any reader, with no state to keep but whether the stream's header has
 * gone out. Our blocks are a few bytes; compressing them would gain nothing.
 */
export class HeaderEncoder {
  private started = false;

  encode(headers: SpdyHeaders): Buffer {
    const block = serializeHeaders(headers);
    if (block.length > 0xffff) throw new Error('a SPDY header block over 64 KiB');
    const stored = Buffer.alloc(5);
    // BFINAL 0, BTYPE 00 (stored), then the length and its complement, little-endian.
    stored.writeUInt16LE(block.length, 1);
    stored.writeUInt16LE(~block.length & 0xffff, 3);
    const parts = [stored, block, SYNC_FLUSH];
    if (!this.started) {
      this.started = true;
      // zlib's header: deflate with a 32 KiB window (0x78), a preset dictionary (0x20),
      // which 0x7820 being a multiple of 31 makes valid; then the dictionary's Adler-32.
      parts.unshift(Buffer.of(0x78, 0x20), uint32(adler32(SPDY_DICTIONARY)));
    }
    return Buffer.concat(parts);
  }
}

/** An empty stored block, not the last: what ends a zlib sync flush. */
const SYNC_FLUSH = Buffer.of(0x00, 0x00, 0x00, 0xff, 0xff);

/** A header block: the count of names, then each name and its values joined by NUL, each behind its 32-bit length. */
function serializeHeaders(headers: SpdyHeaders): Buffer {
  const parts = [uint32(headers.size)];
  for (const [name, values] of headers) {
    const value = Buffer.from(values.join('\0'));
    parts.push(uint32(Buffer.byteLength(name)), Buffer.from(name), uint32(value.length), value);
  }
  return Buffer.concat(parts);
}

function parseHeaders(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let at = 0;
  const take = (length: number) => {
    if (at + length > block.length) throw new Error('a truncated SPDY header block');
    const bytes = block.subarray(at, at + length);
    at += length;
    return bytes;
  };
  const count = take(4).readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString().toLowerCase();
    const values = take(take(4).readUInt32BE(0)).toString().split('\0');
    headers.set(name, [...(headers.get(name) ?? []), ...values]);
  }
  return headers;
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
