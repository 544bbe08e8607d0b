// Sends a cached body with its ETag, or 304 when the client already has it. Cached pages hold
// a placeholder nonce that is swapped for this response's own; bodies are kept encoded, split
// around the placeholder, so a response is a few buffers joined rather than a string re-encoded.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CachedBody } from '../cache.ts';
import { NONCE_PLACEHOLDER } from './views.ts';

const encoded = new WeakMap<CachedBody, Buffer[]>();

function parts(entry: CachedBody): Buffer[] {
  let chunks = encoded.get(entry);
  if (!chunks) {
    chunks = entry.body.split(NONCE_PLACEHOLDER).map((part) => Buffer.from(part, 'utf8'));
    encoded.set(entry, chunks);
  }
  return chunks;
}

export function sendCached(request: FastifyRequest, reply: FastifyReply, entry: CachedBody, contentType: string): FastifyReply {
  reply.header('etag', entry.etag).header('cache-control', 'no-cache');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === entry.etag || tag.trim() === '*')) {
    return reply.code(304).send();
  }
  const chunks = parts(entry);
  if (chunks.length === 1) return reply.type(contentType).send(chunks[0]);
  const nonce = Buffer.from(reply.cspNonce.script, 'utf8');
  const body = Buffer.concat(chunks.flatMap((chunk, i) => (i === 0 ? [chunk] : [nonce, chunk])));
  return reply.type(contentType).send(body);
}
