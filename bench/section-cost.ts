import { machineBusyMs, ownCpuMs, processCpuMs, runQueueWaitMs } from './cpu-time.ts';

/** What a stretch of a benchmark cost the machine, so a reader can tell who was the limit. */
export interface Cost {
  wallMs: number;
  serverCpuMs: number;
  /** How long the server's event loop was ready to run but had no core. */
  serverWaitMs: number;
  /** The load generator: this process. */
  ownCpuMs: number;
  /** Everything else the machine ran meanwhile: the clients this process spawned, and other work. */
  othersCpuMs: number;
}

/** Runs `work` and says what it cost: wall time, the server's CPU, this process's and the rest's. */
export async function withCost<T>(serverPid: number, work: () => Promise<T>): Promise<[T, Cost]> {
  const sample = () => [
    processCpuMs(serverPid),
    runQueueWaitMs(serverPid),
    ownCpuMs(),
    machineBusyMs(),
    performance.now(),
  ];
  const [server0, wait0, own0, machine0, wall0] = sample();
  const value = await work();
  const [server1, wait1, own1, machine1, wall1] = sample();
  return [
    value,
    {
      wallMs: wall1 - wall0,
      serverCpuMs: server1 - server0,
      serverWaitMs: wait1 - wait0,
      ownCpuMs: own1 - own0,
      othersCpuMs: machine1 - machine0 - (server1 - server0) - (own1 - own0),
    },
  ];
}
