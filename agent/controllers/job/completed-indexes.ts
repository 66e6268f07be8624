import type { PodObject } from '../../objects.ts';
import { completionIndex } from './completion-index.ts';

/** Parses an Indexed Job's `status.completedIndexes` ("1,3-5,7"), keeping indexes below `completions`. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const indexes = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!match) continue;
    const from = Number(match[1]);
    const to = Math.min(match[2] === undefined ? from : Number(match[2]), completions - 1);
    for (let i = from; i <= to; i++) indexes.add(i);
  }
  return indexes;
}

/**
 * Formats indexes as `status.completedIndexes` and `status.failedIndexes` hold them,
 * exactly as Kubernetes writes them: ascending, runs of three or more as ranges ("0-2"),
 * a run of two as both indexes ("4,5").
 */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}${j === i + 1 ? ',' : '-'}${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The completed indexes of an Indexed Job: those its status lists, and those of its succeeded `pods`. */
export function completedIndexes(
  stored: string | undefined,
  pods: PodObject[],
  completions: number,
): Set<number> {
  const completed = parseIndexes(stored, completions);
  for (const pod of pods) {
    const index = pod.status?.phase === 'Succeeded' ? completionIndex(pod, completions) : undefined;
    if (index !== undefined) completed.add(index);
  }
  return completed;
}
