import fs from 'node:fs';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  parse,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from 'graphql';
import { EXTREME_NUMBERS, HOSTILE_KEYS, Random, randomString } from './random.ts';

/**
 * The documents family: GraphQL operations built from the API's own schema (so most of
 * them reach execution, where the interesting failures are), then broken on purpose, plus
 * documents built to stress one part of the pipeline (lexer, parser, validation, limits).
 * A case is plain data; transport.ts sends it over HTTP, SSE or WebSocket.
 */

export const SCHEMA = buildSchema(
  fs.readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'),
);

/** One GraphQL request as a client would send it; any field may be of the wrong type on purpose. */
export interface DocumentCase {
  query: unknown;
  variables?: unknown;
  operationName?: unknown;
  extensions?: unknown;
  /** A subscription that may legitimately stay open: the transport ends it once it goes quiet. */
  live: boolean;
  /** What built it, for the failure report. */
  shape: string;
}

/** The values names and selectors are drawn from: some exist, most do not. */
const NAMES = ['default', 'kube-system', 'kube-public', 'web', 'fz', 'node-1', 'hollow-1', 'x'];
const LABEL_SELECTORS = [
  'app=web',
  'app in (web, db)',
  'app notin (a)',
  '!legacy',
  'tier!=db,env=prod',
  'a in (',
  ')))',
  'x==y==z',
  'a in ()',
  '=',
  '!',
  ',,,',
  'a'.repeat(300) + '=b',
  Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(','),
  'app in (' + Array.from({ length: 500 }, (_, i) => `v${i}`).join(',') + ')',
];
const FIELD_SELECTORS = [
  'metadata.name=x',
  'metadata.namespace!=default',
  'spec.nodeName=',
  'status.phase=Running',
  'no.such.field=1',
  'metadata.name',
  '==',
  'metadata.name=a,metadata.name=b',
];
const RESOURCE_VERSIONS = [
  '0',
  '1',
  '-1',
  '',
  'abc',
  '99999999999999999999',
  '1e3',
  '9007199254740993',
  ' 1',
];

function nameLike(rng: Random): string {
  return rng.chance(0.6) ? rng.pick(NAMES) : randomString(rng, 80);
}

