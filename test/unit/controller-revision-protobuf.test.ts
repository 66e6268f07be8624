import { describe, expect, it } from 'vitest';
import { decodeProtobufRequest } from '../../server/rest/protobuf-requests.ts';

// A ControllerRevision sent as protobuf (as client-go's typed clients send built-in kinds):
// its data is a RawExtension, whose bytes are the embedded JSON.

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = rest & 0x7f;
    rest = Math.floor(rest / 128);
    bytes.push(rest ? low | 0x80 : low);
  } while (rest);
  return Buffer.from(bytes);
}

const field = (number: number, payload: string | Buffer) => {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
};
const number = (n: number, value: number) => Buffer.concat([varint(n * 8), varint(value)]);

function controllerRevision(data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    field(1, Buffer.concat([field(1, 'apps/v1'), field(2, 'ControllerRevision')])),
    field(
      2,
      Buffer.concat([
        field(1, Buffer.concat([field(1, 'web-7b9f8'), field(3, 'default')])),
        data,
        number(3, 4),
      ]),
    ),
  ]);
}

describe('a ControllerRevision in protobuf', () => {
  it('decodes its RawExtension data to the JSON it holds, and its revision number', () => {
    const json = {
      spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const body = controllerRevision(field(2, field(1, JSON.stringify(json))));
    expect(decodeProtobufRequest(body)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'web-7b9f8', namespace: 'default' },
      data: json,
      revision: 4,
    });
  });

  it('leaves out data that holds no bytes', () => {
    const decoded = decodeProtobufRequest(controllerRevision(field(2, Buffer.alloc(0)))) as Record<
      string,
      unknown
    >;
    expect(decoded.data).toBeUndefined();
    expect(decoded.revision).toBe(4);
  });
});
