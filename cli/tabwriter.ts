/**
 * Go's text/tabwriter, which kubectl prints every table and every `describe` through:
 * cells end with a tab, a column is as wide as its widest cell in a block of
 * consecutive lines that have it, plus padding, and the last cell of a line is never
 * padded. Porting it, not approximating it, is what makes the output line up exactly
 * as kubectl's does.
 */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** `kubectl get`: printers.GetNewTabWriter. */
export const TABLE = { minWidth: 6, padding: 3 };
/** `kubectl describe`: tabwriter.NewWriter(out, 0, 8, 2, ' ', 0). */
export const DESCRIBE = { minWidth: 0, padding: 2 };

const width = (text: string) => [...text].length;

/** Aligns `text` (lines of tab-terminated cells); a trailing newline is kept. */
export function formatTabs(text: string, options: TabwriterOptions): string {
  const trailing = text.endsWith('\n');
  const lines = (trailing ? text.slice(0, -1) : text).split('\n').map((line) => line.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i];
      let line = '';
      cells.forEach((cell, j) => {
        line += cell;
        if (j < cells.length - 1 && j < widths.length)
          line += ' '.repeat(Math.max(0, widths[j] - width(cell)));
      });
      out.push(line);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current].length - 1) continue;
      writeLines(line0, current);
      line0 = current;
      let w = options.minWidth;
      for (; current < line1; current++) {
        const cells = lines[current];
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]) + options.padding);
      }
      widths.push(w);
      format(line0, current);
      widths.pop();
      line0 = current;
      current--;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out.join('\n') + (trailing ? '\n' : '');
}
