// The drafting pipeline's pages (signed-in, under /drafting): the board, my groups' drafts, a
// new draft, editing (a new version), submitting, the draft page, version differences, the
// evidence review, comments and the steering group's decision. Routes parse and render; the
// service decides who may do what and refuses, with a reason, what the state does not allow.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LEVER_KINDS } from '../../model/types.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { actorFor } from '../accounts/routes.ts';
import type { StrategyService } from '../strategy/service.ts';
import { LEVER_LABELS } from '../workforce/labels.ts';
import { LEVER_FIELD } from '../workforce/lever-form.ts';
import { leverInWords, signedNumber } from '../workforce/labels.ts';
import type { WorkforceService } from '../workforce/service.ts';
import { versionDifferences } from './differences.ts';
import {
  DECISION_LABELS,
  REVIEW_LABELS,
  VERSION_LABELS,
  boardQuery,
  changesQuery,
  commentForm,
  decisionForm,
  draftIdParams,
  leverValues,
  leversFromForm,
  newDraftForm,
  newDraftQuery,
  pickLeverValues,
  reviewForm,
  versionForm,
  versionOnlyForm,
} from './forms.ts';
import { DRAFT_STATE_LABELS, OUTCOME_LABELS, RECOMMENDATION_LABELS, STRENGTH_LABELS } from './labels.ts';
import { DECISION_OUTCOMES, EVIDENCE_STRENGTHS, REVIEW_RECOMMENDATIONS } from './schema.ts';
import { SHOWN_STATES, type DraftingService, type VersionInput } from './service.ts';

const PER_PAGE = 25;

