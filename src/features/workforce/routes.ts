// The workforce model in public: /workforce (a published scenario, adjusted in a GET form so
// every result is a link), /workforce/methodology (every assumption and source), and the API
// (scenarios, projections as JSON or CSV, stored runs). Routes parse and render; the service
// runs, stores and caches.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canonicalJson } from '../../model/hash.ts';
import type { ProjectionRow } from '../../model/project.ts';
import { ENGLAND, LEVER_KINDS, REGIONS, ROLE_GROUPS } from '../../model/types.ts';
import type { Band } from '../../model/uncertainty.ts';
import { can } from '../../platform/auth/permissions.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formState } from '../../platform/http/forms.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { projectionQuery, runParams, runResponse, scenarioListResponse, scenariosQuery } from './api-schemas.ts';
import { demandSupplyChart, type ChartYear } from './charts.ts';
import { DEFAULT_SEED, parseOrThrow, projectionRequestSchema } from './forms.ts';
import { LEVER_LABELS, ROLE_LABELS, leverInWords, paramsInWords, percent, signedNumber } from './labels.ts';
import { LEVER_FIELD, LEVER_FORM_FIELDS, SHARE_FIELDS, formProblems, formValuesFromParams, paramsFromForm, pickFormValues, type FormValues, type YearLimits } from './lever-form.ts';
import { linesCsv, projectionLines } from './lines.ts';
import type { ScenarioRecord } from './repository.ts';
import { DEFAULT_SCENARIO, type RunResult, type WorkforceService } from './service.ts';
import type { ScenarioParams } from './schema.ts';

export interface WorkforceRoutesOptions {
  workforce: WorkforceService;
  openapi: OpenApiRegistry;
  /** Monte Carlo runs behind /workforce (1000: a published scenario's stored default view). */
  pageRuns?: number;
  /** Projection requests allowed per minute per address on the API. */
  projectionRateLimit?: number;
}

const round = (v: number) => Math.round(v);

/** The workforce base's inputs, as the methodology page names them. */
const INPUT_LABELS: Record<string, string> = {
  filledPosts: 'Filled posts',
  vacancies: 'Vacancies',
  turnoverRate: 'Turnover',
  sectorExitShare: 'Leavers leaving the sector',
  retirementRate: 'Retirement rate',
  labourPool: 'Domestic labour pool',
  internationalRecruits: 'International recruits',
};

/** The lever fields as the shared macro draws them: one fieldset per kind. */
export function leverFieldsets(limits: YearLimits) {
  return LEVER_KINDS.map((kind) => ({ kind, ...LEVER_LABELS[kind], prefix: LEVER_FIELD[kind], limits }));
}

/** The limits the form checks years against, from the current datasets. */
export async function yearLimits(workforce: WorkforceService): Promise<YearLimits | undefined> {
  const range = await workforce.yearRange();
  return range && { baseYear: range.baseYear, first: range.first, last: range.last };
}

