// The worker side of monte-carlo-pool.ts: runs one chunk of Monte Carlo runs through the
// kernel and posts the results back (transferred, not copied), with progress on the way.
import { parentPort } from 'node:worker_threads';
import { resultSize, runModel } from '../../model/kernel.ts';
import type { ChunkReply, ChunkRequest } from './monte-carlo-pool.ts';

const port = parentPort;
if (!port) throw new Error('monte-carlo-worker.ts runs only as a worker thread of MonteCarloPool');

const reply = (message: ChunkReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (request: ChunkRequest) => {
  try {
    const results = new Float64Array(request.runs * resultSize(request.model));
    runModel(request.model, request.draws, request.runs, results, (done) => reply({ type: 'progress', done }), request.progressEvery);
    reply({ type: 'done', results }, [results.buffer]);
  } catch (error) {
    reply({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
