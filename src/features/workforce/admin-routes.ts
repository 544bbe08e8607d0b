// The strategy team's workforce model pages: the scenarios (create, edit with an optimistic
// version, publish or unpublish, delete after confirming) and the datasets the model reads, and
// the levers each strategy item declares. The service validates, writes and audits; these
// routes turn forms into its input and its problems back into the form's fields.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LEVER_KINDS, ROLE_GROUPS, type Lever, type LeverKind, type RoleGroup } from '../../model/types.ts';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { formState } from '../../platform/http/forms.ts';
import { InputError, parseInput, singleLine, slugSchema, type FieldProblem } from '../../platform/http/validation.ts';
import type { AccountsService } from '../accounts/service.ts';
import { actorFor } from '../accounts/routes.ts';
import { LEVER_LABELS, ROLE_OPTIONS, leverInWords, paramsInWords } from './labels.ts';
import { LEVER_FORM_FIELDS, SHARE_FIELDS, checkSize, engineSize, formProblems, formValuesFromParams, paramsFromForm, parseNumber, pickFormValues, typedSize, type FormValues, type YearLimits } from './lever-form.ts';
import type { ScenarioRecord } from './repository.ts';
import { leverFieldsets, yearLimits } from './routes.ts';
import type { ScenarioParams } from './schema.ts';
import { DEFAULT_SCENARIO, type WorkforceService } from './service.ts';

const slugParams = z.strictObject({ slug: slugSchema });
const codeParams = z.strictObject({ code: z.string().regex(/^[A-Za-z0-9-]{1,20}$/, 'must be an item code') });
const versionField = z.object({ version: z.coerce.number().int().min(1) });
const publishForm = z.object({ version: z.coerce.number().int().min(1), published: z.enum(['true', 'false']) });
const newScenarioQuery = z.strictObject({ from: slugSchema.optional(), ...Object.fromEntries(LEVER_FORM_FIELDS.map((f) => [f, z.string().max(20).optional()])) });

/** Blank rows the item levers form offers beyond the levers saved, so one can be added without JavaScript. */
const BLANK_ROWS = 3;
const MAX_ITEM_LEVERS = 10;

const FALLBACK_PARAMS: ScenarioParams = { driver: { kind: 'age65' }, baselinePolicy: true, levers: [], inProgressWeight: 0.5, to: 2040 };

