// The outbox: with no SMTP server configured, the hub writes each email to a folder instead,
// and administrators read it here (invitations and reset links included, so only they can).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../platform/http/errors.ts';
import { pagination } from '../../platform/http/pagination.ts';
import { parseInput } from '../../platform/http/validation.ts';
import type { Outbox } from '../../platform/mail/mailer.ts';

const PER_PAGE = 50;

const outboxQuery = z.strictObject({ page: z.coerce.number().int().min(1).max(100_000).default(1) });

/** An email's own HTML may hold anything: shown sandboxed, with no scripts and nothing fetched. */
const MESSAGE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

export async function outboxRoutes(app: FastifyInstance, { outbox, smtpHost }: { outbox: Outbox | undefined; smtpHost: string | undefined }): Promise<void> {
  app.get('/admin/outbox', { config: { access: 'mail.outbox' } }, async (request, reply) => {
    const query = parseInput(outboxQuery, request.query);
    const { total, entries } = outbox ? await outbox.list({ limit: PER_PAGE, offset: (query.page - 1) * PER_PAGE }) : { total: 0, entries: [] };
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    if (query.page > pages) throw new NotFoundError('page');
    return reply.page('outbox/views/outbox.njk', {
      title: 'Outbox',
      smtpHost,
      folder: outbox?.dir,
      total,
      entries,
      paginationParams: pagination(query.page, pages, (n) => `/admin/outbox${n > 1 ? `?page=${n}` : ''}`, 'emails'),
    });
  });

  app.get<{ Params: { id: string } }>('/admin/outbox/:id', { config: { access: 'mail.outbox' } }, async (request, reply) => {
    const message = await outbox?.read(request.params.id);
    if (!message) throw new NotFoundError('email');
    return reply.page('outbox/views/message.njk', { title: message.subject, message, headers: Object.entries(message.headers) });
  });

  app.get<{ Params: { id: string } }>('/admin/outbox/:id/html', { config: { access: 'mail.outbox' } }, async (request, reply) => {
    const message = await outbox?.read(request.params.id);
    if (!message) throw new NotFoundError('email');
    return reply.header('content-security-policy', MESSAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(message.html);
  });
}
