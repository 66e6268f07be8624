import type { WebSocket } from 'ws';
import type { ResourceService } from '../resources/service.ts';
import {
  forwardPort,
  portForwardTarget,
  type ForwardedConnection,
  type PortForwardTarget,
} from '../tunnel/pod-port-forward.ts';
import type { PodSubresource } from './pod-subresource.ts';
import {
  FLAG_FIN,
  FRAME,
  FrameReader,
  RST,
  dataFrame,
  ping,
  rstStream,
  streamIdOf,
  synReply,
  type SpdyFrame,
} from './spdy-frames.ts';
import { HeaderDecoder, HeaderEncoder } from './spdy-headers.ts';

/**
 * What kubectl port-forward asks for since 1.31: SPDY/3.1 carried in WebSocket binary
 * messages (its bytes as they come, no framing of ours), speaking `portforward.k8s.io`.
 */
export const PORT_FORWARD_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** How long the second stream of a pair may take after the first, as the kubelet allows. */
const PAIR_TIMEOUT_MS = 30_000;
/** The most bytes one DATA frame carries to the client. */
const MAX_DATA_FRAME = 32 * 1024;

/** Checks a `pods/portforward` request before its connection is upgraded. */
export function portForwardRequestOf(pod: PodSubresource, resources: ResourceService): PortForwardTarget {
  return portForwardTarget(resources, pod.namespace, pod.name);
}

/**
 * `kubectl port-forward`, the kubelet's side of `portforward.k8s.io`: for each local
 * connection, the client opens an error stream and a data stream sharing a `requestid`
 * and naming the pod's `port`; once both are there, a TCP connection goes from the pod's
 * node to that port through the agent's tunnel (server/tunnel/pod-port-forward.ts),
 * carrying the data stream's bytes both ways. When the pod closes it, both streams end;
 * when it fails, the error stream says why first. The client ending its data stream
 * closes the connection's sending side; resetting a stream, or leaving, drops it.
 */
export function servePortForward(ws: WebSocket, target: PortForwardTarget, resources: ResourceService): void {
  new PortForwardSession(ws, target, resources).start();
}

interface Pair {
  port: number;
  data?: number;
  error?: number;
  connection?: ForwardedConnection;
  timer: ReturnType<typeof setTimeout>;
}