/** Everything /workforce shows of a run, as plain rows the view prints. */
function resultView(result: RunResult) {
  const last = result.to;
  const row = (rows: readonly ProjectionRow[], geography: string, role: string, year: number) => rows.find((r) => r.geography === geography && r.role === role && r.year === year)!;
  const band = (bands: Band[] | null, measure: string, year: number) => bands?.find((b) => b.measure === measure && b.year === year);
  const baseline = row(result.baseline.rows, ENGLAND.code, 'all', last);
  const adjusted = row(result.deliveryAdjusted.rows, ENGLAND.code, 'all', last);
  const bands = result.deliveryAdjusted.bands;
  const range = (measure: string, year: number) => {
    const b = band(bands, measure, year);
    return b ? `${round(b.p10).toLocaleString('en-GB')} to ${round(b.p90).toLocaleString('en-GB')}` : '';
  };
  const headline = (r: ProjectionRow) => ({ demand: round(r.demand), filled: round(r.filled), gap: round(r.gap), vacancyRate: percent(r.vacancyRate) });
  const comparison = (geography: string, role: string, name: string) => {
    const b = row(result.baseline.rows, geography, role, last);
    const a = row(result.deliveryAdjusted.rows, geography, role, last);
    return { name, demand: round(a.demand), filledBaseline: round(b.filled), filled: round(a.filled), gapBaseline: round(b.gap), gap: round(a.gap), vacancyRate: percent(a.vacancyRate) };
  };
  const chartYears: ChartYear[] = result.years.map((year) => {
    const a = row(result.deliveryAdjusted.rows, ENGLAND.code, 'all', year);
    const b = row(result.baseline.rows, ENGLAND.code, 'all', year);
    return {
      year,
      demand: a.demand,
      demandP10: band(bands, 'demand', year)?.p10 ?? null,
      demandP90: band(bands, 'demand', year)?.p90 ?? null,
      filled: a.filled,
      filledP10: band(bands, 'filled', year)?.p10 ?? null,
      filledP90: band(bands, 'filled', year)?.p90 ?? null,
      filledBaseline: b.filled,
    };
  });
  return {
    last,
    headline: { baseline: headline(baseline), adjusted: headline(adjusted), gapRange: range('gap', last), demandRange: range('demand', last), filledRange: range('filled', last) },
    chartYears,
    byYear: result.years.map((year) => {
      const a = row(result.deliveryAdjusted.rows, ENGLAND.code, 'all', year);
      const b = row(result.baseline.rows, ENGLAND.code, 'all', year);
      return {
        year,
        demand: round(a.demand),
        demandRange: range('demand', year),
        filledBaseline: round(b.filled),
        filled: round(a.filled),
        filledRange: range('filled', year),
        gapBaseline: round(b.gap),
        gap: round(a.gap),
        gapRange: range('gap', year),
        difference: signedNumber(a.gap - b.gap),
      };
    }),
    regions: [...REGIONS.map((r) => comparison(r.code, 'all', r.name)), comparison(ENGLAND.code, 'all', 'England')],
    roles: [...ROLE_GROUPS.map((role) => comparison(ENGLAND.code, role, ROLE_LABELS[role])), comparison(ENGLAND.code, 'all', 'All roles')],
    items: result.items.map((i) => ({ ...i, weightText: percent(i.weight), levers: i.levers.map(leverInWords), changeText: signedNumber(i.change) })),
    sensitivity: result.sensitivity.map((s) => ({ name: s.name, atP10: round(s.atP10), atP90: round(s.atP90), swing: round(s.swing) })),
  };
}

/** A scenario for the API: its parameters as stored. */
function scenarioJson(s: ScenarioRecord) {
  return { slug: s.slug, name: s.name, description: s.description, params: s.params, updated_at: s.updatedAt.toISOString() };
}

