// The strategy team's governance pages: bodies (create, edit with a version), their members
// (add, change, end, remove) and meetings (create, edit, cancel). Keeping a meeting's record
// (minutes and decisions) is open to the strategy team and the chairs of the meeting's body:
// the permission table lets body members through, the service checks the chair.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import { InputError, dateInputValues, type FieldProblem } from '../../platform/http/validation.ts';
import { londonDay } from '../../platform/time.ts';
import type { AccountsService } from '../accounts/service.ts';
import { actorFor } from '../accounts/routes.ts';
import type { StrategyService } from '../strategy/service.ts';
import {
  AGENDA_MAX,
  BODY_LABELS,
  DATE_ANCHORS,
  DECISION_LABELS,
  MEETING_LABELS,
  MEMBER_LABELS,
  MINUTES_LABELS,
  MINUTES_MAX,
  PURPOSE_MAX,
  bodyForm,
  decisionForm,
  endMembershipForm,
  meetingForm,
  membershipForm,
  minutesForm,
  newMemberForm,
  versionForm,
} from './forms.ts';
import { KIND_LABELS, POSITION_LABELS, londonTime } from './labels.ts';
import type { BodyRecord, MeetingRecord, PaperRecord } from './repository.ts';
import { idFrom } from './routes.ts';
import { BODY_KINDS, MEMBER_POSITIONS } from './schema.ts';
import type { GovernanceService } from './service.ts';

const manage = { config: { access: 'governance.manage' as const } };
const record = { config: { access: 'governance.minutes' as const } };

type Body = Record<string, unknown>;
type Values = Record<string, string>;
type PageOptions = { values?: Values; problems?: FieldProblem[]; status?: number; conflict?: string };

/** The submitted fields, as typed, to show again. */
function submitted(body: Body, fields: readonly string[]): Values {
  return Object.fromEntries(fields.map((f) => [f, typeof body[f] === 'string' ? (body[f]) : '']));
}
const dates = (...prefixes: string[]) => prefixes.flatMap((p) => [`${p}-day`, `${p}-month`, `${p}-year`]);

const BODY_FIELDS = ['name', 'slug', 'kind', 'parentId', 'areaOfFocus', 'purpose', 'version', ...dates('startsOn', 'endsOn')];
const MEMBER_FIELDS = ['name', 'userId', 'organisationId', 'position', 'roleTitle', ...dates('startsOn', 'endsOn')];
const MEETING_FIELDS = ['title', 'startTime', 'endTime', 'place', 'onlineUrl', 'agenda', 'publicPapers', 'memberPapers', 'version', ...dates('date')];

const paperText = (papers: PaperRecord[], isPublic: boolean) =>
  papers
    .filter((p) => p.isPublic === isPublic)
    .map((p) => `${p.title} | ${p.url}`)
    .join('\n');

