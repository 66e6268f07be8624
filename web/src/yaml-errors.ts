import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import type { KubeqlError } from '../../client/errors.ts';

/** A problem to show at a line of the YAML text (1-based; 0 when it has no place). */
export interface FieldProblem {
  line: number;
  field?: string;
  message: string;
}

/**
 * Where the API's complaint is in the text the user wrote: each cause of an INVALID
 * error names a field path ("spec.template.spec.containers[0].image"), which we follow
 * through the YAML's syntax tree to the line of its key. In a multi-document text the
 * server says which manifest ("manifest 2 of 3: ...").
 */
export function problemsOf(text: string, error: KubeqlError): FieldProblem[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines });
  const list = Array.isArray(documents) ? documents : [];
  const which = /^manifest (\d+) of \d+/.exec(error.message);
  const document = list[which ? Number(which[1]) - 1 : 0];
  if (!error.causes.length) return [{ line: 0, message: error.message }];
  return error.causes.map((cause) => {
    const offset = document?.contents
      ? offsetOf(document.contents as Node, splitPath(cause.field))
      : undefined;
    return {
      line: offset === undefined ? 0 : lines.linePos(offset).line,
      field: cause.field,
      message: cause.message,
    };
  });
}

/** A YAML syntax error, at its line, before anything is sent. */
export function syntaxProblems(text: string): FieldProblem[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(documents)) return [];
  return documents.flatMap((doc) =>
    doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? 0, message: e.message.split('\n')[0] })),
  );
}

/** "spec.containers[0].image" → ['spec', 'containers', 0, 'image']. */
function splitPath(field: string): Array<string | number> {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The offset of the deepest part of `path` that exists: a missing field is shown at its parent. */
function offsetOf(root: Node, path: Array<string | number>): number | undefined {
  let node: unknown = root;
  let offset = (root.range ?? [])[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}
