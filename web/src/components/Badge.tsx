import { tone as toneOf } from '../format.ts';

/**
 * A status word, coloured by what it means (Running: green, Pending: amber, Failed: red),
 * or by `tone` where the word alone does not say (MemoryPressure "False" is good news).
 */
export function Badge({ status, tone }: { status: string; tone?: ReturnType<typeof toneOf> }) {
  return <span className={`badge badge-${tone ?? toneOf(status.split(',')[0])}`}>{status}</span>;
}
