// Where the install lives, so views, migrations and shipped datasets are found from both
// `src/` (tsx) and `dist/src/` (built), whatever the working directory.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const migrationsDir = path.join(projectRoot, 'migrations');
export const datasetsDir = path.join(projectRoot, 'data', 'datasets');
export const viewsDir = path.join(projectRoot, 'views');
export const featuresDir = path.join(projectRoot, 'src', 'features');
