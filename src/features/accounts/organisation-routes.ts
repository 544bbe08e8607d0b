// Organisations as the hub's accounts see them: their people, their items, and their API
// tokens; and the API an organisation's token can use. A reporter reaches only their own
// organisation, through pages and the API alike.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { API_SCOPES, can } from '../../platform/auth/permissions.ts';
import { ROLE_LABELS } from '../../platform/auth/roles.ts';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { InputError, type FieldProblem } from '../../platform/http/validation.ts';
import { itemSummaryJson } from '../strategy/api-json.ts';
import { itemSummaryResponse } from '../strategy/forms.ts';
import type { OrganisationRecord } from '../strategy/repository.ts';
import type { StrategyService } from '../strategy/service.ts';
import type { ApiTokensService } from './api-tokens.ts';
import { apiTokenForm, TOKEN_LIFETIMES } from './forms.ts';
import { actorFor } from './routes.ts';
import { organisationInScope } from './scope.ts';
import type { AccountsService } from './service.ts';

const organisationParams = z.object({ organisation: z.string().max(100).describe('The organisation’s slug, as in /api/v1/organisations') });

const meResponse = z
  .object({
    type: z.enum(['person', 'api_token']),
    name: z.string(),
    email: z.string().nullable(),
    role: z.string(),
    organisation: z.object({ slug: z.string(), name: z.string() }).nullable(),
    scopes: z.array(z.string()).nullable().describe('For an API token, what it may do'),
  })
  .meta({ id: 'Me' });

const workResponse = z
  .object({
    organisation: z.object({ slug: z.string(), name: z.string() }),
    leads: z.array(itemSummaryResponse),
    supports: z.array(itemSummaryResponse),
  })
  .meta({ id: 'OrganisationWork' });

