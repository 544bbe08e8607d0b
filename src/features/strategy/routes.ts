// The strategy's public pages and read API. Each route parses its input with zod, asks the
// service, and renders; responses are cached with a stamp each (the strategy's revision, or an
// item's own for its pages) and carry ETags (decisions 2 and 29).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Stamp } from '../../platform/cache.ts';
import { PageCache, type PublicReads } from '../../platform/http/conditional.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { parseInput } from '../../platform/http/validation.ts';
import { toCsv } from '../../platform/files/spreadsheet.ts';
import { itemJson, itemSummaryJson, organisationJson } from './api-json.ts';
import {
  CODE_PATTERN,
  ITEM_COLUMNS,
  STATUS_FILTERS,
  apiItemsQuery,
  apiListQuery,
  itemCodeParams,
  itemFiltersQuery,
  itemListResponse,
  itemResponse,
  organisationListResponse,
  type ItemFilters,
} from './forms.ts';
import { KIND_LABELS, STATUS_LABELS, labels } from './labels.ts';
import { ITEM_KINDS } from './schema.ts';
import type { Catalogue, StrategyService } from './service.ts';

const PER_PAGE = 20;
const CSV_TYPE = 'text/csv; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export interface StrategyRoutesOptions {
  service: StrategyService;
  openapi: OpenApiRegistry;
  /** An item's published progress, from the progress feature; publishing raises the item's version, so its cached page stays right. */
  timeline?: (code: string) => Promise<unknown[] | undefined>;
  /**
   * What the workforce model says an item is worth. Lever edits and scenario changes do not
   * bump the strategy's revision, so the model's own revision is part of the page's cache key.
   */
  workforce?: { revision: () => Promise<string>; worth: (code: string) => Promise<unknown> };
  /** The item's champions and their local actions, from the community feature, which has its own revision. */
  champions?: { revision: () => Promise<number>; section: (code: string) => Promise<unknown> };
  /**
   * Where an item came from when the drafting pipeline made it (its working group, evidence
   * review and the meeting that accepted it), or undefined. Accepting creates the item.
   */
  provenance?: (code: string) => Promise<unknown>;
  /**
   * The meeting decisions that concern an item ("Discussed at"), from the governance feature.
   * Its changes do not bump the strategy's revision, so its own revision is part of the cache key.
   */
  discussedAt?: { revision: () => Promise<string>; decisions: (code: string) => Promise<unknown[]> };
  /**
   * How cached pages and API bodies are served to readers with no cookies: how old they may be
   * (decision 29) and their share of each turn (decision 30). Undefined (tests): every read
   * shows every change at once.
   */
  publicReads?: PublicReads | undefined;
}

/** The filters as a query, in one fixed order, so equal filters give equal URLs. */
function filterQuery(f: ItemFilters): Record<string, readonly string[] | string | undefined> {
  return { q: f.q, type: f.type, status: f.status, area: f.area, theme: f.theme, shift: f.shift, lead: f.lead };
}

function filterPanel(catalogue: Catalogue, f: ItemFilters) {
  const group = (name: keyof ItemFilters, legend: string, options: { value: string; text: string }[]) => ({
    name,
    legend,
    items: options.map((o) => ({ ...o, checked: (f[name] as string[]).includes(o.value) })),
  });
  const filterGroups = [
    group('type', 'Type', ITEM_KINDS.map((k) => ({ value: k, text: KIND_LABELS[k] }))),
    group('status', 'Status', STATUS_FILTERS.map((s) => ({ value: s, text: STATUS_LABELS[s].text }))),
    group('area', 'Area', catalogue.areas.map((a) => ({ value: a.slug, text: a.name }))),
    group('theme', 'Theme', catalogue.themes.map((t) => ({ value: t.slug, text: t.name }))),
    group('shift', 'Government shift', catalogue.shifts.map((t) => ({ value: t.slug, text: t.name }))),
  ];
  const leadOptions = [
    { value: '', text: 'Any organisation' },
    ...catalogue.leadOrganisations.map((o) => ({ value: o.slug, text: o.name, selected: f.lead[0] === o.slug })),
  ];
  // Each chosen value, with a link to the same list without it.
  const names: Record<string, Map<string, string>> = {
    type: new Map(ITEM_KINDS.map((k) => [k, KIND_LABELS[k]])),
    status: new Map(STATUS_FILTERS.map((s) => [s, STATUS_LABELS[s].text])),
    area: new Map(catalogue.areas.map((a) => [a.slug, a.name])),
    theme: new Map(catalogue.themes.map((t) => [t.slug, t.name])),
    shift: new Map(catalogue.shifts.map((t) => [t.slug, t.name])),
    lead: new Map(catalogue.leadOrganisations.map((o) => [o.slug, o.name])),
  };
  const groupNames: Record<string, string> = { type: 'Type', status: 'Status', area: 'Area', theme: 'Theme', shift: 'Government shift', lead: 'Lead organisation' };
  const selected: { group: string; label: string; removeHref: string }[] = [];
  if (f.q) selected.push({ group: 'Search', label: `“${f.q}”`, removeHref: `/recommendations${queryString(filterQuery({ ...f, q: undefined }))}` });
  for (const key of ['type', 'status', 'area', 'theme', 'shift', 'lead'] as const) {
    for (const value of f[key]) {
      const without = { ...f, [key]: (f[key] as string[]).filter((v) => v !== value) };
      selected.push({ group: groupNames[key]!, label: names[key]!.get(value) ?? value, removeHref: `/recommendations${queryString(filterQuery(without))}` });
    }
  }
  return { filterGroups, leadOptions, selected };
}

