// The strategy team's pages for the strategy's items: list, create, edit, retire, reinstate.
// Status and progress are not on the form: they change when progress updates are published.
// An edit names the version it started from; if someone saved since, the form comes back
// with what was typed and the saved values beside it, and nothing is written.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { actorFor } from '../accounts/routes.ts';
import { ITEM_FORM_LABELS, ITEM_LIMITS, NOT_STATED, adminItemsQuery, itemCodeField, itemForm, itemFormValues, itemVersionForm, newItemForm } from './forms.ts';
import { GOVERNMENT_ROLE_LABELS, KIND_LABELS, STATUS_LABELS } from './labels.ts';
import { GOVERNMENT_ROLES, ITEM_KINDS } from './schema.ts';
import type { Choices, ItemChange, ItemDetail, ItemInput, StrategyService } from './service.ts';

const PER_PAGE = 50;
/** The form's fields in page order: the error summary lists problems in this order. */
const FIELD_ORDER = ['code', 'title', 'type', 'summary', 'body', 'area', 'leads', 'partners', 'themes', 'priorities', 'shifts', 'target', 'targetDate', 'governmentRole'];
/** A date input's error links to its first box. */
const ANCHORS = { targetDate: 'targetDate-day' };
const LIST_FIELDS = ['leads', 'partners', 'themes', 'priorities', 'shifts'] as const;
const TEXT_FIELDS = ['code', 'type', 'title', 'summary', 'body', 'area', 'target', 'targetDate-day', 'targetDate-month', 'targetDate-year', 'governmentRole'] as const;

type FormValues = Record<string, string | string[]>;

/** What was submitted, as typed, to show again. */
function submittedValues(body: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const f of TEXT_FIELDS) values[f] = typeof body[f] === 'string' ? body[f] : '';
  for (const f of LIST_FIELDS) values[f] = ([] as unknown[]).concat(body[f] ?? []).filter((v): v is string => typeof v === 'string');
  return values;
}

const byFormOrder = (problems: FieldProblem[]) =>
  [...problems].sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));

/** The saved item's values that differ from the submitted ones: what the other person changed, or what this person is about to. */
function differences(current: ItemDetail, submitted: ItemInput): { key: { text: string }; value: { text: string } }[] {
  const names = (list: { name: string }[]) => (list.length ? list.map((x) => x.name).join(', ') : 'None');
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const rows: [string, boolean, string][] = [
    ['Title', current.title !== submitted.title, current.title],
    ['Type', current.kind !== submitted.kind, current.kind ? KIND_LABELS[current.kind] : 'Not stated'],
    ['Summary', current.summary !== submitted.summary, current.summary || 'None'],
    ['Full text', current.body !== submitted.body, current.body || 'None'],
    ['Area', current.area.slug !== submitted.area, current.area.name],
    ['Lead organisations', !sameSet(current.leads.map((o) => o.slug), submitted.leads), names(current.leads)],
    ['Partner organisations', !sameSet(current.partners.map((o) => o.slug), submitted.partners), names(current.partners)],
    ['Themes', !sameSet(current.themes.map((t) => t.slug), submitted.themes), names(current.themes)],
    ['Short-term priorities', !sameSet(current.priorities.map((t) => t.slug), submitted.priorities), names(current.priorities)],
    ['Government shifts', !sameSet(current.shifts.map((t) => t.slug), submitted.shifts), names(current.shifts)],
    ['Target', current.targetText !== submitted.targetText, current.targetText ?? 'Not stated'],
    ['Target date', current.targetDate !== submitted.targetDate, current.targetDate ?? 'None'],
    ['Government’s role', current.governmentRole !== submitted.governmentRole, current.governmentRole ? GOVERNMENT_ROLE_LABELS[current.governmentRole].text : 'Not stated'],
  ];
  return rows.filter(([, differs]) => differs).map(([key, , value]) => ({ key: { text: key }, value: { text: value } }));
}