/** A JSON value of any shape: hostile keys as own properties, extreme numbers, some depth. */
export function jsonValue(rng: Random, depth = 0): unknown {
  const leaf = depth >= 4 || rng.chance(0.45);
  if (leaf) {
    return rng.weighted<() => unknown>([
      [3, () => randomString(rng)],
      [2, () => rng.pick(EXTREME_NUMBERS)],
      [1, () => rng.chance(0.5)],
      [1, () => null],
    ])();
  }
  if (rng.chance(0.35)) return Array.from({ length: rng.int(0, 4) }, () => jsonValue(rng, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = rng.int(0, 4); i > 0; i--) {
    const key = rng.chance(0.3) ? rng.pick(HOSTILE_KEYS) : rng.word();
    ownKey(obj, key, jsonValue(rng, depth + 1));
  }
  return obj;
}

/** Sets `key` as an own, enumerable property, so that `__proto__` is sent as a key rather than setting a prototype. */
export function ownKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Builds an operation's text and variables as the generator goes. */
class Operation {
  readonly defs: string[] = [];
  readonly variables: Record<string, unknown> = {};

  constructor(private readonly rng: Random) {}

  /** An argument's value, written inline or passed as a variable. */
  argument(arg: GraphQLArgument): string {
    const value = this.value(arg.type, arg.name, 0);
    if (this.rng.chance(0.4)) {
      const name = `v${this.defs.length}`;
      // Sometimes declared with another type than the argument's: validation must say so.
      const declared = this.rng.chance(0.02)
        ? this.rng.pick(['String', 'Int!', '[JSON]', 'Boolean'])
        : arg.type;
      this.defs.push(`$${name}: ${String(declared)}`);
      if (value !== undefined) ownKey(this.variables, name, value);
      return `$${name}`;
    }
    return literal(value, arg.type);
  }

  /** A value for `type`, usually of that type, now and then of another. */
  value(type: GraphQLInputType, argName: string, depth: number, required = false): unknown {
    const rng = this.rng;
    // Now and then a value of no particular type; rarely, so that most documents still reach execution.
    if (rng.chance(0.015)) return jsonValue(rng);
    if (isNonNullType(type)) return this.value(type.ofType, argName, depth, true);
    if (rng.chance(required ? 0.005 : 0.03)) return null;
    if (isListType(type)) {
      if (rng.chance(0.1)) return this.value(type.ofType, argName, depth + 1);
      return Array.from({ length: rng.int(0, 3) }, () => this.value(type.ofType, argName, depth + 1));
    }
    if (isEnumType(type)) {
      const values = type.getValues().map((v) => v.name);
      return rng.chance(0.96) ? rng.pick(values) : rng.pick(['NOPE', 'foreground', '__proto__']);
    }
    if (isInputObjectType(type)) {
      const obj: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        const required = isNonNullType(field.type);
        if (required || (depth < 4 && rng.chance(0.35))) {
          ownKey(obj, field.name, this.value(field.type, field.name, depth + 1));
        }
      }
      if (rng.chance(0.05)) ownKey(obj, rng.pick(HOSTILE_KEYS), jsonValue(rng));
      return obj;
    }
    return this.scalar(type.name, argName);
  }

  private scalar(scalar: string, argName: string): unknown {
    const rng = this.rng;
    switch (scalar) {
      case 'Int':
      case 'Float':
        if (argName === 'limit' && rng.chance(0.5)) return rng.pick([1, 2, 10, 500, 100000, 2 ** 31 - 1]);
        // Mostly what an Int can hold (its edges included), sometimes what it cannot.
        return rng.chance(0.8)
          ? rng.pick([0, 1, -1, 3, 60, 3600, 2 ** 31 - 1, -(2 ** 31)])
          : rng.pick(EXTREME_NUMBERS);
      case 'Boolean':
        return rng.chance(0.5);
      case 'JSON':
        // A merge patch is an object; anything else is refused before it reaches the store.
        if (argName === 'patch' && rng.chance(0.8)) {
          return { metadata: { labels: { [rng.word()]: randomString(rng) } }, spec: jsonValue(rng, 2) };
        }
        return jsonValue(rng);
      case 'StringMap':
      case 'ResourceList':
        return rng.chance(0.7) ? { cpu: rng.pick(['100m', '1', '1e999', '-1', 'x']) } : jsonValue(rng);
      case 'Quantity':
        return rng.pick(['100m', '64Mi', '1.5', '0', '-1', '1e308', '9999999999999999999Ei', '', 'm']);
      case 'IntOrString':
        return rng.chance(0.5) ? rng.pick(EXTREME_NUMBERS) : rng.pick(['25%', 'http', '', '%']);
    }
    switch (argName) {
      case 'labelSelector':
        return rng.pick(LABEL_SELECTORS);
      case 'fieldSelector':
        return rng.pick(FIELD_SELECTORS);
      case 'resourceVersion':
        return rng.pick(RESOURCE_VERSIONS);
      case 'continue':
        return rng.chance(0.5)
          ? Buffer.from(JSON.stringify(jsonValue(rng))).toString('base64url')
          : randomString(rng);
      case 'manifests':
        return rng.pick([
          'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: fz-doc }\ndata: { a: b }',
          '{"kind":"List","items":[{"kind":"List","items":[]}]}',
          '---\n---\n',
          '[]',
          randomString(rng),
        ]);
    }
    return nameLike(rng);
  }
}