export async function workforceRoutes(app: FastifyInstance, { workforce, openapi, pageRuns = 1000, projectionRateLimit = 60 }: WorkforceRoutesOptions): Promise<void> {
  const known = new Set(['scenario', ...LEVER_FORM_FIELDS]);

  const formPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    context: { scenarios: ScenarioRecord[]; chosen: ScenarioRecord | undefined; values: FormValues; limits: YearLimits; problems: FieldProblem[]; result?: RunResult; status?: number },
  ) => {
    const { result, chosen } = context;
    const view = result && resultView(result);
    const chart = view && (await demandSupplyChart(view.chartYears, result.deliveryAdjusted.bands !== null));
    const apiBody = result && JSON.stringify(result.scenario.slug && !customised(result, chosen) ? { scenario: result.scenario.slug, runs: result.runs, seed: result.seed } : { scenario: { name: result.scenario.name, ...result.scenario.params }, runs: result.runs, seed: result.seed }, null, 2);
    const saveHref =
      request.user && can(request.user, 'workforce.scenarios') && chosen ? `/admin/workforce/scenarios/new${queryString({ from: chosen.slug, ...context.values })}` : undefined;
    return reply.page(
      'workforce/views/workforce.njk',
      {
        title: result ? `Workforce model: ${result.scenario.name}` : 'Workforce model',
        scenarios: context.scenarios.map((s) => ({ value: s.slug, text: s.name, selected: s.slug === chosen?.slug })),
        chosen: chosen && { ...chosen, words: paramsInWords(chosen.params) },
        levers: leverFieldsets(context.limits),
        shares: SHARE_FIELDS,
        limits: context.limits,
        result,
        view,
        chart,
        apiBody,
        saveHref,
        ...formState(context.values, context.problems),
      },
      { status: context.status ?? 200 },
    );
  };

  /** Whether the run's scenario differs from the saved one it started from. */
  const customised = (result: RunResult, chosen: ScenarioRecord | undefined) => !chosen || result.scenario.slug !== chosen.slug;

  app.get('/workforce', async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(query).filter((k) => !known.has(k));
    if (unknown.length) throw new InputError(unknown.map((k) => ({ field: k, message: 'is not a known parameter' })));
    const limits = await yearLimits(workforce);
    const scenarios = limits ? await workforce.scenarios({ publishedOnly: true }) : [];
    if (!limits || !scenarios.length) return reply.page('workforce/views/no-data.njk', { title: 'Workforce model', datasets: Boolean(limits) });
    // Without a choice: current policy, or the first published scenario if it is unpublished.
    const wanted = typeof query.scenario === 'string' && query.scenario ? query.scenario : undefined;
    const chosen = wanted ? scenarios.find((s) => s.slug === wanted) : (scenarios.find((s) => s.slug === DEFAULT_SCENARIO) ?? scenarios[0]);
    if (!chosen) {
      const fallback = scenarios.find((s) => s.slug === DEFAULT_SCENARIO) ?? scenarios[0]!;
      return formPage(request, reply, {
        scenarios,
        chosen: undefined,
        values: formValuesFromParams(fallback.params, limits),
        limits,
        problems: [{ field: 'scenario', message: 'Choose one of the published scenarios' }],
        status: 400,
      });
    }
    const adjusting = LEVER_FORM_FIELDS.some((f) => f in query);
    let values: FormValues;
    let params: ScenarioParams = chosen.params;
    if (adjusting) {
      values = pickFormValues(query);
      const parsed = paramsFromForm(values, limits, chosen.params);
      if (!parsed.params) return formPage(request, reply, { scenarios, chosen, values, limits, problems: parsed.problems, status: 400 });
      params = parsed.params;
    } else values = formValuesFromParams(chosen.params, limits);
    // Unchanged parameters run as the saved scenario itself, so its default view is the stored one.
    const same = canonicalJson(params) === canonicalJson(chosen.params);
    const run = same ? { scenario: chosen.slug, runs: pageRuns, seed: DEFAULT_SEED } : { scenario: { ...params, name: `${chosen.name} (adjusted)`.slice(0, 100) }, runs: pageRuns, seed: DEFAULT_SEED };
    try {
      const result = await workforce.run(run);
      return formPage(request, reply, { scenarios, chosen, values, limits, problems: [], result });
    } catch (error) {
      if (error instanceof InputError) return formPage(request, reply, { scenarios, chosen, values, limits, problems: formProblems(error.problems, params), status: 400 });
      throw error;
    }
  });

  app.get('/workforce/methodology', async (request, reply) => {
    parseInput(scenariosQuery, request.query);
    const method = await workforce.methodology();
    if (!method) return reply.page('workforce/views/no-data.njk', { title: 'How the workforce model works', datasets: false });
    const datasets = await workforce.datasets();
    const record = (id: number) => datasets.find((d) => d.id === id);
    const published = method.publishedMethod;
    return reply.page('workforce/views/methodology.njk', {
      title: 'How the workforce model works',
      method,
      datasets: [
        { kind: 'Population projection', meta: method.datasets.population, record: record(method.datasets.population.id) },
        { kind: 'Workforce base', meta: method.datasets.workforce, record: record(method.datasets.workforce.id) },
      ],
      baselinePolicy: method.baselinePolicy.map(leverInWords),
      byRole: method.byRole.map((r) => ({
        ...r,
        name: ROLE_LABELS[r.role],
        turnover: percent(r.turnoverRate),
        exit: percent(r.sectorExitShare),
        retirement: percent(r.retirementRate),
        sourceList: Object.entries(r.sources).map(([field, source]) => ({ label: INPUT_LABELS[field] ?? field, source })),
      })),
      progression: method.progression.map((m) => ({ from: ROLE_LABELS[m.from], to: ROLE_LABELS[m.to], rate: percent(m.rate), source: m.source })),
      uncertain: method.uncertain.map((u) => ({
        ...u,
        range: u.distribution.kind === 'triangular' ? `${percent(u.distribution.min, 0)} to ${percent(u.distribution.max, 0)}, most likely ${percent(u.distribution.mode, 0)}` : `${percent(u.distribution.min, 0)} to ${percent(u.distribution.max, 0)}, all equally likely`,
        kind: u.distribution.kind,
      })),
      items: method.items.map((i) => ({ ...i, levers: i.levers.map((l) => ({ words: leverInWords(l), source: l.source ?? 'Not stated' })) })),
      published: published && {
        ...published,
        basePostsText: round(published.basePosts).toLocaleString('en-GB'),
        postsNeededText: round(published.postsNeeded).toLocaleString('en-GB'),
        extraPostsText: round(published.extraPosts).toLocaleString('en-GB'),
        growthText: percent(published.growth, 0),
        population65GrowthText: percent(published.population65Growth, 0),
        publishedExtraText: published.published.extraPosts.toLocaleString('en-GB'),
        publishedBaseText: `${(published.published.basePosts / 1_000_000).toLocaleString('en-GB')} million`,
        publishedGrowthText: percent(published.published.growth, 0),
        differenceText: signedNumber(published.extraPosts - published.published.extraPosts),
        lower: published.extraPosts < published.published.extraPosts,
      },
      levers: LEVER_KINDS.map((k) => ({ name: LEVER_LABELS[k].name, hint: LEVER_LABELS[k].hint })),
    });
  });

  /* ----- API ----- */

  app.get('/api/v1/workforce/scenarios', async (request) => {
    parseInput(scenariosQuery, request.query);
    return { data: (await workforce.scenarios({ publishedOnly: true })).map(scenarioJson) };
  });

  app.post(
    '/api/v1/workforce/projections',
    { config: { access: 'workforce.project', rateLimit: { max: projectionRateLimit, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const { format } = parseInput(projectionQuery, request.query);
      const body = request.body ?? {};
      const { geography } = parseOrThrow(projectionRequestSchema(), body);
      const result = await workforce.run(body);
      const lines = projectionLines(result, geography);
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="workforce-projection-${result.hash.slice(0, 12)}.csv"`)
          .send(linesCsv(lines));
      }
      return { ...result, lines };
    },
  );

  app.get('/api/v1/workforce/runs/:id', async (request) => {
    const { id } = parseInput(runParams, request.params);
    const run = await workforce.storedRun(id);
    if (!run) throw new NotFoundError('stored run');
    return run;
  });

  openapi.add({
    method: 'get',
    path: '/api/v1/workforce/scenarios',
    operationId: 'workforceScenarios',
    summary: 'The published workforce model scenarios, with their parameters',
    tags: ['Workforce model'],
    query: scenariosQuery,
    responses: { 200: { description: 'Every published scenario', schema: scenarioListResponse } },
  });
  openapi.add({
    method: 'post',
    path: '/api/v1/workforce/projections',
    operationId: 'workforceProjection',
    summary: 'Run the workforce model: a saved scenario (slug or name) or parameters in full; baseline and delivery-adjusted, with Monte Carlo bands (at most 10,000 runs)',
    tags: ['Workforce model'],
    query: projectionQuery,
    body: projectionRequestSchema(),
    responses: {
      200: { description: 'The run, with its per-year lines for the requested geography (or those lines as CSV)', schema: runResponse, csv: true },
      429: { description: 'Too many projections from this address in a minute' },
    },
  });
  openapi.add({
    method: 'get',
    path: '/api/v1/workforce/runs/{id}',
    operationId: 'workforceRun',
    summary: 'A stored run, as it was computed (replay it with `npx strategy-hub reproduce ID`)',
    tags: ['Workforce model'],
    params: runParams,
    responses: { 200: { description: 'The stored run', schema: runResponse }, 404: { description: 'No run is stored with this id' } },
  });
}

/** What the item page shows of the model: the item's levers in words, the share that counts, its change to the gap. */
export async function itemWorthView(workforce: WorkforceService, code: string) {
  const worth = await workforce.itemWorth(code);
  if (!worth) return undefined;
  const row = worth.item;
  return {
    to: worth.to,
    scenario: worth.scenario,
    levers: (row?.levers ?? []).map(leverInWords),
    weightText: row ? percent(row.weight) : undefined,
    change: row ? round(row.change) : 0,
    changeText: row ? signedNumber(row.change) : '0',
  };
}
