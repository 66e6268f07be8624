import { describe, expect, it } from 'vitest';
import { KINDS } from '../../schema/kinds/index.ts';
import type { ObjectShape, Shape } from '../../schema/shape.ts';
import { ApiError } from '../../server/errors.ts';
import { decodeProtobufRequest } from '../../server/rest/protobuf-requests.ts';
import { SCALARS } from '../../server/rest/protobuf/message-fields.ts';
import { messageFields, PROTOBUF_KINDS, TABLES } from '../../server/rest/protobuf/messages.ts';
import { KUBECTL_BODIES } from '../support/protobuf-kubectl-bodies.ts';

// Kubernetes' protobuf request bodies decoded to the JSON form of the same object, from
// bodies kubectl sent and from bodies the small encoder below writes.

type Part = Buffer;

function varint(value: number | bigint): Buffer {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest ? low | 0x80 : low);
  } while (rest);
  return Buffer.from(bytes);
}

const key = (field: number, wire: number) => varint(field * 8 + wire);
/** A varint field: ints, bools (1/0), enums. */
const num = (field: number, value: number | bigint | boolean) =>
  Buffer.concat([key(field, 0), varint(typeof value === 'boolean' ? Number(value) : value)]);
/** A length-delimited field: a string, bytes, or a message's parts. */
const bytes = (field: number, value: string | Buffer) => {
  const payload = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([key(field, 2), varint(payload.length), payload]);
};
const msg = (field: number, ...parts: Part[]) => bytes(field, Buffer.concat(parts));
/** A map<string, V> entry: key 1, value 2. */
const entry = (field: number, name: string, value: Part) => msg(field, bytes(1, name), value);
const text = (field: number, name: string, value: string) => entry(field, name, bytes(2, value));

function envelope(apiVersion: string, kind: string, ...parts: Part[]): Buffer {
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    msg(1, bytes(1, apiVersion), bytes(2, kind)),
    msg(2, ...parts),
  ]);
}

const decode = (body: Buffer) => decodeProtobufRequest(body);

describe('protobuf bodies kubectl sent', () => {
  for (const body of KUBECTL_BODIES) {
    it(body.command, () => {
      expect(decode(Buffer.from(body.hex, 'hex'))).toEqual(body.json);
    });
  }
});