/** A value as a GraphQL literal; keys that are not GraphQL names cannot be written inline and are left out. */
function literal(value: unknown, type?: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    const named = type && getNamedType(type);
    if (named && isEnumType(named) && /^[_A-Za-z]\w*$/.test(value)) return value;
    // A lone surrogate cannot be written in a GraphQL string (mutateText tries that on its own).
    return JSON.stringify(value.replace(/[\ud800-\udfff]/gu, '\ufffd'));
  }
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return '-0';
    return Number.isFinite(value) ? String(value) : '1e999';
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const inner = type && isListType(unwrapNonNull(type)) ? listItem(type) : undefined;
    return `[${value.map((v) => literal(v, inner)).join(', ')}]`;
  }
  const named = type && getNamedType(type);
  const fields = named && isInputObjectType(named) ? named.getFields() : undefined;
  const entries = Object.keys(value as object)
    .filter((key) => /^[_A-Za-z]\w*$/.test(key))
    .map((key) => `${key}: ${literal((value as Record<string, unknown>)[key], fields?.[key]?.type)}`);
  return `{${entries.join(', ')}}`;
}

function unwrapNonNull(type: GraphQLInputType): GraphQLInputType {
  return isNonNullType(type) ? type.ofType : type;
}

function listItem(type: GraphQLInputType): GraphQLInputType | undefined {
  const list = unwrapNonNull(type);
  return isListType(list) ? (list.ofType as GraphQLInputType) : undefined;
}