export async function itemAdminRoutes(app: FastifyInstance, { service }: { service: StrategyService }): Promise<void> {
  const access = { config: { access: 'items.manage' as const } };

  // The forms' schemas name organisations in one of their messages, so they are built once for
  // each set of choices, not on every save (building a schema, and compiling it at its first
  // parse, costs more than the parse).
  const built = new WeakMap<Choices, { edit: ReturnType<typeof itemForm>; create: ReturnType<typeof newItemForm> }>();
  const forms = async () => {
    const choices = await service.choices();
    let found = built.get(choices);
    if (!found) {
      const names = new Map(choices.organisations.map((o) => [o.slug, o.name]));
      built.set(choices, (found = { edit: itemForm(names), create: newItemForm(names) }));
    }
    return found;
  };

  /** The code the URL names, or a 404 when it cannot be one. */
  const codeFor = (raw: string): string => {
    const code = itemCodeField.safeParse(raw);
    if (!code.success) throw new NotFoundError('item');
    return code.data;
  };

  /** The item the URL names, or a 404. */
  const itemFor = async (raw: string): Promise<ItemDetail> => {
    const item = await service.getItem(codeFor(raw));
    if (!item) throw new NotFoundError('item');
    return item;
  };

  const formPage = async (
    reply: FastifyReply,
    values: FormValues,
    problems: FieldProblem[],
    options: { item?: ItemDetail; version?: number; status?: number; conflict?: string; differences?: unknown[] } = {},
  ) => {
    const catalogue = await service.catalogue();
    const chosen = (field: string) => ([] as string[]).concat(values[field] ?? []);
    const checkboxes = (field: string, options: { slug: string; name: string }[]) =>
      options.map((o) => ({ value: o.slug, text: o.name, checked: chosen(field).includes(o.slug) }));
    const radio = (field: string, value: string, text: string, hint?: string) => ({ value, text, checked: values[field] === value, ...(hint ? { hint: { text: hint } } : {}) });
    const { item } = options;
    return reply.page(
      'strategy/views/admin-item-form.njk',
      {
        title: item ? `Edit ${item.code}` : 'Create an item',
        item,
        version: options.version ?? item?.version,
        conflict: options.conflict,
        differences: options.differences ?? [],
        limits: ITEM_LIMITS,
        typeItems: [
          ...ITEM_KINDS.map((k) => radio('type', k, KIND_LABELS[k])),
          radio('type', NOT_STATED, 'Not stated', 'The source does not say'),
        ],
        areaItems: catalogue.areas.map((a) => radio('area', a.slug, a.name)),
        leadItems: checkboxes('leads', catalogue.organisations),
        partnerItems: checkboxes('partners', catalogue.organisations),
        themeItems: checkboxes('themes', catalogue.themes),
        priorityItems: checkboxes('priorities', catalogue.priorities),
        shiftItems: checkboxes('shifts', catalogue.shifts),
        governmentRoleItems: [
          ...GOVERNMENT_ROLES.map((r) => radio('governmentRole', r, GOVERNMENT_ROLE_LABELS[r].text, GOVERNMENT_ROLE_LABELS[r].hint)),
          radio('governmentRole', NOT_STATED, 'Not stated', 'The source does not say'),
        ],
        ...formState(values, byFormOrder(problems), ANCHORS),
      },
      { status: options.status ?? 200 },
    );
  };

  const retirePage = async (reply: FastifyReply, item: ItemDetail, status = 200, conflict?: string) =>
    reply.page(
      'strategy/views/admin-item-retire.njk',
      {
        title: item.status === 'retired' ? `Reinstate ${item.code}` : `Retire ${item.code}?`,
        item,
        conflict,
        reinstatedStatus: item.status === 'retired' ? await service.statusOnReinstating(item.code) : undefined,
      },
      { status },
    );

  /* ----- the list ----- */

  app.get('/admin/items', access, async (request, reply) => {
    const { q, page } = parseInput(adminItemsQuery, request.query);
    const results = await service.listItems({ q, area: [], theme: [], shift: [], lead: [], status: [], type: [] }, page, PER_PAGE);
    if (page > results.pages) throw new NotFoundError('page');
    return reply.page('strategy/views/admin-items.njk', {
      title: page > 1 ? `Items (page ${page})` : 'Items',
      q,
      results,
      paginationParams: pagination(page, results.pages, (n) => `/admin/items${queryString({ q, page: n > 1 ? n : undefined })}`, 'items'),
    });
  });

  /* ----- creating ----- */

  app.get('/admin/items/new', access, async (_request, reply) => formPage(reply, submittedValues({}), []));

  app.post('/admin/items', access, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = submittedValues(body);
    const { data, problems } = parseForm((await forms()).create, body, ITEM_FORM_LABELS);
    if (!data) {
      // A taken code is reported with the other problems, not after they are put right.
      const code = itemCodeField.safeParse(body.code);
      if (code.success && (await service.getItem(code.data))) problems.push({ field: 'code', message: `${code.data} is already the code of another item` });
      return formPage(reply, values, problems, { status: 400 });
    }
    try {
      const created = await service.createItem(actorFor(request), request.user!, data);
      return reply.flash(`${created.code} is created and published: ${created.title}`).redirect('/admin/items', 303);
    } catch (error) {
      if (error instanceof InputError) return formPage(reply, values, error.problems, { status: 400 });
      throw error;
    }
  });

  /* ----- editing ----- */

  app.get<{ Params: { code: string } }>('/admin/items/:code/edit', access, async (request, reply) => {
    const item = await itemFor(request.params.code);
    return formPage(reply, itemFormValues(item), [], { item });
  });

  app.post<{ Params: { code: string } }>('/admin/items/:code/edit', access, async (request, reply) => {
    // The item is read only to show the form again: saving reads what it needs in its transaction.
    const code = codeFor(request.params.code);
    const body = (request.body ?? {}) as Record<string, unknown>;
    // Only a form not sent from this page lacks its version: a bad request, not a question to answer.
    const { version } = parseInput(itemVersionForm, body);
    const values = { ...submittedValues(body), code };
    const { data, problems } = parseForm((await forms()).edit, body, ITEM_FORM_LABELS);
    if (!data) return formPage(reply, values, problems, { item: await itemFor(code), version, status: 400 });
    try {
      const saved = await service.updateItem(actorFor(request), request.user!, code, data, version);
      const message = saved.changed ? `${saved.code} is saved: ${saved.title}` : `You did not change anything in ${saved.code}, so nothing was saved`;
      return reply.flash(message).redirect('/admin/items', 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        // Their text stays in the form; the version it now carries is the saved one, so saving
        // again (after checking) replaces it knowingly.
        const current = await itemFor(code);
        const diff = differences(current, data);
        return formPage(reply, values, [], { item: current, status: 409, conflict: error.message, differences: diff });
      }
      // No item with this code: itemFor answers 404.
      if (error instanceof InputError) return formPage(reply, values, error.problems, { item: await itemFor(code), version, status: 400 });
      throw error;
    }
  });

  /* ----- retiring and reinstating ----- */

  app.get<{ Params: { code: string } }>('/admin/items/:code/retire', access, async (request, reply) => retirePage(reply, await itemFor(request.params.code)));

  const statusChange = (change: (code: string, version: number, request: FastifyRequest) => Promise<ItemChange>, confirmation: (c: ItemChange) => string) =>
    async (request: FastifyRequest<{ Params: { code: string } }>, reply: FastifyReply) => {
      const item = await itemFor(request.params.code);
      const { version } = parseInput(itemVersionForm, request.body ?? {});
      try {
        const changed = await change(item.code, version, request);
        return reply.flash(confirmation(changed)).redirect('/admin/items', 303);
      } catch (error) {
        if (error instanceof ConflictError) return retirePage(reply, await itemFor(item.code), 409, error.message);
        // Already retired, or not retired: the page as it is now says what can be done.
        if (error instanceof InputError) return retirePage(reply, await itemFor(item.code), 400, error.problems.map((p) => p.message).join('. '));
        throw error;
      }
    };

  app.post<{ Params: { code: string } }>(
    '/admin/items/:code/retire',
    access,
    statusChange(
      (code, version, request) => service.retireItem(actorFor(request), request.user!, code, version),
      (c) => `${c.code} is retired. It stays on the public site, tagged “Retired”.`,
    ),
  );

  app.post<{ Params: { code: string } }>(
    '/admin/items/:code/reinstate',
    access,
    statusChange(
      (code, version, request) => service.reinstateItem(actorFor(request), request.user!, code, version),
      (c) => `${c.code} is reinstated, with the status “${STATUS_LABELS[c.status ?? 'not_reported'].text}”.`,
    ),
  );
}
