// Test support: the real app on a fresh test database, with or without the demo strategy.
// Route tests use `app.inject`, which runs the whole stack (hooks, views, errors) in process.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppServices } from './app.ts';
import { loadConfig } from './config.ts';
import { systemActor } from './platform/audit/audit.ts';
import { createTestDatabase, type TestDatabase } from './platform/db/test-database.ts';
import { datasetsDir, projectRoot } from './platform/paths.ts';
import { StrategyService } from './features/strategy/service.ts';

/** Changes when the demo data or the code that loads it changes, so the template is rebuilt. */
function demoVersion(): string {
  const hash = createHash('sha256');
  const folder = path.join(datasetsDir, 'demo-strategy');
  for (const f of readdirSync(folder).sort()) hash.update(f).update(readFileSync(path.join(folder, f)));
  for (const f of ['schema.ts', 'service.ts', 'repository.ts', 'forms.ts']) {
    hash.update(readFileSync(path.join(projectRoot, 'src', 'features', 'strategy', f)));
  }
  return hash.digest('hex').slice(0, 12);
}

export async function testDatabase(contents: 'demo' | 'empty' = 'demo'): Promise<TestDatabase> {
  if (contents === 'empty') return createTestDatabase();
  return createTestDatabase({
    template: 'demo',
    prepareVersion: demoVersion(),
    prepare: async (database) => {
      await new StrategyService(database).seedDemo(systemActor);
    },
  });
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  services: AppServices;
  close(): Promise<void>;
}

export async function createTestApp(contents: 'demo' | 'empty' = 'demo', options: { signInRateLimit?: number } = {}): Promise<TestApp> {
  const database = await testDatabase(contents);
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: path.join(projectRoot, 'data', 'test-unused') });
  const app = await buildApp({
    config,
    database,
    logger: false,
    signInRateLimit: options.signInRateLimit ?? 10_000,
    services: { strategy: new StrategyService(database, { revisionMaxAgeMs: 0 }) },
  });
  return {
    app,
    database,
    services: app.services,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