/** A selection set for `type`, `depth` levels at most, through the schema's real fields and edges. */
function selection(rng: Random, op: Operation, type: GraphQLNamedType, depth: number): string {
  if (isUnionType(type)) {
    const member = rng.pick(type.getTypes());
    return `{ __typename ... on ${member.name} ${selection(rng, op, member, depth)} }`;
  }
  if (!isObjectType(type) && !isInterfaceType(type)) return '';
  if (depth <= 0) return '{ __typename }';
  const fields = Object.values(type.getFields());
  const parts: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    if (rng.chance(0.08)) parts.push('__typename');
    parts.push(field(rng, op, rng.pick(fields), depth - 1));
  }
  if (isInterfaceType(type) && rng.chance(0.3)) {
    const impl = rng.pick(SCHEMA.getPossibleTypes(type));
    parts.push(`... on ${impl.name} ${selection(rng, op, impl, depth - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

function field(
  rng: Random,
  op: Operation,
  f: GraphQLField<unknown, unknown>,
  depth: number,
  forceArgs = false,
): string {
  const alias = rng.chance(0.1) ? `${rng.word()}: ` : '';
  const args = f.args
    .filter((arg) => isNonNullType(arg.type) || (forceArgs ? rng.chance(0.6) : rng.chance(0.3)))
    .map((arg) => `${arg.name}: ${op.argument(arg)}`);
  const named = getNamedType(f.type);
  const sub = isLeafType(named) ? '' : ` ${selection(rng, op, named, depth)}`;
  return `${alias}${f.name}${args.length ? `(${args.join(', ')})` : ''}${sub}`;
}

type OperationType = 'query' | 'mutation' | 'subscription';

/** An operation over the schema: usually valid, with arguments drawn from the hostile pools. */
export function schemaOperation(rng: Random, kind?: OperationType): DocumentCase {
  const type: OperationType =
    kind ??
    rng.weighted<OperationType>([
      [6, 'query'],
      [3, 'mutation'],
      [2, 'subscription'],
    ]);
  const root = (
    type === 'query'
      ? SCHEMA.getQueryType()
      : type === 'mutation'
        ? SCHEMA.getMutationType()
        : SCHEMA.getSubscriptionType()
  ) as GraphQLObjectType;
  const op = new Operation(rng);
  const fields = Object.values(root.getFields());
  const roots = Array.from({ length: type === 'subscription' ? 1 : rng.int(1, 2) }, () =>
    field(rng, op, rng.pick(fields), rng.int(1, 5), true),
  );
  const name = rng.chance(0.3) ? ` Op${rng.int(0, 9)}` : '';
  const defs = op.defs.length ? `(${op.defs.join(', ')})` : '';
  const head = type === 'query' && !name && !defs && rng.chance(0.5) ? '' : `${type}${name}${defs} `;
  return {
    query: `${head}{ ${roots.join(' ')} }`,
    variables: op.defs.length || rng.chance(0.2) ? op.variables : undefined,
    operationName: name && rng.chance(0.5) ? name.trim() : undefined,
    live: type === 'subscription',
    shape: `schema-${type}`,
  };
}

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '!',
  '=',
  '@',
  '...',
  '"',
  '"""',
  '#',
  ',',
  '|',
  '&',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  '__typename',
  '__schema',
  'null',
  'true',
  '1e999',
  '-0',
  '0x1F',
  '"\\u0000"',
  '"\\ud800"',
  '"\\u{1F600}"',
  '\u0000',
  '\ufeff',
  '\u2028',
  '\\',
  '$__proto__',
  '__proto__:',
  'constructor',
];

/** Breaks a document's text: the lexer and parser must refuse it with a parse error, not an exception. */
export function mutateText(rng: Random, text: string): string {
  let out = text;
  for (let n = rng.int(1, 3); n > 0; n--) {
    const at = rng.int(0, out.length);
    const len = rng.int(1, Math.max(1, Math.min(40, out.length - at)));
    out = rng.weighted<() => string>([
      [3, () => out.slice(0, at) + out.slice(at + len)],
      [3, () => out.slice(0, at) + rng.pick(TOKENS) + out.slice(at)],
      [2, () => out.slice(0, at) + out.slice(at, at + len).repeat(rng.int(2, 20)) + out.slice(at)],
      [2, () => out.slice(0, at) + String.fromCodePoint(rng.int(0, 0x10ffff)) + out.slice(at + 1)],
      [1, () => out.slice(0, at)],
      [1, () => out.slice(at) + out.slice(0, at)],
    ])();
  }
  return out;
}

/** Documents that each push one stage of the pipeline to its limit. */
const STRESS: Record<string, (rng: Random) => DocumentCase> = {
  deepSelection(rng) {
    const depth = rng.sized([19, 21, 30, 200, 1500]);
    let sel = 'metadata { name }';
    for (let level = depth; level > 0; level--) sel = `${level % 2 ? 'node' : 'pods'} { ${sel} }`;
    return plain(`{ pods { items { ${sel} } } }`, 'deep-selection');
  },
  deepBraces(rng) {
    const n = rng.sized([100, 1000, 1999, 5000, 50000]);
    return plain('{ a '.repeat(n) + '}'.repeat(n), 'deep-braces');
  },
  deepListLiteral(rng) {
    const n = rng.sized([50, 1000, 1990, 10000, 100000]);
    return plain(
      `mutation { patchConfigMap(name: "x", patch: ${'['.repeat(n)}1${']'.repeat(n)}) { kind } }`,
      'deep-list-literal',
    );
  },
  deepObjectLiteral(rng) {
    const n = rng.sized([50, 500, 1300, 10000]);
    return plain(
      `mutation { patchConfigMap(name: "x", patch: ${'{a: '.repeat(n)}1${'}'.repeat(n)}) { kind } }`,
      'deep-object-literal',
    );
  },
  aliases(rng) {
    const n = rng.sized([30, 31, 500, 1300]);
    const body = Array.from({ length: n }, (_, i) => `a${i}: namespaces { items { metadata { name } } }`);
    return plain(`{ ${body.join(' ')} }`, 'aliases');
  },
  repeatedFields(rng) {
    // Field merging (OverlappingFieldsCanBeMerged) is quadratic in the fields of one selection.
    const n = rng.sized([100, 1000, 3900]);
    const f = rng.pick(['__typename', 'metadata { name }', 'namespaces { items { metadata { name } } }']);
    return plain(`{ pods { items { ${Array(n).fill(f).join(' ')} } } }`, 'repeated-fields');
  },
  conflictingFields(rng) {
    const n = rng.sized([50, 500, 1500]);
    const body = Array.from({ length: n }, (_, i) => `x: pod(name: "p${i}") { kind }`);
    return plain(`{ ${body.join(' ')} }`, 'conflicting-fields');
  },
  fragmentChain(rng) {
    // Each fragment spreads the one before under an alias: a small text, an exponential tree.
    const n = rng.sized([10, 30, 60]);
    const frags = [`fragment f0 on Query { namespaces { items { metadata { name } } } }`];
    for (let i = 1; i < n; i++)
      frags.push(`fragment f${i} on Query { ...f${i - 1} a${i}: __typename ...f${i - 1} }`);
    return plain(`{ ...f${n - 1} } ${frags.join(' ')}`, 'fragment-chain');
  },
  fragmentCycle(rng) {
    const n = rng.int(2, 50);
    const frags = Array.from({ length: n }, (_, i) => `fragment f${i} on Query { ...f${(i + 1) % n} }`);
    return plain(`{ ...f0 } ${frags.join(' ')}`, 'fragment-cycle');
  },
  directives(rng) {
    const n = rng.sized([49, 51, 1000]);
    const d = rng.pick(['@skip(if: false)', '@include(if: true)', '@nosuch', '@deprecated']);
    return plain(`{ __typename ${Array(n).fill(d).join(' ')} }`, 'directives');
  },
  introspection(rng) {
    // Introspection is often exempt from depth and cost limits: the schema's own graph is wide.
    const depth = rng.int(2, 12);
    let sel = 'name';
    for (let i = 0; i < depth; i++) {
      sel = `name fields { name type { name ofType { name } } } ${rng.chance(0.5) ? 'interfaces' : 'possibleTypes'} { ${sel} }`;
    }
    return plain(`{ __schema { types { ${sel} } } }`, 'introspection');
  },
  introspectionOfType(rng) {
    const depth = rng.sized([10, 50, 400]);
    return plain(
      `{ __schema { types { fields { type ${'{ ofType '.repeat(depth)}{ name }${' }'.repeat(depth)} } } } }`,
      'introspection-oftype',
    );
  },
  manyOperations(rng) {
    const n = rng.sized([2, 100, 1000]);
    const ops = Array.from({ length: n }, (_, i) => `query q${i % (rng.chance(0.5) ? n : 2)} { __typename }`);
    return {
      ...plain(ops.join(' '), 'many-operations'),
      operationName: rng.pick([undefined, 'q1', 'nope', 7]),
    };
  },
  hugeString(rng) {
    const size = rng.sized([10_000, 1_000_000, 2_900_000]);
    return plain(`{ configMap(name: "${'x'.repeat(size)}") { kind } }`, 'huge-string');
  },
  hugeBlockString(rng) {
    const lines = rng.sized([1000, 100_000]);
    return plain(`{ configMap(name: """${'  \\""" x\n'.repeat(lines)}""") { kind } }`, 'huge-block-string');
  },
  longName(rng) {
    const size = rng.sized([1000, 100_000, 1_000_000]);
    return plain(`{ ${'a'.repeat(size)} }`, 'long-name');
  },
  comments(rng) {
    const n = rng.sized([1000, 100_000]);
    return plain(`${'# comment\n'.repeat(n)}{ __typename }`, 'comments');
  },
  manyTokens(rng) {
    const n = rng.sized([3990, 4010, 100_000]);
    return plain(`{ __typename ${Array(n).fill(',').join('')} }`, 'many-tokens');
  },
  manyArguments(rng) {
    const n = rng.sized([100, 2000]);
    const args = Array.from({ length: n }, (_, i) => `a${i}: ${i}`).join(', ');
    return plain(`{ pods(${args}) { items { kind } } }`, 'many-arguments');
  },
  bigNumbers(rng) {
    const v = rng.pick([
      '99999999999999999999',
      '-2147483649',
      '1e999',
      '0.1e-999',
      '00',
      '1.',
      '.5',
      '0x10',
      'NaN',
    ]);
    return plain(`{ pods(limit: ${v}) { items { kind } } }`, 'big-numbers');
  },
  variablesBomb(rng) {
    // A variable's JSON has no token limit: deep or huge values reach coercion and the resolver.
    const depth = rng.sized([100, 2000, 10000, 100000]);
    const deep = rng.chance(0.5) ? nested(depth, 'array') : nested(depth, 'object');
    return {
      query: `mutation($p: JSON!) { patchConfigMap(name: "fz-deep", patch: $p) { kind } }`,
      variables: { p: new RawJson(deep) },
      live: false,
      shape: 'variables-bomb',
    };
  },
  variablesHostile(rng) {
    const vars: Record<string, unknown> = {};
    ownKey(vars, rng.pick(HOSTILE_KEYS), jsonValue(rng));
    ownKey(vars, 'n', rng.chance(0.5) ? { toString: 'x' } : ['default']);
    return {
      query: `query($n: String!) { namespace(name: $n) { metadata { name } } }`,
      variables: vars,
      live: false,
      shape: 'variables-hostile',
    };
  },
  undefinedVariables() {
    return plain(`{ namespace(name: $n) { metadata { name } } }`, 'undefined-variable');
  },
  wrongRoot(rng) {
    return plain(
      rng.pick([
        'subscription { __typename }',
        'subscription { watchPods { type } watchNodes { type } }',
        'mutation { __schema { types { name } } }',
        'subscription a { watchPods { type } } subscription a { watchPods { type } }',
        '{ __type(name: "Query") { name } __type(name: "nope") { name } }',
        'query { ...on Query { __typename } }',
        'query ($a: Int = "x") { __typename }',
        'query @skip(if: true) { __typename }',
        'extend type Query { x: Int }',
        'type Query { x: Int }',
        'schema { query: Query }',
        'directive @x on FIELD',
        '',
        ' ',
        '\ufeff',
        '{}',
        '{ }',
        '{ __typename',
        '}',
      ]),
      'wrong-root',
    );
  },
};

/** The JSON text of a value nested `depth` times, built as text (JSON.stringify would overflow the stack). */
export function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + '1' + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Already-serialised JSON to splice into a request body as it is (see transport.ts' bodyJson). */
export class RawJson {
  constructor(readonly text: string) {}
}

function plain(query: string, shape: string): DocumentCase {
  // Parsing megabytes here would cost more than sending them: big documents are never subscriptions here.
  if (query.length > 20_000) return { query, live: /^\s*subscription\b/.test(query), shape };
  let live = false;
  try {
    live = parse(query, { noLocation: true }).definitions.some(
      (d) => d.kind === 'OperationDefinition' && d.operation === 'subscription',
    );
  } catch {
    // Unparsable: the server must answer at once.
  }
  return { query, live, shape };
}

/** Whether a text is a subscription, so that a transport may leave it open for a while. */
export function isLive(query: unknown): boolean {
  if (typeof query !== 'string') return false;
  return plain(query, '').live;
}

/** One case of the documents family: schema-built (often broken afterwards) or a stress document. */
export function documentCase(
  rng: Random,
  options: { maxBytes?: number; kind?: OperationType } = {},
): DocumentCase {
  const doc = rng.chance(0.7)
    ? schemaOperation(rng, options.kind)
    : STRESS[rng.pick(Object.keys(STRESS))](rng);
  if (typeof doc.query === 'string' && rng.chance(0.3)) {
    doc.query = mutateText(rng, doc.query);
    doc.live = isLive(doc.query);
    doc.shape += '+mutated';
  }
  if (rng.chance(0.05)) {
    // The envelope's fields of the wrong type: the transport must refuse them with a code.
    const field = rng.pick(['query', 'variables', 'operationName', 'extensions'] as const);
    doc[field] = rng.pick<unknown>([
      null,
      7,
      true,
      [],
      {},
      ['{ __typename }'],
      { query: '{ __typename }' },
      '',
    ]);
    doc.shape += `+bad-${field}`;
    doc.live = isLive(doc.query);
  }
  if (options.maxBytes && typeof doc.query === 'string' && doc.query.length > options.maxBytes) {
    doc.query = doc.query.slice(0, options.maxBytes);
    doc.live = isLive(doc.query);
    doc.shape += '+cut';
  }
  return doc;
}