export async function workforceAdminRoutes(app: FastifyInstance, { workforce, accounts }: { workforce: WorkforceService; accounts: AccountsService }): Promise<void> {
  const scenariosAccess = { config: { access: 'workforce.scenarios' as const } };
  const leversAccess = { config: { access: 'workforce.item-levers' as const } };

  const limitsOrFail = async (): Promise<YearLimits> => {
    const limits = await yearLimits(workforce);
    if (!limits) throw new InputError([{ field: 'datasets', message: 'The workforce model has no datasets yet: import a population projection and a workforce base first' }]);
    return limits;
  };

  const scenarioFor = async (request: FastifyRequest): Promise<ScenarioRecord> => {
    const { slug } = parseInput(slugParams, request.params);
    const scenario = (await workforce.scenarios({ publishedOnly: false })).find((s) => s.slug === slug);
    if (!scenario) throw new NotFoundError('scenario');
    return scenario;
  };

  const names = async (request: FastifyRequest, ids: (number | null)[]) => {
    const out = new Map<number, string>();
    for (const id of new Set(ids.filter((i): i is number => i !== null))) {
      const user = await accounts.getUser(request.user!, id);
      if (user) out.set(id, user.name);
    }
    return out;
  };

  /* ----- the overview ----- */

  app.get('/admin/workforce', scenariosAccess, async (request, reply) => {
    const scenarios = await workforce.scenarios({ publishedOnly: false });
    const datasets = await workforce.datasets();
    const people = await names(request, [...scenarios.map((s) => s.authorId), ...datasets.map((d) => d.importedBy)]);
    const items = await workforce.itemsWithLevers();
    return reply.page('workforce/views/admin.njk', {
      title: 'Workforce model',
      scenarios: scenarios.map((s) => ({ ...s, author: s.authorId ? (people.get(s.authorId) ?? 'Someone no longer listed') : 'Shipped with the hub' })),
      datasets: datasets.map((d) => ({ ...d, importer: d.importedBy ? (people.get(d.importedBy) ?? 'Someone no longer listed') : 'The hub (shipped data) or the command line' })),
      items: items.map((i) => ({ code: i.code, title: i.title, status: i.status, levers: i.levers.map(leverInWords) })),
    });
  });

  /* ----- scenario form ----- */

  const scenarioFormPage = async (
    reply: FastifyReply,
    options: { scenario?: ScenarioRecord; values: FormValues; problems: FieldProblem[]; version?: number; status?: number; conflict?: string; from?: string; limits: YearLimits },
  ) =>
    reply.page(
      'workforce/views/admin-scenario-form.njk',
      {
        title: options.scenario ? `Edit the scenario “${options.scenario.name}”` : 'Create a scenario',
        scenario: options.scenario,
        version: options.version ?? options.scenario?.version,
        conflict: options.conflict,
        currentWords: options.conflict && options.scenario ? paramsInWords(options.scenario.params) : undefined,
        from: options.from,
        levers: leverFieldsets(options.limits),
        shares: SHARE_FIELDS,
        limits: options.limits,
        ...formState(options.values, options.problems),
      },
      { status: options.status ?? 200 },
    );

  /** The scenario fields as typed: name, description, published, and the lever form's fields. */
  const submitted = (body: Record<string, unknown>): FormValues => {
    const text = (k: string) => (typeof body[k] === 'string' ? body[k] : '');
    return { ...pickFormValues(body), name: text('name'), description: text('description'), published: body.published === 'true' ? 'true' : '' };
  };

  /** Checks the form and saves through the service; the page again with problems, or a flash and the list. */
  const save = async (request: FastifyRequest, reply: FastifyReply, base: ScenarioParams, existing?: ScenarioRecord) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const limits = await limitsOrFail();
    const values = submitted(body);
    const version = existing ? parseInput(versionField, body).version : undefined;
    const from = typeof body.from === 'string' ? body.from : undefined;
    const parsed = paramsFromForm(values, limits, base);
    const problems: FieldProblem[] = [];
    if (!values.name!.trim()) problems.push({ field: 'name', message: 'Enter a name for the scenario' });
    if (!parsed.params || problems.length) return scenarioFormPage(reply, { scenario: existing, values, problems: [...problems, ...parsed.problems], version, status: 400, from, limits });
    try {
      const saved = await workforce.saveScenario(
        actorFor(request),
        request.user!.id,
        { name: values.name, description: values.description, published: values.published === 'true', params: parsed.params },
        existing && { slug: existing.slug, version: version! },
      );
      return reply.flash(`The scenario “${saved.name}” is saved${saved.published ? ' and published' : ' as a draft'}`).redirect('/admin/workforce', 303);
    } catch (error) {
      if (error instanceof ConflictError && existing) {
        const current = (await workforce.scenarios({ publishedOnly: false })).find((s) => s.id === existing.id);
        if (!current) throw new NotFoundError('scenario');
        return scenarioFormPage(reply, { scenario: current, values, problems: [], version: current.version, status: 409, conflict: error.message, limits });
      }
      if (error instanceof InputError) return scenarioFormPage(reply, { scenario: existing, values, problems: formProblems(error.problems, parsed.params), version, status: 400, from, limits });
      throw error;
    }
  };

  const baseParams = async (slug: string | undefined): Promise<ScenarioParams> => {
    const all = await workforce.scenarios({ publishedOnly: false });
    return (all.find((s) => s.slug === slug) ?? all.find((s) => s.slug === DEFAULT_SCENARIO))?.params ?? FALLBACK_PARAMS;
  };

  app.get('/admin/workforce/scenarios/new', scenariosAccess, async (request, reply) => {
    const query = parseInput(newScenarioQuery, request.query) as Record<string, string | undefined>;
    const limits = await limitsOrFail();
    const base = await baseParams(query.from);
    // From "Save as a scenario" on /workforce: the values as they were there.
    const fromPage = LEVER_FORM_FIELDS.some((f) => query[f] !== undefined);
    const values = { ...(fromPage ? pickFormValues(query) : formValuesFromParams(base, limits)), name: '', description: '', published: '' };
    return scenarioFormPage(reply, { values, problems: [], from: query.from, limits });
  });

  app.post('/admin/workforce/scenarios', scenariosAccess, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    return save(request, reply, await baseParams(typeof body.from === 'string' ? body.from : undefined));
  });

  app.get('/admin/workforce/scenarios/:slug/edit', scenariosAccess, async (request, reply) => {
    const scenario = await scenarioFor(request);
    const limits = await limitsOrFail();
    const values = { ...formValuesFromParams(scenario.params, limits), name: scenario.name, description: scenario.description, published: scenario.published ? 'true' : '' };
    return scenarioFormPage(reply, { scenario, values, problems: [], limits });
  });

  app.post('/admin/workforce/scenarios/:slug/edit', scenariosAccess, async (request, reply) => {
    const scenario = await scenarioFor(request);
    return save(request, reply, scenario.params, scenario);
  });

  app.post('/admin/workforce/scenarios/:slug/publish', scenariosAccess, async (request, reply) => {
    const scenario = await scenarioFor(request);
    const { version, published } = parseInput(publishForm, request.body ?? {});
    const saved = await workforce.saveScenario(
      actorFor(request),
      request.user!.id,
      { name: scenario.name, description: scenario.description, published: published === 'true', params: scenario.params },
      { slug: scenario.slug, version },
    );
    return reply.flash(saved.published ? `The scenario “${saved.name}” is published on /workforce` : `The scenario “${saved.name}” is unpublished: it is a draft again`).redirect('/admin/workforce', 303);
  });

  const deletePage = (reply: FastifyReply, scenario: ScenarioRecord, problems: FieldProblem[] = [], status = 200) =>
    reply.page('workforce/views/admin-scenario-delete.njk', { title: `Delete the scenario “${scenario.name}”?`, scenario, protectedScenario: scenario.slug === DEFAULT_SCENARIO, problems, words: paramsInWords(scenario.params) }, { status });

  app.get('/admin/workforce/scenarios/:slug/delete', scenariosAccess, async (request, reply) => deletePage(reply, await scenarioFor(request)));

  app.post('/admin/workforce/scenarios/:slug/delete', scenariosAccess, async (request, reply) => {
    const scenario = await scenarioFor(request);
    try {
      await workforce.deleteScenario(actorFor(request), scenario.slug);
    } catch (error) {
      if (error instanceof InputError) return deletePage(reply, scenario, error.problems, 400);
      throw error;
    }
    return reply.flash(`The scenario “${scenario.name}” is deleted`).redirect('/admin/workforce', 303);
  });

  /* ----- an item's levers ----- */

  const itemFor = async (request: FastifyRequest) => {
    const { code } = parseInput(codeParams, request.params);
    const item = await workforce.leversOf(code.toUpperCase());
    if (!item) throw new NotFoundError('item');
    return item;
  };

  type LeverRow = { kind: string; size: string; start: string; ramp: string; roles: string[]; source: string };
  const rowsOf = (levers: readonly Lever[], limits: YearLimits): LeverRow[] => [
    ...levers.map((l) => ({ kind: l.kind, size: typedSize(l.kind, l.size), start: String(l.startYear), ramp: String(l.rampYears), roles: [...(l.roles ?? [])], source: l.source ?? '' })),
    ...Array.from({ length: Math.max(0, Math.min(BLANK_ROWS, MAX_ITEM_LEVERS - levers.length)) }, () => ({ kind: '', size: '', start: String(Math.max(limits.baseYear + 1, 2026)), ramp: '1', roles: [], source: '' })),
  ];

  const leversPage = (reply: FastifyReply, item: { code: string; title: string; status: string | null; levers: Lever[] }, rows: LeverRow[], problems: FieldProblem[], status = 200) =>
    reply.page(
      'workforce/views/admin-item-levers.njk',
      {
        title: `Workforce model levers of ${item.code}`,
        item: { ...item, words: item.levers.map(leverInWords) },
        rows: rows.map((r, i) => ({
          ...r,
          index: i,
          kindItems: [{ value: '', text: 'None' }, ...LEVER_KINDS.map((k) => ({ value: k, text: LEVER_LABELS[k].name, selected: r.kind === k }))],
          roleItems: ROLE_OPTIONS.map((o) => ({ ...o, checked: r.roles.includes(o.value) })),
        })),
        kinds: LEVER_KINDS.map((k) => ({ name: LEVER_LABELS[k].name, unit: LEVER_LABELS[k].unit === 'pounds' ? 'pounds an hour' : 'a percentage' })),
        ...formState({}, problems),
      },
      { status },
    );

  app.get('/admin/workforce/items/:code', leversAccess, async (request, reply) => {
    const item = await itemFor(request);
    return leversPage(reply, item, rowsOf(item.levers, await limitsOrFail()), []);
  });

  app.post('/admin/workforce/items/:code', leversAccess, async (request, reply) => {
    const item = await itemFor(request);
    const limits = await limitsOrFail();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const count = Math.min(MAX_ITEM_LEVERS + BLANK_ROWS, Math.max(0, Number.parseInt(typeof body.rows === 'string' ? body.rows : '0', 10) || 0));
    const text = (k: string) => (typeof body[k] === 'string' ? body[k].trim() : '');
    const rows: LeverRow[] = [];
    const levers: Lever[] = [];
    const rowOfLever: number[] = [];
    const problems: FieldProblem[] = [];
    const sourceSchema = singleLine(300);
    for (let i = 0; i < count; i++) {
      const field = (name: string) => `lever-${i}-${name}`;
      const roles = ([] as unknown[]).concat(body[field('roles')] ?? []).filter((r): r is RoleGroup => typeof r === 'string' && (ROLE_GROUPS as readonly string[]).includes(r));
      const row = { kind: text(field('kind')), size: text(field('size')), start: text(field('start')), ramp: text(field('ramp')), roles, source: text(field('source')) };
      if (body[field('remove')] === 'yes' || (!row.kind && !row.size)) continue;
      rows.push(row);
      // Problems name the row as it is shown again: blank and removed rows are left out.
      const at = (name: string) => `lever-${rows.length - 1}-${name}`;
      const label = `Lever ${rows.length}`;
      const before = problems.length;
      const kind = (LEVER_KINDS as readonly string[]).includes(row.kind) ? (row.kind as LeverKind) : undefined;
      if (!kind) problems.push({ field: at('kind'), message: `${label}: select the kind of lever` });
      const size = parseNumber(row.size);
      if (size === undefined || size === 'invalid' || size === 0) problems.push({ field: at('size'), message: `${label}: enter the size as a number other than 0` });
      else if (kind && checkSize(kind, size)) problems.push({ field: at('size'), message: `${label}: the size ${checkSize(kind, size)}` });
      const start = parseNumber(row.start);
      if (start === undefined || start === 'invalid' || !Number.isInteger(start) || start < limits.baseYear + 1 || start > limits.last) problems.push({ field: at('start'), message: `${label}: the first year must be a year from ${limits.baseYear + 1} to ${limits.last}` });
      const ramp = parseNumber(row.ramp);
      if (ramp === undefined || ramp === 'invalid' || !Number.isInteger(ramp) || ramp < 0 || ramp > 50) problems.push({ field: at('ramp'), message: `${label}: the years to full effect must be a whole number from 0 to 50` });
      const source = sourceSchema.safeParse(row.source);
      if (!source.success) problems.push({ field: at('source'), message: `${label}: the source must be one line of up to 300 characters` });
      if (problems.length > before) continue;
      levers.push({ kind: kind!, size: engineSize(kind!, size as number), startYear: start as number, rampYears: ramp as number, ...(roles.length ? { roles } : {}), ...(source.data ? { source: source.data } : {}) });
      rowOfLever.push(rows.length - 1);
    }
    if (rows.length > MAX_ITEM_LEVERS) problems.push({ field: 'lever-0-kind', message: `An item can declare at most ${MAX_ITEM_LEVERS} levers` });
    const shown = () => [...rows, ...rowsOf([], limits)].slice(0, Math.max(rows.length + BLANK_ROWS, 1));
    if (problems.length) return leversPage(reply, item, shown(), problems, 400);
    try {
      await workforce.setItemLevers(actorFor(request), item.code, levers);
    } catch (error) {
      if (error instanceof InputError) {
        const mapped = error.problems.map((p) => {
          const m = /levers[.[](\d+)\]?\.(\w+)/.exec(p.field);
          const row = m ? rowOfLever[Number(m[1])] : undefined;
          const name = { kind: 'kind', size: 'size', startYear: 'start', rampYears: 'ramp', roles: 'roles', source: 'source' }[m?.[2] ?? ''] ?? 'kind';
          return row === undefined ? p : { field: `lever-${row}-${name}`, message: `Lever ${row + 1}: ${p.message}` };
        });
        return leversPage(reply, item, shown(), mapped, 400);
      }
      throw error;
    }
    return reply.flash(levers.length ? `The levers of ${item.code} are saved: ${levers.length} ${levers.length === 1 ? 'lever' : 'levers'}` : `${item.code} now declares no levers`).redirect(`/admin/workforce/items/${item.code}`, 303);
  });
}