export async function organisationRoutes(
  app: FastifyInstance,
  { accounts, apiTokens, strategy, openapi }: { accounts: AccountsService; apiTokens: ApiTokensService; strategy: StrategyService; openapi: OpenApiRegistry },
): Promise<void> {

  /* ----- pages ----- */

  app.get('/admin/organisations', { config: { access: 'organisations.list' } }, async (request, reply) => {
    const catalogue = await strategy.catalogue();
    const counts = await apiTokens.countsByOrganisation(request.user!);
    return reply.page('accounts/views/organisations.njk', {
      title: 'Organisations',
      organisations: catalogue.organisations.map((o) => ({ ...o, people: counts.people.get(o.id) ?? 0, tokens: counts.tokens.get(o.id) ?? 0 })),
    });
  });

  async function showOrganisation(request: FastifyRequest, reply: FastifyReply, organisation: OrganisationRecord, extra: Record<string, unknown> = {}, status = 200) {
    const user = request.user!;
    const manageTokens = can(user, 'api-tokens.manage', { organisationId: organisation.id });
    return reply.page(
      'accounts/views/organisation.njk',
      {
        title: organisation.name,
        organisation,
        work: await strategy.organisationItems(organisation.id),
        people: await accounts.organisationPeople(user, organisation.id),
        tokens: manageTokens ? await apiTokens.list(user, organisation.id) : undefined,
        scopeLabels: API_SCOPES,
        roleLabels: ROLE_LABELS,
        canListOrganisations: can(user, 'organisations.list'),
        now: new Date(),
        ...extra,
      },
      { status },
    );
  }

  app.get<{ Params: { organisation: string } }>('/admin/organisations/:organisation', { config: { access: 'organisation.view' } }, async (request, reply) => {
    const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'organisation.view');
    return showOrganisation(request, reply, organisation);
  });

  const tokenFormPage = (reply: FastifyReply, organisation: OrganisationRecord, values: Record<string, unknown>, problems: FieldProblem[], status = 200) =>
    reply.page(
      'accounts/views/api-token-new.njk',
      {
        title: 'Create an API token',
        organisation,
        scopeItems: Object.entries(API_SCOPES).map(([value, text]) => ({ value, text: value, hint: { text }, checked: ((values.scopes as string[] | undefined) ?? []).includes(value) })),
        lifetimeItems: [
          { value: '90', text: 'In 90 days' },
          { value: '365', text: 'In a year' },
          { value: 'never', text: 'Never (revoke it when it is no longer needed)' },
        ].map((i) => ({ ...i, checked: values.expires === i.value })),
        ...formState(values, problems),
      },
      { status },
    );

  app.get<{ Params: { organisation: string } }>('/admin/organisations/:organisation/tokens/new', { config: { access: 'api-tokens.manage' } }, async (request, reply) => {
    const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'api-tokens.manage');
    return tokenFormPage(reply, organisation, { expires: '90', scopes: [] }, []);
  });

  app.post<{ Params: { organisation: string } }>('/admin/organisations/:organisation/tokens', { config: { access: 'api-tokens.manage' } }, async (request, reply) => {
    const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'api-tokens.manage');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { name: body.name, scopes: ([] as unknown[]).concat(body.scopes ?? []), expires: body.expires };
    const { data, problems } = parseForm(apiTokenForm, body);
    if (!data) return tokenFormPage(reply, organisation, values, problems, 400);
    const { token, record } = await apiTokens.create(actorFor(request), request.user!, organisation.id, {
      name: data.name,
      scopes: data.scopes,
      expiresInDays: TOKEN_LIFETIMES[data.expires],
    });
    // Shown once, on this response only: never cached, never put in a URL.
    reply.header('cache-control', 'no-store');
    return reply.page('accounts/views/api-token-created.njk', { title: 'Your new API token', organisation, token, record, baseUrl: `${request.protocol}://${request.host}` }, { status: 201 });
  });

  app.post<{ Params: { organisation: string; id: string } }>(
    '/admin/organisations/:organisation/tokens/:id/revoke',
    { config: { access: 'api-tokens.manage' } },
    async (request, reply) => {
      const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'api-tokens.manage');
      const id = Number(request.params.id);
      if (!Number.isInteger(id) || id < 1 || id > 2_147_483_647) throw new NotFoundError('token');
      try {
        const revoked = await apiTokens.revoke(actorFor(request), request.user!, organisation.id, id);
        return reply.flash(`The token “${revoked.name}” is revoked. It no longer works.`).redirect(`/admin/organisations/${organisation.slug}`, 303);
      } catch (error) {
        if (error instanceof InputError) throw new NotFoundError('token');
        if (error instanceof ConflictError) return showOrganisation(request, reply, organisation, { conflict: error.message }, 409);
        throw error;
      }
    },
  );

  /* ----- the API ----- */

  app.get('/api/v1/me', { config: { access: 'account.whoami' } }, async (request, reply) => {
    const user = request.user!;
    const organisation = user.organisationId ? (await strategy.catalogue()).organisationById.get(user.organisationId) : undefined;
    const body: z.output<typeof meResponse> = {
      type: user.token ? 'api_token' : 'person',
      name: user.name,
      email: user.token ? null : user.email,
      role: user.role,
      organisation: organisation ? { slug: organisation.slug, name: organisation.name } : null,
      scopes: user.token ? [...user.token.scopes] : null,
    };
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.get<{ Params: { organisation: string } }>('/api/v1/organisations/:organisation/work', { config: { access: 'organisation.view' } }, async (request, reply) => {
    const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'organisation.view');
    const work = await strategy.organisationItems(organisation.id);
    const body: z.output<typeof workResponse> = {
      organisation: { slug: organisation.slug, name: organisation.name },
      leads: work.leads.map(itemSummaryJson),
      supports: work.partners.map(itemSummaryJson),
    };
    return reply.header('cache-control', 'no-store').send(body);
  });

  openapi.add({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'me',
    summary: 'Who this API token (or signed-in session) acts as, and what it may do',
    tags: ['Organisations'],
    scope: 'any',
    responses: { 200: { description: 'The token or person', schema: meResponse } },
  });
  openapi.add({
    method: 'get',
    path: '/api/v1/organisations/{organisation}/work',
    operationId: 'organisationWork',
    summary: 'The items an organisation leads and supports (its own token, or the strategy team)',
    tags: ['Organisations'],
    params: organisationParams,
    scope: 'organisation:read',
    responses: { 200: { description: 'The organisation’s items', schema: workResponse }, 404: { description: 'No organisation has this slug' } },
  });
}
