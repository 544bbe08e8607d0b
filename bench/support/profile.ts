// Optional CPU profiles of the server (BENCH_PROFILE=1): node's --cpu-prof writes a
// .cpuprofile when the process exits; this finds it and sums self time by package and by
// function, so a benchmark can say where the server spent its time. Open the file in Chrome
// DevTools (Performance panel) or speedscope for the full picture.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.ts';
import { duration, heading, note, percent, printTable } from './print.ts';

export const profilesDir = path.join(projectRoot, 'bench', 'results', 'profiles');

/** Node options that make the server write its main-thread CPU profile into `profilesDir`. */
export function profileNodeArgs(): string[] {
  mkdirSync(profilesDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${profilesDir}`];
}

/** The main thread's profile of process `pid` (node names them CPU.<date>.<time>.<pid>.0.<n>.cpuprofile). */
export function findProfile(pid: number): string | undefined {
  try {
    const files = readdirSync(profilesDir)
      .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.0.`))
      .map((f) => path.join(profilesDir, f));
    return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  } catch {
    return undefined;
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  byPackage: [string, number][];
  byFunction: [string, number][];
}

function where(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('wasm://')) return 'wasm (PGlite: Postgres itself)';
  if (url.startsWith('node:')) return 'node core';
  const root = `file://${projectRoot}/`;
  if (url.startsWith(root)) return url.slice(root.length).split('/').slice(0, 3).join('/');
  return url || 'native / runtime';
}

export function summariseProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = (selfUs.get(node.id) ?? 0) / 1000;
    if (!ms) continue;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const special = functionName.startsWith('(') ? functionName : undefined;
    const pkg = special ?? where(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'}${url ? ` ${where(url)}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { totalMs, byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}

/** Prints where the server `pid` spent its time: self time by package, then by function. */
export function printProfile(pid: number, top = 12): void {
  heading('server CPU profile (whole run, self time)');
  const file = findProfile(pid);
  if (!file) {
    note('no profile was written (the server must exit normally for node to write it)');
    return;
  }
  const summary = summariseProfile(file, top);
  note(`${file} (${duration(summary.totalMs)} sampled)`);
  const share = (v: number) => percent((v / summary.totalMs) * 100);
  printTable(
    [{ header: 'where' }, { header: 'self', align: 'right' }, { header: 'share', align: 'right' }],
    summary.byPackage.map(([k, v]) => [k, duration(v), share(v)]),
  );
  console.log('');
  printTable(
    [{ header: 'function' }, { header: 'self', align: 'right' }, { header: 'share', align: 'right' }],
    summary.byFunction.map(([k, v]) => [k, duration(v), share(v)]),
  );
}
