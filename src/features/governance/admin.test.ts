// The governance admin through the real app: bodies, members and meetings as the strategy team
// keeps them, each form's refusals (the error summary, nothing written), stale versions (409),
// and a meeting's record (minutes and decisions) kept by the strategy team or the body's own
// chair, never a chair of another body or an ordinary member.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../platform/audit/audit.ts';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, pageText, section, signInAs, submitForm, type TestApp } from '../../testing.ts';

const count = async (t: TestApp, query: ReturnType<typeof sql>) => (await queryRows<{ n: number }>(t.database.db, query))[0]!.n;

describe('governance admin', () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const userIds: Record<string, number> = {};
  let meetingId: number;

  before(async () => {
    t = await createTestApp('demo', { now: () => new Date('2026-11-24T12:00:00Z') });
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tess Team', role: 'strategy_team' },
      { email: 'chair@example.org', name: 'Chidi Chair', role: 'body_member' },
      { email: 'otherchair@example.org', name: 'Oona Otherchair', role: 'body_member' },
      { email: 'member@example.org', name: 'Mo Member', role: 'body_member' },
      { email: 'viewer@example.org', name: 'Vi Viewer', role: 'viewer' },
    ]);
    for (const u of await queryRows<{ id: number; email: string }>(t.database.db, sql`select id, email from users`)) userIds[u.email] = u.id;
    const gov = t.services.governance;
    const leadership = (await gov.body('working-group-leadership'))!;
    const prevention = (await gov.body('working-group-prevention'))!;
    const member = (email: string, name: string, position: 'chair' | 'member') => ({ person: { name, userId: userIds[email]! }, organisationId: null, position, roleTitle: '', startsOn: '2025-01-01', endsOn: null });
    await gov.addMember(systemActor, leadership.id, member('chair@example.org', 'Chidi Chair', 'chair'));
    await gov.addMember(systemActor, leadership.id, member('member@example.org', 'Mo Member', 'member'));
    await gov.addMember(systemActor, prevention.id, member('otherchair@example.org', 'Oona Otherchair', 'chair'));
    const meeting = await gov.createMeeting(systemActor, leadership.id, { title: 'Leadership: first meeting', startsAt: new Date('2026-11-01T10:00:00Z'), endsAt: new Date('2026-11-01T12:00:00Z'), place: 'Leeds', onlineUrl: null, agenda: '', minutes: null, minutesPublic: false, cancelled: false, papers: [] });
    meetingId = meeting.id;
    for (const email of Object.keys(userIds).filter((e) => e.endsWith('example.org'))) cookies[email] = (await signInAs(t.app, email)).cookie;
  });
  after(async () => t.close());

  const post = (url: string, who: string, fields: Record<string, string>, formUrl?: string) => submitForm(t.app, { url, cookie: cookies[who]!, fields, ...(formUrl ? { formUrl } : {}) });

  it('adds a body; a bad form comes back with the error summary and writes nothing', async () => {
    const bodies = await count(t, sql`select count(*)::int as n from governance_bodies`);
    const bad = await post('/admin/governance/new', 'team@example.org', { name: '', slug: 'Not A Slug', kind: '', parentId: '' });
    assert.equal(bad.statusCode, 400);
    const summary = pageText(section(bad.body, 'error-summary'));
    assert.match(summary, /Enter the name of the body/);
    assert.match(summary, /Web address name must be lower-case letters/);
    assert.match(summary, /Select the kind of body/);
    const badDate = await post('/admin/governance/new', 'team@example.org', { name: 'A board', slug: 'a-board', kind: 'delivery_board', 'startsOn-day': '31', 'startsOn-month': '2', 'startsOn-year': '2026' });
    assert.equal(badDate.statusCode, 400);
    assert.match(pageText(section(badDate.body, 'error-summary')), /Start date must be a real date/);
    assert.match(section(badDate.body, 'error-summary'), /href="#startsOn-day"/);
    assert.match(badDate.body, /name="startsOn-day" type="text" value="31"|value="31"/);
    assert.equal(await count(t, sql`select count(*)::int as n from governance_bodies`), bodies);

    const steering = (await t.services.governance.body('steering-group'))!;
    const ok = await post('/admin/governance/new', 'team@example.org', { name: 'Delivery board: recruitment', slug: 'delivery-board-recruitment', kind: 'delivery_board', parentId: String(steering.id), areaOfFocus: '', purpose: 'Oversees delivery of the recruitment items.', 'startsOn-day': '1', 'startsOn-month': '4', 'startsOn-year': '2025' });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/admin/governance/delivery-board-recruitment');
    const created = (await t.services.governance.body('delivery-board-recruitment'))!;
    assert.equal(created.parentId, steering.id);
    assert.equal(created.startsOn, '2025-04-01');
    assert.match(pageText((await t.app.inject('/governance')).body), /Delivery boards Delivery board: recruitment/);
    const duplicate = await post('/admin/governance/new', 'team@example.org', { name: 'delivery board: RECRUITMENT', slug: 'another', kind: 'delivery_board' });
    assert.equal(duplicate.statusCode, 400);
    assert.match(pageText(section(duplicate.body, 'error-summary')), /Another body already has this name/);
  });

  it('edits a body with its version; someone else’s save first is a 409 that keeps the typing', async () => {
    const body = (await t.services.governance.body('delivery-board-recruitment'))!;
    const formUrl = '/admin/governance/delivery-board-recruitment/edit';
    const fields = { name: body.name, slug: body.slug, kind: body.kind, parentId: String(body.parentId), areaOfFocus: '', purpose: 'My new purpose', version: String(body.version), 'startsOn-day': '1', 'startsOn-month': '4', 'startsOn-year': '2025' };
    // Someone else saves first.
    await t.services.governance.updateBody(systemActor, body.id, { ...body, purpose: 'Their purpose' }, body.version);
    const stale = await post(formUrl, 'team@example.org', fields);
    assert.equal(stale.statusCode, 409);
    assert.match(pageText(section(stale.body, 'conflict')), /Someone else changed this body/);
    assert.match(stale.body, /My new purpose/);
    assert.equal((await t.services.governance.body(body.slug))!.purpose, 'Their purpose');
    // The form now carries the saved version: saving again replaces knowingly.
    const version = /name="version" value="(\d+)"/.exec(stale.body)![1]!;
    const ok = await post(formUrl, 'team@example.org', { ...fields, version, 'endsOn-day': '31', 'endsOn-month': '3', 'endsOn-year': '2024' });
    assert.equal(ok.statusCode, 400, 'an end before the start is refused');
    assert.match(pageText(section(ok.body, 'error-summary')), /End date must be the same as or after the start date/);
    const saved = await post(formUrl, 'team@example.org', { ...fields, version });
    assert.equal(saved.statusCode, 303);
    assert.equal((await t.services.governance.body(body.slug))!.purpose, 'My new purpose');
  });

  it('adds a member linked to an account, changes, ends and removes memberships', async () => {
    const url = '/admin/governance/delivery-board-recruitment/members/new';
    const form = await t.app.inject({ url, headers: { cookie: cookies['team@example.org']! } });
    assert.match(form.body, new RegExp(`<option value="${userIds['member@example.org']}">Mo Member`));
    assert.ok(!form.body.includes('Vi Viewer'), 'viewers are not offered as accounts');
    const bad = await post(url, 'team@example.org', { name: '', position: 'boss', userId: String(userIds['viewer@example.org']) });
    assert.equal(bad.statusCode, 400);
    assert.match(pageText(section(bad.body, 'error-summary')), /Enter the person’s name.*Select their position/);
    const notOffered = await post(url, 'team@example.org', { name: 'Vi', position: 'member', userId: String(userIds['viewer@example.org']) });
    assert.equal(notOffered.statusCode, 400);
    assert.match(pageText(section(notOffered.body, 'error-summary')), /Select an account from the list/);
    const body = (await t.services.governance.body('delivery-board-recruitment'))!;
    assert.equal((await t.services.governance.members(body.id)).length, 0);

    const [sfc] = await queryRows<{ id: number }>(t.database.db, sql`select id from organisations where short_name = 'SfC'`);
    const ok = await post(url, 'team@example.org', { name: 'Mo Member', position: 'chair', userId: String(userIds['member@example.org']), organisationId: String(sfc!.id), roleTitle: 'Chair of the board', 'startsOn-day': '1', 'startsOn-month': '4', 'startsOn-year': '2025' });
    assert.equal(ok.statusCode, 303);
    assert.equal(await t.services.governance.isChair(userIds['member@example.org']!, body.id), true);
    const [membership] = await t.services.governance.members(body.id);
    assert.equal(membership!.organisationName, 'Skills for Care');

    const memberUrl = `/admin/governance/delivery-board-recruitment/members/${membership!.id}`;
    const changed = await post(memberUrl, 'team@example.org', { organisationId: '', position: 'co_chair', roleTitle: 'Co-chair', 'startsOn-day': '1', 'startsOn-month': '4', 'startsOn-year': '2025' });
    assert.equal(changed.statusCode, 303);
    assert.equal((await t.services.governance.membership(membership!.id))!.position, 'co_chair');

    const badEnd = await post(`${memberUrl}/end`, 'team@example.org', { 'end-endsOn-day': '1', 'end-endsOn-month': '1', 'end-endsOn-year': '2024' }, memberUrl);
    assert.equal(badEnd.statusCode, 400);
    assert.match(pageText(section(badEnd.body, 'error-summary')), /End date must be the same as or after the date they joined/);
    const ended = await post(`${memberUrl}/end`, 'team@example.org', { 'end-endsOn-day': '30', 'end-endsOn-month': '9', 'end-endsOn-year': '2026' }, memberUrl);
    assert.equal(ended.statusCode, 303);
    assert.equal(await t.services.governance.isMember(userIds['member@example.org']!, body.id), false);
    assert.match(pageText(section((await t.app.inject('/governance/delivery-board-recruitment')).body, 'past-members')), /Mo Member \(Co-chair\): from 1 April 2025 to 30 September 2026/);

    const removed = await post(`${memberUrl}/remove`, 'team@example.org', {}, memberUrl);
    assert.equal(removed.statusCode, 303);
    assert.equal((await t.services.governance.members(body.id, 'all')).length, 0);
    const actions = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where object_type = 'governance_membership' order by id`);
    assert.deepEqual(actions.map((a) => a.action), ['governance.member-updated', 'governance.member-ended', 'governance.member-removed']);
    // A membership of another body is not found under this one.
    assert.equal((await t.app.inject({ url: `/admin/governance/steering-group/members/${membership!.id}`, headers: { cookie: cookies['team@example.org']! } })).statusCode, 404);
  });

  it('adds a meeting in UK time with papers; bad times and paper lines are refused, nothing written', async () => {
    const url = '/admin/governance/delivery-board-recruitment/meetings/new';
    const before = await count(t, sql`select count(*)::int as n from governance_meetings`);
    const bad = await post(url, 'team@example.org', { title: 'Board', 'date-day': '', 'date-month': '', 'date-year': '', startTime: '25:00', endTime: '', place: '', onlineUrl: 'not a link', publicPapers: 'Just a title' });
    assert.equal(bad.statusCode, 400);
    const summary = pageText(section(bad.body, 'error-summary'));
    for (const message of ['Enter the date', 'Start time must be a time', 'Enter the end time', 'Online link must be a web address', 'Line 1 of the papers must be a title']) assert.ok(summary.includes(message), message);
    const backwards = await post(url, 'team@example.org', { title: 'Board', 'date-day': '2', 'date-month': '3', 'date-year': '2027', startTime: '2pm', endTime: '1pm', place: 'Leeds' });
    assert.match(pageText(section(backwards.body, 'error-summary')), /End time must be after the start time/);
    assert.equal(await count(t, sql`select count(*)::int as n from governance_meetings`), before);

    const ok = await post(url, 'team@example.org', {
      title: 'Recruitment board, first meeting',
      'date-day': '1',
      'date-month': '7',
      'date-year': '2027',
      startTime: '10am',
      endTime: '12:30pm',
      place: '',
      onlineUrl: 'https://meet.example.org/board',
      agenda: '1. Terms of reference',
      publicPapers: 'Terms of reference | https://example.org/tor.pdf',
      memberPapers: 'Draft budget | https://example.org/budget.pdf',
    });
    assert.equal(ok.statusCode, 303);
    const id = Number(/\/meetings\/(\d+)$/.exec(String(ok.headers.location))![1]);
    const meeting = (await t.services.governance.meeting(id))!;
    // 10am in London in July is 09:00 UTC.
    assert.equal(meeting.startsAt.toISOString(), '2027-07-01T09:00:00.000Z');
    assert.equal(meeting.endsAt.toISOString(), '2027-07-01T11:30:00.000Z');
    const page = await t.app.inject(`/meetings/${id}`);
    assert.match(pageText(section(page.body, 'meeting-details')), /1 July 2027, 10am to 12:30pm/);
    assert.match(pageText(section(page.body, 'papers')), /Terms of reference/);
    assert.doesNotMatch(page.body, /Draft budget/);
  });

  it('edits a meeting with its version (409 when stale) and cancels it after a confirmation', async () => {
    const meeting = (await t.services.governance.meeting(meetingId))!;
    const formUrl = `/admin/meetings/${meetingId}/edit`;
    const form = await t.app.inject({ url: formUrl, headers: { cookie: cookies['team@example.org']! } });
    assert.match(form.body, /name="startTime"[^>]*value="10:00"/);
    const fields = { title: 'Leadership: first meeting (moved)', 'date-day': '1', 'date-month': '11', 'date-year': '2026', startTime: '11:00', endTime: '13:00', place: 'York', version: String(meeting.version) };
    await t.services.governance.updateMeeting(systemActor, meetingId, { title: 'Changed elsewhere', startsAt: meeting.startsAt, endsAt: meeting.endsAt, place: 'Leeds', onlineUrl: null, agenda: '', papers: [] }, meeting.version);
    const stale = await post(formUrl, 'team@example.org', fields);
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /\(moved\)/);
    assert.equal((await t.services.governance.meeting(meetingId))!.title, 'Changed elsewhere');
    const version = /name="version" value="(\d+)"/.exec(stale.body)![1]!;
    assert.equal((await post(formUrl, 'team@example.org', { ...fields, version })).statusCode, 303);
    const moved = (await t.services.governance.meeting(meetingId))!;
    assert.equal(moved.place, 'York');
    assert.equal(moved.startsAt.toISOString(), '2026-11-01T11:00:00.000Z');

    const cancelUrl = `/admin/meetings/${meetingId}/cancel`;
    const staleCancel = await post(cancelUrl, 'team@example.org', { version: String(moved.version - 1) });
    assert.equal(staleCancel.statusCode, 409);
    assert.equal((await t.services.governance.meeting(meetingId))!.cancelled, false);
    assert.equal((await post(cancelUrl, 'team@example.org', { version: String(moved.version) })).statusCode, 303);
    assert.equal((await t.services.governance.meeting(meetingId))!.cancelled, true);
    assert.match(pageText(section((await t.app.inject(`/meetings/${meetingId}`)).body, 'cancelled')), /This meeting has been cancelled/);
    assert.match(pageText((await t.app.inject('/meetings?when=past')).body), /Leadership: first meeting \(moved\) Cancelled/);
  });

  it('lets the body’s chair keep the minutes and decisions; refuses a chair of another body, a member and a viewer', async () => {
    const recordUrl = `/admin/meetings/${meetingId}/record`;
    const version = () => t.services.governance.meeting(meetingId).then((m) => String(m!.version));
    // Refused: the chair of another body, an ordinary member of this one (403 from the service), a viewer (the permission table).
    for (const who of ['otherchair@example.org', 'member@example.org', 'viewer@example.org']) {
      assert.equal((await t.app.inject({ url: recordUrl, headers: { cookie: cookies[who]! } })).statusCode, 403, `${who} sees the record form`);
      const res = await post(`/admin/meetings/${meetingId}/minutes`, who, { minutes: 'Not theirs to write', minutesPublic: 'public', version: await version() }, '/sign-out');
      assert.equal(res.statusCode, 403, `${who} saves minutes`);
      const decision = await post(`/admin/meetings/${meetingId}/decisions`, who, { summary: 'Not theirs', itemCode: '' }, '/sign-out');
      assert.equal(decision.statusCode, 403, `${who} records a decision`);
    }
    assert.equal((await t.services.governance.meeting(meetingId))!.minutes, null);
    assert.equal(await count(t, sql`select count(*)::int as n from meeting_decisions where meeting_id = ${meetingId}`), 0);

    // The chair: the meeting page offers the link, the form saves.
    const page = await t.app.inject({ url: `/meetings/${meetingId}`, headers: { cookie: cookies['chair@example.org']! } });
    assert.match(section(page.body, 'manage-meeting'), new RegExp(`href="${recordUrl}"`));
    const missing = await post(`/admin/meetings/${meetingId}/minutes`, 'chair@example.org', { minutes: 'Draft', version: await version() }, recordUrl);
    assert.equal(missing.statusCode, 400);
    assert.match(pageText(section(missing.body, 'error-summary')), /Select who may read the minutes/);
    const saved = await post(`/admin/meetings/${meetingId}/minutes`, 'chair@example.org', { minutes: 'Chair’s private note', minutesPublic: 'private', version: await version() }, recordUrl);
    assert.equal(saved.statusCode, 303);
    assert.doesNotMatch((await t.app.inject(`/meetings/${meetingId}`)).body, /Chair’s private note/);
    const stale = await post(`/admin/meetings/${meetingId}/minutes`, 'chair@example.org', { minutes: 'Older text', minutesPublic: 'public', version: String(Number(await version()) - 1) }, recordUrl);
    assert.equal(stale.statusCode, 409);
    assert.match(pageText(section(stale.body, 'saved-minutes')), /Chair’s private note/);

    const unknownItem = await post(`/admin/meetings/${meetingId}/decisions`, 'chair@example.org', { summary: 'Adopt it', itemCode: 'ZZ-99' }, recordUrl);
    assert.equal(unknownItem.statusCode, 400);
    assert.match(pageText(section(unknownItem.body, 'error-summary')), /No item has the code ZZ-99/);
    const decided = await post(`/admin/meetings/${meetingId}/decisions`, 'chair@example.org', { summary: 'Leadership programme to be piloted', itemCode: 'tx-01' }, recordUrl);
    assert.equal(decided.statusCode, 303);
    const [decision] = await queryRows<{ id: number; item_id: number }>(t.database.db, sql`select id, item_id from meeting_decisions where meeting_id = ${meetingId}`);
    assert.ok(decision!.item_id);
    assert.match(pageText(section((await t.app.inject('/recommendations/TX-01')).body, 'discussed-at')), /Leadership programme to be piloted/);

    // Another body's chair cannot remove it; the chair can.
    assert.equal((await post(`/admin/meetings/${meetingId}/decisions/${decision!.id}/remove`, 'otherchair@example.org', {}, '/sign-out')).statusCode, 403);
    assert.equal((await post(`/admin/meetings/${meetingId}/decisions/${decision!.id}/remove`, 'chair@example.org', {}, recordUrl)).statusCode, 303);
    assert.equal(await count(t, sql`select count(*)::int as n from meeting_decisions where meeting_id = ${meetingId}`), 0);
    const actions = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where object_type = 'governance_meeting' and object_id = ${String(meetingId)} order by id`);
    assert.deepEqual(actions.map((a) => a.action).slice(-3), ['governance.minutes-set', 'governance.decision-recorded', 'governance.decision-removed']);
  });

  it('keeps the admin pages to the strategy team and administrators', async () => {
    for (const who of ['chair@example.org', 'viewer@example.org']) {
      assert.equal((await t.app.inject({ url: '/admin/governance', headers: { cookie: cookies[who]! } })).statusCode, 403);
    }
    assert.equal((await t.app.inject('/admin/governance')).statusCode, 303);
    const home = await t.app.inject({ url: '/admin', headers: { cookie: cookies['team@example.org']! } });
    assert.match(section(home.body, 'manage-links'), /href="\/admin\/governance"/);
  });
});
