import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time in milliseconds as Linux accounts it (/proc): of another process, of the whole
 * machine, of this one. Read from outside the measured process, so measuring costs it
 * nothing; NaN where /proc is missing. Resolution: one clock tick (usually 10 ms).
 */

const CLOCK_TICKS = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
}

const ticksToMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS;

/** A process's user + system time, all its threads (the libuv pool's compression included). */
export function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may hold spaces (hence the last ')'): utime is the 12th field, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ticksToMs(Number(fields[11]) + Number(fields[12]));
  } catch {
    return NaN;
  }
}

/**
 * How long a process's main thread (for node, the event loop's) has been ready to run
 * but waiting for a core: time the machine's other work took from it, which wall-clock
 * latencies include and CPU times do not.
 */
export function runQueueWaitMs(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Every core's busy time added up: what the benchmark's processes and everything else running used. */
export function machineBusyMs(): number {
  try {
    const [user, nice, system, , , irq, softirq, steal] = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return ticksToMs(user + nice + system + irq + softirq + steal);
  } catch {
    return NaN;
  }
}

/** This process's user + system time. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
