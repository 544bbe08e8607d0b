// Signing in and out, setting up the first administrator, the signed-in home page, and
// managing people. Routes parse, call the accounts service, and render.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../../platform/audit/audit.ts';
import { ROLE_LABELS, ROLES } from '../../platform/auth/roles.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { errorList, fieldErrors } from '../../platform/http/forms.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput, problemsFrom, type FieldProblem } from '../../platform/http/validation.ts';
import type { StrategyService } from '../strategy/service.ts';
import { safeNext, setupForm, signInForm, userFiltersQuery, userStatusForm, userUpdateForm } from './forms.ts';
import { ConflictError, ForbiddenError, LOCK_MINUTES, MAX_FAILURES, type AccountsService } from './service.ts';

const PER_PAGE = 25;

export function actorFor(request: FastifyRequest): Actor {
  const user = request.user;
  return {
    type: 'user',
    id: user ? String(user.id) : undefined,
    label: user ? user.email : 'anonymous',
    organisationId: user?.organisationId ?? undefined,
    requestId: request.id,
    ip: request.ip,
  };
}

/** A form's fields and problems, ready for the GOV.UK error summary and each field. */
function formState(values: Record<string, unknown>, problems: FieldProblem[]) {
  return { values, problems, errorList: errorList(problems), errors: fieldErrors(problems) };
}

function parseForm<T extends z.ZodType>(schema: T, body: unknown): { data?: z.output<T>; problems: FieldProblem[] } {
  const result = schema.safeParse(body ?? {});
  return result.success ? { data: result.data, problems: [] } : { problems: problemsFrom(result.error) };
}

