import { UsageError } from '../failure.ts';

/**
 * kubectl's JSONPath templates (`-o jsonpath='{.items[*].metadata.name}'`): literal
 * text and `{expressions}` with fields, `[*]`, `[n]`, `[a:b]`, `['key']`, filters
 * `[?(@.type=="Ready")]`, `..` recursive descent, quoted literals and `{range}...{end}`.
 * Several results of one expression print space-separated, as kubectl's do.
 */
type Node =
  | { type: 'text'; text: string }
  | { type: 'expr'; path: string }
  | { type: 'range'; path: string; body: Node[] };

export function jsonpath(template: string, data: unknown): string {
  const nodes = parseTemplate(template);
  return render(nodes, data, data);
}

function parseTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.push({ type: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.push({ type: 'text', text: template.slice(i, open) });
    const close = findClose(template, open);
    const inner = template.slice(open + 1, close).trim();
    i = close + 1;
    if (inner.startsWith('range ')) {
      const node: Node = { type: 'range', path: inner.slice(6).trim(), body: [] };
      stack.at(-1)!.push(node);
      stack.push(node.body);
    } else if (inner === 'end') {
      if (stack.length === 1)
        throw new UsageError(`error parsing jsonpath ${template}, not in range, nothing to end`);
      stack.pop();
    } else if (/^"(.*)"$/s.test(inner) || /^'(.*)'$/s.test(inner)) {
      stack.at(-1)!.push({ type: 'text', text: unquote(inner.slice(1, -1)) });
    } else {
      stack.at(-1)!.push({ type: 'expr', path: inner });
    }
  }
  if (stack.length > 1) throw new UsageError(`error parsing jsonpath ${template}, unclosed range`);
  return root;
}

function findClose(template: string, open: number): number {
  let quote: string | undefined;
  for (let j = open + 1; j < template.length; j++) {
    const c = template[j];
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return j;
  }
  throw new UsageError(`error parsing jsonpath ${template}, unclosed action`);
}

const unquote = (text: string) =>
  text.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c as 'n'] ?? c);

function render(nodes: Node[], current: unknown, root: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.text;
    else if (node.type === 'expr') out += evaluate(node.path, current, root).map(show).join(' ');
    else {
      for (const item of evaluate(node.path, current, root).flatMap((v) => (Array.isArray(v) ? v : [v]))) {
        out += render(node.body, item, root);
      }
    }
  }
  return out;
}

const show = (value: unknown) =>
  typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);

/** The values a path selects; `@` and a leading `.` start at the current item, `$` at the root. */
function evaluate(path: string, current: unknown, root: unknown): unknown[] {
  let values: unknown[] = [path.startsWith('$') ? root : current];
  let rest = path.replace(/^[$@]/, '');
  while (rest.length) {
    let match: RegExpExecArray | null;
    if ((match = /^\.\.([\w-]+)/.exec(rest))) {
      const key = match[1];
      values = values.flatMap((v) => descend(v).flatMap((d) => (isObject(d) && key in d ? [d[key]] : [])));
    } else if ((match = /^\.((?:[\w/-]|\\.)+|\*)?/.exec(rest))) {
      // `labels.app\.kubernetes\.io/name`: an escaped dot belongs to the key.
      const key = match[1]?.replace(/\\(.)/g, '$1');
      if (key === '*')
        values = values.flatMap((v) => (isObject(v) ? Object.values(v) : Array.isArray(v) ? v : []));
      else if (key) values = values.flatMap((v) => (isObject(v) && key in v ? [v[key]] : []));
    } else if ((match = /^\[\?\((.*?)\)\]/.exec(rest))) {
      const test = match[1];
      values = values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((item) => filter(test, item, root));
    } else if ((match = /^\[(.*?)\]/.exec(rest))) {
      values = values.flatMap((v) => subscript(match![1].trim(), v));
    } else {
      throw new UsageError(`error parsing jsonpath, unrecognized character in ${path}`);
    }
    rest = rest.slice(match[0].length);
  }
  return values;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function descend(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(descend);
  if (isObject(value)) return [value, ...Object.values(value).flatMap(descend)];
  return [];
}

function subscript(inside: string, value: unknown): unknown[] {
  if (inside === '*') return Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  const quoted = /^['"](.*)['"]$/.exec(inside);
  if (quoted) return isObject(value) && quoted[1] in value ? [value[quoted[1]]] : [];
  if (!Array.isArray(value)) return [];
  const slice = /^(-?\d*):(-?\d*)$/.exec(inside);
  if (slice) {
    return value.slice(slice[1] ? Number(slice[1]) : 0, slice[2] ? Number(slice[2]) : value.length);
  }
  if (/^-?\d+$/.test(inside)) {
    const n = Number(inside);
    const item = value[n < 0 ? value.length + n : n];
    return item === undefined ? [] : [item];
  }
  throw new UsageError(`error parsing jsonpath, invalid array index ${inside}`);
}

function filter(test: string, item: unknown, root: unknown): boolean {
  const match = /^(@[^=!<>]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(test.trim());
  if (!match)
    return evaluate(test.trim(), item, root).some((v) => v !== undefined && v !== null && v !== false);
  const [, left, op, right] = match;
  const literal = /^['"](.*)['"]$/.exec(right.trim());
  const want: unknown = literal ? literal[1] : Number(right.trim());
  return evaluate(left, item, root).some((have) => {
    const a = typeof want === 'number' ? Number(have) : String(have);
    switch (op) {
      case '==':
        return a === want;
      case '!=':
        return a !== want;
      case '<':
        return (a as number) < (want as number);
      case '>':
        return (a as number) > (want as number);
      case '<=':
        return (a as number) <= (want as number);
      default:
        return (a as number) >= (want as number);
    }
  });
}
