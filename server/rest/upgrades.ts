import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticator } from '../auth.ts';
import type { AccessControl } from '../auth/access-control.ts';
import type { ResourceService } from '../resources/service.ts';
import { ChannelSocket, channelProtocolOf } from './channel-protocol.ts';
import { attachRequestOf, serveAttach } from './pod-attach.ts';
import { execRequestOf, serveExec } from './pod-exec.ts';
import { PORT_FORWARD_PROTOCOL, portForwardRequestOf, servePortForward } from './pod-portforward.ts';
import { podSubresourceAt, type PodSubresource } from './pod-subresource.ts';
import { podStreamRequest } from './rest-access.ts';
import { httpStatus, status, statusOf, type Status } from './status.ts';

export interface RestUpgradeOptions {
  auth: Authenticator;
  access: AccessControl;
  resources: ResourceService;
  log: (line: string) => void;
  /** The largest message a client may send (stdin comes in messages of 32 KiB from kubectl). */
  maxPayload: number;
}

/** A checked upgrade request: the subprotocol to answer with, and what serves the connection. */
interface Upgrade {
  protocol: string;
  serve(ws: WebSocket): void;
}

/** How long shutting down waits for clients to answer the close before dropping them. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * The REST API's WebSocket upgrades, on the HTTP server GraphQL's WebSocket shares (the
 * server's 'upgrade' event hands them here by path): `pods/exec` and `pods/attach` over
 * the channel protocol (channel-protocol.ts), `pods/portforward` over SPDY tunnelled in
 * WebSocket (pod-portforward.ts). Everything that can be checked before upgrading is
 * (the token, the caller's right to, the path, the request, the pod and container, the
 * subprotocol), and answered as an HTTP Status when wrong, which is what kubectl
 * reports. SPDY upgrades, kubectl's fallback, are refused after those checks, so that a
 * request that would fail anyway fails with its own reason.
 */
export function restUpgrades({ auth, access, resources, log, maxPayload }: RestUpgradeOptions) {
  /** The subprotocol chosen for each request being upgraded, which the handshake's answer names. */
  const chosen = new WeakMap<http.IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  wss.on('error', () => {});
  wss.on('headers', (headers, req) => {
    const protocol = chosen.get(req);
    if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  const open = new Set<WebSocket>();

  /** Checks the request; undefined for a subresource that is not upgraded to. */
  const prepare = (
    pod: PodSubresource,
    url: URL,
    offered: ReadonlySet<string>,
    principal: string,
  ): Upgrade | Status | undefined => {
    switch (pod.subresource) {
      case 'exec': {
        const request = execRequestOf(pod, url, resources);
        const protocol = channelProtocolOf(offered);
        if (!protocol) return unsupportedProtocol('v5.channel.k8s.io or v4.channel.k8s.io');
        return {
          protocol,
          serve: (ws) => serveExec(new ChannelSocket(ws, protocol), request, resources, principal, log),
        };
      }
      case 'attach': {
        const request = attachRequestOf(pod, url, resources);
        const protocol = channelProtocolOf(offered);
        if (!protocol) return unsupportedProtocol('v5.channel.k8s.io or v4.channel.k8s.io');
        return {
          protocol,
          serve: (ws) => serveAttach(new ChannelSocket(ws, protocol), request, resources, log),
        };
      }
      case 'portforward': {
        const target = portForwardRequestOf(pod, resources);
        if (!offered.has(PORT_FORWARD_PROTOCOL)) return unsupportedProtocol(PORT_FORWARD_PROTOCOL);
        return { protocol: PORT_FORWARD_PROTOCOL, serve: (ws) => servePortForward(ws, target, resources) };
      }
      default:
        return undefined;
    }
  };

  return {
    handle(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', () => {});
      const url = new URL(req.url ?? '/', 'http://localhost');
      const principal = auth.authenticate(req.headers.authorization);
      if (!principal) return refuse(socket, status('UNAUTHENTICATED', 'Unauthorized'));
      const pod = podSubresourceAt(url.pathname);
      const offered = new Set((req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()));
      let upgrade: Upgrade | Status | undefined;
      try {
        if (pod) access.require(principal, podStreamRequest(pod));
        upgrade = pod && prepare(pod, url, offered, principal.name);
      } catch (error) {
        return refuse(socket, statusOf(error, undefined, log));
      }
      if (!upgrade) {
        return refuse(
          socket,
          status('NOT_FOUND', `the server could not find the requested resource (get ${url.pathname})`),
        );
      }
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
        return refuse(
          socket,
          httpStatus(
            400,
            'BadRequest',
            `upgrading to ${req.headers.upgrade ?? 'nothing'} is not supported: this server streams over WebSocket (kubectl 1.30 and later for exec and attach, 1.31 and later for port-forward)`,
          ),
        );
      }
      if ('kind' in upgrade) return refuse(socket, upgrade);
      const { protocol, serve } = upgrade;
      chosen.set(req, protocol);
      // `ws` refuses a subprotocol that is not an HTTP token, and `SPDY/3.1+portforward.k8s.io`
      // is not one: the choice is made here, and answered in the 'headers' event above.
      delete req.headers['sec-websocket-protocol'];
      wss.handleUpgrade(req, socket, head, (ws) => {
        open.add(ws);
        ws.once('close', () => open.delete(ws));
        serve(ws);
      });
    },

    /** Ends every connection (the server is shutting down). */
    async close(): Promise<void> {
      for (const ws of open) ws.close(1001);
      const drop = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), SHUTDOWN_GRACE_MS);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(drop);
    },
  };
}

function unsupportedProtocol(wanted: string): Status {
  return httpStatus(
    400,
    'BadRequest',
    `none of the requested subprotocols is served here: ask for ${wanted}`,
  );
}

/** Answers an upgrade request with a Status instead of upgrading it, and closes the connection. */
function refuse(socket: Duplex, body: Status): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${body.code} ${http.STATUS_CODES[body.code] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      'Cache-Control: no-cache, private\r\n' +
      'Connection: close\r\n\r\n' +
      text,
  );
}