export async function accountsRoutes(
  app: FastifyInstance,
  { accounts, strategy, signInRateLimit }: { accounts: AccountsService; strategy: StrategyService; signInRateLimit: number },
): Promise<void> {
  const signInLimit = { max: signInRateLimit, timeWindow: '1 minute' };

  /* ----- sign in and out ----- */

  app.get<{ Querystring: { next?: string } }>('/login', { config: { access: 'account.sign-in' } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeNext(request.query.next), 303);
    return reply.page('accounts/views/login.njk', { title: 'Sign in', ...formState({ next: request.query.next ?? '' }, []) });
  });

  app.post('/login', { config: { access: 'account.sign-in', rateLimit: signInLimit } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string>;
    const { data, problems } = parseForm(signInForm, body);
    const again = (p: FieldProblem[], status = 400) =>
      reply.page('accounts/views/login.njk', { title: 'Sign in', ...formState({ email: body.email ?? '', next: body.next ?? '' }, p) }, { status });
    if (!data) return again(problems);
    const result = await accounts.signIn(data.email, data.password, { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });
    if (result.outcome === 'locked') {
      return again([{ field: 'email', message: `Too many attempts to sign in. Wait ${result.minutes} ${result.minutes === 1 ? 'minute' : 'minutes'} and try again.` }], 429);
    }
    if (result.outcome === 'invalid') {
      // The same words for an unknown email and a wrong password.
      return again([{ field: 'email', message: `Enter a correct email address and password. After ${MAX_FAILURES} failed attempts you must wait ${LOCK_MINUTES} minutes.` }], 401);
    }
    reply.startSession(result.sessionToken);
    return reply.redirect(safeNext(data.next), 303);
  });

  app.get('/sign-out', { config: { access: 'account.sign-out' } }, async (_request, reply) => reply.page('accounts/views/sign-out.njk', { title: 'Sign out' }));

  app.post('/sign-out', { config: { access: 'account.sign-out' } }, async (request, reply) => {
    const token = request.cookies[reply.sessionCookie];
    if (token) await accounts.signOut(token, actorFor(request));
    reply.endSession();
    return reply.redirect('/login?signed-out=1', 303);
  });

  /* ----- first administrator ----- */

  app.get<{ Params: { token: string } }>('/setup/:token', { config: { access: 'account.sign-in' } }, async (request, reply) => {
    const link = await accounts.setupLink(request.params.token);
    if (!link) return reply.page('accounts/views/link-expired.njk', { title: 'This link has expired' }, { status: 404 });
    return reply.page('accounts/views/setup.njk', { title: 'Set up the first administrator', fixedEmail: link.email, ...formState({ email: link.email ?? '' }, []) });
  });

  app.post<{ Params: { token: string } }>('/setup/:token', { config: { access: 'account.sign-in', rateLimit: signInLimit } }, async (request, reply) => {
    const link = await accounts.setupLink(request.params.token);
    if (!link) return reply.page('accounts/views/link-expired.njk', { title: 'This link has expired' }, { status: 404 });
    const body = { ...((request.body ?? {}) as Record<string, string>) };
    if (link.email) body.email = link.email;
    const { data, problems } = parseForm(setupForm, body);
    if (!data) {
      return reply.page('accounts/views/setup.njk', { title: 'Set up the first administrator', fixedEmail: link.email, ...formState({ name: body.name ?? '', email: body.email ?? '' }, problems) }, { status: 400 });
    }
    const { sessionToken } = await accounts.completeSetup(request.params.token, data, { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });
    reply.startSession(sessionToken);
    return reply.redirect('/admin?welcome=1', 303);
  });

  /* ----- the signed-in home page ----- */

  app.get<{ Querystring: { welcome?: string } }>('/admin', { config: { access: 'admin.home' } }, async (request, reply) => {
    const user = request.user!;
    const catalogue = await strategy.catalogue();
    const organisation = user.organisationId ? catalogue.organisationById.get(user.organisationId) : undefined;
    const work = organisation ? await strategy.organisationItems(organisation.id) : undefined;
    return reply.page('accounts/views/admin-home.njk', {
      title: 'Your account',
      user,
      roleLabel: ROLE_LABELS[user.role].text,
      organisation,
      work,
      welcome: request.query.welcome === '1',
    });
  });

  /* ----- people ----- */

  app.get('/admin/users', { config: { access: 'users.list' } }, async (request, reply) => {
    const query = parseInput(userFiltersQuery, request.query);
    const catalogue = await strategy.catalogue();
    const organisation = query.organisation ? catalogue.organisations.find((o) => o.slug === query.organisation) : undefined;
    if (query.organisation && !organisation) throw new InputError([{ field: 'organisation', message: `"${query.organisation}" is not an organisation` }]);
    const filters = { role: query.role || undefined, organisationId: organisation?.id, status: query.status || undefined, q: query.q || undefined };
    const result = await accounts.listUsers(request.user!, filters, query.page, PER_PAGE);
    if (query.page > result.pages) throw new NotFoundError('page');
    const base = { q: query.q, role: query.role, organisation: query.organisation, status: query.status };
    return reply.page('accounts/views/users.njk', {
      title: 'People',
      result,
      query,
      roles: ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r].text, selected: query.role === r })),
      organisations: catalogue.organisations.map((o) => ({ value: o.slug, text: o.name, selected: query.organisation === o.slug })),
      roleLabels: ROLE_LABELS,
      paginationParams: pagination(query.page, result.pages, (n) => `/admin/users${queryString({ ...base, page: n > 1 ? n : undefined })}`, 'people'),
      saved: (request.query as Record<string, string>).saved,
    });
  });

  const showUser = async (request: FastifyRequest, reply: FastifyReply, id: number, problems: FieldProblem[] = [], values?: Record<string, unknown>, status = 200, conflict?: string) => {
    const user = await accounts.getUser(request.user!, id);
    if (!user) throw new NotFoundError('person');
    const catalogue = await strategy.catalogue();
    const organisation = user.organisationId ? catalogue.organisationById.get(user.organisationId) : undefined;
    const chosen = values ?? { role: user.role, organisation: organisation?.slug ?? '' };
    return reply.page(
      'accounts/views/user.njk',
      {
        title: user.name,
        person: user,
        organisation,
        conflict,
        roles: ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r].text, hint: { text: ROLE_LABELS[r].hint }, checked: chosen.role === r })),
        organisations: [{ value: '', text: 'No organisation' }, ...catalogue.organisations.map((o) => ({ value: o.slug, text: o.name, selected: chosen.organisation === o.slug }))],
        roleLabels: ROLE_LABELS,
        isSelf: user.id === request.user!.id,
        ...formState(chosen, problems),
      },
      { status },
    );
  };

  const userId = (raw: string) => {
    const id = Number(raw);
    if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw new NotFoundError('person');
    return id;
  };

  app.get<{ Params: { id: string } }>('/admin/users/:id', { config: { access: 'users.list' } }, async (request, reply) => showUser(request, reply, userId(request.params.id)));

  app.post<{ Params: { id: string } }>('/admin/users/:id', { config: { access: 'users.manage' } }, async (request, reply) => {
    const id = userId(request.params.id);
    const body = (request.body ?? {}) as Record<string, string>;
    const values = { role: body.role ?? '', organisation: body.organisation ?? '' };
    try {
      if (body.action === 'deactivate' || body.action === 'reactivate') {
        const form = parseInput(userStatusForm, { status: body.action === 'deactivate' ? 'deactivated' : 'active', version: body.version });
        const updated = await accounts.setStatus(actorFor(request), request.user!, id, form.status, form.version);
        return reply.redirect(`/admin/users?saved=${encodeURIComponent(`${updated.name} is ${form.status === 'active' ? 'active again' : 'deactivated'}`)}`, 303);
      }
      const { data, problems } = parseForm(userUpdateForm, body);
      if (!data) return await showUser(request, reply, id, problems, values, 400);
      const catalogue = await strategy.catalogue();
      const organisation = data.organisation ? catalogue.organisations.find((o) => o.slug === data.organisation) : undefined;
      if (data.organisation && !organisation) return await showUser(request, reply, id, [{ field: 'organisation', message: 'Select an organisation from the list' }], values, 400);
      const updated = await accounts.updateUser(actorFor(request), request.user!, id, { role: data.role, organisationId: organisation?.id ?? null, version: data.version });
      return reply.redirect(`/admin/users?saved=${encodeURIComponent(`${updated.name}’s role and organisation are saved`)}`, 303);
    } catch (error) {
      if (error instanceof InputError) return showUser(request, reply, id, error.problems, values, 400);
      if (error instanceof ConflictError) return showUser(request, reply, id, [], values, 409, error.message);
      if (error instanceof ForbiddenError) return showUser(request, reply, id, [{ field: 'role', message: error.message }], values, 403);
      throw error;
    }
  });
}
