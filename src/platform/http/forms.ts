// What HTML forms need: urlencoded bodies, signed cookies, CSRF tokens bound to a cookie
// secret, and rate limits that routes opt into (sign-in, resets, invites).
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { z } from 'zod';
import { problemsFrom, type FieldProblem } from './validation.ts';

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

/**
 * GOV.UK error summary items: each problem links to its field. `anchors` names the element to
 * link to where it is not the field's own id (a date input's first box, `date-day`).
 */
export function errorList(problems: FieldProblem[], anchors: Record<string, string> = {}): { text: string; href: string }[] {
  return problems.map((p) => ({ text: p.message, href: `#${anchors[p.field] ?? p.field}` }));
}

/** The error message for one field, in the shape GOV.UK macros take, or undefined. */
export function fieldErrors(problems: FieldProblem[]): Record<string, { text: string }> {
  const out: Record<string, { text: string }> = {};
  for (const p of problems) out[p.field] ??= { text: p.message };
  return out;
}

/** A form's fields and problems, ready for the GOV.UK error summary and each field. */
export function formState(values: Record<string, unknown>, problems: FieldProblem[], anchors: Record<string, string> = {}) {
  return { values, problems, errorList: errorList(problems, anchors), errors: fieldErrors(problems) };
}

/**
 * Parses a submitted form. The shared building blocks word their messages for a column
 * ("must be 300 characters or fewer"); given `labels`, such a message gets its field's label
 * in front, so it reads as a sentence in the error summary.
 */
export function parseForm<T extends z.ZodType>(
  schema: T,
  body: unknown,
  labels: Record<string, string> = {},
): { data?: z.output<T>; problems: FieldProblem[] } {
  const result = schema.safeParse(body ?? {});
  if (result.success) return { data: result.data, problems: [] };
  const problems = problemsFrom(result.error).map((p) => {
    const label = labels[p.field];
    return label && /^[a-z]/.test(p.message) ? { ...p, message: `${label} ${p.message}` } : p;
  });
  return { problems };
}

/** A form's posted fields (an empty object when nothing was posted). */
export function formBody(request: FastifyRequest): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>;
}

/** What was posted, to fill the form in again: text values, and lists of them (checkboxes). */
export function postedValues(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string' || Array.isArray(v))) as Record<string, string>;
}
