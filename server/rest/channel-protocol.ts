import type { WebSocket } from 'ws';

/**
 * Kubernetes' channel protocol over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`),
 * which kubectl exec and attach speak since 1.30: every message is binary, its first byte
 * the channel, the rest that channel's bytes. v5 adds the CLOSE signal (`[255, channel]`),
 * with which a client says its stdin has ended; v4 has no way to.
 */
export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

export type ChannelProtocol = (typeof CHANNEL_PROTOCOLS)[number];

export const CHANNEL = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** A Status once the command is over: Success, NonZeroExitCode with the code, or why it failed. */
  error: 3,
  /** Terminal sizes as `{"Width":80,"Height":24}`. */
  resize: 4,
  /** v5: the channel in the next byte is closed by the sender. */
  close: 255,
} as const;

/** The protocol to speak of those a client offers (the newest), or undefined when none is ours. */
export function channelProtocolOf(offered: ReadonlySet<string>): ChannelProtocol | undefined {
  return CHANNEL_PROTOCOLS.find((protocol) => offered.has(protocol));
}

/** The Status the error channel carries, as the kubelet writes it (no kind, a bare metav1.Status). */
export interface ChannelStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
  code?: number;
}

export const SUCCESS: ChannelStatus = { metadata: {}, status: 'Success' };

/**
 * How a command exited, as the kubelet reports it: Success for 0, else NonZeroExitCode
 * with the code as the ExitCode cause, from which kubectl takes its own exit code. A
 * code beyond a byte is taken modulo 256, as a shell does (clients read one byte).
 */
export function exitStatus(exitCode: number, command: readonly string[]): ChannelStatus {
  const code = exitCode & 0xff;
  if (code === 0) return SUCCESS;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command '${command.join(' ')}' exited with ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/**
 * One channel connection: bytes out on a channel, bytes in by channel, and the end — a
 * Status on the error channel, then a normal close, which is what tells the client that
 * every stream has ended. Sending waits until the bytes are handed to the network, so a
 * reader slower than the command holds the command back instead of filling memory.
 */
export class ChannelSocket {
  private finished = false;

  constructor(
    private readonly ws: WebSocket,
    readonly protocol: ChannelProtocol,
  ) {
    ws.on('error', () => {});
  }

  get open(): boolean {
    return !this.finished && this.ws.readyState === this.ws.OPEN;
  }

  /** What the client sends: its channel and bytes; the CLOSE signal as channel `close` with the closed channel. */
  onMessage(handle: (channel: number, data: Buffer) => void): void {
    this.ws.on('message', (raw, isBinary) => {
      const message = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      if (!isBinary || message.length === 0) return;
      handle(message[0], message.subarray(1));
    });
  }

  /** The client went away (or the connection ended for any reason). */
  onClose(handle: () => void): void {
    this.ws.once('close', handle);
  }

  send(channel: number, data: Buffer | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!this.open || bytes.length === 0) return Promise.resolve();
    return new Promise((resolve) =>
      this.ws.send(Buffer.concat([Buffer.of(channel), bytes]), { binary: true }, () => resolve()),
    );
  }

  /** Sends the outcome on the error channel and closes the connection normally; once. */
  async finish(status: ChannelStatus): Promise<void> {
    if (this.finished) return;
    await this.send(CHANNEL.error, JSON.stringify(status));
    this.finished = true;
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}
