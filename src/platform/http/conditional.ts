// Sends a cached body with its ETag, or 304 when the client already has it; `PageCache` keeps
// public pages for routes to send this way. Cached pages hold a placeholder nonce that is
// swapped for this response's own; bodies are kept encoded, split around the placeholder, so a
// response is a few buffers joined rather than a string re-encoded.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RenderCache, type CachedBody, type Stamp, type StaleReads } from '../cache.ts';
import type { ReaderTurns } from './reader-turns.ts';
import { NONCE_PLACEHOLDER, type PageOptions } from './views.ts';

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

const HTML = 'text/html; charset=utf-8';

/**
 * How readers with no cookies are served: bodies up to `stale.maxMs` old (decision 29), at most
 * a share of them in each turn of the event loop (`turns`, decision 30).
 */
export interface PublicReads {
  stale: StaleReads;
  turns?: ReaderTurns | undefined;
}

/**
 * Whether a reader may be given a body that was current a moment ago: not someone signed in,
 * nor any browser carrying one of the hub's cookies (a champion's session, a form's CSRF
 * secret, a confirmation waiting to be shown): they may have just changed something, and must
 * see it. Readers with no cookies (most visitors' first pages, crawlers, API clients) may.
 */
function acceptsStale(request: FastifyRequest): boolean {
  return !request.user && !request.headers.cookie;
}

/**
 * Rendered public pages and API bodies, kept and sent with their ETags. Two ways in:
 *
 * - `send`: the body is kept with the stamp it was built at (a revision, or a summary of what
 *   it shows) and built again when the stamp moves on. Signed-in people get bodies of their own
 *   (the layout says they are signed in).
 * - `recent`: for pages with no stamp of their own, rendered afresh for readers who must see
 *   the current page.
 *
 * Readers who accept it (`acceptsStale`) get a body that was current at most `stale.maxMs`
 * ago; one `refreshMs` old is brought up to date in the background (`RenderCache`). So a page
 * under a stream of writes is rebuilt about once per `refreshMs`, and they do not wait for it.
 * Everyone else gets the current body. No `stale` (tests) means every read shows every write
 * at once. See decision 29. Those readers' answers also wait for a share of a turn of the event
 * loop when many come at once (`turns`, decision 30).
 */
export class PageCache {
  private readonly cache: RenderCache;
  private readonly stale: StaleReads | undefined;
  private readonly turns: ReaderTurns | undefined;
  private renders = 0;

  constructor(publicReads: PublicReads | undefined, capacity = 500) {
    this.stale = publicReads?.stale;
    this.turns = publicReads?.turns;
    this.cache = new RenderCache({ capacity, fingerprint: (body) => body.replaceAll(NONCE_PLACEHOLDER, '') });
  }

  /** `stamp` as for `RenderCache.get`: a function, so that a recent body is sent without working it out. */
  async send(request: FastifyRequest, reply: FastifyReply, key: string, stamp: () => Promise<Stamp>, build: () => Promise<string>, contentType = HTML): Promise<FastifyReply> {
    const viewer = request.user ? 'signed-in' : 'public';
    const stale = acceptsStale(request) ? this.stale : undefined;
    const entry = await this.cache.get(`${viewer} ${key}`, stamp, build, stale);
    if (stale) await this.turns?.wait();
    return sendCached(request, reply, entry, contentType);
  }

  /** `render` renders the page with the given page options (`forCache` when it will be kept). */
  async recent(request: FastifyRequest, reply: FastifyReply, key: string, render: (options: PageOptions) => Promise<string>): Promise<FastifyReply> {
    if (!this.stale || !acceptsStale(request)) {
      const html = await render({});
      return reply.header('cache-control', 'no-cache').type(HTML).send(html);
    }
    // No stamp says whether it is current, so each check says it is not: the page is rendered
    // again whenever one is `refreshMs` old.
    const entry = await this.cache.get(`recent ${key}`, async () => ++this.renders, () => render({ forCache: true }), this.stale);
    await this.turns?.wait();
    return sendCached(request, reply, entry, HTML);
  }
}
