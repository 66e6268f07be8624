/** Why credentials stopped being good: past their expiry, or revoked (their ServiceAccount deleted). */
export type CredentialEnd = 'expired' | 'revoked';

interface Held {
  credentials: string;
  expiresAtMs: number;
  end: (why: CredentialEnd) => void;
}

/**
 * What a credential opened ends when the credential does. A watch or a WebSocket
 * connection is authenticated once, at its start; Kubernetes bounds a watch by its
 * timeout, but ours may live for hours, past the expiry of a bound ServiceAccount
 * token and past the deletion of its account. Each tracked credential is checked
 * again every `checkEveryMs` (one timer for all, running only while some are held),
 * so what it opened ends at most that long after it stopped being good.
 */
export class CredentialLifetimes {
  private readonly held = new Set<Held>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Whether the credentials still authenticate now. */
    private readonly stillValid: (credentials: string) => boolean,
    private readonly checkEveryMs = 1000,
  ) {}

  /**
   * Calls `end` once, when `credentials` (good until `expiresAtMs`) stop authenticating;
   * the returned function stops tracking them, for what ended otherwise.
   */
  track(credentials: string, expiresAtMs: number, end: (why: CredentialEnd) => void): () => void {
    const held: Held = { credentials, expiresAtMs, end };
    this.held.add(held);
    this.timer ??= setInterval(() => this.check(), this.checkEveryMs).unref();
    return () => this.release(held);
  }

  private check(): void {
    const now = Date.now();
    for (const held of [...this.held]) {
      if (held.expiresAtMs > now && this.stillValid(held.credentials)) continue;
      this.release(held);
      held.end(held.expiresAtMs > now ? 'revoked' : 'expired');
    }
  }

  private release(held: Held): void {
    this.held.delete(held);
    if (this.held.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
