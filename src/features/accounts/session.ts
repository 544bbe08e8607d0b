// Who is asking: reads the session cookie on each request and sets `request.user`. Public
// pages without a cookie never touch the database for this.
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
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

export const sessionPlugin = fp(async (app: FastifyInstance, options: { accounts: AccountsService; production: boolean }) => {
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
    const token = request.cookies[name];
    if (!token || request.url.startsWith('/assets/') || request.url.startsWith('/public/')) return;
    request.user = await options.accounts.sessionUser(token);
    if (!request.user) reply.endSession();
  });
});
