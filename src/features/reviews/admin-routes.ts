// The strategy team's pages for annual reviews: the list and "open a review", a review's
// decisions with filters, the decision form for one item, the title and introduction, and
// publishing after a confirmation. A decision or an introduction saved by someone else in the
// meantime is refused (409) with the person's text kept and the saved one beside it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { actorFor } from '../accounts/routes.ts';
import { itemCodeField } from '../strategy/forms.ts';
import { FORM_LABELS, RATIONALE_MAX, SUMMARY_MAX, TITLE_MAX, YEAR_PATTERN, decisionForm, introForm, openReviewForm, progressQuery, publishForm } from './forms.ts';
import { OUTCOME_LABELS } from './labels.ts';
import { OUTCOMES, type Outcome } from './schema.ts';
import type { ReviewLine, ReviewsService } from './service.ts';

const PER_PAGE = 100;
const access = { config: { access: 'reviews.manage' as const } };

type YearParams = { Params: { year: string } };
type ItemParams = { Params: { year: string; code: string } };

/** The year a URL names, or a 404: only four digits can name a review. */
export function yearFrom(raw: string): number {
  if (!YEAR_PATTERN.test(raw)) throw new NotFoundError('review');
  return Number(raw);
}

function codeFrom(raw: string): string {
  const code = itemCodeField.safeParse(raw);
  if (!code.success) throw new NotFoundError('item');
  return code.data;
}

const text = (body: Record<string, unknown>, field: string) => (typeof body[field] === 'string' ? body[field] : '');

