/**
 * Seats for expensive requests, as Kubernetes' API priority and fairness gives them: at
 * most `seats` run at once, up to `queue` more wait their turn (first come, first
 * served) for at most `waitMs`, and the rest are refused at once. A refused request is
 * the server's load, not the client's mistake: it answers 429 with a Retry-After.
 */
export class Seats {
  private busy = 0;
  private readonly waiting: Array<(seated: boolean) => void> = [];

  constructor(
    private readonly seats: number,
    private readonly queue: number,
    private readonly waitMs: number,
  ) {}

  /**
   * Resolves with a release function once seated, or with undefined when refused: the
   * queue is full, the wait ran out, or `signal` aborted (the client left while waiting).
   */
  async take(signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (this.busy < this.seats) {
      this.busy++;
      return this.releaser();
    }
    if (this.waiting.length >= this.queue || signal?.aborted) return undefined;
    const seated = await new Promise<boolean>((resolve) => {
      const leave = () => {
        const at = this.waiting.indexOf(wake);
        if (at >= 0) this.waiting.splice(at, 1);
        wake(false);
      };
      const timer = setTimeout(leave, this.waitMs);
      signal?.addEventListener('abort', leave, { once: true });
      const wake = (ok: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', leave);
        resolve(ok);
      };
      this.waiting.push(wake);
    });
    return seated ? this.releaser() : undefined;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The seat passes straight to the next in line, so a newcomer cannot take it between.
      const next = this.waiting.shift();
      if (next) next(true);
      else this.busy--;
    };
  }
}
