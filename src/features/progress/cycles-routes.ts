// The strategy team's reporting cycles (/admin/cycles) and the compliance view
// (/admin/compliance) for the strategy team and the Oversight Executive.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { dateInputValues, InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/http/views.ts';
import { actorFor } from '../accounts/routes.ts';
import { STALE_DAYS, REMIND_DAYS_BEFORE, type Cycle, type CyclesService } from './cycles.ts';
import { complianceQuery, cycleForm, cycleIdParams, versionForm } from './forms.ts';

const FIELD_ORDER = ['name', 'opensOn', 'dueOn', 'closesOn'];
const ANCHORS = { opensOn: 'opensOn-day', dueOn: 'dueOn-day', closesOn: 'closesOn-day' };
const TEXT_FIELDS = ['name', ...['opensOn', 'dueOn', 'closesOn'].flatMap((f) => [`${f}-day`, `${f}-month`, `${f}-year`])];

export const PHASE_LABELS: Record<Cycle['phase'], { text: string; tagClass: string }> = {
  upcoming: { text: 'Not yet open', tagClass: 'govuk-tag--grey' },
  open: { text: 'Open', tagClass: 'govuk-tag--green' },
  overdue: { text: 'Past due date', tagClass: 'govuk-tag--orange' },
  closed: { text: 'Closed', tagClass: 'govuk-tag--blue' },
};

function submittedValues(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(TEXT_FIELDS.map((f) => [f, typeof body[f] === 'string' ? body[f] : '']));
}

function cycleValues(cycle: Cycle): Record<string, string> {
  return { name: cycle.name, ...dateInputValues('opensOn', cycle.opensOn), ...dateInputValues('dueOn', cycle.dueOn), ...dateInputValues('closesOn', cycle.closesOn) };
}

const byFormOrder = (problems: FieldProblem[]) => [...problems].sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));

export async function cycleRoutes(app: FastifyInstance, { cycles }: { cycles: CyclesService }): Promise<void> {
  const access = { config: { access: 'progress.cycles' as const } };

  const cycleFor = async (request: { params: unknown; user: Parameters<CyclesService['get']>[0] | null }): Promise<Cycle> => {
    const parsed = cycleIdParams.safeParse(request.params);
    const cycle = parsed.success ? await cycles.get(request.user!, parsed.data.id) : undefined;
    if (!cycle) throw new NotFoundError('reporting cycle');
    return cycle;
  };

  const formPage = (reply: FastifyReply, values: Record<string, string>, problems: FieldProblem[], options: { cycle?: Cycle; version?: number; status?: number; conflict?: string } = {}) =>
    reply.page(
      'progress/views/cycle-form.njk',
      {
        title: options.cycle ? `Change ${options.cycle.name}` : 'Add a reporting cycle',
        cycle: options.cycle,
        version: options.version ?? options.cycle?.version,
        conflict: options.conflict,
        remindDays: REMIND_DAYS_BEFORE,
        ...formState(values, byFormOrder(problems), ANCHORS),
      },
      { status: options.status ?? 200 },
    );

  app.get('/admin/cycles', access, async (request, reply) => {
    const list = await cycles.list(request.user!);
    return reply.page('progress/views/cycles.njk', { title: 'Reporting cycles', cycles: list, phases: PHASE_LABELS, remindDays: REMIND_DAYS_BEFORE });
  });

  app.get('/admin/cycles/new', access, async (_request, reply) => formPage(reply, submittedValues({}), []));

  app.post('/admin/cycles', access, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = submittedValues(body);
    const { data, problems } = parseForm(cycleForm, body);
    if (!data) return formPage(reply, values, problems, { status: 400 });
    try {
      const created = await cycles.create(actorFor(request), request.user!, data);
      return reply.flash(`${created.name} is set: reports are due by ${formatDate(created.dueOn)}`).redirect('/admin/cycles', 303);
    } catch (error) {
      if (error instanceof InputError) return formPage(reply, values, error.problems, { status: 400 });
      throw error;
    }
  });

  app.get('/admin/cycles/:id/edit', access, async (request, reply) => {
    const cycle = await cycleFor(request);
    return formPage(reply, cycleValues(cycle), [], { cycle });
  });

  app.post('/admin/cycles/:id/edit', access, async (request, reply) => {
    const cycle = await cycleFor(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { version } = parseInput(versionForm, body);
    const values = submittedValues(body);
    const { data, problems } = parseForm(cycleForm, body);
    if (!data) return formPage(reply, values, problems, { cycle, version, status: 400 });
    try {
      const saved = await cycles.update(actorFor(request), request.user!, cycle.id, data, version);
      return reply.flash(`${saved.name} is saved`).redirect('/admin/cycles', 303);
    } catch (error) {
      // Their dates stay in the form; it now carries the saved version, so saving again replaces it knowingly.
      if (error instanceof ConflictError) return formPage(reply, values, [], { cycle: await cycleFor(request), status: 409, conflict: error.message });
      if (error instanceof InputError) return formPage(reply, values, error.problems, { cycle, version, status: 400 });
      throw error;
    }
  });

  app.get('/admin/cycles/:id/delete', access, async (request, reply) => {
    const cycle = await cycleFor(request);
    return reply.page('progress/views/cycle-delete.njk', { title: `Delete ${cycle.name}?`, cycle, phases: PHASE_LABELS });
  });

  app.post('/admin/cycles/:id/delete', access, async (request, reply) => {
    const cycle = await cycleFor(request);
    const { version } = parseInput(versionForm, request.body ?? {});
    try {
      await cycles.remove(actorFor(request), request.user!, cycle.id, version);
      return reply.flash(`${cycle.name} is deleted`).redirect('/admin/cycles', 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        return reply.page('progress/views/cycle-delete.njk', { title: `Delete ${cycle.name}?`, cycle: await cycleFor(request), phases: PHASE_LABELS, conflict: error.message }, { status: 409 });
      }
      throw error;
    }
  });

  /* ----- compliance ----- */

  app.get('/admin/compliance', { config: { access: 'progress.compliance' } }, async (request, reply) => {
    const { cycle } = parseInput(complianceQuery, request.query);
    const compliance = await cycles.compliance(request.user!, cycle);
    if (cycle !== undefined && !compliance.cycle) throw new NotFoundError('reporting cycle');
    return reply.page('progress/views/compliance.njk', { title: 'Who has reported', compliance, phases: PHASE_LABELS, staleDays: STALE_DAYS });
  });
}
