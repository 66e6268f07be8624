import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { servesTls, servingTls, type ServingTls, type TlsOptions } from './serving-tls.ts';

/** What a server serves TLS with now, and how to look for newer. */
export interface ListenerTls {
  current: ServingTls;
  load(): ServingTls;
}

export interface Listener {
  /** The HTTP server, or the HTTPS one: the same handler and upgrades either way. */
  server: http.Server | https.Server;
  scheme: 'http' | 'https';
  /** The cluster CA (PEM) clients trust the server by; none over plain HTTP or with the user's certificate. */
  ca?: string;
  /** Stops looking for a certificate to renew. */
  stop(): void;
}

/** How often a running server checks whether its serving certificate should be made again. */
const RENEW_CHECK_MS = 12 * 60 * 60 * 1000;

/**
 * TLS for a server on `address`: always beyond loopback, on loopback when asked; none
 * otherwise. Made or read at once, so that a certificate that will not do fails the start
 * before anything else opens.
 */
export function listenerTls(options: {
  dataDir: string;
  address: string;
  tls?: TlsOptions;
  log: (line: string) => void;
}): ListenerTls | undefined {
  if (!servesTls(options.address, options.tls)) return undefined;
  const load = () =>
    servingTls(options.dataDir, { ...options.tls, address: options.address, log: options.log });
  return { current: load(), load };
}

/**
 * The API's server: HTTPS (and so WSS) with `tls`, plain HTTP without. A long-running
 * server renews its certificate in place (new connections get the new one), and reads a
 * user-provided certificate and key again, so that replacing the files rotates them.
 */
export function createListener(
  tls: ListenerTls | undefined,
  options: { timeouts: http.ServerOptions; log: (line: string) => void },
  handler: http.RequestListener,
): Listener {
  if (!tls) return { server: http.createServer(options.timeouts, handler), scheme: 'http', stop: () => {} };
  let current = tls.current;
  const server = https.createServer(
    {
      ...options.timeouts,
      // A client that connects and never completes the handshake is held no longer than one that sends no headers.
      handshakeTimeout: options.timeouts.headersTimeout,
      cert: current.cert,
      key: current.key,
    },
    handler,
  );
  const timer = setInterval(() => {
    try {
      const next = tls.load();
      if (next.cert === current.cert && next.key === current.key) return;
      server.setSecureContext({ cert: next.cert, key: next.key });
      current = next;
    } catch (error) {
      options.log(`tls: the serving certificate was not renewed: ${(error as Error).message}`);
    }
  }, RENEW_CHECK_MS);
  timer.unref();
  return { server, scheme: 'https', ca: current.ca, stop: () => clearInterval(timer) };
}

/** The host of the server's URL: the address it listens on, or 127.0.0.1 when that is every address. */
export function urlHost(address: string): string {
  if (address === '0.0.0.0' || address === '::') return '127.0.0.1';
  return net.isIPv6(address) ? `[${address}]` : address;
}
