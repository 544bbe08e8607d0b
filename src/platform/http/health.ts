// Liveness and readiness for load balancers and orchestrators.
import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { migrationStatus } from '../db/migrate.ts';

export async function healthRoutes(app: FastifyInstance, options: { database: Database }): Promise<void> {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      await options.database.db.execute(sql`select 1`);
      const migrations = await migrationStatus(options.database);
      const ready = migrations.upToDate;
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not ready',
        database: options.database.engine,
        migrations,
      });
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'not ready', database: options.database.engine, error: 'database unreachable' });
    }
  });
}
