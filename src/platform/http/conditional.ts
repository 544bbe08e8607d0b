// Sends a cached body with its ETag, or 304 when the client already has it. Cached pages hold
// a placeholder nonce that is swapped for this response's own.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CachedBody } from '../cache.ts';
import { withNonce } from './views.ts';

export function sendCached(request: FastifyRequest, reply: FastifyReply, entry: CachedBody, contentType: string): FastifyReply {
  reply.header('etag', entry.etag).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === entry.etag || tag.trim() === '*')) {
    return reply.code(304).send();
  }
  const body = contentType.startsWith('text/html') ? withNonce(entry.body, reply) : entry.body;
  return reply.type(contentType).send(body);
}