export async function reviewAdminRoutes(app: FastifyInstance, { reviews }: { reviews: ReviewsService }): Promise<void> {
  app.views.addGlobal('reviewLabels', { outcome: OUTCOME_LABELS });

  /* ----- the list, and opening a review ----- */

  const listPage = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown> = {}, problems: FieldProblem[] = [], status = 200) => {
    const { reviews: entries, years, nextYear } = await reviews.list(request.user!);
    return reply.page(
      'reviews/views/admin-reviews.njk',
      { title: 'Annual reviews', entries, years, nextYear, ...formState({ year: values.year ?? (nextYear ? String(nextYear) : '') }, problems) },
      { status },
    );
  };

  app.get('/admin/reviews', access, async (request, reply) => listPage(request, reply));

  app.post('/admin/reviews', access, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { year: text(body, 'year') };
    const { data, problems } = parseForm(openReviewForm, body);
    if (!data) return listPage(request, reply, values, problems, 400);
    try {
      const review = await reviews.open(actorFor(request), request.user!, data.year);
      reply.flash(`The ${review.year} review is open. Record a decision on each item, then publish it.`);
      return reply.redirect(`/admin/reviews/${review.year}`, 303);
    } catch (error) {
      if (error instanceof InputError) return listPage(request, reply, values, error.problems, 400);
      throw error;
    }
  });

  /* ----- one review: its decisions so far ----- */

  app.get<YearParams>('/admin/reviews/:year', access, async (request, reply) => {
    const year = yearFrom(request.params.year);
    const query = parseInput(progressQuery, request.query);
    const { review, lines } = await reviews.review(request.user!, year);
    const toDecide = lines.filter((l) => l.needsDecision);
    const count = (outcome: Outcome) => lines.filter((l) => l.decision?.outcome === outcome).length;
    const undecided = toDecide.filter((l) => !l.decision).length;
    const matches = (l: ReviewLine) =>
      query.outcome === undefined ? true : query.outcome === 'undecided' ? l.needsDecision && !l.decision : l.decision?.outcome === query.outcome;
    const shown = lines.filter(matches);
    const pages = Math.max(1, Math.ceil(shown.length / PER_PAGE));
    if (query.page > pages) throw new NotFoundError('page');
    const href = (outcome: string | undefined, page?: number) => `/admin/reviews/${year}${queryString({ outcome, page: page && page > 1 ? page : undefined })}`;
    const filterLabel = query.outcome === undefined ? 'All items' : query.outcome === 'undecided' ? 'No decision yet' : OUTCOME_LABELS[query.outcome].text;
    return reply.page('reviews/views/admin-review.njk', {
      title: `The ${year} review`,
      review,
      lines: shown.slice((query.page - 1) * PER_PAGE, query.page * PER_PAGE),
      shownCount: shown.length,
      filterLabel,
      decided: toDecide.length - undecided,
      toDecide: toDecide.length,
      undecided,
      filters: [
        { label: 'All items', count: lines.length, href: href(undefined), current: query.outcome === undefined },
        ...OUTCOMES.map((o) => ({ label: OUTCOME_LABELS[o].text, count: count(o), href: href(o), current: query.outcome === o })),
        { label: 'No decision yet', count: undecided, href: href('undecided'), current: query.outcome === 'undecided' },
      ],
      paginationParams: pagination(query.page, pages, (n) => href(query.outcome, n), 'items'),
    });
  });

  /* ----- the decision on one item ----- */

  const decisionPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    year: number,
    code: string,
    options: { values?: Record<string, string>; problems?: FieldProblem[]; status?: number; conflict?: string } = {},
  ) => {
    const { review, line, newRule } = await reviews.line(request.user!, year, code);
    const saved = line.decision;
    const values = options.values ?? { outcome: saved?.outcome ?? '', rationale: saved?.rationale ?? '' };
    const outcomeItems = OUTCOMES.filter((o) => o !== 'new' || newRule.allowed || values.outcome === 'new').map((o) => ({
      value: o,
      text: OUTCOME_LABELS[o].text,
      hint: { text: OUTCOME_LABELS[o].hint },
      checked: values.outcome === o,
    }));
    return reply.page(
      'reviews/views/admin-decision.njk',
      {
        title: `${line.code}: decision in the ${year} review`,
        review,
        line,
        newRule,
        saved,
        // On a conflict the form carries the saved version, so saving again replaces it knowingly.
        version: saved?.version ?? '',
        conflict: options.conflict,
        outcomeItems,
        limits: { rationale: RATIONALE_MAX },
        ...formState(values, options.problems ?? []),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<ItemParams>('/admin/reviews/:year/items/:code', access, async (request, reply) =>
    decisionPage(request, reply, yearFrom(request.params.year), codeFrom(request.params.code)),
  );

  app.post<ItemParams>('/admin/reviews/:year/items/:code', access, async (request, reply) => {
    const year = yearFrom(request.params.year);
    const code = codeFrom(request.params.code);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { outcome: text(body, 'outcome'), rationale: text(body, 'rationale') };
    const { data, problems } = parseForm(decisionForm, body, FORM_LABELS);
    try {
      if (!data) return await decisionPage(request, reply, year, code, { values, problems, status: 400 });
      const version = data.version === '' || data.version === undefined ? undefined : data.version;
      await reviews.decide(actorFor(request), request.user!, year, code, { outcome: data.outcome, rationale: data.rationale }, version);
      reply.flash(`Your decision on ${code} is saved: ${OUTCOME_LABELS[data.outcome].text}.`);
      return reply.redirect(`/admin/reviews/${year}`, 303);
    } catch (error) {
      if (error instanceof InputError) return decisionPage(request, reply, year, code, { values, problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return decisionPage(request, reply, year, code, { values, status: 409, conflict: error.message });
      throw error;
    }
  });

  /* ----- the title and introduction ----- */

  const introPage = async (request: FastifyRequest, reply: FastifyReply, year: number, options: { values?: Record<string, string>; problems?: FieldProblem[]; status?: number; conflict?: string } = {}) => {
    const { review } = await reviews.review(request.user!, year);
    if (review.state === 'published' && !options.conflict) throw new NotFoundError('page');
    return reply.page(
      'reviews/views/admin-intro.njk',
      {
        title: `Title and introduction of the ${year} review`,
        review,
        conflict: options.conflict,
        limits: { title: TITLE_MAX, summary: SUMMARY_MAX },
        ...formState(options.values ?? { title: review.title, summary: review.summary }, options.problems ?? []),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<YearParams>('/admin/reviews/:year/intro', access, async (request, reply) => introPage(request, reply, yearFrom(request.params.year)));

  app.post<YearParams>('/admin/reviews/:year/intro', access, async (request, reply) => {
    const year = yearFrom(request.params.year);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { title: text(body, 'title'), summary: text(body, 'summary') };
    const { data, problems } = parseForm(introForm, body, FORM_LABELS);
    if (!data) return introPage(request, reply, year, { values, problems, status: 400 });
    try {
      await reviews.updateIntro(actorFor(request), request.user!, year, { title: data.title, summary: data.summary }, data.version);
      reply.flash(`The title and introduction of the ${year} review are saved.`);
      return reply.redirect(`/admin/reviews/${year}`, 303);
    } catch (error) {
      if (error instanceof InputError) return introPage(request, reply, year, { values, problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return introPage(request, reply, year, { values, status: 409, conflict: error.message });
      throw error;
    }
  });

  /* ----- publishing ----- */

  const publishPage = async (request: FastifyRequest, reply: FastifyReply, year: number, options: { problems?: FieldProblem[]; status?: number; conflict?: string } = {}) => {
    const { review, lines } = await reviews.review(request.user!, year);
    if (review.state === 'published' && !options.conflict) return reply.redirect(`/admin/reviews/${year}`, 303);
    const undecided = lines.filter((l) => l.needsDecision && !l.decision);
    // Each item still to decide links to its decision form.
    const errorList = (options.problems ?? []).map((p) => ({ text: p.message, href: `/admin/reviews/${year}/items/${encodeURIComponent(p.field)}` }));
    return reply.page(
      'reviews/views/admin-publish.njk',
      {
        title: undecided.length ? `The ${year} review cannot be published yet` : `Are you sure you want to publish the ${year} review?`,
        review,
        undecided,
        items: lines.length,
        decided: lines.filter((l) => l.decision).length,
        conflict: options.conflict,
        errorList,
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<YearParams>('/admin/reviews/:year/publish', access, async (request, reply) => publishPage(request, reply, yearFrom(request.params.year)));

  app.post<YearParams>('/admin/reviews/:year/publish', access, async (request, reply) => {
    const year = yearFrom(request.params.year);
    // Only a form not sent from the confirmation page lacks the version.
    const { version } = parseInput(publishForm, request.body ?? {});
    try {
      const review = await reviews.publish(actorFor(request), request.user!, year, version);
      reply.flash(`The ${review.year} review is published. Its figures and decisions are now public at /reviews/${review.year}.`);
      return reply.redirect(`/admin/reviews/${year}`, 303);
    } catch (error) {
      if (error instanceof InputError) return publishPage(request, reply, year, { problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return publishPage(request, reply, year, { status: 409, conflict: error.message });
      throw error;
    }
  });
}
