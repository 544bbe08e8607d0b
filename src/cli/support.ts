// What every `strategy-hub` command shares: the failure that sets the exit code, and a
// migrated database opened for the length of one command.
import { loadConfig } from '../config.ts';
import { openDatabase, type Database } from '../platform/db/client.ts';
import { migrate } from '../platform/db/migrate.ts';
import { StrategyService } from '../features/strategy/service.ts';

/** Exit codes: 0 done, 1 the input had problems, 2 the command could not run. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export async function withDatabase<T>(work: (database: Database, service: StrategyService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    const status = await migrate(database, config.databaseUrl);
    if (!status.upToDate) throw new CliFailure('The database migrations could not be applied');
    return await work(database, new StrategyService(database));
  } finally {
    await database.close();
  }
}

