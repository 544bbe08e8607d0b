// Runs `runLoad` in a child process, so that the load generator's own event loop (autocannon
// answering hundreds of connections) does not delay, or get delayed by, other clients the bench
// times in its own process (the mixed bench's writers). The spec must be plain data. (Not a
// worker thread: autocannon run inside one takes itself for one of its own workers.)
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadResult, type LoadSpec } from './http-load.ts';

export interface LoadInWorker {
  /** Settles when the process has loaded and the load begins. */
  started: Promise<void>;
  result: Promise<LoadResult>;
}

type Message = { started: true } | { result: LoadResult };

export function runLoadInWorker(spec: Omit<LoadSpec, 'serverCpuMs'>): LoadInWorker {
  const child = fork(fileURLToPath(import.meta.url), ['--load-worker'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let begin: () => void;
  const started = new Promise<void>((resolve) => (begin = resolve));
  const result = new Promise<LoadResult>((resolve, reject) => {
    let answer: LoadResult | undefined;
    child.on('message', (message: Message) => {
      if ('started' in message) begin();
      else answer = message.result;
    });
    child.once('error', reject);
    child.once('exit', (code) => (answer ? resolve(answer) : reject(new Error(`the load process exited with code ${code} and no result`))));
    child.send(spec);
  });
  result.catch(() => begin());
  return { started, result };
}

if (process.argv.includes('--load-worker') && process.send) {
  process.once('message', (spec: LoadSpec) => {
    process.send!({ started: true } satisfies Message);
    void runLoad(spec).then((result) => process.send!({ result } satisfies Message, () => process.disconnect()));
  });
}