describe('decoding every field type', () => {
  it('a Deployment: maps, lists, nested and embedded messages, IntOrString, Quantity, Time, pointers', () => {
    const container = Buffer.concat([
      bytes(1, 'web'),
      bytes(2, 'nginx:1.27'),
      bytes(3, 'nginx'),
      bytes(3, '-g'),
      msg(6, bytes(1, 'http'), num(3, 8080), bytes(4, 'TCP')),
      msg(7, bytes(1, 'MODE'), bytes(2, 'prod')),
      msg(8, entry(1, 'cpu', msg(2, bytes(1, '500m'))), entry(2, 'memory', msg(2, bytes(1, '128Mi')))),
      // A probe's handler is embedded: httpGet sits beside periodSeconds in JSON.
      msg(10, msg(1, msg(2, bytes(1, '/healthz'), msg(2, num(1, 1), bytes(3, 'http')))), num(4, 5)),
      msg(11, msg(1, msg(3, msg(1, num(1, 0), num(2, 8080)))), num(2, 0)),
      num(16, false),
    ]);
    const podSpec = Buffer.concat([
      // A Volume's source and a ConfigMapVolumeSource's reference are embedded too.
      msg(1, bytes(1, 'config'), msg(2, msg(19, msg(1, bytes(1, 'web-config')), num(3, 0o644)))),
      msg(2, container),
      num(11, false),
      msg(14, num(2, 0), num(4, 1000), num(4, 2000), bytes(4, Buffer.concat([varint(3000), varint(-1)]))),
      num(21, false),
    ]);
    const body = envelope(
      'apps/v1',
      'Deployment',
      msg(
        1,
        bytes(1, 'web'),
        bytes(2, ''),
        bytes(3, 'shop'),
        num(7, 0),
        msg(8, num(1, 1_700_000_000), num(2, 500_000_000)),
        text(11, 'app', 'web'),
        text(11, 'tier', 'front'),
        text(12, 'note', 'x'),
      ),
      msg(
        2,
        num(1, 0),
        msg(
          2,
          text(1, 'app', 'web'),
          msg(2, bytes(1, 'tier'), bytes(2, 'In'), bytes(3, 'front'), bytes(3, '')),
        ),
        msg(3, msg(1, text(11, 'app', 'web'), msg(8)), msg(2, podSpec)),
        msg(4, bytes(1, 'RollingUpdate'), msg(2, msg(1), msg(2, num(1, 1), bytes(3, '25%')))),
        num(5, 0),
        num(7, false),
      ),
      msg(3),
    );
    expect(decode(body)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'shop',
        creationTimestamp: '2023-11-14T22:13:20Z',
        labels: { app: 'web', tier: 'front' },
        annotations: { note: 'x' },
      },
      spec: {
        // A pointer's zero is meant (replicas: 0); a plain field's zero is unset (minReadySeconds, paused).
        replicas: 0,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', ''] }],
        },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            volumes: [{ name: 'config', configMap: { name: 'web-config', defaultMode: 0o644 } }],
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                command: ['nginx', '-g'],
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [{ name: 'MODE', value: 'prod' }],
                resources: { limits: { cpu: '500m' }, requests: { memory: '128Mi' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
                readinessProbe: { tcpSocket: { port: 8080 } },
              },
            ],
            // Unpacked and packed repeated ints both read; -1 is a ten-byte varint.
            securityContext: { runAsUser: 0, supplementalGroups: [1000, 2000, 3000, -1] },
            automountServiceAccountToken: false,
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      },
      status: {},
    });
  });

  it('bytes as base64, int64 and MicroTime, maps of Time, and map keys that are no property names', () => {
    const secret = decode(
      envelope(
        'v1',
        'Secret',
        msg(1, bytes(1, 'tls')),
        entry(2, 'key', bytes(2, Buffer.from([0, 0xff, 0x80, 0x0a]))),
        entry(2, '__proto__', bytes(2, 'x')),
        bytes(3, 'kubernetes.io/tls'),
        num(5, true),
      ),
    ) as Record<string, Record<string, unknown>>;
    expect(secret.data.key).toBe('AP+ACg==');
    expect(Object.keys(secret.data)).toEqual(['key', '__proto__']);
    expect(Object.getPrototypeOf(secret.data)).toBe(Object.prototype);
    expect(secret.immutable).toBe(true);
    expect(secret.type).toBe('kubernetes.io/tls');

    const event = decode(
      envelope(
        'v1',
        'Event',
        msg(1, bytes(1, 'e1'), num(10, 2n ** 40n)),
        num(8, 3),
        msg(10, num(1, 1_700_000_000), num(2, 123_456_789)),
        msg(11, num(1, 2), msg(2, num(1, 1_700_000_001))),
      ),
    );
    expect(event).toMatchObject({
      metadata: { name: 'e1', deletionGracePeriodSeconds: 2 ** 40 },
      count: 3,
      eventTime: '2023-11-14T22:13:20.123456Z',
      series: { count: 2, lastObservedTime: '2023-11-14T22:13:21.000000Z' },
    });

    const pdb = decode(
      envelope(
        'policy/v1',
        'PodDisruptionBudget',
        msg(2, msg(1, num(1, 0), num(2, 0))),
        msg(3, entry(2, 'web-1', msg(2, num(1, 1_700_000_000))), num(3, 0)),
      ),
    );
    expect(pdb).toMatchObject({
      spec: { minAvailable: 0 },
      status: { disruptedPods: { 'web-1': '2023-11-14T22:13:20Z' } },
    });
    expect((pdb as { status: object }).status).not.toHaveProperty('disruptionsAllowed');
  });

  it('skips fields it has no number for, of every wire type, as protobuf readers do', () => {
    const unknown = Buffer.concat([
      num(99, 7),
      bytes(98, 'later field'),
      key(97, 1),
      Buffer.alloc(8),
      key(96, 5),
      Buffer.alloc(4),
    ]);
    expect(
      decode(envelope('v1', 'ConfigMap', unknown, msg(1, bytes(1, 'cm'), unknown), text(2, 'a', 'b'))),
    ).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } });
  });

  it('reads TokenRequest and the self reviews kubectl sends for create token and auth can-i', () => {
    expect(
      decode(
        envelope('authentication.k8s.io/v1', 'TokenRequest', msg(1), msg(2, bytes(1, 'api'), num(4, 900))),
      ),
    ).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: ['api'], expirationSeconds: 900 },
    });
    const review = decode(
      envelope(
        'authorization.k8s.io/v1',
        'SelfSubjectAccessReview',
        msg(1),
        msg(2, msg(1, bytes(1, 'default'), bytes(2, 'list'), bytes(3, ''), bytes(5, 'pods'))),
      ),
    );
    expect(review).toMatchObject({
      spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } },
    });
  });
});

