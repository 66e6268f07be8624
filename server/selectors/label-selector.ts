import type { LabelSelector } from '../../schema/kinds/meta.ts';

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
    const value = labels?.[key];
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

/** Parses the string syntax; throws SelectorSyntaxError with the reason. */
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
    if (t === undefined || /^(!=|==|=|\(|\)|,|!)$/.test(t))
      throw new SelectorSyntaxError(`expected ${what}, found "${t ?? 'end'}"`);
    return t;
  };
  while (i < tokens.length) {
    if (tokens[i] === '!') {
      next();
      out.push({ key: word('a key'), op: '!', values: [] });
    } else {
      const key = word('a key');
      const op = tokens[i];
      if (op === '=' || op === '==') {
        next();
        out.push({ key, op: 'in', values: [valueOrEmpty()] });
      } else if (op === '!=') {
        next();
        out.push({ key, op: 'notin', values: [valueOrEmpty()] });
      } else if (op === 'in' || op === 'notin') {
        next();
        if (next() !== '(') throw new SelectorSyntaxError(`expected "(" after "${op}"`);
        const values: string[] = [];
        while (tokens[i] !== ')') {
          if (tokens[i] === undefined) throw new SelectorSyntaxError('expected ")"');
          if (tokens[i] === ',') next();
          else values.push(word('a value'));
        }
        next();
        out.push({ key, op, values });
      } else {
        out.push({ key, op: 'exists', values: [] });
      }
    }
    if (i < tokens.length && next() !== ',')
      throw new SelectorSyntaxError(`expected "," after requirement on "${out.at(-1)?.key}"`);
  }
  return out;

  function valueOrEmpty(): string {
    const t = tokens[i];
    if (t === undefined || t === ',') return '';
    return word('a value');
  }
}
