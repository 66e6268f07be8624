import { execFile } from 'node:child_process';
import Docker from 'dockerode';
import { BUSYBOX_IMAGE, ensureImages } from '../../agent/node/images.ts';
import { releasePodToPod } from '../../agent/node/proxy/iptables.ts';
import { podRangeInUse } from '../../agent/node/runtime/docker-network.ts';
import { retry } from './wait.ts';

/**
 * Real Docker for the service proxy and cluster DNS tests: a bridge network with a pod
 * subnet (as a node agent's runtime makes), busybox containers on it, and their cleanup.
 * Docker missing is a failure with a clear message, never a skip.
 */

/** The busybox the node agent's tests use too (tagged, so nothing tries a registry). */
export const BUSYBOX = BUSYBOX_IMAGE;

export function run(command: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

export const docker = (...args: string[]) => run('docker', args);

/** Fails unless a Docker engine answers and iptables is there; builds the demo images when missing. */
export async function requireDocker(): Promise<void> {
  try {
    await docker('info', '--format', '{{.ServerVersion}}');
  } catch (error) {
    throw new Error(
      `these tests need a running Docker engine (install docker.io and start dockerd): ${(error as Error).message}`,
    );
  }
  try {
    await run('iptables', ['-w', '-t', 'nat', '-S', 'PREROUTING']);
  } catch (error) {
    throw new Error(`these tests need iptables and root: ${(error as Error).message}`);
  }
  // The agent's own recipe (FROM scratch + the host's static busybox): builds offline in under a second.
  await ensureImages(new Docker());
}

/** A bridge network `name` with subnet `<prefix>.0/24` and gateway `<prefix>.1`, and what runs on it. */
export class TestNetwork {
  readonly subnet: string;
  readonly gateway: string;
  private readonly containers: string[] = [];

  constructor(
    readonly name: string,
    readonly prefix: string,
  ) {
    this.subnet = `${prefix}.0/24`;
    this.gateway = `${prefix}.1`;
  }

  async create(): Promise<void> {
    await this.remove();
    await docker('network', 'create', '--subnet', this.subnet, '--gateway', this.gateway, this.name);
  }

  /**
   * A busybox httpd on port `port` at `ip` answering `body` for / and the client's
   * address for /cgi-bin/ip. It forks a child per connection, and runs under a shell so
   * that `stopListening` can end it alone.
   */
  async httpd(name: string, ip: string, body: string, port = 8080): Promise<void> {
    const script =
      `mkdir -p /www/cgi-bin && echo ${body} > /www/index.html && ` +
      `printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho $REMOTE_ADDR\\n' > /www/cgi-bin/ip && ` +
      `chmod +x /www/cgi-bin/ip && ` +
      `{ httpd -f -p ${port} -h /www & echo $! > /httpd.pid; wait; sleep 3600; }`;
    await this.run(name, ['--ip', ip], ['sh', '-c', script]);
  }

  /**
   * Closes httpd's listening socket as a pod does on SIGTERM: new connections are
   * refused, the requests in flight (in forked children) finish, the address stays.
   */
  async stopListening(name: string): Promise<void> {
    await this.exec(name, ['sh', '-c', 'kill $(cat /httpd.pid)']);
  }

  /** A long-running busybox to run commands in (with the DNS settings of `options`). */
  async client(name: string, options: string[] = []): Promise<void> {
    await this.run(name, options, ['sleep', '3600']);
  }

  async run(name: string, options: string[], command: string[]): Promise<void> {
    const full = `${this.name}-${name}`;
    await docker('rm', '-f', full).catch(() => {});
    this.containers.push(full);
    await docker('run', '-d', '--name', full, '--network', this.name, ...options, BUSYBOX, ...command);
  }

  /** Runs `command` in container `name`: its stdout, or an error carrying its stderr. */
  exec(name: string, command: string[]): Promise<string> {
    return docker('exec', `${this.name}-${name}`, ...command);
  }

  /**
   * One HTTP GET from container `name`: the body, trimmed. (busybox 1.35's `wget -T`
   * crashes, hence `timeout`.)
   */
  async wget(name: string, url: string, seconds = 10): Promise<string> {
    return (await this.exec(name, ['timeout', String(seconds), 'wget', '-qO-', url])).trim();
  }

  async stop(name: string): Promise<void> {
    await docker('rm', '-f', `${this.name}-${name}`);
  }

  /**
   * Removes the containers this network ran and the network, then the pod-to-pod rules
   * a proxy on it added if no pod network is left, as a node's clean stop does.
   */
  async remove(): Promise<void> {
    const listed = await docker('ps', '-aq', '--filter', `network=${this.name}`).catch(() => '');
    const ids = [...new Set([...listed.split('\n').filter(Boolean), ...this.containers])];
    if (ids.length) await docker('rm', '-f', ...ids).catch(() => {});
    await docker('network', 'rm', this.name).catch(() => {});
    const engine = new Docker();
    await releasePodToPod(() => podRangeInUse(engine));
  }
}

/** Retries `fn` until it stops throwing: container networking settles in seconds, not milliseconds. */
export const eventually = <T>(fn: () => Promise<T>, ms = 10_000) => retry(fn, { ms, every: 200 });