function normaliseCode(raw: string): string | undefined {
  const code = raw.trim().toUpperCase();
  return CODE_PATTERN.test(code) && code.length <= 20 ? code : undefined;
}

export const strategyRoutes = fp(
  async (app: FastifyInstance, { service, openapi, timeline, workforce, champions, provenance, discussedAt, publicReads }: StrategyRoutesOptions) => {
    const pages = new PageCache(publicReads, 1000);
    app.views.addGlobal('labels', labels);

    // Pages and API bodies are stamped with the strategy's revision unless they say otherwise.
    const revision = () => service.revision();
    const cachedPage = async (request: FastifyRequest, reply: FastifyReply, build: () => Promise<string>, stamp: () => Promise<Stamp> = revision) =>
      pages.send(request, reply, `html ${request.url}`, stamp, build);
    const cachedJson = async (request: FastifyRequest, reply: FastifyReply, build: () => Promise<unknown>, stamp: () => Promise<Stamp> = revision) =>
      pages.send(request, reply, `json ${request.url}`, stamp, async () => JSON.stringify(await build()), JSON_TYPE);
    const cachedCsv = async (request: FastifyRequest, reply: FastifyReply, fileName: string, build: () => Promise<string>) => {
      reply.header('content-disposition', `attachment; filename="${fileName}"`);
      return pages.send(request, reply, `csv ${request.url}`, revision, build, CSV_TYPE);
    };
    /** An item's own stamp (see `itemStamp`); the whole strategy's revision for a code no item has. */
    const itemStamp = async (code: string) => (await service.itemStamp(code)) ?? `r${await service.revision()}`;
    /** An item page's: the item's, and those of the sections other features add. */
    const itemPageStamp = async (code: string) =>
      (await itemStamp(code)) +
      (workforce ? ` workforce ${await workforce.revision()}` : '') +
      (champions ? ` champions ${await champions.revision()}` : '') +
      (discussedAt ? ` governance ${await discussedAt.revision()}` : '');

    app.get('/', async (request, reply) =>
      cachedPage(request, reply, async () => {
        const [catalogue, overview] = [await service.catalogue(), await service.overview()];
        return reply.render('strategy/views/home.njk', { title: catalogue.strategy.title, strategy: catalogue.strategy, overview }, { forCache: true });
      }),
    );

    app.get('/strategy', async (request, reply) =>
      cachedPage(request, reply, async () => {
        const [catalogue, overview] = [await service.catalogue(), await service.overview()];
        return reply.render(
          'strategy/views/strategy.njk',
          { title: 'How the strategy is organised', strategy: catalogue.strategy, catalogue, overview, termCounts: Object.fromEntries(overview.byTerm) },
          { forCache: true },
        );
      }),
    );

    app.get('/recommendations', async (request, reply) => {
      const { page, ...filters } = parseInput(itemFiltersQuery, request.query);
      return cachedPage(request, reply, async () => {
        const catalogue = await service.catalogue();
        const results = await service.listItems(filters, page, PER_PAGE);
        if (page > results.pages) throw new NotFoundError('page');
        const base = filterQuery(filters);
        return reply.render(
          'strategy/views/recommendations.njk',
          {
            title: page > 1 ? `Recommendations and commitments (page ${page})` : 'Recommendations and commitments',
            q: filters.q,
            results,
            paginationParams: pagination(page, results.pages, (n) => `/recommendations${queryString({ ...base, page: n > 1 ? n : undefined })}`, 'recommendations and commitments'),
            csvHref: `/api/v1/items${queryString({ ...base, format: 'csv' })}`,
            jsonHref: `/api/v1/items${queryString(base)}`,
            // Filtered by one theme: its followers hear of updates on every item in it.
            followTheme: filters.theme.length === 1 ? catalogue.themes.find((t) => t.slug === filters.theme[0]) : undefined,
            ...filterPanel(catalogue, filters),
          },
          { forCache: true },
        );
      });
    });

    app.get<{ Params: { code: string } }>('/recommendations/:code', async (request, reply) => {
      const { code: raw } = parseInput(itemCodeParams, request.params);
      const code = normaliseCode(raw);
      if (!code) throw new NotFoundError('item');
      if (code !== raw) return reply.redirect(`/recommendations/${code}`, 301);
      return cachedPage(
        request,
        reply,
        async () => {
          const [catalogue, item] = [await service.catalogue(), await service.getItem(code)];
          if (!item) throw new NotFoundError('item');
          const updates = timeline ? await timeline(code) : undefined;
          const worth = workforce ? await workforce.worth(code) : undefined;
          const itemChampions = champions ? await champions.section(code) : undefined;
          const origin = provenance ? await provenance(code) : undefined;
          const discussions = discussedAt ? await discussedAt.decisions(code) : undefined;
          return reply.render('strategy/views/recommendation.njk', { title: `${item.code}: ${item.title}`, strategy: catalogue.strategy, item, timeline: updates, worth, champions: itemChampions, provenance: origin, discussions }, { forCache: true });
        },
        () => itemPageStamp(code),
      );
    });

    /* ----- API ----- */

    app.get('/api/v1/items', async (request, reply) => {
      const { page, per_page: perPage, format, ...filters } = parseInput(apiItemsQuery, request.query);
      if (format === 'csv') {
        return cachedCsv(request, reply, 'items.csv', async () => toCsv(ITEM_COLUMNS, await service.matchingItemRows(filters)));
      }
      return cachedJson(request, reply, async () => {
        const results = await service.listItems(filters, page, perPage);
        if (page > results.pages) throw new NotFoundError('page');
        const href = (n: number) => `/api/v1/items${queryString({ ...filterQuery(filters), page: n, per_page: perPage })}`;
        return {
          data: results.items.map(itemSummaryJson),
          meta: { total: results.total, page, per_page: perPage, pages: results.pages },
          links: { self: href(page), next: page < results.pages ? href(page + 1) : null, prev: page > 1 ? href(page - 1) : null },
        };
      });
    });

    app.get<{ Params: { code: string } }>('/api/v1/items/:code', async (request, reply) => {
      const code = normaliseCode(parseInput(itemCodeParams, request.params).code);
      if (!code) throw new NotFoundError('item');
      return cachedJson(
        request,
        reply,
        async () => {
          const item = await service.getItem(code);
          if (!item) throw new NotFoundError('item');
          return itemJson(item);
        },
        () => itemStamp(code),
      );
    });

    app.get('/api/v1/organisations', async (request, reply) => {
      const { format } = parseInput(apiListQuery, request.query);
      const rows = async () => (await service.organisationList()).map((r) => organisationJson(r.organisation, r.lead, r.partner));
      if (format === 'csv') {
        const columns = ['slug', 'name', 'short_name', 'kind', 'is_government', 'website', 'items_led', 'items_supported'] as const;
        const csv = async () => toCsv(columns, (await rows()).map((o) => Object.fromEntries(columns.map((c) => [c, String(o[c] ?? '')]))));
        return cachedCsv(request, reply, 'organisations.csv', csv);
      }
      return cachedJson(request, reply, async () => ({ data: await rows() }));
    });

    openapi.add({
      method: 'get',
      path: '/api/v1/items',
      operationId: 'listItems',
      summary: 'Recommendations and commitments, filtered and paged (CSV: every match)',
      tags: ['Strategy'],
      query: apiItemsQuery,
      responses: { 200: { description: 'A page of items', schema: itemListResponse, csv: true }, 404: { description: 'The page is past the last one' } },
    });
    openapi.add({
      method: 'get',
      path: '/api/v1/items/{code}',
      operationId: 'getItem',
      summary: 'One recommendation or commitment',
      tags: ['Strategy'],
      params: itemCodeParams,
      responses: { 200: { description: 'The item', schema: itemResponse }, 404: { description: 'No item has this code' } },
    });
    openapi.add({
      method: 'get',
      path: '/api/v1/organisations',
      operationId: 'listOrganisations',
      summary: 'Organisations, with how many items each leads and supports',
      tags: ['Strategy'],
      query: apiListQuery,
      responses: { 200: { description: 'Every organisation', schema: organisationListResponse, csv: true } },
    });
  },
  { name: 'strategy-routes' },
);
