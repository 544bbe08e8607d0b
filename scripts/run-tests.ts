// `npm test`: every *.test.ts under src/ with node's test runner (through tsx), on the embedded
// database, or on PostgreSQL when DATABASE_URL is set. Prints a readable report, then a last
// line "N passed, N failed" for people and CI alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length ? only : testFiles('src').sort();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-tests-'));
const tapFile = path.join(tmp, 'report.tap');

console.log(`Running ${files.length} test files on ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'the embedded database (PGlite)'}.`);
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
child.on('exit', (code, signal) => {
  let passed = 0;
  let failed = 0;
  try {
    const tap = readFileSync(tapFile, 'utf8');
    const count = (what: string) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
    passed = count('pass');
    // A cancelled test (a failed hook, a timeout) did not pass: count it as a failure.
    failed = count('fail') + count('cancelled');
  } catch {
    failed = 1;
  }
  if (code && !failed) failed = 1;
  rmSync(tmp, { recursive: true, force: true });
  console.log(`\n# pass ${passed}\n# fail ${failed}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? (signal ? 1 : 0));
});
