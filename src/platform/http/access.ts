// Enforces the permission table on every route. Each route names its row in `config.access`
// (GET routes without one are public; a write without one stops the app at start-up). Forms
// that change anything must carry a valid CSRF token. Every route and its row are listed in
// `app.accessRoutes`, which the permission test walks as every role.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ACCESS, can, isAccess, type Access } from '../auth/permissions.ts';
import type { CurrentUser } from '../auth/roles.ts';
import { isApiRequest, sendProblem } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: CurrentUser | null;
  }
  interface FastifyInstance {
    accessRoutes: { method: string; url: string; access: Access }[];
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * The route's address carries its own unguessable token and the write it allows is harmless
     * to force (stopping emails): posts come from mail clients without a form (RFC 8058), so no
     * CSRF token is asked for. Nothing else may set this.
     */
    signedLink?: boolean;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UNGUARDED = /^\/(assets|public)\//;

export function denied(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!request.user) {
    if (isApiRequest(request)) return sendProblem(request, reply, 401, 'Sign in, or send an API token, to use this.');
    return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  }
  return sendProblem(request, reply, 403, 'You do not have permission to see this page.');
}

/**
 * Why the request's CSRF token is not valid (@fastify/csrf-protection's own error), or
 * undefined when it is. The one check for every form, urlencoded or multipart; the upload
 * parser calls it too, before it reads any file. The plugin reports a failure by sending it
 * on the reply, so it is given a stand-in reply that keeps the error instead; with the cookie
 * store the hub uses, the check is synchronous.
 */
export function csrfFailure(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Error | undefined {
  let failure: Error | undefined;
  let passed = false;
  const probe = Object.create(reply, {
    send: {
      value: (error: Error) => {
        failure = error;
        return probe;
      },
    },
  }) as FastifyReply;
  app.csrfProtection(request, probe, () => {
    passed = true;
  });
  return passed ? undefined : (failure ?? new Error('The CSRF check did not finish'));
}

export const accessPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('user', null);
  app.decorate('accessRoutes', []);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (UNGUARDED.test(route.url)) return;
    const access: unknown = route.config?.access ?? (methods.some((m) => WRITES.has(m)) ? undefined : 'public');
    if (!isAccess(access)) throw new Error(`${methods.join(',')} ${route.url} changes something but names no row of the permission table`);
    for (const method of methods) if (method !== 'HEAD') app.accessRoutes.push({ method, url: route.url, access });
  });

  app.addHook('preHandler', async (request, reply) => {
    const access = request.routeOptions.config.access ?? 'public';
    if (WRITES.has(request.method) && !isApiRequest(request) && !request.routeOptions.config.signedLink) {
      const failure = csrfFailure(app, request, reply);
      if (failure) throw failure;
    }
    if (ACCESS[access].roles === 'anyone') return;
    if (!can(request.user, access)) return denied(request, reply);
  });
});
