// What HTML forms need: urlencoded bodies, signed cookies, CSRF tokens bound to a cookie
// secret, and rate limits that routes opt into (sign-in, resets, invites).
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { FieldProblem } from './validation.ts';

export const formsPlugin = fp(async (app: FastifyInstance, options: { secret: string | undefined; production: boolean }) => {
  // Without a configured secret (development), one per process: forms from before a restart
  // need a reload, nothing more.
  await app.register(cookie, { secret: options.secret ?? randomBytes(32).toString('hex') });
  await app.register(formbody, { bodyLimit: 65_536 });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'hub_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: options.production, signed: true },
  });
  await app.register(rateLimit, { global: false });
});

/** GOV.UK error summary items: each problem links to its field. */
export function errorList(problems: FieldProblem[]): { text: string; href: string }[] {
  return problems.map((p) => ({ text: p.message, href: `#${p.field}` }));
}

/** The error message for one field, in the shape GOV.UK macros take, or undefined. */
export function fieldErrors(problems: FieldProblem[]): Record<string, { text: string }> {
  const out: Record<string, { text: string }> = {};
  for (const p of problems) out[p.field] ??= { text: p.message };
  return out;
}
