import fs from 'node:fs/promises';

/** A sample of the whole machine: CPU time used so far (all cores) and memory in use. */
export interface HostSample {
  cpuUsageNanoSeconds: number;
  memoryWorkingSetBytes: number;
}

/** Linux counts /proc/stat in USER_HZ ticks, 100 per second on every architecture Node runs on. */
const NANOSECONDS_PER_TICK = 1e7;

/**
 * The machine's usage from /proc, as the kubelet reports its node's (the root cgroup):
 * busy CPU time is every tick that is neither idle nor waiting on I/O; memory in use is
 * MemTotal - MemAvailable, which leaves reclaimable page cache out as the working set
 * does. Undefined where /proc is not Linux's.
 */
export async function readHostUsage(procDir = '/proc'): Promise<HostSample | undefined> {
  try {
    const [stat, meminfo] = await Promise.all([
      fs.readFile(`${procDir}/stat`, 'utf8'),
      fs.readFile(`${procDir}/meminfo`, 'utf8'),
    ]);
    const cpu = /^cpu\s+(.*)$/m.exec(stat)?.[1].trim().split(/\s+/).map(Number);
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1]);
    const total = kib('MemTotal');
    const available = kib('MemAvailable');
    if (!cpu || cpu.length < 4 || cpu.some(Number.isNaN) || Number.isNaN(total) || Number.isNaN(available))
      return undefined;
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const [user, nice, system, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return {
      cpuUsageNanoSeconds: (user + nice + system + irq + softirq + steal) * NANOSECONDS_PER_TICK,
      memoryWorkingSetBytes: Math.max(0, total - available) * 1024,
    };
  } catch {
    return undefined;
  }
}
