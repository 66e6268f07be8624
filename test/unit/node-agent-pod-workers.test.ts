import { describe, expect, it } from 'vitest';
import { PodWorkers } from '../../agent/node/pod-workers.ts';
import { waitFor } from '../support/wait.ts';

describe('pod workers', () => {
  it('run one sync at a time per pod, coalesce updates that arrive meanwhile, and never make pods wait for each other', async () => {
    const log: string[] = [];
    const inFlight = new Set<string>();
    const release = new Map<string, () => void>();
    const workers = new PodWorkers(
      async (key) => {
        expect(inFlight.has(key)).toBe(false);
        inFlight.add(key);
        log.push(`start ${key}`);
        await new Promise<void>((resolve) => release.set(key, resolve));
        inFlight.delete(key);
        log.push(`end ${key}`);
      },
      () => {},
    );
    workers.update('a');
    workers.update('b');
    await waitFor(() => release.has('a') && release.has('b'));
    workers.update('a');
    workers.update('a');
    workers.update('a');
    release.get('b')!();
    release.delete('b');
    await waitFor(() => log.includes('end b'));
    release.get('a')!();
    release.delete('a');
    await waitFor(() => release.has('a')); // exactly one more sync of a
    release.get('a')!();
    await waitFor(() => workers.busy === 0);
    expect(log).toEqual(['start a', 'start b', 'end b', 'end a', 'start a', 'end a']);
    await workers.stop();
  });

  it('retry a failing sync with back-off', async () => {
    let calls = 0;
    const errors: string[] = [];
    const workers = new PodWorkers(
      async () => {
        if (++calls < 3) throw new Error(`failure ${calls}`);
      },
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    );
    workers.update('x');
    await waitFor(() => calls === 3, { ms: 5000 });
    expect(errors).toEqual(['x: failure 1', 'x: failure 2']);
    await workers.stop();
  });
});
