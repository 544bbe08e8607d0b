// Starts the hub: read config, open the database, apply migrations, load the demo strategy
// into an empty database, listen, and shut down cleanly on SIGTERM or SIGINT.
import { buildApp } from './app.ts';
import { seedDemoData } from './demo.ts';
import { ConfigError, loadConfig } from './config.ts';
import { systemActor } from './platform/audit/audit.ts';
import { DatabaseInUseError, openDatabase } from './platform/db/client.ts';
import { migrate } from './platform/db/migrate.ts';
import { REMINDER_JOBS } from './features/progress/cycles.ts';

/** How long a shutdown may take in all before the process gives up and exits 1. */
const SHUTDOWN_LIMIT_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config);
  const migrations = await migrate(database, config.databaseUrl);
  const app = await buildApp({ config, database });
  app.log.info({ engine: database.engine, location: database.location, migrations }, 'database ready');

  for (const line of await seedDemoData(database, systemActor, app.services.strategy)) app.log.info(`empty database: ${line}`);
  // No default password: with nobody able to sign in, print a one-time link to set up the
  // first administrator (a new one at each start until someone uses one).
  const setup = await app.services.accounts.createSetupLink(systemActor);
  if (setup) {
    const link = `${config.baseUrl}/setup/${setup.token}`;
    app.log.warn({ expiresAt: setup.expiresAt }, 'no administrator yet: open the set-up link printed below');
    console.log(`\nNo one can sign in yet. Set up the first administrator (link works once, for 72 hours):\n  ${link}\n`);
  }

  // SIGTERM (a service manager, an orchestrator) or SIGINT (Ctrl-C): stop listening, so new
  // connections are refused and the proxy sends them elsewhere; finish the requests in flight
  // (idle keep-alive connections are closed, a request arriving on a busy one gets 503); stop
  // taking jobs, giving running ones JOB_STOP_MS to end before they go back to the queue; close
  // the Monte Carlo workers and the database; exit 0. Past SHUTDOWN_LIMIT_MS, exit 1.
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    const started = Date.now();
    app.log.info({ signal }, 'shutting down: refusing new connections, finishing requests in flight and running jobs');
    const force = setTimeout(() => {
      app.log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    force.unref();
    app
      .close()
      .then(() => app.log.info('requests finished, jobs stopped'))
      .then(() => database.close())
      .then(() => {
        app.log.info({ ms: Date.now() - started }, 'database closed; shut down cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (closing) return;
  // This instance runs background jobs (reminders, emails to followers) and keeps the schedules;
  // a scan at start catches up on a morning missed while the hub was stopped.
  await app.jobs.start({ work: true });
  // A send stopped by a crash or restart carries on now, not when its old job times out.
  await app.services.bulletins.resumeSending();
  await app.jobs.send(REMINDER_JOBS.scan, {}, { singletonKey: 'scan-at-start' });
  const shown = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
  app.log.info(`Workforce Strategy Hub is running at http://${shown}:${config.port}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseInUseError) {
    console.error(error.message);
  } else {
    console.error('The hub could not start:', error);
  }
  process.exit(1);
});
