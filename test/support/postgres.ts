import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestPostgres {
  url: string;
  stop(): void;
}

function findBin(name: string): string | undefined {
  const versions = fs.existsSync('/usr/lib/postgresql')
    ? fs.readdirSync('/usr/lib/postgresql').sort().reverse()
    : [];
  for (const version of versions) {
    const candidate = path.join('/usr/lib/postgresql', version, 'bin', name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private PostgreSQL server in a temporary directory (initdb + pg_ctl from Debian's
 * packages), or undefined when PostgreSQL is not installed. As root, it runs as the
 * `postgres` user, since the server refuses to run as root.
 */
export async function startPostgres(): Promise<TestPostgres | undefined> {
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  if (!initdb || !pgCtl) return undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const run = (bin: string, args: string[]) =>
    asRoot
      ? execFileSync(
          'su',
          ['postgres', '-s', '/bin/sh', '-c', [bin, ...args].map((a) => `'${a}'`).join(' ')],
          { stdio: 'pipe' },
        )
      : execFileSync(bin, args, { stdio: 'pipe' });
  const data = path.join(dir, 'data');
  run(initdb, ['-D', data, '-A', 'trust', '-U', 'kubeql', '--no-sync']);
  const port = await freePort();
  run(pgCtl, [
    '-D',
    data,
    '-l',
    path.join(dir, 'log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  return {
    url: `postgresql://kubeql@127.0.0.1:${port}/postgres`,
    stop: () => {
      run(pgCtl, ['-D', data, '-m', 'fast', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
