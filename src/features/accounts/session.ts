// Who is asking: reads the session cookie (pages and reading the API) or an organisation's
// API token (`Authorization: Bearer …`, API only) on each request and sets `request.user`.
// Public pages without a cookie never touch the database for this.
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { isApiRequest, sendProblem } from '../../platform/http/errors.ts';
import type { ApiTokensService } from './api-tokens.ts';
import type { AccountsService } from './service.ts';

export function sessionCookieName(production: boolean): string {
  // __Host- cookies are refused unless Secure, for the whole site and this host only.
  return production ? '__Host-hub_session' : 'hub_session';
}

declare module 'fastify' {
  interface FastifyReply {
    /** The session cookie's name (it differs in production). */
    sessionCookie: string;
    startSession(token: string): FastifyReply;
    endSession(): FastifyReply;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const sessionPlugin = fp(async (app: FastifyInstance, options: { accounts: AccountsService; apiTokens: ApiTokensService; production: boolean }) => {
  const name = sessionCookieName(options.production);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.production };

  app.decorateReply('sessionCookie', name);
  app.decorateReply('startSession', function (this: FastifyReply, token: string) {
    return this.setCookie(name, token, cookieOptions);
  });
  app.decorateReply('endSession', function (this: FastifyReply) {
    return this.clearCookie(name, cookieOptions);
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/assets/') || request.url.startsWith('/public/')) return;
    const api = isApiRequest(request);
    const authorization = request.headers.authorization;
    if (api && authorization !== undefined) {
      const bearer = /^Bearer ([^\s]+)$/i.exec(authorization)?.[1];
      request.user = bearer ? await options.apiTokens.principal(bearer) : null;
      if (!request.user) {
        reply.header('www-authenticate', 'Bearer realm="api", error="invalid_token"');
        return sendProblem(request, reply, 401, 'This API token is not valid: it may be mistyped, expired or revoked. Send it as "Authorization: Bearer wsh_…".');
      }
      return;
    }
    // The API takes no CSRF token, so a cookie may only read it: writes need an API token.
    if (api && !READS.has(request.method)) return;
    const token = request.cookies[name];
    if (!token) return;
    request.user = await options.accounts.sessionUser(token);
    if (!request.user) reply.endSession();
  });

  // What a signed-in person sees is theirs: shared caches must not keep it.
  app.addHook('onSend', async (request, reply) => {
    if (!request.user) return;
    const cacheControl = reply.getHeader('cache-control');
    if (cacheControl === undefined) reply.header('cache-control', 'no-store');
    else if (!/\b(private|no-store)\b/.test(String(cacheControl))) reply.header('cache-control', `private, ${String(cacheControl).replace(/\bpublic,?\s*/, '')}`);
  });
});
