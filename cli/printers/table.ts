import type { Resource } from '../../client/types.ts';
import { columnsFor } from '../../schema/columns/columns.ts';
import type { Colour } from '../color.ts';
import { TABLE } from '../tabwriter.ts';

export interface TableOptions {
  wide?: boolean;
  /** -A: a NAMESPACE column first. */
  allNamespaces?: boolean;
  /** Several kinds in one `get`: names as `deployment.apps/web`. */
  prefix?: string;
  showLabels?: boolean;
  noHeaders?: boolean;
  now?: number;
  colour?: (colour: Colour, text: string) => string;
}

/** STATUS values worth a glance on a terminal; everything else stays plain. */
const GOOD = new Set(['Running', 'Ready', 'Active', 'Complete', 'Completed', 'Bound']);
const BAD = /Err|BackOff|Failed|Error|NotReady|Unknown|OOMKilled|Evicted|Invalid|Unschedulable/;

/**
 * A `kubectl get` table: aligned as its tabwriter aligns (minimum width 6, three spaces
 * of padding, the last column unpadded), no borders. Keeps its column widths so
 * `get -w` rows that follow line up under the first table.
 */
export class Table {
  private widths: number[] = [];
  private readonly statusColumn: number;
  readonly headers: string[];

  constructor(
    private readonly kind: string,
    private readonly options: TableOptions = {},
  ) {
    const columns = columnsFor(kind);
    this.headers = [
      ...(options.allNamespaces ? ['NAMESPACE'] : []),
      ...columns.headers,
      ...(options.wide ? (columns.wide ?? []) : []),
      ...(options.showLabels ? ['LABELS'] : []),
    ];
    this.statusColumn = this.headers.indexOf('STATUS');
  }

  row(obj: Resource): string[] {
    const columns = columnsFor(this.kind);
    const now = this.options.now ?? Date.now();
    const cells = columns.row(obj, now);
    if (this.options.prefix && this.kind !== 'Event') cells[0] = `${this.options.prefix}/${cells[0]}`;
    return [
      ...(this.options.allNamespaces ? [obj.metadata?.namespace ?? ''] : []),
      ...cells,
      ...(this.options.wide ? (columns.wideRow?.(obj, now) ?? []) : []),
      ...(this.options.showLabels ? [labels(obj.metadata?.labels)] : []),
    ];
  }

  /** The header (unless --no-headers) and a line per object. */
  render(objects: Resource[]): string {
    const rows = objects.map((obj) => this.row(obj));
    const all = this.options.noHeaders ? rows : [this.headers, ...rows];
    for (const cells of all) this.fit(cells);
    return all.map((cells, i) => this.line(cells, i > 0 || this.options.noHeaders === true)).join('');
  }

  /** One more line for `get -w`, in the widths the table has so far. */
  renderRow(obj: Resource): string {
    const cells = this.row(obj);
    this.fit(cells);
    return this.line(cells, true);
  }

  private fit(cells: string[]) {
    cells.forEach((cell, j) => {
      if (j < cells.length - 1)
        this.widths[j] = Math.max(this.widths[j] ?? 0, TABLE.minWidth, [...cell].length + TABLE.padding);
    });
  }

  private line(cells: string[], isRow: boolean): string {
    return (
      cells
        .map((cell, j) => {
          const padded =
            j < cells.length - 1 ? cell + ' '.repeat(Math.max(0, this.widths[j] - [...cell].length)) : cell;
          if (!isRow || j !== this.statusColumn || !this.options.colour) return padded;
          const colour = GOOD.has(cell) ? 'green' : BAD.test(cell) ? 'red' : undefined;
          return colour ? this.options.colour(colour, cell) + padded.slice(cell.length) : padded;
        })
        .join('') + '\n'
    );
  }
}

const labels = (value: Record<string, string> | undefined) =>
  value && Object.keys(value).length
    ? Object.entries(value)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : '<none>';
