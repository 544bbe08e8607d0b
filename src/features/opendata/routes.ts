// Open data: the API's own description, generated from the schemas the routes validate with.
import type { FastifyInstance } from 'fastify';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';

export async function opendataRoutes(app: FastifyInstance, { openapi, version }: { openapi: OpenApiRegistry; version: string }): Promise<void> {
  let document: string | undefined;
  app.get('/api/v1/openapi.json', async (_request, reply) => {
    // Built on first request, once every feature has registered its operations.
    document ??= JSON.stringify(
      openapi.document({
        title: 'Workforce Strategy Hub API',
        version,
        description: 'Read the strategy’s recommendations, commitments and organisations as JSON or CSV. Public read endpoints need no sign-in; an organisation’s own endpoints need its API token.',
      }),
    );
    return reply.type('application/json; charset=utf-8').header('cache-control', 'public, max-age=300').send(document);
  });
}