export async function governanceAdminRoutes(app: FastifyInstance, { governance, strategy, accounts }: { governance: GovernanceService; strategy: StrategyService; accounts: AccountsService }): Promise<void> {
  const bodyFrom = async (slug: string): Promise<BodyRecord> => {
    const body = await governance.body(slug);
    if (!body) throw new NotFoundError('body');
    return body;
  };
  const meetingFrom = async (raw: string) => {
    const meeting = await governance.meeting(idFrom(raw, 'meeting'));
    if (!meeting) throw new NotFoundError('meeting');
    return meeting;
  };

  /* ----- the bodies ----- */

  app.get('/admin/governance', manage, async (_request, reply) => {
    const bodies = await governance.bodies();
    const upcoming = await governance.meetings({ when: 'upcoming', limit: 10 });
    const byId = new Map(bodies.map((b) => [b.id, b]));
    return reply.page('governance/views/admin-bodies.njk', {
      title: 'Governance bodies and meetings',
      bodies,
      upcoming: upcoming.meetings.map((m) => ({ ...m, body: byId.get(m.bodyId)! })),
    });
  });

  const bodyFormPage = async (reply: FastifyReply, body: BodyRecord | undefined, options: PageOptions = {}) => {
    const all = await governance.bodies();
    const values: Values = options.values ?? (body
      ? { name: body.name, slug: body.slug, kind: body.kind, parentId: body.parentId ? String(body.parentId) : '', areaOfFocus: body.areaOfFocus ?? '', purpose: body.purpose, version: String(body.version), ...dateInputValues('startsOn', body.startsOn), ...dateInputValues('endsOn', body.endsOn) }
      : { kind: '', parentId: '' });
    if (options.conflict && body) values.version = String(body.version);
    return reply.page(
      'governance/views/admin-body-form.njk',
      {
        title: body ? `Change ${body.name}` : 'Add a body',
        body,
        conflict: options.conflict,
        limits: { purpose: PURPOSE_MAX },
        kindItems: BODY_KINDS.map((k) => ({ value: k, text: KIND_LABELS[k].one, checked: values.kind === k })),
        parentItems: [{ value: '', text: 'None: it reports to no other body' }, ...all.filter((b) => b.id !== body?.id).map((b) => ({ value: String(b.id), text: b.name, selected: values.parentId === String(b.id) }))],
        ...formState(values, options.problems ?? [], DATE_ANCHORS),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get('/admin/governance/new', manage, async (_request, reply) => bodyFormPage(reply, undefined));

  app.post('/admin/governance/new', manage, async (request, reply) => {
    const raw = (request.body ?? {}) as Body;
    const values = submitted(raw, BODY_FIELDS);
    const { data, problems } = parseForm(bodyForm, raw, BODY_LABELS);
    if (!data) return bodyFormPage(reply, undefined, { values, problems, status: 400 });
    try {
      const body = await governance.createBody(actorFor(request), data.input);
      reply.flash(`${body.name} is added. Add its members and meetings here.`);
      return reply.redirect(`/admin/governance/${body.slug}`, 303);
    } catch (error) {
      if (error instanceof InputError) return bodyFormPage(reply, undefined, { values, problems: error.problems, status: 400 });
      throw error;
    }
  });

  app.get<{ Params: { body: string } }>('/admin/governance/:body', manage, async (request, reply) => {
    const body = await bodyFrom(request.params.body);
    const summary = (await governance.bodies()).find((b) => b.id === body.id)!;
    const everyone = await governance.members(body.id, 'all');
    const today = londonDay(governance.currentTime());
    const [upcoming, past] = [await governance.meetings({ bodyIds: [body.id], when: 'upcoming' }), await governance.meetings({ bodyIds: [body.id], when: 'past', limit: 20 })];
    return reply.page('governance/views/admin-body.njk', {
      title: body.name,
      body: summary,
      current: everyone.filter((m) => !(m.endsOn !== null && m.endsOn < today)),
      past: everyone.filter((m) => m.endsOn !== null && m.endsOn < today),
      upcoming: upcoming.meetings,
      held: past.meetings,
      heldTotal: past.total,
    });
  });

  app.get<{ Params: { body: string } }>('/admin/governance/:body/edit', manage, async (request, reply) => bodyFormPage(reply, await bodyFrom(request.params.body)));

  app.post<{ Params: { body: string } }>('/admin/governance/:body/edit', manage, async (request, reply) => {
    const body = await bodyFrom(request.params.body);
    const raw = (request.body ?? {}) as Body;
    const values = submitted(raw, BODY_FIELDS);
    const { data, problems } = parseForm(bodyForm, raw, BODY_LABELS);
    if (!data) return bodyFormPage(reply, body, { values, problems, status: 400 });
    try {
      if (data.version === undefined) throw new InputError([{ field: 'version', message: 'The form is missing its version: reload the page and try again' }]);
      const updated = await governance.updateBody(actorFor(request), body.id, data.input, data.version);
      reply.flash(`${updated.name} is saved.`);
      return reply.redirect(`/admin/governance/${updated.slug}`, 303);
    } catch (error) {
      if (error instanceof InputError) return bodyFormPage(reply, body, { values, problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return bodyFormPage(reply, (await governance.bodyById(body.id)), { values, status: 409, conflict: error.message });
      throw error;
    }
  });

  /* ----- members ----- */

  const organisationItems = async (selected: string) => [
    { value: '', text: 'None: an independent member' },
    ...(await strategy.catalogue()).organisations.map((o) => ({ value: String(o.id), text: o.name, selected: selected === String(o.id) })),
  ];
  const positionItems = (selected: string) => MEMBER_POSITIONS.map((p) => ({ value: p, text: POSITION_LABELS[p], checked: selected === p }));
  /** Accounts a person on a body can be linked to: the strategy team, reviewers and body members. */
  const linkableAccounts = async (request: FastifyRequest) => {
    const lists = [];
    for (const role of ['administrator', 'strategy_team', 'evidence_reviewer', 'body_member'] as const) {
      lists.push(...(await accounts.listUsers(request.user!, { role, status: 'active' }, 1, 500)).rows);
    }
    return lists.sort((a, b) => a.name.localeCompare(b.name));
  };

  const newMemberPage = async (request: FastifyRequest, reply: FastifyReply, body: BodyRecord, options: PageOptions = {}) => {
    const values = options.values ?? { position: 'member', userId: '', organisationId: '' };
    const people = await linkableAccounts(request);
    return reply.page(
      'governance/views/admin-member-form.njk',
      {
        title: `Add a member to ${body.name}`,
        body,
        isNew: true,
        accountItems: [{ value: '', text: 'No account: they do not sign in' }, ...people.map((u) => ({ value: String(u.id), text: `${u.name} (${u.email})`, selected: values.userId === String(u.id) }))],
        organisationItems: await organisationItems(values.organisationId ?? ''),
        positionItems: positionItems(values.position ?? ''),
        ...formState(values, options.problems ?? [], DATE_ANCHORS),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<{ Params: { body: string } }>('/admin/governance/:body/members/new', manage, async (request, reply) => newMemberPage(request, reply, await bodyFrom(request.params.body)));

  app.post<{ Params: { body: string } }>('/admin/governance/:body/members/new', manage, async (request, reply) => {
    const body = await bodyFrom(request.params.body);
    const raw = (request.body ?? {}) as Body;
    const values = submitted(raw, MEMBER_FIELDS);
    const { data, problems } = parseForm(newMemberForm, raw, MEMBER_LABELS);
    if (!data) return newMemberPage(request, reply, body, { values, problems, status: 400 });
    try {
      // An account is chosen from the list, or it is not one this form may link.
      if (data.person.userId !== null && !(await linkableAccounts(request)).some((u) => u.id === data.person.userId)) {
        throw new InputError([{ field: 'userId', message: 'Select an account from the list' }]);
      }
      if (data.organisationId !== null && !(await strategy.catalogue()).organisationById.has(data.organisationId)) {
        throw new InputError([{ field: 'organisationId', message: 'Select an organisation from the list' }]);
      }
      await governance.addMember(actorFor(request), body.id, data);
      reply.flash(`${data.person.name} is added to ${body.name}.`);
      return reply.redirect(`/admin/governance/${body.slug}`, 303);
    } catch (error) {
      if (error instanceof InputError) return newMemberPage(request, reply, body, { values, problems: error.problems, status: 400 });
      throw error;
    }
  });

  type MembershipParams = { Params: { body: string; membership: string } };
  const membershipFrom = async (params: MembershipParams['Params']) => {
    const body = await bodyFrom(params.body);
    const membership = await governance.membership(idFrom(params.membership, 'membership'));
    if (!membership || membership.bodyId !== body.id) throw new NotFoundError('membership');
    return { body, membership };
  };

  const membershipPage = async (reply: FastifyReply, params: MembershipParams['Params'], options: PageOptions & { endValues?: Values; endProblems?: FieldProblem[] } = {}) => {
    const { body, membership } = await membershipFrom(params);
    const values = options.values ?? {
      organisationId: membership.organisationId ? String(membership.organisationId) : '',
      position: membership.position,
      roleTitle: membership.roleTitle,
      ...dateInputValues('startsOn', membership.startsOn),
      ...dateInputValues('endsOn', membership.endsOn),
    };
    const endProblems = options.endProblems ?? [];
    const problems = [...(options.problems ?? []), ...endProblems.map((p) => ({ ...p, field: 'end-endsOn' }))];
    return reply.page(
      'governance/views/admin-member-form.njk',
      {
        title: `${membership.personName} on ${body.name}`,
        body,
        membership,
        organisationItems: await organisationItems(values.organisationId ?? ''),
        positionItems: positionItems(values.position ?? ''),
        endValues: options.endValues ?? dateInputValues('end-endsOn', londonDay(governance.currentTime())),
        ...formState(values, problems, { ...DATE_ANCHORS, 'end-endsOn': 'end-endsOn-day' }),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<MembershipParams>('/admin/governance/:body/members/:membership', manage, async (request, reply) => membershipPage(reply, request.params));

  app.post<MembershipParams>('/admin/governance/:body/members/:membership', manage, async (request, reply) => {
    const { body, membership } = await membershipFrom(request.params);
    const raw = (request.body ?? {}) as Body;
    const values = submitted(raw, MEMBER_FIELDS);
    const { data, problems } = parseForm(membershipForm, raw, MEMBER_LABELS);
    if (!data) return membershipPage(reply, request.params, { values, problems, status: 400 });
    if (data.organisationId !== null && !(await strategy.catalogue()).organisationById.has(data.organisationId)) {
      return membershipPage(reply, request.params, { values, problems: [{ field: 'organisationId', message: 'Select an organisation from the list' }], status: 400 });
    }
    await governance.updateMembership(actorFor(request), membership.id, data);
    reply.flash(`${membership.personName}’s membership is saved.`);
    return reply.redirect(`/admin/governance/${body.slug}`, 303);
  });

  app.post<MembershipParams>('/admin/governance/:body/members/:membership/end', manage, async (request, reply) => {
    const { body, membership } = await membershipFrom(request.params);
    const raw = (request.body ?? {}) as Body;
    // The end form's boxes are named end-endsOn-*, apart from the edit form's.
    const boxes = Object.fromEntries(['day', 'month', 'year'].map((part) => [`endsOn-${part}`, raw[`end-endsOn-${part}`]]));
    const endValues = submitted(raw, dates('end-endsOn'));
    const { data, problems } = parseForm(endMembershipForm, boxes);
    try {
      if (!data) return await membershipPage(reply, request.params, { endValues, endProblems: problems, status: 400 });
      await governance.endMembership(actorFor(request), membership.id, data);
      reply.flash(`${membership.personName}’s membership ends on ${data}.`);
      return reply.redirect(`/admin/governance/${body.slug}`, 303);
    } catch (error) {
      if (error instanceof InputError) return membershipPage(reply, request.params, { endValues, endProblems: error.problems, status: 400 });
      throw error;
    }
  });

  app.post<MembershipParams>('/admin/governance/:body/members/:membership/remove', manage, async (request, reply) => {
    const { body, membership } = await membershipFrom(request.params);
    await governance.removeMembership(actorFor(request), membership.id);
    reply.flash(`${membership.personName} is removed from ${body.name}.`);
    return reply.redirect(`/admin/governance/${body.slug}`, 303);
  });

  /* ----- meetings ----- */

  const meetingValues = (m: MeetingRecord, papers: PaperRecord[]): Values => ({
    title: m.title,
    ...dateInputValues('date', londonDay(m.startsAt)),
    startTime: londonTime(m.startsAt),
    endTime: londonTime(m.endsAt),
    place: m.place ?? '',
    onlineUrl: m.onlineUrl ?? '',
    agenda: m.agenda,
    publicPapers: paperText(papers, true),
    memberPapers: paperText(papers, false),
    version: String(m.version),
  });

  const meetingFormPage = async (reply: FastifyReply, body: BodyRecord, meeting: MeetingRecord | undefined, options: PageOptions = {}) => {
    const papers = meeting ? (await governance.meetingViews([meeting], { staff: true, bodyIds: new Set() }))[0]!.papers : [];
    const values = options.values ?? (meeting ? meetingValues(meeting, papers) : {});
    if (options.conflict && meeting) values.version = String(meeting.version);
    return reply.page(
      'governance/views/admin-meeting-form.njk',
      {
        title: meeting ? `Change ${meeting.title}` : `Add a meeting of ${body.name}`,
        body,
        meeting,
        conflict: options.conflict,
        limits: { agenda: AGENDA_MAX },
        action: meeting ? `/admin/meetings/${meeting.id}/edit` : `/admin/governance/${body.slug}/meetings/new`,
        ...formState(values, options.problems ?? [], DATE_ANCHORS),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<{ Params: { body: string } }>('/admin/governance/:body/meetings/new', manage, async (request, reply) => meetingFormPage(reply, await bodyFrom(request.params.body), undefined));

  app.post<{ Params: { body: string } }>('/admin/governance/:body/meetings/new', manage, async (request, reply) => {
    const body = await bodyFrom(request.params.body);
    const raw = (request.body ?? {}) as Body;
    const values = submitted(raw, MEETING_FIELDS);
    const { data, problems } = parseForm(meetingForm, raw, MEETING_LABELS);
    if (!data) return meetingFormPage(reply, body, undefined, { values, problems, status: 400 });
    const meeting = await governance.createMeeting(actorFor(request), body.id, { ...data.input, minutes: null, minutesPublic: false, cancelled: false });
    reply.flash(`${meeting.title} is added.`);
    return reply.redirect(`/meetings/${meeting.id}`, 303);
  });

  type MeetingParams = { Params: { meeting: string } };

  app.get<MeetingParams>('/admin/meetings/:meeting/edit', manage, async (request, reply) => {
    const meeting = await meetingFrom(request.params.meeting);
    return meetingFormPage(reply, meeting.body, meeting);
  });

  app.post<MeetingParams>('/admin/meetings/:meeting/edit', manage, async (request, reply) => {
    const meeting = await meetingFrom(request.params.meeting);
    const raw = (request.body ?? {}) as Body;
    const values = submitted(raw, MEETING_FIELDS);
    const { data, problems } = parseForm(meetingForm, raw, MEETING_LABELS);
    if (!data) return meetingFormPage(reply, meeting.body, meeting, { values, problems, status: 400 });
    try {
      if (data.version === undefined) throw new InputError([{ field: 'title', message: 'The form is missing its version: reload the page and try again' }]);
      await governance.updateMeeting(actorFor(request), meeting.id, data.input, data.version);
      reply.flash(`${data.input.title} is saved. Calendars that follow the body’s feed get the change.`);
      return reply.redirect(`/meetings/${meeting.id}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) return meetingFormPage(reply, meeting.body, (await governance.meeting(meeting.id)), { values, status: 409, conflict: error.message });
      throw error;
    }
  });

  app.get<MeetingParams>('/admin/meetings/:meeting/cancel', manage, async (request, reply) => {
    const meeting = await meetingFrom(request.params.meeting);
    return reply.page('governance/views/admin-meeting-cancel.njk', { title: `Are you sure you want to cancel ${meeting.title}?`, meeting });
  });

  app.post<MeetingParams>('/admin/meetings/:meeting/cancel', manage, async (request, reply) => {
    const meeting = await meetingFrom(request.params.meeting);
    const { data } = parseForm(versionForm, request.body);
    try {
      if (!data) throw new ConflictError('The form is missing its version: reload the page and try again');
      await governance.cancelMeeting(actorFor(request), meeting.id, data.version);
      reply.flash(`${meeting.title} is cancelled. It stays listed, marked as cancelled.`);
      return reply.redirect(`/meetings/${meeting.id}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        const fresh = (await governance.meeting(meeting.id))!;
        return reply.page('governance/views/admin-meeting-cancel.njk', { title: `Are you sure you want to cancel ${fresh.title}?`, meeting: fresh, conflict: error.message }, { status: 409 });
      }
      throw error;
    }
  });

  /* ----- a meeting's record: minutes and decisions (the strategy team and the body's chairs) ----- */

  const recordPage = async (request: FastifyRequest, reply: FastifyReply, raw: string, options: PageOptions & { decisionValues?: Values; decisionProblems?: FieldProblem[] } = {}) => {
    const meeting = await meetingFrom(raw);
    if (!(await governance.mayKeepRecord(request.user!, meeting.bodyId))) return reply.code(403).page('errors/error.njk', { status: 403, title: 'You cannot do that', detail: 'Only the strategy team and the chairs of this body may record its minutes and decisions.' }, { status: 403 });
    const view = (await governance.meetingView(meeting.id, { staff: true, bodyIds: new Set() }))!;
    const values = options.values ?? { minutes: meeting.minutes ?? '', minutesPublic: meeting.minutes === null ? '' : meeting.minutesPublic ? 'public' : 'private', version: String(meeting.version) };
    if (options.conflict) values.version = String(meeting.version);
    const decisionProblems = (options.decisionProblems ?? []).map((p) => ({ ...p, field: p.field === 'summary' ? 'decision-summary' : 'decision-itemCode' }));
    return reply.page(
      'governance/views/admin-meeting-record.njk',
      {
        title: `Minutes and decisions: ${meeting.title}`,
        meeting: view,
        savedMinutes: meeting.minutes,
        conflict: options.conflict,
        limits: { minutes: MINUTES_MAX },
        decisionValues: options.decisionValues ?? {},
        ...formState(values, [...(options.problems ?? []), ...decisionProblems]),
      },
      { status: options.status ?? 200 },
    );
  };

  app.get<MeetingParams>('/admin/meetings/:meeting/record', record, async (request, reply) => recordPage(request, reply, request.params.meeting));

  app.post<MeetingParams>('/admin/meetings/:meeting/minutes', record, async (request, reply) => {
    const meeting = await meetingFrom(request.params.meeting);
    const raw = (request.body ?? {}) as Body;
    const values = submitted(raw, ['minutes', 'minutesPublic', 'version']);
    const { data, problems } = parseForm(minutesForm, raw, MINUTES_LABELS);
    try {
      if (!data) return await recordPage(request, reply, request.params.meeting, { values, problems, status: 400 });
      await governance.setMinutes(actorFor(request), request.user!, meeting.id, { text: data.minutes, isPublic: data.minutesPublic === 'public' }, data.version);
      reply.flash(data.minutes ? `The minutes are saved: ${data.minutesPublic === 'public' ? 'published on the meeting’s page' : 'private to the strategy team and the body’s members'}.` : 'The minutes are removed.');
      return reply.redirect(`/meetings/${meeting.id}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) return recordPage(request, reply, request.params.meeting, { values, status: 409, conflict: error.message });
      throw error;
    }
  });

  app.post<MeetingParams>('/admin/meetings/:meeting/decisions', record, async (request, reply) => {
    const meeting = await meetingFrom(request.params.meeting);
    const raw = (request.body ?? {}) as Body;
    const decisionValues = submitted(raw, ['summary', 'itemCode']);
    const { data, problems } = parseForm(decisionForm, raw, DECISION_LABELS);
    try {
      if (!data) return await recordPage(request, reply, request.params.meeting, { decisionValues, decisionProblems: problems, status: 400 });
      await governance.recordDecision(actorFor(request), request.user!, meeting.id, data);
      reply.flash('The decision is recorded.');
      return reply.redirect(`/admin/meetings/${meeting.id}/record`, 303);
    } catch (error) {
      if (error instanceof InputError) return recordPage(request, reply, request.params.meeting, { decisionValues, decisionProblems: error.problems, status: 400 });
      throw error;
    }
  });

  app.post<{ Params: { meeting: string; decision: string } }>('/admin/meetings/:meeting/decisions/:decision/remove', record, async (request, reply) => {
    const meeting = await meetingFrom(request.params.meeting);
    await governance.removeDecision(actorFor(request), request.user!, meeting.id, idFrom(request.params.decision, 'decision'));
    reply.flash('The decision is removed.');
    return reply.redirect(`/admin/meetings/${meeting.id}/record`, 303);
  });
}