class PortForwardSession {
  private readonly reader = new FrameReader();
  private readonly decoder = new HeaderDecoder();
  private readonly encoder = new HeaderEncoder();
  /** The pairs by request id, and the request id of each stream. */
  private readonly pairs = new Map<string, Pair>();
  private readonly requestOf = new Map<number, string>();
  /** Frames are handled one after another: header blocks must be read in order. */
  private handling: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly target: PortForwardTarget,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    this.ws.on('error', () => {});
    this.ws.on('message', (data: Buffer) => {
      let frames: SpdyFrame[];
      try {
        frames = this.reader.push(data);
      } catch {
        return this.ws.close(1002);
      }
      for (const frame of frames) {
        this.handling = this.handling.then(() => this.handle(frame)).catch(() => this.ws.close(1002));
      }
    });
    this.ws.once('close', () => {
      for (const requestId of [...this.pairs.keys()]) this.drop(requestId);
      this.decoder.close();
    });
  }

  private async handle(frame: SpdyFrame): Promise<void> {
    if (!frame.control) return this.data(frame.streamId, frame.flags, frame.data);
    switch (frame.type) {
      case FRAME.synStream:
        return this.open(streamIdOf(frame), await this.decoder.decode(frame.data.subarray(10)));
      case FRAME.rstStream: {
        const requestId = this.requestOf.get(streamIdOf(frame));
        if (requestId !== undefined) this.drop(requestId);
        return;
      }
      case FRAME.ping:
        return this.send(ping(frame.data.readUInt32BE(0)));
      case FRAME.headers:
        // Read all the same: the next header block continues this one's zlib stream.
        await this.decoder.decode(frame.data.subarray(4));
        return;
      default:
        // SETTINGS, WINDOW_UPDATE (streams are not flow-controlled here), GOAWAY (the socket closes next).
        return;
    }
  }

  /** A SYN_STREAM: accepted (SYN_REPLY) when its headers are right, reset otherwise, as the kubelet does. */
  private async open(streamId: number, headers: Map<string, string[]>): Promise<void> {
    const header = (name: string) => headers.get(name)?.[0] ?? '';
    const type = header('streamtype');
    const port = Number(header('port'));
    const requestId = header('requestid');
    const valid = /^\d+$/.test(header('port')) && port >= 1 && port <= 65535;
    if (!valid || (type !== 'data' && type !== 'error') || !requestId) {
      return this.send(rstStream(streamId, RST.refusedStream));
    }
    let pair = this.pairs.get(requestId);
    if (!pair) {
      pair = {
        port,
        timer: setTimeout(
          () => this.fail(requestId, 'timed out waiting for the second stream'),
          PAIR_TIMEOUT_MS,
        ),
      };
      this.pairs.set(requestId, pair);
    }
    if (pair[type] !== undefined) return this.send(rstStream(streamId, RST.protocolError));
    pair[type] = streamId;
    this.requestOf.set(streamId, requestId);
    await this.send(synReply(streamId, this.encoder.encode(new Map())));
    if (pair.data !== undefined && pair.error !== undefined) this.forward(requestId, pair);
  }

  private forward(requestId: string, pair: Pair): void {
    clearTimeout(pair.timer);
    let connection: ForwardedConnection;
    try {
      connection = forwardPort(this.resources, this.target, pair.port);
    } catch (error) {
      return this.fail(requestId, messageOf(error));
    }
    pair.connection = connection;
    void (async () => {
      for await (const event of connection.events) {
        if ('data' in event) {
          for (let at = 0; at < event.data.length; at += MAX_DATA_FRAME) {
            await this.send(dataFrame(pair.data!, 0, event.data.subarray(at, at + MAX_DATA_FRAME)));
          }
        } else if ('error' in event) {
          return this.fail(requestId, event.error.message);
        } else {
          return this.end(requestId);
        }
      }
    })();
  }

  /** A DATA frame: the user's bytes for the pod, FIN when they have no more. */
  private data(streamId: number, flags: number, data: Buffer): void {
    const requestId = this.requestOf.get(streamId);
    const pair = requestId === undefined ? undefined : this.pairs.get(requestId);
    // The client ends its error stream at once: it only reads it.
    if (!pair || pair.data !== streamId) return;
    if (data.length > 0) pair.connection?.write(data);
    if (flags & FLAG_FIN) pair.connection?.end();
  }

  /** The forward failed: the error stream says why, then both streams end. */
  private fail(requestId: string, message: string): void {
    const pair = this.pairs.get(requestId);
    if (!pair) return;
    if (pair.error !== undefined) {
      const text = `error forwarding port ${pair.port} to pod ${this.target.podName}, uid ${this.target.podUid}: ${message}`;
      void this.send(dataFrame(pair.error, 0, Buffer.from(text)));
    }
    this.end(requestId);
  }

  /** Both streams end (FIN), and the pair is forgotten. */
  private end(requestId: string): void {
    const pair = this.pairs.get(requestId);
    if (!pair) return;
    for (const streamId of [pair.data, pair.error]) {
      if (streamId !== undefined) void this.send(dataFrame(streamId, FLAG_FIN, Buffer.alloc(0)));
    }
    this.drop(requestId);
  }

  /** Forgets the pair; a connection still open is closed on the node. */
  private drop(requestId: string): void {
    const pair = this.pairs.get(requestId);
    if (!pair) return;
    clearTimeout(pair.timer);
    this.pairs.delete(requestId);
    for (const streamId of [pair.data, pair.error])
      if (streamId !== undefined) this.requestOf.delete(streamId);
    void pair.connection?.events.return?.();
  }

  /** Resolves once the frame is handed to the network (or the socket is gone). */
  private send(frame: Buffer): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return Promise.resolve();
    return new Promise((resolve) => this.ws.send(frame, { binary: true }, () => resolve()));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
