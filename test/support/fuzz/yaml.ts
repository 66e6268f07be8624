import { Random } from './random.ts';

/**
 * The YAML family: texts for `apply` that attack the YAML reader itself (expansion,
 * nesting, document count, tags, syntax), not the objects it would produce.
 */

export interface YamlCase {
  text: string;
  shape: string;
  /** ConfigMaps the text names beside a broken document: after the failed apply none may exist. */
  allOrNone: string[];
}

const configMap = (name: string, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n${extra}`;

const GENERATORS: Record<string, (rng: Random, prefix: string) => string> = {
  /** Billion laughs: each level refers to the one before `width` times. */
  aliasBomb(rng) {
    const levels = rng.int(3, 12);
    const width = rng.int(2, 10);
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < levels; i++) {
      lines.push(`a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(',')}]`);
    }
    return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  ${lines.join('\n  ')}\n`;
  },
  /** Few aliases of one huge value: under an alias count limit, still a large expansion. */
  aliasWide(rng) {
    const size = rng.sized([1000, 100_000, 1_000_000]);
    const refs = rng.sized([10, 99, 100, 101, 1000]);
    return `x: &big "${'x'.repeat(size)}"\ny: [${Array(refs).fill('*big').join(', ')}]\n`;
  },
  /** Merge keys over a chain of anchors. */
  mergeBomb(rng) {
    const n = rng.sized([5, 20, 60, 200]);
    const lines = ['b0: &b0 {k0: v}'];
    for (let i = 1; i < n; i++)
      lines.push(`b${i}: &b${i} {<<: [*b${i - 1}, *b${Math.max(0, i - 2)}], k${i}: v}`);
    return `${lines.join('\n')}\nkind: ConfigMap\n`;
  },
  selfAlias(rng) {
    return rng.pick([
      'a: &a [*a]\n',
      '&a {b: *a}\n',
      'a: *nope\n',
      'a: &a\n  b: *a\n',
      '&x [&y [*x, *y]]\n',
      '- &a a\n- *a\n- &a b\n- *a\n',
    ]);
  },
  deepFlowSequence(rng) {
    const n = rng.sized([100, 1000, 10_000, 100_000, 1_000_000]);
    return `kind: ConfigMap\ndata: ${'['.repeat(n)}${']'.repeat(n)}\n`;
  },
  deepFlowMapping(rng) {
    const n = rng.sized([100, 1000, 10_000, 200_000]);
    return `kind: ConfigMap\ndata: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`;
  },
  unclosedFlow(rng) {
    const n = rng.sized([10, 10_000, 500_000]);
    return `kind: ConfigMap\ndata: ${'[{'.repeat(n)}\n`;
  },
  deepBlock(rng) {
    const n = rng.sized([50, 500, 1500]);
    let out = 'kind: ConfigMap\ndata:\n';
    for (let i = 1; i <= n; i++) out += `${' '.repeat(i)}k${i}:\n`;
    return out;
  },
  deepBlockSequence(rng) {
    const n = rng.sized([100, 1000, 20_000]);
    return `kind: ConfigMap\ndata: ${'- '.repeat(n)}x\n`;
  },
  manyDocuments(rng, prefix) {
    const n = rng.sized([100, 2_000, 20_000]);
    // Valid ConfigMaps: a single apply that writes thousands of objects at once.
    return Array.from({ length: n }, (_, i) => configMap(`${prefix}-${i}`)).join('---\n');
  },
  manyEmptyDocuments(rng) {
    const n = rng.sized([1000, 100_000, 700_000]);
    return '---\n'.repeat(n);
  },
  manyDocumentsOneBad(rng, prefix) {
    const n = rng.int(2, 200);
    const bad = rng.int(0, n - 1);
    return Array.from({ length: n }, (_, i) =>
      i === bad ? 'kind: ConfigMap\nmetadata: {name: [}\n' : configMap(`${prefix}-${i}`),
    ).join('---\n');
  },
  tags(rng) {
    return rng.pick([
      'kind: !!js/function "function(){ return process.exit(1) }"\n',
      'kind: !!python/object/apply:os.system ["id"]\n',
      '!!binary |\n  R0lGODlhDAAMAIQAAP//9/X17unp5WZmZgAAAOfn515eXvPz7Y6OjuDg4J+fn5OTk6enp56enmleECcgggoBADs=\n',
      'kind: !<tag:yaml.org,2002:str> ConfigMap\nmetadata: !!map {name: tagged}\n',
      'kind: !custom ConfigMap\n',
      'data: !!set {a, b}\n',
      'data: !!omap [a: 1, b: 2]\n',
      'data: !!timestamp 2001-12-14t21:59:43.10-05:00\n',
      'data: !!int 99999999999999999999999999999\n',
      'data: !!float .nan\n',
      'data: !!binary "' + 'A'.repeat(200_000) + '"\n',
      '%TAG ! tag:evil.com,2000:\n---\nkind: !x ConfigMap\n',
      '%YAML 9.9\n---\nkind: ConfigMap\n',
      '%YAML 1.1\n---\nkind: ConfigMap\ndata: {a: yes, b: 0o777, c: 0x1F, d: 1_000}\n',
    ]);
  },
  complexKeys(rng) {
    return rng.pick([
      '? [a, b]\n: c\nkind: ConfigMap\n',
      '? {a: 1}\n: x\n',
      '[a]: b\n',
      `? ${'['.repeat(500)}${']'.repeat(500)}\n: v\n`,
      '{? {a: [b, {c: d}]}: e}\n',
      '__proto__: {polluted: yes}\nkind: ConfigMap\nmetadata: {name: proto}\n',
      'constructor: {prototype: {polluted: yes}}\nkind: ConfigMap\n',
      '<<: {kind: Secret}\nkind: ConfigMap\nmetadata: {name: merge}\n',
    ]);
  },
  duplicateKeys(rng) {
    const n = rng.sized([2, 1000]);
    return `kind: ConfigMap\nmetadata: {name: dup}\ndata:\n${'  k: v\n'.repeat(n)}`;
  },
  numbers(rng) {
    const v = rng.pick([
      '1e400',
      '-.inf',
      '.NaN',
      '0x7fffffffffffffffffff',
      '0o99',
      '123456789012345678901234567890',
      '-0',
      '1_0',
    ]);
    return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: num}\nspec:\n  replicas: ${v}\n`;
  },
  longLine(rng) {
    const size = rng.sized([100_000, 2_000_000]);
    return `kind: ConfigMap\nmetadata:\n  name: ${'a'.repeat(size)}\n`;
  },
  longKey(rng) {
    const size = rng.sized([1100, 100_000]);
    return `kind: ConfigMap\n${'k'.repeat(size)}: v\n`;
  },
  brokenSyntax(rng) {
    return rng.pick([
      'kind: ConfigMap\n\tmetadata: tab\n',
      'kind: "unterminated\n',
      "kind: 'unterminated\n",
      'a: b: c\n',
      '- a\nb: c\n',
      'kind: ConfigMap\n  bad: indent\n',
      '{a: b\n',
      ']\n',
      '---\n...\n...\n---\n',
      '&\n',
      '*\n',
      '!\n',
      '|\n  x\n y\n',
      '>-\n' + '  x\n'.repeat(10_000),
      'a: "\\x00\\ud800\\U0010FFFF"\n',
      '\ufeff\ufeffkind: ConfigMap\n',
      'kind: ConfigMap\u0000\n',
      'kind:\u2028ConfigMap\n',
      '\u0085kind: ConfigMap\n',
      'key: @reserved\n',
      'key: `reserved\n',
      '% directive\n',
      '---\n' + '\u0000'.repeat(1000),
    ]);
  },
  jsonThenYaml(rng) {
    return rng.pick([
      '{"kind":"ConfigMap"} trailing',
      '{"kind":"ConfigMap","metadata":{"name":"a"}}\n---\nkind: ConfigMap\n',
      '[' + '{"kind":"List","items":['.repeat(2000) + ']}'.repeat(2000) + ']',
      '{"kind":"List","items":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}',
      '{"kind": "ConfigMap", "__proto__": {"polluted": "yes"}, "metadata": {"name": "json-proto"}}',
      '{"kind": "List", "items": {"length": 1000000000}}',
      '{"kind": "List", "items": [null, 1, "x", true, [], {}]}',
    ]);
  },
  randomBytes(rng) {
    const n = rng.sized([10, 1000, 100_000]);
    let out = '';
    for (let i = 0; i < n; i++) out += String.fromCharCode(rng.int(0, 255));
    return out;
  },
};

export const YAML_SHAPES = Object.keys(GENERATORS);

/** One hostile YAML text; `prefix` names any valid object it would create, unique to the case. */
export function yamlCase(rng: Random, prefix: string): YamlCase {
  const shape = rng.pick(YAML_SHAPES);
  const text = GENERATORS[shape](rng, prefix);
  const allOrNone =
    shape === 'manyDocumentsOneBad'
      ? [...text.matchAll(/name: (\S+)/g)].map((m) => m[1]).filter((n) => n.startsWith(prefix))
      : [];
  return { text, shape, allOrNone };
}