describe('bodies it cannot take', () => {
  it('is no envelope without the k8s magic', () => {
    expect(decode(Buffer.from('{"kind":"ConfigMap"}'))).toBeUndefined();
  });

  it('refuses a group-version and kind it has no table for, naming them', () => {
    const hpa = envelope('autoscaling/v2beta2', 'HorizontalPodAutoscaler', msg(1, bytes(1, 'web')));
    expect(() => decode(hpa)).toThrow(ApiError);
    expect(() => decode(hpa)).toThrow(
      'this server does not decode autoscaling/v2beta2 HorizontalPodAutoscaler from protobuf: send it as application/json',
    );
  });

  it("takes autoscaling/v1's HorizontalPodAutoscaler by its own message, not v2's", () => {
    const ref = msg(1, bytes(1, 'Deployment'), bytes(2, 'web'), bytes(3, 'apps/v1'));
    const hpa = envelope(
      'autoscaling/v1',
      'HorizontalPodAutoscaler',
      msg(1, bytes(1, 'web')),
      msg(2, ref, num(2, 2), num(3, 5), num(4, 80)),
    );
    expect(decode(hpa)).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
        minReplicas: 2,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 80,
      },
    });
  });

  it('throws on a truncated body and on a field of the wrong wire type', () => {
    const body = envelope('v1', 'ConfigMap', msg(1, bytes(1, 'cm')), text(2, 'a', 'b'));
    expect(() => decode(body.subarray(0, body.length - 2))).toThrow(/truncated protobuf/);
    expect(() => decode(envelope('v1', 'ConfigMap', msg(1, num(1, 5))))).toThrow(
      /name is not length-delimited/,
    );
  });
});

describe('the field tables', () => {
  const tableOf = new Map<string, number>();
  TABLES.forEach((table, index) => Object.keys(table).forEach((name) => tableOf.set(name, index)));

  it('name each message once, and every type they use', () => {
    expect(TABLES.reduce((sum, table) => sum + Object.keys(table).length, 0)).toBe(tableOf.size);
    const missing: string[] = [];
    for (const name of tableOf.keys()) {
      for (const field of messageFields(name)!.values()) {
        if (!SCALARS.has(field.type) && !messageFields(field.type))
          missing.push(`${name}.${field.name}: ${field.type}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('cover every kind the server serves', () => {
    const unserved = KINDS.filter((def) => !PROTOBUF_KINDS[def.apiVersion]?.includes(def.kind));
    expect(unserved.map((def) => def.kind)).toEqual([]);
  });

  // What they decode passes strict field validation: every field they name is in the kind's shape.
  it('name only fields the shapes have', () => {
    const strays: string[] = [];
    const walk = (message: string, shape: ObjectShape, path: string) => {
      for (const field of messageFields(message)!.values()) {
        if (field.inline) {
          walk(field.type, shape, path);
          continue;
        }
        const fieldShape: Shape | undefined = shape.fields[field.name];
        if (!fieldShape) {
          strays.push(`${path}.${field.name}`);
          continue;
        }
        const target = fieldShape.t === 'list' ? fieldShape.of : fieldShape;
        if (target.t === 'object' && messageFields(field.type) && !SCALARS.has(field.type))
          walk(field.type, target, `${path}.${field.name}`);
      }
    };
    for (const def of KINDS) walk(def.kind, def.shape as ObjectShape, def.kind);
    expect(strays).toEqual([]);
  });
});
