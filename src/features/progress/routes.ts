// Reporting pages for organisations (/report), the strategy team's review queue
// (/admin/updates), evidence file downloads (/evidence), and the public timeline of an item's
// published updates in the API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cleanFilename, attachmentDisposition } from '../../platform/files/file-types.ts';
import { denied } from '../../platform/http/access.ts';
import { ConflictError, ForbiddenError, NotFoundError, pathId } from '../../platform/http/errors.ts';
import { acceptUploads } from '../../platform/http/uploads.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { pagination } from '../../platform/http/pagination.ts';
import { InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { renderMarkdown } from '../../platform/text/markdown.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { actorFor } from '../accounts/routes.ts';
import { organisationInScope } from '../accounts/scope.ts';
import { itemCodeParams } from '../strategy/forms.ts';
import { STATUS_LABELS } from '../strategy/labels.ts';
import type { OrganisationRecord } from '../strategy/repository.ts';
import type { StrategyService } from '../strategy/service.ts';
import { EVIDENCE_ACCEPT, EVIDENCE_KINDS_TEXT, EVIDENCE_LIMITS_TEXT, type EvidenceFile } from './evidence.ts';
import { checkEvidenceFiles, evidenceText, queueQuery, reviewForm, updateForm } from './forms.ts';
import { CONFIDENCE_LABELS, STATE_LABELS, TASK_LABELS } from './labels.ts';
import { CONFIDENCES, EVIDENCE_CONTENT_TYPES, MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_FILES, REPORTED_STATUSES, UPDATE_STATES } from './schema.ts';
import type { ProgressService } from './service.ts';
import { cycleWindow, type CyclesService } from './cycles.ts';

const PER_PAGE = 50;

const timelineResponse = z
  .object({
    item: z.string(),
    data: z.array(
      z.object({
        id: z.number().int(),
        published_at: z.string(),
        organisation: z.object({ slug: z.string(), name: z.string() }),
        status: z.enum(REPORTED_STATUSES),
        confidence: z.enum(CONFIDENCES).nullable(),
        summary: z.string(),
        narrative: z.string().describe('Markdown, as written'),
        evidence: z.array(z.object({ title: z.string(), url: z.string() })),
        files: z
          .array(
            z.object({
              name: z.string(),
              type: z.enum(EVIDENCE_CONTENT_TYPES).describe('The media type, found from the file’s contents'),
              size: z.number().int().describe('Bytes'),
              url: z.string().describe('Where to download it, on this site'),
            }),
          )
          .describe('Evidence files attached to the update'),
        milestones: z.string(),
      }),
    ),
  })
  .meta({ id: 'ItemUpdates' });

export async function progressRoutes(
  app: FastifyInstance,
  { progress, cycles, strategy, openapi }: { progress: ProgressService; cycles: CyclesService; strategy: StrategyService; openapi: OpenApiRegistry },
): Promise<void> {
  app.views.addGlobal('progressLabels', { confidence: CONFIDENCE_LABELS, state: STATE_LABELS, task: TASK_LABELS });
  // Only this feature's routes take multipart bodies, and only those that say so.
  await acceptUploads(app);


  const updateId = (raw: string) => pathId(raw, 'update');

  /* ----- organisations report ----- */

  app.get('/report', { config: { access: 'progress.report' } }, async (request, reply) => {
    const user = request.user!;
    if (user.organisationId) {
      const organisation = (await strategy.catalogue()).organisationById.get(user.organisationId);
      if (organisation) return reply.redirect(`/report/${organisation.slug}`, 303);
    }
    // The strategy team reports for no organisation of its own: its work is the review queue.
    return reply.redirect('/admin/updates', 303);
  });

  app.get<{ Params: { organisation: string } }>('/report/:organisation', { config: { access: 'progress.report' } }, async (request, reply) => {
    const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'progress.report');
    const cycle = await cycles.current();
    const tasks = await progress.tasks(request.user!, organisation.id, cycle && { window: cycleWindow(cycle), overdue: cycle.phase === 'overdue' });
    const done = tasks.filter((t) => t.state === 'submitted' || t.state === 'published').length;
    const overdue = tasks.filter((t) => t.overdue).length;
    const nextCycle = cycle ? undefined : await cycles.next();
    return reply.page('progress/views/tasks.njk', { title: `Report progress: ${organisation.name}`, organisation, tasks, done, cycle, nextCycle, overdue });
  });

  const formPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    organisation: OrganisationRecord,
    code: string,
    options: { values?: Record<string, unknown>; problems?: FieldProblem[]; status?: number; conflict?: string } = {},
  ) => {
    const { item, update, files } = await progress.openUpdate(request.user!, code, organisation.id);
    const values = options.values ?? {
      status: update?.status ?? '',
      confidence: update?.confidence ?? '',
      summary: update?.summary ?? '',
      narrative: update?.narrative ?? '',
      evidence: evidenceText(update?.evidence ?? []),
      milestones: update?.milestones ?? '',
      version: update?.version ?? '',
      remove: [],
    };
    const removing = new Set(([] as unknown[]).concat(values.remove ?? []).map(String));
    return reply.page(
      'progress/views/update-form.njk',
      {
        title: `Progress on ${item.code}`,
        organisation,
        item,
        update,
        conflict: options.conflict,
        // On a conflict, what is saved now, beside what they typed.
        current: options.conflict && update ? { ...update, evidenceText: evidenceText(update.evidence) } : undefined,
        statusItems: REPORTED_STATUSES.map((s) => ({ value: s, text: STATUS_LABELS[s].text, checked: values.status === s })),
        confidenceItems: CONFIDENCES.map((c) => ({ value: c, text: CONFIDENCE_LABELS[c].text, hint: { text: CONFIDENCE_LABELS[c].hint }, checked: values.confidence === c })),
        files: files.map((f: EvidenceFile) => ({ ...f, removing: removing.has(String(f.id)) })),
        upload: { accept: EVIDENCE_ACCEPT, hint: `${EVIDENCE_KINDS_TEXT}. ${EVIDENCE_LIMITS_TEXT}`, room: Math.max(0, MAX_EVIDENCE_FILES - files.length) },
        ...formState(values, options.problems ?? []),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<{ Params: { organisation: string; code: string } }>('/report/:organisation/items/:code', { config: { access: 'progress.report' } }, async (request, reply) => {
    const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'progress.report');
    const code = parseInput(itemCodeParams, { code: request.params.code }).code.toUpperCase();
    try {
      return await formPage(request, reply, organisation, code);
    } catch (error) {
      if (error instanceof InputError) throw new NotFoundError('item');
      throw error;
    }
  });

  // The form is multipart (it carries files); a browser cannot fill a file input again, so
  // when the form comes back (a problem, a conflict) it says the chosen files were not saved.
  const uploadLimits = { field: 'files', maxFiles: MAX_EVIDENCE_FILES, maxFileBytes: MAX_EVIDENCE_FILE_BYTES };
  app.post<{ Params: { organisation: string; code: string } }>('/report/:organisation/items/:code', { config: { access: 'progress.report', uploads: uploadLimits } }, async (request, reply) => {
    const organisation = await organisationInScope(strategy, request.user, request.params.organisation, 'progress.report');
    const code = parseInput(itemCodeParams, { code: request.params.code }).code.toUpperCase();
    const body = (request.body ?? {}) as Record<string, unknown>;
    const typed: Record<string, unknown> = Object.fromEntries(['status', 'confidence', 'summary', 'narrative', 'evidence', 'milestones', 'version'].map((k) => [k, typeof body[k] === 'string' ? body[k] : '']));
    typed.remove = body.remove ?? [];
    const { data, problems } = parseForm(updateForm, body);
    const uploads = checkEvidenceFiles(request.uploads);
    const chosen = (request.uploads?.files ?? []).map((f) => cleanFilename(f.filename));
    const notSaved = (more: FieldProblem[]): FieldProblem[] =>
      chosen.length ? [...more, { field: 'files', message: `Nothing was saved, so choose your files again: ${chosen.join(', ')}` }] : more;
    try {
      if (!data || uploads.problems.length) return await formPage(request, reply, organisation, code, { values: typed, problems: notSaved([...problems, ...uploads.problems]), status: 400 });
      const submit = data.action === 'submit';
      await progress.save(
        actorFor(request),
        request.user!,
        code,
        organisation.id,
        {
          status: data.status || null,
          confidence: data.confidence || null,
          summary: data.summary,
          narrative: data.narrative,
          evidence: data.evidence,
          milestones: data.milestones,
        },
        data.version === '' || data.version === undefined ? undefined : data.version,
        submit,
        { add: uploads.files, remove: data.remove },
      );
      const count = (n: number, done: string) => (n ? ` ${n} ${n === 1 ? 'file was' : 'files were'} ${done}.` : '');
      const filesNote = count(uploads.files.length, 'added') + count(data.remove.length, 'removed');
      reply.flash(submit ? `Your update on ${code} is submitted.${filesNote} The strategy team will publish it or return it with comments.` : `Your draft update on ${code} is saved.${filesNote}`);
      return reply.redirect(submit ? `/report/${organisation.slug}` : `/report/${organisation.slug}/items/${code}`, 303);
    } catch (error) {
      if (error instanceof InputError) return formPage(request, reply, organisation, code, { values: typed, problems: notSaved(error.problems), status: 400 });
      if (error instanceof ConflictError) return formPage(request, reply, organisation, code, { values: typed, problems: notSaved([]), status: 409, conflict: error.message });
      throw error;
    }
  });

  /* ----- the strategy team verifies ----- */

  app.get('/admin/updates', { config: { access: 'progress.verify' } }, async (request, reply) => {
    const query = parseInput(queueQuery, request.query);
    const { rows, counts } = await progress.queue(request.user!, query.state, query.page, PER_PAGE);
    const total = counts.get(query.state) ?? 0;
    const pages = Math.max(1, Math.ceil(total / PER_PAGE));
    if (query.page > pages) throw new NotFoundError('page');
    return reply.page('progress/views/queue.njk', {
      title: 'Progress updates',
      state: query.state,
      rows,
      total,
      tabs: UPDATE_STATES.map((s) => ({ state: s, label: STATE_LABELS[s].text, count: counts.get(s) ?? 0, current: s === query.state })),
      paginationParams: pagination(query.page, pages, (n) => `/admin/updates?state=${query.state}${n > 1 ? `&page=${n}` : ''}`, 'updates'),
    });
  });


  const reviewPage = async (request: FastifyRequest, reply: FastifyReply, id: number, extra: { problems?: FieldProblem[]; comment?: string; conflict?: string; status?: number } = {}) => {
    const update = await progress.forReview(request.user!, id);
    if (!update) throw new NotFoundError('update');
    return reply.page(
      'progress/views/review.njk',
      { title: `Review: ${update.itemCode} from ${update.organisationName}`, update, narrativeHtml: renderMarkdown(update.narrative), conflict: extra.conflict, ...formState({ comment: extra.comment ?? '' }, extra.problems ?? []) },
      { status: extra.status ?? 200 },
    );
  };

  app.get<{ Params: { id: string } }>('/admin/updates/:id', { config: { access: 'progress.verify' } }, async (request, reply) => reviewPage(request, reply, updateId(request.params.id)));

  for (const decision of ['publish', 'return'] as const) {
    app.post<{ Params: { id: string } }>(`/admin/updates/:id/${decision}`, { config: { access: 'progress.verify' } }, async (request, reply) => {
      const id = updateId(request.params.id);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const comment = typeof body.comment === 'string' ? body.comment : '';
      const { data, problems } = parseForm(reviewForm, body);
      if (!data) return reviewPage(request, reply, id, { problems, comment, status: 400 });
      try {
        const update =
          decision === 'publish'
            ? await progress.publish(actorFor(request), request.user!, id, data.version)
            : await progress.returnUpdate(actorFor(request), request.user!, id, data.version, data.comment);
        const row = await progress.forReview(request.user!, update.id);
        reply.flash(decision === 'publish' ? `The update on ${row!.itemCode} from ${row!.organisationName} is published.` : `The update on ${row!.itemCode} is returned to ${row!.organisationName} with your comments.`);
        return reply.redirect('/admin/updates', 303);
      } catch (error) {
        if (error instanceof InputError) return reviewPage(request, reply, id, { problems: error.problems, comment, status: 400 });
        if (error instanceof ConflictError) return reviewPage(request, reply, id, { conflict: error.message, comment, status: 409 });
        throw error;
      }
    });
  }

  /* ----- evidence files ----- */

  app.get<{ Params: { id: string; filename: string } }>('/evidence/:id/:filename', { config: { access: 'evidence.download' } }, async (request, reply) => {
    const id = pathId(request.params.id, 'file');
    let found;
    try {
      found = await progress.evidenceFile(request.user, id);
    } catch (error) {
      // Signed out: the sign-in page, then back here.
      if (error instanceof ForbiddenError && !request.user) return denied(request, reply);
      throw error;
    }
    if (!found || found.file.filename !== request.params.filename) throw new NotFoundError('file');
    const { file, published } = found;
    const etag = `"${file.sha256}"`;
    reply
      .header('content-disposition', attachmentDisposition(file.filename))
      .header('x-content-type-options', 'nosniff')
      // Opened in a browser anyway, the file runs no script and loads nothing.
      .header('content-security-policy', "sandbox; default-src 'none'")
      // A published update's files never change; an unpublished one's are for their readers alone.
      .header('cache-control', published ? 'public, max-age=86400' : 'private, no-store')
      .header('etag', etag);
    if (published && request.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag)) return reply.code(304).send();
    return reply.type(file.contentType.startsWith('text/') ? `${file.contentType}; charset=utf-8` : file.contentType).send(file.content);
  });

  /* ----- public API ----- */

  app.get<{ Params: { code: string } }>('/api/v1/items/:code/updates', async (request, reply) => {
    const code = parseInput(itemCodeParams, request.params).code.toUpperCase();
    const timeline = await progress.timeline(code);
    if (!timeline) throw new NotFoundError('item');
    const body: z.output<typeof timelineResponse> = {
      item: code,
      data: timeline.map((u) => ({
        id: u.id,
        published_at: u.publishedAt.toISOString(),
        organisation: u.organisation,
        status: u.status,
        confidence: u.confidence,
        summary: u.summary,
        narrative: u.narrative,
        evidence: u.evidence,
        files: u.files.map((f) => ({ name: f.name, type: f.contentType, size: f.size, url: f.url })),
        milestones: u.milestones,
      })),
    };
    return reply.header('cache-control', 'public, max-age=60').send(body);
  });

  openapi.add({
    method: 'get',
    path: '/api/v1/items/{code}/updates',
    operationId: 'itemUpdates',
    summary: 'An item’s published progress updates, newest first',
    tags: ['Progress'],
    params: itemCodeParams,
    responses: { 200: { description: 'The timeline', schema: timelineResponse }, 404: { description: 'No item has this code' } },
  });
}
