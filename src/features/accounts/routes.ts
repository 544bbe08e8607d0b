// Signing in and out, setting up the first administrator, the signed-in home page, and
// managing people. Routes parse, call the accounts service, and render.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../platform/audit/audit.ts';
import { ROLE_LABELS, ROLES } from '../../platform/auth/roles.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import type { StrategyService } from '../strategy/service.ts';
import { acceptInviteForm, inviteForm, newPasswordForm, resetRequestForm, safeNext, setupForm, signInForm, userFiltersQuery, userStatusForm, userUpdateForm } from './forms.ts';
import { LINK_HOURS, LOCK_MINUTES, MailNotSentError, MAX_FAILURES, RESET_MINUTES, type AccountsService } from './service.ts';

const PER_PAGE = 25;

export function actorFor(request: FastifyRequest): Actor {
  const user = request.user;
  // An organisation's API token is recorded as itself, not as a person.
  if (user?.token) {
    return { type: 'api_token', id: String(user.token.id), label: `API token “${user.token.name}”`, organisationId: user.organisationId ?? undefined, requestId: request.id, ip: request.ip };
  }
  return {
    type: 'user',
    id: user ? String(user.id) : undefined,
    label: user ? user.email : 'anonymous',
    organisationId: user?.organisationId ?? undefined,
    requestId: request.id,
    ip: request.ip,
  };
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

  /* ----- accepting an invitation ----- */

  const sessionMeta = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });
  const expiredLink = (reply: FastifyReply, kind: 'invite' | 'reset') =>
    reply.page('accounts/views/link-expired.njk', { title: 'This link has expired', kind }, { status: 404 });

  app.get<{ Params: { token: string } }>('/invite/:token', { config: { access: 'account.reset-password' } }, async (request, reply) => {
    const invitation = await accounts.invitation(request.params.token);
    if (!invitation) return expiredLink(reply, 'invite');
    return reply.page('accounts/views/accept-invite.njk', { title: 'Accept your invitation', email: invitation.email, ...formState({ name: invitation.name }, []) });
  });

  app.post<{ Params: { token: string } }>('/invite/:token', { config: { access: 'account.reset-password', rateLimit: signInLimit } }, async (request, reply) => {
    const invitation = await accounts.invitation(request.params.token);
    if (!invitation) return expiredLink(reply, 'invite');
    const body = (request.body ?? {}) as Record<string, string>;
    const { data, problems } = parseForm(acceptInviteForm, body);
    if (!data) return reply.page('accounts/views/accept-invite.njk', { title: 'Accept your invitation', email: invitation.email, ...formState({ name: body.name ?? '' }, problems) }, { status: 400 });
    try {
      const { sessionToken } = await accounts.acceptInvite(request.params.token, data, sessionMeta(request));
      reply.startSession(sessionToken);
      return reply.redirect('/admin?welcome=1', 303);
    } catch (error) {
      if (error instanceof ForbiddenError) return expiredLink(reply, 'invite');
      throw error;
    }
  });

  /* ----- password reset ----- */

  app.get('/password-reset', { config: { access: 'account.reset-password' } }, async (_request, reply) =>
    reply.page('accounts/views/reset-request.njk', { title: 'Reset your password', minutes: RESET_MINUTES, ...formState({}, []) }),
  );

  app.post('/password-reset', { config: { access: 'account.reset-password', rateLimit: signInLimit } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string>;
    const { data, problems } = parseForm(resetRequestForm, body);
    if (!data) return reply.page('accounts/views/reset-request.njk', { title: 'Reset your password', minutes: RESET_MINUTES, ...formState({ email: body.email ?? '' }, problems) }, { status: 400 });
    // The same page, at once, whether or not the address has an account.
    await accounts.requestPasswordReset(data.email, sessionMeta(request));
    return reply.page('accounts/views/reset-sent.njk', { title: 'Check your email', email: data.email, minutes: RESET_MINUTES });
  });

  app.get<{ Params: { token: string } }>('/password-reset/:token', { config: { access: 'account.reset-password' } }, async (request, reply) => {
    const link = await accounts.resetLink(request.params.token);
    if (!link) return expiredLink(reply, 'reset');
    return reply.page('accounts/views/reset-password.njk', { title: 'Choose a new password', email: link.email, ...formState({}, []) });
  });

  app.post<{ Params: { token: string } }>('/password-reset/:token', { config: { access: 'account.reset-password', rateLimit: signInLimit } }, async (request, reply) => {
    const link = await accounts.resetLink(request.params.token);
    if (!link) return expiredLink(reply, 'reset');
    const { data, problems } = parseForm(newPasswordForm, request.body);
    if (!data) return reply.page('accounts/views/reset-password.njk', { title: 'Choose a new password', email: link.email, ...formState({}, problems) }, { status: 400 });
    try {
      const { sessionToken } = await accounts.completeReset(request.params.token, data.password, sessionMeta(request));
      reply.startSession(sessionToken);
      return reply.redirect('/admin?password-changed=1', 303);
    } catch (error) {
      if (error instanceof ForbiddenError) return expiredLink(reply, 'reset');
      throw error;
    }
  });

  /* ----- the signed-in home page ----- */

  app.get<{ Querystring: { welcome?: string; 'password-changed'?: string } }>('/admin', { config: { access: 'admin.home' } }, async (request, reply) => {
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
      passwordChanged: request.query['password-changed'] === '1',
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
    });
  });

  /* ----- invitations ----- */

  const inviteFormPage = async (reply: FastifyReply, values: Record<string, unknown>, problems: FieldProblem[], status = 200, mailFailed?: string) => {
    const catalogue = await strategy.catalogue();
    return reply.page(
      'accounts/views/invite.njk',
      {
        title: 'Invite someone',
        hours: LINK_HOURS,
        mailFailed,
        roles: ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r].text, hint: { text: ROLE_LABELS[r].hint }, checked: values.role === r })),
        organisations: [{ value: '', text: 'No organisation' }, ...catalogue.organisations.map((o) => ({ value: o.slug, text: o.name, selected: values.organisation === o.slug }))],
        ...formState(values, problems),
      },
      { status },
    );
  };

  app.get('/admin/users/invite', { config: { access: 'users.invite' } }, async (_request, reply) => inviteFormPage(reply, { role: '', organisation: '' }, []));

  app.post('/admin/users/invite', { config: { access: 'users.invite', rateLimit: signInLimit } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string>;
    const values = { name: body.name ?? '', email: body.email ?? '', role: body.role ?? '', organisation: body.organisation ?? '' };
    const { data, problems } = parseForm(inviteForm, body);
    if (!data) return inviteFormPage(reply, values, problems, 400);
    const catalogue = await strategy.catalogue();
    const organisation = data.organisation ? catalogue.organisations.find((o) => o.slug === data.organisation) : undefined;
    if (data.organisation && !organisation) return inviteFormPage(reply, values, [{ field: 'organisation', message: 'Select an organisation from the list' }], 400);
    try {
      const user = await accounts.invite(actorFor(request), request.user!, {
        email: data.email,
        name: data.name,
        role: data.role,
        organisation: organisation ? { id: organisation.id, name: organisation.name } : null,
      });
      return reply.flash(`Invitation sent to ${user.email}. The link works once, for ${LINK_HOURS} hours.`).redirect('/admin/users', 303);
    } catch (error) {
      if (error instanceof InputError) return inviteFormPage(reply, values, error.problems, 400);
      if (error instanceof ForbiddenError) return inviteFormPage(reply, values, [{ field: 'role', message: error.message }], 403);
      if (error instanceof ConflictError) return inviteFormPage(reply, values, [{ field: 'email', message: error.message }], 409);
      if (error instanceof MailNotSentError) {
        request.log.error({ err: error.cause }, 'invitation email not sent');
        return reply.redirect(`/admin/users/${error.user.id}?mail-failed=1`, 303);
      }
      throw error;
    }
  });

  const showUser = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    problems: FieldProblem[] = [],
    values?: Record<string, unknown>,
    status = 200,
    conflict?: string,
    banners: { mailFailed?: string | undefined } = {},
  ) => {
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
        invited: !user.passwordHash,
        ...banners,
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

  app.get<{ Params: { id: string }; Querystring: { 'mail-failed'?: string } }>('/admin/users/:id', { config: { access: 'users.list' } }, async (request, reply) => {
    const mailFailed = request.query['mail-failed'] === '1' ? 'The invitation is saved, but the email could not be sent. Try sending it again.' : undefined;
    return showUser(request, reply, userId(request.params.id), [], undefined, 200, undefined, { mailFailed });
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id/resend-invite', { config: { access: 'users.invite', rateLimit: signInLimit } }, async (request, reply) => {
    const id = userId(request.params.id);
    const person = await accounts.getUser(request.user!, id);
    if (!person) throw new NotFoundError('person');
    const organisation = person.organisationId ? (await strategy.catalogue()).organisationById.get(person.organisationId) : undefined;
    try {
      const user = await accounts.resendInvite(actorFor(request), request.user!, id, organisation?.name ?? null);
      return reply.flash(`A new invitation is on its way to ${user.email}. Earlier links no longer work.`).redirect(`/admin/users/${id}`, 303);
    } catch (error) {
      if (error instanceof InputError) return showUser(request, reply, id, error.problems, undefined, 400);
      if (error instanceof ForbiddenError) return showUser(request, reply, id, [{ field: 'role', message: error.message }], undefined, 403);
      if (error instanceof MailNotSentError) {
        request.log.error({ err: error.cause }, 'invitation email not sent');
        return reply.redirect(`/admin/users/${id}?mail-failed=1`, 303);
      }
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>('/admin/users/:id', { config: { access: 'users.manage' } }, async (request, reply) => {
    const id = userId(request.params.id);
    const body = (request.body ?? {}) as Record<string, string>;
    const values = { role: body.role ?? '', organisation: body.organisation ?? '' };
    try {
      if (body.action === 'deactivate' || body.action === 'reactivate') {
        const form = parseInput(userStatusForm, { status: body.action === 'deactivate' ? 'deactivated' : 'active', version: body.version });
        const updated = await accounts.setStatus(actorFor(request), request.user!, id, form.status, form.version);
        return reply.flash(`${updated.name} is ${form.status === 'active' ? 'active again' : 'deactivated'}`).redirect('/admin/users', 303);
      }
      const { data, problems } = parseForm(userUpdateForm, body);
      if (!data) return await showUser(request, reply, id, problems, values, 400);
      const catalogue = await strategy.catalogue();
      const organisation = data.organisation ? catalogue.organisations.find((o) => o.slug === data.organisation) : undefined;
      if (data.organisation && !organisation) return await showUser(request, reply, id, [{ field: 'organisation', message: 'Select an organisation from the list' }], values, 400);
      const updated = await accounts.updateUser(actorFor(request), request.user!, id, { role: data.role, organisationId: organisation?.id ?? null, version: data.version });
      return reply.flash(`${updated.name}’s role and organisation are saved`).redirect('/admin/users', 303);
    } catch (error) {
      if (error instanceof InputError) return showUser(request, reply, id, error.problems, values, 400);
      if (error instanceof ConflictError) return showUser(request, reply, id, [], values, 409, error.message);
      if (error instanceof ForbiddenError) return showUser(request, reply, id, [{ field: 'role', message: error.message }], values, 403);
      throw error;
    }
  });
}
