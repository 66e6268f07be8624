import { DESCRIBE, formatTabs } from '../tabwriter.ts';

/**
 * kubectl describe's PrefixWriter: lines at an indent level (two spaces each), cells
 * separated by tabs, the whole text aligned by one tabwriter at the end, so that
 * consecutive `Key:\tvalue` lines line up as kubectl's do.
 */
export class DescribeWriter {
  private text = '';

  line(level: number, ...cells: Array<string | number | undefined>): void {
    this.indented('  '.repeat(level), ...cells);
  }

  /** A line with its own indent: kubectl writes a pod template's container names one space in. */
  indented(indent: string, ...cells: Array<string | number | undefined>): void {
    this.text += `${indent}${cells.map((c) => (c === undefined ? '' : String(c))).join('\t')}\n`;
  }

  /** `Labels:  a=b` with every further entry on its own line under the first. */
  map(level: number, title: string, map: Record<string, string> | undefined, separator = '='): void {
    const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (!entries.length) return this.line(level, `${title}:`, '<none>');
    entries.forEach(([k, v], i) => this.line(level, i === 0 ? `${title}:` : '', `${k}${separator}${v}`));
  }

  toString(): string {
    return formatTabs(this.text, DESCRIBE);
  }
}

/** kubectl's describe timestamps: RFC 1123 with a numeric zone, "Mon, 02 Jan 2006 15:04:05 +0000". */
export function timestamp(value: string | undefined): string {
  if (!value) return '<unset>';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]}, ${two(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
