// Security headers for every response: a strict CSP with per-request nonces for scripts and
// styles, no framing, no MIME sniffing. HSTS only in production (behind TLS).
//
// helmet's middleware is built once, at start; the nonces reach its CSP through directive
// functions, so each response costs its headers and not a new middleware (which
// @fastify/helmet built on every request). Nonces are cut from a block of random bytes drawn a
// few thousand at a time rather than from one system call each: 128 bits from the operating
// system's secure generator either way.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';

declare module 'fastify' {
  interface FastifyReply {
    /** This response's CSP nonces: pages put `script` on their script tags. */
    cspNonce: { script: string; style: string };
  }
}

const NONCE_BYTES = 16;
const BLOCK_NONCES = 256;

/** Nonces of 16 random bytes, hex, from a block refilled every 256. */
class NonceSource {
  private block = Buffer.alloc(0);
  private offset = 0;

  next(): string {
    if (this.offset + NONCE_BYTES > this.block.length) {
      this.block = randomBytes(NONCE_BYTES * BLOCK_NONCES);
      this.offset = 0;
    }
    const nonce = this.block.toString('hex', this.offset, this.offset + NONCE_BYTES);
    // Each nonce's bytes are used once: zeroed so no later read can return them again.
    this.block.fill(0, this.offset, this.offset + NONCE_BYTES);
    this.offset += NONCE_BYTES;
    return nonce;
  }
}

type NoncedResponse = ServerResponse & { cspNonce?: { script: string; style: string } };

export const securityPlugin = fp(async (app: FastifyInstance, options: { production: boolean }) => {
  const nonces = new NonceSource();
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", (_request: IncomingMessage, response: ServerResponse) => `'nonce-${(response as NoncedResponse).cspNonce!.script}'`],
        styleSrc: ["'self'", (_request: IncomingMessage, response: ServerResponse) => `'nonce-${(response as NoncedResponse).cspNonce!.style}'`],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(options.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: options.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
  app.decorateReply('cspNonce', null as unknown as { script: string; style: string });
  app.addHook('onRequest', (request, reply, done) => {
    const cspNonce = { script: nonces.next(), style: nonces.next() };
    reply.cspNonce = cspNonce;
    (reply.raw as NoncedResponse).cspNonce = cspNonce;
    headers(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined));
  });
});
