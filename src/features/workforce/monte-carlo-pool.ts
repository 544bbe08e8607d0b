// Monte Carlo on every core: a small pool of worker threads, started once and reused, each
// running a contiguous chunk of the runs through the model's kernel (src/model/kernel.ts). The
// main thread draws every run's multipliers from the one seeded stream, in run order, and
// summarises the results as monteCarlo() does, so the result is the same whatever the number
// of workers, and the same as monteCarlo() in one thread (monte-carlo-pool.test.ts checks).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { resultSize } from '../../model/kernel.ts';
import type { CompiledModel } from '../../model/kernel.ts';
import type { ModelInputs, Scenario } from '../../model/types.ts';
import { prepareMonteCarlo, summariseRuns } from '../../model/uncertainty.ts';
import type { MonteCarloOptions, MonteCarloResult, UncertainInput } from '../../model/uncertainty.ts';

/** What the pool posts to a worker: the compiled model and its chunk of runs' multipliers. */
export interface ChunkRequest {
  model: CompiledModel;
  /** Transferred to the worker (the pool keeps no view of it). */
  draws: Float64Array<ArrayBuffer>;
  runs: number;
  /** Post progress every this many runs. */
  progressEvery: number;
}

/** What a worker posts back. `results` is runModel's layout for the chunk's runs. */
export type ChunkReply = { type: 'progress'; done: number } | { type: 'done'; results: Float64Array<ArrayBuffer> } | { type: 'error'; message: string };

export interface PoolRunOptions extends MonteCarloOptions {
  /** Called as runs complete (every ~2% of each worker's chunk), and with (runs, runs) at the end. */
  onProgress?: (done: number, total: number) => void;
}

const entry = new URL(`./monte-carlo-worker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

function startWorker(): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry);
  // Node 20 worker threads do not get tsx's loader hooks, whether the app loaded tsx with
  // `--import tsx` (workers inherit the flag but still refuse a .ts entry) or with register()
  // (bin/strategy-hub.js): so the worker registers tsx itself before loading its entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, name: 'monte-carlo' });
}

interface Task {
  resolve: (results: Float64Array) => void;
  reject: (error: Error) => void;
  onProgress: (done: number) => void;
  progressError?: Error;
}

/** One worker thread and the chunk it is running, if any. Unreferenced while idle. */
class PoolWorker {
  readonly thread = startWorker();
  #task: Task | undefined;
  #failed: Error | undefined;

  constructor() {
    this.thread.unref();
    this.thread.on('message', (reply: ChunkReply) => {
      const task = this.#task;
      if (!task) return;
      if (reply.type === 'progress') {
        // A failing progress callback fails the run, but only once the worker has finished
        // its chunk, so that no late reply can be taken for the next run's.
        try {
          task.onProgress(reply.done);
        } catch (error) {
          task.progressError ??= error instanceof Error ? error : new Error(String(error));
        }
        return;
      }
      this.#settle();
      if (reply.type === 'error') task.reject(new Error(`Monte Carlo worker: ${reply.message}`));
      else if (task.progressError) task.reject(task.progressError);
      else task.resolve(reply.results);
    });
    this.thread.on('error', (error) => this.#fail(error));
    this.thread.on('exit', (code) => this.#fail(new Error(`Monte Carlo worker stopped (exit code ${code})`)));
  }

  get failed(): boolean {
    return this.#failed !== undefined;
  }

  run(request: ChunkRequest, onProgress: (done: number) => void): Promise<Float64Array> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => {
      this.#task = { resolve, reject, onProgress };
      this.thread.ref();
      this.thread.postMessage(request, [request.draws.buffer]);
    });
  }

  #settle(): void {
    this.#task = undefined;
    this.thread.unref();
  }

  #fail(error: Error): void {
    this.#failed ??= error;
    const task = this.#task;
    this.#settle();
    task?.reject(error);
  }
}

/**
 * `new MonteCarloPool()` starts one worker per available core (or `workers`); `run()` gives
 * monteCarlo()'s result; `close()` stops the workers. Runs queue: one at a time uses every
 * worker. A worker that fails is replaced at the next run. Idle workers do not keep the
 * process alive, but close the pool when done with it.
 */
export class MonteCarloPool {
  readonly size: number;
  #workers: PoolWorker[];
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: { workers?: number } = {}) {
    const size = options.workers ?? os.availableParallelism();
    if (!Number.isInteger(size) || size < 1 || size > 64) throw new RangeError('workers must be a whole number from 1 to 64');
    this.size = size;
    this.#workers = Array.from({ length: size }, () => new PoolWorker());
  }

  run(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], options: PoolRunOptions): Promise<MonteCarloResult> {
    if (this.#closed) return Promise.reject(new Error('The Monte Carlo pool is closed'));
    const job = this.#queue.then(() => this.#run(inputs, scenario, uncertain, options));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  async #run(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], options: PoolRunOptions): Promise<MonteCarloResult> {
    const { model, draws, years } = prepareMonteCarlo(inputs, scenario, uncertain, options);
    const { runs, onProgress } = options;
    const size = resultSize(model);
    const results = new Float64Array(runs * size);
    this.#workers.forEach((worker, i) => {
      if (!worker.failed) return;
      void worker.thread.terminate();
      this.#workers[i] = new PoolWorker();
    });

    // Contiguous chunks, as even as possible, one per worker (fewer when there are fewer runs).
    const chunks = Math.min(this.size, runs);
    const done = new Array<number>(chunks).fill(0);
    const settled = await Promise.allSettled(
      Array.from({ length: chunks }, (_, i) => {
        const start = Math.floor((runs * i) / chunks);
        const end = Math.floor((runs * (i + 1)) / chunks);
        const request: ChunkRequest = {
          model,
          draws: draws.slice(start * model.uncertain, end * model.uncertain),
          runs: end - start,
          progressEvery: onProgress ? Math.max(1, Math.ceil((end - start) / 50)) : end - start,
        };
        const progress = (n: number) => {
          done[i] = n;
          onProgress?.(done.reduce((sum, d) => sum + d, 0), runs);
        };
        return this.#workers[i]!.run(request, progress).then((chunk) => results.set(chunk, start * size));
      }),
    );
    // Every chunk has finished (or failed) before the next run may use the workers.
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    return summariseRuns(options, years, results);
  }

  /** Stops every worker once the runs already asked for have finished. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await Promise.all(this.#workers.map((w) => w.thread.terminate()));
  }
}
