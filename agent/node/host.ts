import fs from 'node:fs';
import os from 'node:os';

/** Interfaces that belong to the engine's or our own bridges and veths, not the host's network. */
const VIRTUAL = /^(docker|br-|veth|kq-|lo)/;

/** The host's first external IPv4 address: the node's InternalIP (127.0.0.1 when it has none). */
export function hostAddress(): string {
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) {
    if (VIRTUAL.test(name)) continue;
    const ipv4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (ipv4) return ipv4.address;
  }
  return '127.0.0.1';
}

/** What the host has, as a Node's capacity: its CPUs, memory, disk under `dataDir`, and 110 pods. */
export function hostCapacity(dataDir: string): Record<string, string> {
  const disk = fs.statfsSync(dataDir);
  return {
    cpu: String(os.cpus().length),
    memory: `${Math.floor(os.totalmem() / 1024)}Ki`,
    pods: '110',
    'ephemeral-storage': `${Math.floor((disk.blocks * disk.bsize) / 1024)}Ki`,
  };
}
