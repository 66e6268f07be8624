import { joinPath } from '../../schema/field-error.ts';

interface Level {
  /** The object's keys so far, or undefined for a list. */
  keys?: Set<string>;
  /** The list's next index. */
  index: number;
  path: string;
}

/**
 * The paths of keys that occur twice in one object of a JSON text (`spec.replicas`), which
 * JSON.parse resolves silently to the last: what `fieldValidation` reports as duplicate
 * fields. The text must be valid JSON (parse it first). One pass, no recursion.
 */
export function duplicateFields(text: string): string[] {
  const found: string[] = [];
  const stack: Level[] = [];
  /** The key whose value comes next, in the innermost object. */
  let key: string | undefined;
  const valuePath = () => {
    const top = stack.at(-1);
    if (!top) return '';
    if (top.keys) return joinPath(top.path, key ?? '');
    return joinPath(top.path, top.index++);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      // A string in an object where a key is expected is a key: after `{` or `,`.
      if (top?.keys && key === undefined) {
        key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) found.push(joinPath(top.path, key));
        top.keys.add(key);
      } else {
        valuePath();
        key = undefined;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      const path = valuePath();
      stack.push({ keys: c === '{' ? new Set() : undefined, index: 0, path });
      key = undefined;
    } else if (c === '}' || c === ']') {
      stack.pop();
      key = undefined;
    } else if (c === ',') {
      key = undefined;
    } else if (c !== ':' && !/\s/.test(c)) {
      // A number, true, false or null: skip to its end.
      valuePath();
      key = undefined;
      while (i + 1 < text.length && !/[\s,\]}]/.test(text[i + 1])) i++;
    }
  }
  return found;
}

/** The index of the quote closing the string opened at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}
