import type { LabelSelector } from './kinds/meta.ts';
import { mapEntry } from './string-map.ts';

/**
 * Label selectors in both of Kubernetes' forms: the string syntax of list/watch
 * (`app=web,tier!=db,env in (a,b),!legacy`) and the structured LabelSelector of specs.
 * Both compile to the same list of requirements, ANDed.
 */
export interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

export type Labels = Record<string, string> | undefined;

export class SelectorSyntaxError extends Error {}

export function matches(requirements: Requirement[], labels: Labels): boolean {
  for (const { key, op, values } of requirements) {
    const value = mapEntry(labels, key);
    switch (op) {
      case 'in':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'notin':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'exists':
        if (value === undefined) return false;
        break;
      case '!':
        if (value !== undefined) return false;
    }
  }
  return true;
}

export function fromLabelSelector(selector: LabelSelector | undefined): Requirement[] {
  const out: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}))
    out.push({ key, op: 'in', values: [value] });
  for (const expr of selector?.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[expr.operator];
    out.push({ key: expr.key, op, values: expr.values ?? [] });
  }
  return out;
}

/** Whether a structured selector matches a label set (an empty selector matches all). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  return matches(fromLabelSelector(selector), labels);
}

const TOKEN = /\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)/y;
const OPERATORS = /^(!=|==|=|\(|\)|,|!)$/;
const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Parses the string syntax as apimachinery's labels.Parse does; throws SelectorSyntaxError with the reason. */
export function parseLabelSelector(text: string): Requirement[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  const source = text.trim();
  while (TOKEN.lastIndex < source.length) {
    const match = TOKEN.exec(source);
    if (!match) throw new SelectorSyntaxError(`unable to parse requirement: "${source}"`);
    tokens.push(match[1]);
  }
  const out: Requirement[] = [];
  let i = 0;
  const next = () => tokens[i++];
  const word = (what: string) => {
    const t = next();
    if (t === undefined || OPERATORS.test(t))
      throw new SelectorSyntaxError(`expected ${what}, found "${t ?? 'end'}"`);
    return t;
  };
  const key = () => {
    const k = word('a key');
    if (!KEY.test(k)) throw new SelectorSyntaxError(`invalid label key "${k}"`);
    return k;
  };
  const value = () => {
    const v = word('a value');
    if (!VALUE.test(v)) throw new SelectorSyntaxError(`invalid label value "${v}"`);
    return v;
  };
  const valueOrEmpty = () => (tokens[i] === undefined || tokens[i] === ',' ? '' : value());
  while (i < tokens.length) {
    if (tokens[i] === '!') {
      next();
      out.push({ key: key(), op: '!', values: [] });
    } else {
      const k = key();
      const op = tokens[i];
      if (op === '=' || op === '==') {
        next();
        out.push({ key: k, op: 'in', values: [valueOrEmpty()] });
      } else if (op === '!=') {
        next();
        out.push({ key: k, op: 'notin', values: [valueOrEmpty()] });
      } else if (op === 'in' || op === 'notin') {
        next();
        if (next() !== '(') throw new SelectorSyntaxError(`expected "(" after "${op}"`);
        const values = [value()];
        while (tokens[i] === ',') {
          next();
          values.push(value());
        }
        if (next() !== ')') throw new SelectorSyntaxError(`expected "," or ")" in the values of "${k}"`);
        out.push({ key: k, op, values });
      } else {
        out.push({ key: k, op: 'exists', values: [] });
      }
    }
    if (i < tokens.length) {
      if (next() !== ',')
        throw new SelectorSyntaxError(`expected "," after requirement on "${out.at(-1)?.key}"`);
      if (i >= tokens.length) throw new SelectorSyntaxError('expected a requirement after ","');
    }
  }
  return out;
}