export async function draftingRoutes(app: FastifyInstance, { drafting, strategy, workforce }: { drafting: DraftingService; strategy: StrategyService; workforce: WorkforceService }): Promise<void> {
  app.views.addGlobal('draftingLabels', { state: DRAFT_STATE_LABELS, outcome: OUTCOME_LABELS, strength: STRENGTH_LABELS, recommendation: RECOMMENDATION_LABELS });
  const view = { config: { access: 'drafting.view' as const } };
  const draftAccess = { config: { access: 'drafting.draft' as const } };
  const reviewAccess = { config: { access: 'drafting.review' as const } };
  const commentAccess = { config: { access: 'drafting.comment' as const } };
  const decideAccess = { config: { access: 'drafting.decide' as const } };

  const idOf = (request: FastifyRequest) => {
    const parsed = draftIdParams.safeParse(request.params);
    if (!parsed.success) throw new NotFoundError('draft');
    return parsed.data.id;
  };
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const text = (b: Record<string, unknown>, k: string) => (typeof b[k] === 'string' ? b[k] : '');
  const many = (b: Record<string, unknown>, k: string) => ([] as unknown[]).concat(b[k] ?? []).filter((v): v is string => typeof v === 'string');

  /* ----- the board and my groups ----- */

  app.get('/drafting', view, async (request, reply) => {
    const query = parseInput(boardQuery, request.query);
    const board = await drafting.board({ group: query.group, state: query.state, page: query.page, perPage: PER_PAGE });
    const pages = Math.max(1, Math.ceil(board.total / PER_PAGE));
    if (query.page > pages) throw new NotFoundError('page');
    const filters = { group: query.group || undefined, state: query.state || undefined };
    return reply.page('drafting/views/board.njk', {
      title: 'Drafting pipeline',
      board,
      states: SHOWN_STATES.map((s) => ({ state: s, label: DRAFT_STATE_LABELS[s].text })),
      query,
      groupItems: [{ value: '', text: 'All working groups' }, ...board.groups.map((g) => ({ value: g.slug, text: g.name, selected: g.slug === query.group }))],
      stateItems: [{ value: '', text: 'Every state' }, ...SHOWN_STATES.map((s) => ({ value: s, text: DRAFT_STATE_LABELS[s].text, selected: s === query.state }))],
      filtered: !!(query.group || query.state),
      myGroups: (await drafting.groupsOf(request.user!)).length > 0,
      paginationParams: pagination(query.page, pages, (n) => `/drafting${queryString({ ...filters, page: n > 1 ? n : undefined })}`, 'drafts'),
    });
  });

  app.get('/drafting/mine', draftAccess, async (request, reply) => {
    return reply.page('drafting/views/mine.njk', { title: 'Your working groups’ drafts', groups: await drafting.myGroups(request.user!) });
  });

  /* ----- new draft and new versions ----- */

  const versionInput = (data: { title: string; rationale: string; leads: string[]; area: string; themes: string[]; targetText: string }): VersionInput => ({
    title: data.title,
    rationale: data.rationale,
    leads: data.leads,
    area: data.area,
    themes: data.themes,
    targetText: data.targetText,
  });
  const typedVersion = (b: Record<string, unknown>) => ({
    title: text(b, 'title'),
    rationale: text(b, 'rationale'),
    leads: many(b, 'leads'),
    area: text(b, 'area'),
    themes: many(b, 'themes'),
    targetText: text(b, 'targetText'),
    version: text(b, 'version'),
    group: text(b, 'group'),
  });

  const formPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { draftId?: number; values: Record<string, unknown>; problems?: FieldProblem[]; conflict?: string; status?: number },
  ) => {
    const catalogue = await strategy.catalogue();
    const values = options.values as ReturnType<typeof typedVersion>;
    const groups = options.draftId ? [] : await drafting.groupsOf(request.user!);
    const page = options.draftId ? await drafting.draftPage(request.user!, options.draftId) : undefined;
    return reply.page(
      'drafting/views/draft-form.njk',
      {
        title: page ? `Edit: ${page.current.title}` : 'Start a draft recommendation',
        page,
        conflict: options.conflict,
        groupItems: groups.map((g) => ({ value: g.slug, text: g.name, checked: values.group === g.slug || groups.length === 1 })),
        areaItems: [{ value: '', text: 'Choose an area' }, ...catalogue.areas.map((a) => ({ value: a.slug, text: a.name, selected: values.area === a.slug }))],
        leadItems: catalogue.organisations.map((o) => ({ value: o.slug, text: o.name, checked: values.leads.includes(o.slug) })),
        themeItems: catalogue.themes.map((t) => ({ value: t.slug, text: t.name, checked: values.themes.includes(t.slug) })),
        ...formState(values, options.problems ?? [], { leads: 'leads', themes: 'themes', group: 'group' }),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get('/drafting/new', draftAccess, async (request, reply) => {
    const query = parseInput(newDraftQuery, request.query);
    if ((await drafting.groupsOf(request.user!)).length === 0) return reply.redirect('/drafting/mine', 303);
    return formPage(request, reply, { values: { ...typedVersion({}), group: query.group } });
  });

  app.post('/drafting/new', draftAccess, async (request, reply) => {
    const values = typedVersion(body(request));
    const { data, problems } = parseForm(newDraftForm, body(request), VERSION_LABELS);
    if (!data) return formPage(request, reply, { values, problems, status: 400 });
    try {
      const draft = await drafting.createDraft(actorFor(request), request.user!, data.group, versionInput(data));
      reply.flash(`Your draft “${data.title}” is saved as version 1. Submit it to the evidence workstream when it is ready.`);
      return reply.redirect(`/drafting/${draft.id}`, 303);
    } catch (error) {
      if (error instanceof InputError) return formPage(request, reply, { values, problems: error.problems, status: 400 });
      throw error;
    }
  });

  app.get('/drafting/:id/edit', draftAccess, async (request, reply) => {
    const id = idOf(request);
    const page = await drafting.draftPage(request.user!, id);
    const v = page.current;
    return formPage(request, reply, {
      draftId: id,
      values: { title: v.title, rationale: v.rationale, leads: v.leads.map((o) => o.slug), area: v.area?.slug ?? '', themes: v.themes.map((t) => t.slug), targetText: v.targetText, version: String(page.draft.version), group: '' },
    });
  });

  app.post('/drafting/:id/edit', draftAccess, async (request, reply) => {
    const id = idOf(request);
    const values = typedVersion(body(request));
    const { data, problems } = parseForm(versionForm, body(request), VERSION_LABELS);
    if (!data || data.version === '' || data.version === undefined) return formPage(request, reply, { draftId: id, values, problems: problems.length ? problems : [{ field: 'title', message: 'Open the draft again to edit it' }], status: 400 });
    try {
      const { saved, draft } = await drafting.saveVersion(actorFor(request), request.user!, id, versionInput(data), data.version);
      reply.flash(saved ? `Version ${draft.currentVersion} is saved.` : 'Nothing had changed, so no new version was saved.');
      return reply.redirect(`/drafting/${id}`, 303);
    } catch (error) {
      if (error instanceof InputError) return formPage(request, reply, { draftId: id, values, problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return formPage(request, reply, { draftId: id, values, conflict: error.message, status: 409 });
      throw error;
    }
  });

  /* ----- submitting ----- */

  const submitPage = async (request: FastifyRequest, reply: FastifyReply, id: number, problems: FieldProblem[] = [], status = 200) => {
    const page = await drafting.draftPage(request.user!, id);
    // Problems concern the draft's fields: each links to them on the edit page.
    const errorList = problems.map((p) => ({ text: p.message, href: p.field === 'draft' ? '#main-content' : `/drafting/${id}/edit#${p.field}` }));
    return reply.page('drafting/views/submit.njk', { title: `Submit: ${page.current.title}`, page, errorList, problems }, { status });
  };

  app.get('/drafting/:id/submit', draftAccess, async (request, reply) => submitPage(request, reply, idOf(request)));

  app.post('/drafting/:id/submit', draftAccess, async (request, reply) => {
    const id = idOf(request);
    const { data } = parseForm(versionOnlyForm, body(request));
    if (!data) return submitPage(request, reply, id, [{ field: 'draft', message: 'Open the draft again to submit it' }], 400);
    try {
      await drafting.submit(actorFor(request), request.user!, id, data.version);
    } catch (error) {
      if (error instanceof InputError) return submitPage(request, reply, id, error.problems, 400);
      throw error;
    }
    reply.flash('Your draft is submitted to the evidence workstream.');
    return reply.redirect(`/drafting/${id}`, 303);
  });

  /* ----- the draft page, with comments ----- */

  const draftPage = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: { problems?: FieldProblem[]; comment?: string; status?: number } = {}) => {
    const page = await drafting.draftPage(request.user!, id);
    return reply.page(
      'drafting/views/draft.njk',
      {
        title: page.current.title,
        page,
        reviews: page.reviews.map((r) => ({ ...r, leverWords: r.levers.map(leverInWords), worthText: r.worth && { without: r.worth.without.toLocaleString('en-GB', { maximumFractionDigits: 0 }), with: r.worth.with.toLocaleString('en-GB', { maximumFractionDigits: 0 }), change: signedNumber(r.worth.change) } })),
        ...formState({ body: extra.comment ?? '' }, extra.problems ?? [], { draft: 'main-content' }),
      },
      { status: extra.status ?? 200 },
    );
  };

  app.get('/drafting/:id', view, async (request, reply) => draftPage(request, reply, idOf(request)));

  app.post('/drafting/:id/comments', commentAccess, async (request, reply) => {
    const id = idOf(request);
    const { data, problems } = parseForm(commentForm, body(request), { body: 'Comment' });
    if (!data) return draftPage(request, reply, id, { problems, comment: text(body(request), 'body'), status: 400 });
    await drafting.comment(actorFor(request), request.user!, id, data.body);
    reply.flash('Your comment is added.');
    return reply.redirect(`/drafting/${id}#comments`, 303);
  });

  /* ----- version differences ----- */

  app.get('/drafting/:id/changes', view, async (request, reply) => {
    const id = idOf(request);
    const query = parseInput(changesQuery, request.query);
    const { draft, group, versions } = await drafting.versionsOf(id);
    const latest = versions.length;
    const to = Math.min(query.to ?? latest, latest);
    const from = Math.min(query.from ?? Math.max(1, to - 1), latest);
    const before = versions[from - 1]!;
    const after = versions[to - 1]!;
    return reply.page('drafting/views/changes.njk', {
      title: `What changed: ${after.title}`,
      draft,
      group,
      before,
      after,
      differences: versionDifferences(before, after),
      fromItems: versions.map((v) => ({ value: String(v.number), text: `Version ${v.number}`, selected: v.number === from })),
      toItems: versions.map((v) => ({ value: String(v.number), text: `Version ${v.number}`, selected: v.number === to })),
      single: latest === 1,
    });
  });

  /* ----- the evidence review ----- */

  app.post('/drafting/:id/review/start', reviewAccess, async (request, reply) => {
    const id = idOf(request);
    const { data } = parseForm(versionOnlyForm, body(request));
    try {
      if (!data) throw new InputError([{ field: 'draft', message: 'Open the draft again to take it into review' }]);
      await drafting.startReview(actorFor(request), request.user!, id, data.version);
    } catch (error) {
      if (error instanceof InputError) return draftPage(request, reply, id, { problems: error.problems, status: 400 });
      throw error;
    }
    reply.flash('The draft is under review. Record the review when it is done.');
    return reply.redirect(`/drafting/${id}/review`, 303);
  });

  const yearsFor = async () => {
    const range = await workforce.yearRange();
    return range ? { first: range.baseYear + 1, last: range.last } : { first: 2025, last: 2050 };
  };

  const reviewPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    options: { values?: Record<string, unknown>; problems?: FieldProblem[]; conflict?: string; status?: number; tested?: Awaited<ReturnType<DraftingService['testLevers']>> | null } = {},
  ) => {
    const page = await drafting.draftPage(request.user!, id);
    const years = await yearsFor();
    const values = options.values ?? { version: String(page.draft.version), strength: '', analysis: '', costText: '', costPerYear: '', testingNotes: '', recommendation: '', ...leverValues([], Math.max(years.first, 2026)) };
    return reply.page(
      'drafting/views/review-form.njk',
      {
        title: `Review: ${page.current.title}`,
        page,
        conflict: options.conflict,
        strengthItems: EVIDENCE_STRENGTHS.map((s) => ({ value: s, text: STRENGTH_LABELS[s].text, hint: { text: STRENGTH_LABELS[s].hint }, checked: values.strength === s })),
        recommendationItems: REVIEW_RECOMMENDATIONS.map((r) => ({ value: r, text: RECOMMENDATION_LABELS[r].text, hint: { text: RECOMMENDATION_LABELS[r].hint }, checked: values.recommendation === r })),
        levers: LEVER_KINDS.map((k) => ({ prefix: LEVER_FIELD[k], name: LEVER_LABELS[k].name, hint: LEVER_LABELS[k].hint, unit: LEVER_LABELS[k].unit })),
        tested: options.tested,
        testedText: options.tested && { without: options.tested.without.toLocaleString('en-GB', { maximumFractionDigits: 0 }), with: options.tested.with.toLocaleString('en-GB', { maximumFractionDigits: 0 }), change: signedNumber(options.tested.change), levers: options.tested.levers.map(leverInWords) },
        ...formState(values, options.problems ?? [], { strength: 'strength', recommendation: 'recommendation' }),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get('/drafting/:id/review', reviewAccess, async (request, reply) => {
    const id = idOf(request);
    const page = await drafting.draftPage(request.user!, id);
    if (page.draft.state !== 'under_review') {
      return draftPage(request, reply, id, { problems: [{ field: 'draft', message: page.draft.state === 'submitted' ? 'Take the draft into review first.' : 'This draft is not under review, so there is no review to record.' }], status: 400 });
    }
    return reviewPage(request, reply, id);
  });

  app.post('/drafting/:id/review', reviewAccess, async (request, reply) => {
    const id = idOf(request);
    const b = body(request);
    const leverTyped = pickLeverValues(b);
    const values = { ...Object.fromEntries(['version', 'strength', 'analysis', 'costText', 'costPerYear', 'testingNotes', 'recommendation'].map((k) => [k, text(b, k)])), ...leverTyped };
    const levers = leversFromForm(leverTyped, await yearsFor());
    if (text(b, 'action') === 'test') {
      // Only the levers are read: the rest of the form comes back as typed, nothing saved.
      if (levers.problems.length) return reviewPage(request, reply, id, { values, problems: levers.problems, status: 400 });
      try {
        return await reviewPage(request, reply, id, { values, tested: levers.levers.length ? await drafting.testLevers(levers.levers) : null });
      } catch (error) {
        if (error instanceof InputError) return reviewPage(request, reply, id, { values, problems: error.problems, status: 400 });
        throw error;
      }
    }
    const { data, problems } = parseForm(reviewForm, b, REVIEW_LABELS);
    if (!data || levers.problems.length) return reviewPage(request, reply, id, { values, problems: [...problems, ...levers.problems], status: 400 });
    try {
      await drafting.completeReview(actorFor(request), request.user!, id, data.version, { ...data, levers: levers.levers });
    } catch (error) {
      if (error instanceof InputError) return reviewPage(request, reply, id, { values, problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return reviewPage(request, reply, id, { values, conflict: error.message, status: 409 });
      throw error;
    }
    reply.flash('The evidence review is recorded. The draft is ready for the steering group.');
    return reply.redirect(`/drafting/${id}`, 303);
  });

  /* ----- the steering group's decision ----- */

  const decisionPage = async (request: FastifyRequest, reply: FastifyReply, id: number, options: { values?: Record<string, unknown>; problems?: FieldProblem[]; conflict?: string; status?: number } = {}) => {
    const page = await drafting.draftPage(request.user!, id);
    const meetings = await drafting.decisionMeetings();
    const values = options.values ?? { version: String(page.draft.version), meeting: '', outcome: '', reasons: '', code: (await drafting.suggestedCode(id)) ?? '' };
    return reply.page(
      'drafting/views/decision-form.njk',
      {
        title: `Record a decision: ${page.current.title}`,
        page,
        meetings,
        conflict: options.conflict,
        meetingItems: [{ value: '', text: 'Choose a meeting' }, ...meetings.map((m) => ({ value: String(m.id), text: `${m.bodyName}: ${m.title}`, selected: String(values.meeting) === String(m.id) }))],
        outcomeItems: DECISION_OUTCOMES.map((o) => ({ value: o, text: OUTCOME_LABELS[o].text, hint: { text: OUTCOME_LABELS[o].hint }, checked: values.outcome === o })),
        ...formState(values, options.problems ?? [], { outcome: 'outcome', draft: 'main-content' }),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get('/drafting/:id/decision', decideAccess, async (request, reply) => {
    const id = idOf(request);
    const page = await drafting.draftPage(request.user!, id);
    if (!page.actions.decide) {
      if (page.draft.state !== 'reviewed') return draftPage(request, reply, id, { problems: [{ field: 'draft', message: page.draft.state === 'decided' ? 'This draft has already been decided.' : 'This draft has not been reviewed by the evidence workstream' }], status: 400 });
      throw new ForbiddenError('Only the strategy team and the chair or co-chairs of the steering group can record decisions on drafts.');
    }
    return decisionPage(request, reply, id);
  });

  app.post('/drafting/:id/decision', decideAccess, async (request, reply) => {
    const id = idOf(request);
    const b = body(request);
    const values = Object.fromEntries(['version', 'meeting', 'outcome', 'reasons', 'code'].map((k) => [k, text(b, k)]));
    const { data, problems } = parseForm(decisionForm, b, DECISION_LABELS);
    if (!data) return decisionPage(request, reply, id, { values, problems, status: 400 });
    try {
      const { itemCode } = await drafting.decide(actorFor(request), request.user!, id, data.version, { meetingId: data.meeting, outcome: data.outcome, reasons: data.reasons, code: data.code });
      reply.flash(
        data.outcome === 'accept'
          ? `The draft is accepted: it is now recommendation ${itemCode}, public at /recommendations/${itemCode}.`
          : data.outcome === 'send_back'
            ? 'The draft is sent back to its working group to revise.'
            : 'The draft is rejected.',
      );
      return reply.redirect(`/drafting/${id}`, 303);
    } catch (error) {
      if (error instanceof InputError) return decisionPage(request, reply, id, { values, problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return decisionPage(request, reply, id, { values, conflict: error.message, status: 409 });
      throw error;
    }
  });
}
