// The one error pattern: pages get a GOV.UK error page (400 lists each problem and the
// parameter it concerns), the API gets problem JSON (RFC 9457). Nothing a client sends can
// produce a 500; a 500 means a bug, is logged with the request id, and shows no internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasControlCharacters, InputError, type FieldProblem } from './validation.ts';

export class NotFoundError extends Error {
  constructor(readonly what = 'page') {
    super(`${what} not found`);
  }
}

/** The signed-in person (or token) may not do this to this object: a 403 with this message. */
/** A positive database id from the path (`/admin/bulletins/12`), or a 404 for anything else. */
export function pathId(raw: unknown, what: string): number {
  const id = Number(raw);
  if (typeof raw !== 'string' || !/^\d{1,10}$/.test(raw) || id < 1 || id > 2_147_483_647) throw new NotFoundError(what);
  return id;
}

export class ForbiddenError extends Error {
  constructor(message = 'You do not have permission to do that') {
    super(message);
  }
}

/**
 * Someone else saved first (a stale version): a 409. Forms catch it to show the person's text
 * again with this message; anywhere else the error handler answers with it.
 */
export class ConflictError extends Error {}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/');
}

const TITLES: Record<number, string> = {
  400: 'There is a problem with the request',
  401: 'Sign in to continue',
  403: 'You cannot do that',
  404: 'Page not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Someone else changed this first',
  413: 'Request too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Sorry, there is a problem with the service',
  503: 'Sorry, the service is unavailable',
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  detail: string,
  problems: FieldProblem[] = [],
): FastifyReply {
  if (isApiRequest(request)) {
    return reply
      .code(status)
      .type('application/problem+json; charset=utf-8')
      .send({
        type: 'about:blank',
        title: TITLES[status] ?? 'Error',
        status,
        detail,
        instance: request.url,
        request_id: request.id,
        ...(problems.length ? { errors: problems.map((p) => ({ parameter: p.field, message: p.message })) } : {}),
      });
  }
  const title = status === 400 ? 'The web address cannot be used' : (TITLES[status] ?? 'Error');
  return reply.page('errors/error.njk', { status, title, detail, problems, requestId: request.id }, { status });
}

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  // A path parameter holding a control character (a NUL from `%00`) names nothing that exists,
  // and PostgreSQL refuses NUL in text: a 404 before any route looks it up.
  app.addHook('preValidation', async (request) => {
    const params = request.params as Record<string, unknown> | undefined;
    if (params && Object.values(params).some((v) => typeof v === 'string' && hasControlCharacters(v))) throw new NotFoundError();
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 404, isApiRequest(request) ? `Nothing is published at ${request.url.split('?')[0]}` : ''),
  );

  app.setErrorHandler((error: FastifyError | InputError | NotFoundError | ForbiddenError | ConflictError, request, reply) => {
    if (error instanceof InputError) {
      return sendProblem(request, reply, 400, 'Some of the values in the request cannot be used.', error.problems);
    }
    if (error instanceof ForbiddenError) return sendProblem(request, reply, 403, error.message);
    if (error instanceof ConflictError) return sendProblem(request, reply, 409, error.message);
    if (error instanceof NotFoundError) {
      return sendProblem(request, reply, 404, isApiRequest(request) ? `No ${error.what} matches ${request.url.split('?')[0]}` : '');
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if ('code' in error && typeof error.code === 'string' && error.code.startsWith('FST_CSRF')) {
      return sendProblem(request, reply, 403, 'This form has expired, or was not sent from this site. Go back, reload the page and try again.');
    }
    if (status >= 400 && status < 500) {
      request.log.info({ err: error }, 'client error');
      // Fastify's own 4xx (bad JSON, body too large, bad content type) say what went wrong.
      return sendProblem(request, reply, status, error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, status >= 500 && status < 600 ? status : 500, 'The error has been logged.');
  });
});
