// A share of each turn of the event loop for answers that need no database. Every database
// round trip of a write waits for the next turn of the loop; under a flood of readers, one turn
// could send hundreds of cached pages, so each of a write's round trips would wait behind them.
// With a share, a turn sends at most `perTurn` of those pages and the rest queue for the turns
// after: the writes' turns stay short, and the readers wait instead, for pages that are already
// built. Under a light load nobody waits. See decision 30.

export class ReaderTurns {
  private readonly waiting: (() => void)[] = [];
  /** Answers let through in this turn. */
  private used = 0;
  private scheduled = false;

  constructor(private readonly perTurn: number) {
    if (!Number.isInteger(perTurn) || perTurn < 1) throw new Error(`perTurn must be a positive whole number, not ${perTurn}`);
  }

  /**
   * Undefined when this answer may go now; otherwise a promise that resolves in its turn. Those
   * waiting go in the order they came.
   */
  wait(): Promise<void> | undefined {
    if (this.used < this.perTurn && this.waiting.length === 0) {
      this.used++;
      this.schedule();
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** How many answers are waiting for a turn (for tests and logs). */
  get queued(): number {
    return this.waiting.length;
  }

  /** The next turn starts after the loop has polled for I/O (setImmediate runs then). */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    const batch = this.waiting.splice(0, this.perTurn);
    this.used = batch.length;
    for (const release of batch) release();
    // Count this turn's answers until the next one, and release whoever is still waiting then.
    if (this.used > 0) this.schedule();
  }
}
