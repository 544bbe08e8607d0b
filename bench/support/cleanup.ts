// Things a benchmark must undo however it ends: child processes to stop and temporary folders
// to remove. Normal paths await `runCleanups()`; Ctrl-C and crashes fall back to the
// synchronous versions on process exit, so nothing is left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface Task {
  label: string;
  run: () => Promise<void>;
  /** Best effort at process exit, when nothing asynchronous can run any more. */
  runSync: () => void;
}

const tasks = new Set<Task>();

/** Registers something to undo; returns a function that runs it now (once) and forgets it. */
export function registerCleanup(label: string, run: () => Promise<void>, runSync: () => void): () => Promise<void> {
  const task: Task = { label, run, runSync };
  tasks.add(task);
  return async () => {
    if (!tasks.delete(task)) return;
    await run();
  };
}

/** Runs every registered cleanup, newest first; reports failures but never throws. */
export async function runCleanups(): Promise<void> {
  for (const task of [...tasks].reverse()) {
    tasks.delete(task);
    try {
      await task.run();
    } catch (error) {
      console.error(`cleanup "${task.label}" failed:`, error);
    }
  }
}

process.on('exit', () => {
  for (const task of [...tasks].reverse()) {
    try {
      task.runSync();
    } catch {
      // nothing more can be done while exiting
    }
  }
});

export interface TempDir {
  path: string;
  remove: () => Promise<void>;
}

/** A new empty folder under the system's temporary directory, removed by `remove` or at exit. */
export function makeTempDir(prefix: string): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const removeSync = () => rmSync(dir, { recursive: true, force: true });
  const remove = registerCleanup(`remove ${dir}`, async () => removeSync(), removeSync);
  return { path: dir, remove };
}
