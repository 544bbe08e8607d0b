// Work a request starts and does not wait for: the email after a sign-up, a follow request or
// a password reset, done after the response so the page's timing says nothing about whether
// an address was known. One lane for the whole app, bounded two ways: at most `concurrency`
// pieces run at once (each holds a database connection), and at most `backlog` wait. When the
// backlog is full, the request that would add to it waits for room before it answers: under a
// flood, pages slow down for everyone alike instead of the work taking every connection.
export interface BackgroundOptions {
  concurrency: number;
  backlog: number;
  logError?: ((error: unknown, message: string) => void) | undefined;
}

export class BackgroundLane {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly room: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: BackgroundOptions = { concurrency: 4, backlog: 500 }) {}

  /** Accepts `work` (waiting for room only when the backlog is full); it runs when a slot is free. */
  async start(message: string, work: () => Promise<void>): Promise<void> {
    while (this.waiting.length >= this.options.backlog) await new Promise<void>((resolve) => this.room.push(resolve));
    const task = new Promise<void>((resolve) => {
      const run = () => {
        this.running++;
        work()
          .catch((error: unknown) => this.options.logError?.(error, message))
          .finally(() => {
            this.running--;
            resolve();
            this.next();
          });
      };
      if (this.running < this.options.concurrency) run();
      else this.waiting.push(run);
    });
    this.pending.add(task);
    void task.finally(() => this.pending.delete(task));
  }

  private next(): void {
    const run = this.waiting.shift();
    if (!run) return;
    this.room.shift()?.();
    run();
  }

  /** How much is running and waiting, for logs and tests. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Resolves when everything accepted so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
