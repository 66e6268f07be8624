import type { Cost } from './section-cost.ts';

/**
 * The REST-versus-GraphQL benchmark's table: a row per figure, REST's and GraphQL's side
 * by side from the same run, and their ratio, which holds better than either figure on a
 * noisy machine.
 */

export interface Row {
  label: string;
  rest: string;
  graphql: string;
  /** GraphQL's figure over REST's, where a ratio means something. */
  ratio?: number;
}

export interface Section {
  title: string;
  rows: Row[];
  cost?: Cost;
}

const LABEL_WIDTH = 58;
const COLUMN_WIDTH = 20;

/** Tenths below 100, whole numbers above, so that columns stay narrow. */
export const fixed = (n: number, digits = Math.abs(n) < 100 ? 1 : 0) =>
  Number.isFinite(n) ? n.toFixed(digits) : '—';
export const pair = (a: number, b: number) => (Number.isFinite(a) ? `${fixed(a)} / ${fixed(b)}` : '—');
export const kib = (bytes: number) => (Number.isFinite(bytes) ? `${fixed(bytes / 1024)} KiB` : '—');
const share = (cpuMs: number, wallMs: number) => `${fixed((100 * cpuMs) / wallMs, 0)} %`;

function line(label: string, cells: string[]): void {
  console.log(`${label.padEnd(LABEL_WIDTH)}${cells.map((cell) => cell.padStart(COLUMN_WIDTH)).join('')}`);
}

export function printSections(sections: Section[]): void {
  line('', ['REST (kubectl)', 'GraphQL (kq)', 'GraphQL / REST']);
  for (const { title, rows } of sections) {
    console.log(`\n${title}`);
    for (const row of rows) {
      const ratio = row.ratio !== undefined && Number.isFinite(row.ratio) ? `× ${row.ratio.toFixed(2)}` : '';
      line(`  ${row.label}`, [row.rest, row.graphql, ratio]);
    }
  }
}

/** What each section cost, as shares of one core over its wall time: who was the limit. */
export function printCosts(sections: Section[]): void {
  const measured = sections.filter((section): section is Section & { cost: Cost } => !!section.cost);
  console.log('\nwhat each section cost (share of one core over its wall time)');
  line(
    '',
    measured.map((_, i) => `section ${i + 1}`),
  );
  line(
    '  wall time (s)',
    measured.map(({ cost }) => fixed(cost.wallMs / 1000)),
  );
  line(
    '  server CPU',
    measured.map(({ cost }) => share(cost.serverCpuMs, cost.wallMs)),
  );
  line(
    '  load generator (this process) CPU',
    measured.map(({ cost }) => share(cost.ownCpuMs, cost.wallMs)),
  );
  line(
    '  the rest of the machine (kubectl, kq, other work)',
    measured.map(({ cost }) => share(cost.othersCpuMs, cost.wallMs)),
  );
  line(
    "  server's event loop ready but without a core",
    measured.map(({ cost }) => share(cost.serverWaitMs, cost.wallMs)),
  );
}
