// The public governance pages and API through the real app: the bodies by kind with their head
// counts, a body's members by organisation, meetings upcoming and past, a meeting's page, and
// the rule that private minutes and members-only papers reach only the strategy team and the
// body's current members: never the public, a reporter, or a member of another body.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../platform/audit/audit.ts';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, pageText, section, signInAs, type TestApp } from '../../testing.ts';
import { meetingTimes } from './labels.ts';

const SECRET = 'Budget options discussed in confidence: option C preferred';
const SECRET_PAPER = 'Confidential workforce costings';

describe('governance pages', () => {
  let t: TestApp;
  const clock = new Date('2026-11-24T12:00:00Z');
  const cookies: Record<string, string> = {};
  let privateMeeting: number;
  let steeringId: number;

  before(async () => {
    t = await createTestApp('demo', { now: () => clock });
    const [cqc] = await queryRows<{ id: number }>(t.database.db, sql`select id from organisations where short_name = 'CQC'`);
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tess Team', role: 'strategy_team' },
      { email: 'member@example.org', name: 'Mo Member', role: 'body_member' },
      { email: 'other@example.org', name: 'Olu Other', role: 'body_member' },
      { email: 'reporter@cqc.example', name: 'Rae Reporter', role: 'organisation_reporter', organisationId: cqc!.id },
    ]);
    const users = await queryRows<{ id: number; email: string }>(t.database.db, sql`select id, email from users`);
    const idOf = (email: string) => users.find((u) => u.email === email)!.id;
    const gov = t.services.governance;
    const steering = (await gov.body('steering-group'))!;
    steeringId = steering.id;
    const prevention = (await gov.body('working-group-prevention'))!;
    await gov.addMember(systemActor, steering.id, { person: { name: 'Mo Member', userId: idOf('member@example.org') }, organisationId: null, position: 'member', roleTitle: 'Carer representative', startsOn: '2025-01-01', endsOn: null });
    await gov.addMember(systemActor, prevention.id, { person: { name: 'Olu Other', userId: idOf('other@example.org') }, organisationId: null, position: 'chair', roleTitle: 'Chair', startsOn: '2025-01-01', endsOn: null });
    // Someone who left: a past member, not counted.
    await gov.addMember(systemActor, steering.id, { person: { name: 'Former Member', userId: null }, organisationId: cqc!.id, position: 'member', roleTitle: 'Former adviser', startsOn: '2024-01-01', endsOn: '2025-06-30' });
    const meeting = await gov.createMeeting(systemActor, steering.id, {
      title: 'Steering group: budget session',
      startsAt: new Date('2026-11-10T10:00:00Z'),
      endsAt: new Date('2026-11-10T12:00:00Z'),
      place: 'Leeds',
      onlineUrl: null,
      agenda: '1. Budget',
      minutes: SECRET,
      minutesPublic: false,
      cancelled: false,
      papers: [
        { title: 'Public summary', url: 'https://example.org/summary.pdf', isPublic: true },
        { title: SECRET_PAPER, url: 'https://example.org/costings.pdf', isPublic: false },
      ],
    });
    privateMeeting = meeting.id;
    for (const email of ['team@example.org', 'member@example.org', 'other@example.org', 'reporter@cqc.example']) cookies[email] = (await signInAs(t.app, email)).cookie;
  });
  after(async () => t.close());

  it('lists the bodies by kind with "N people from M organisations", the working groups with their area of focus', async () => {
    const res = await t.app.inject('/governance');
    assert.equal(res.statusCode, 200);
    const text = pageText(res.body);
    const steering = (await t.services.governance.bodies()).find((b) => b.slug === 'steering-group')!;
    // 15 shipped members plus Mo; the former member is not counted.
    assert.equal(steering.people, 16);
    assert.match(pageText(section(res.body, 'body-steering-group')), new RegExp(`16 people from ${steering.organisations} organisations · Active since October 2023`));
    assert.match(text, /Expert working groups/);
    assert.match(pageText(section(res.body, 'bodies-working_group')), /Area of focus: Prevention/);
    assert.match(pageText(section(res.body, 'body-oversight-executive')), /8 people from 7 organisations/);
  });

  it('nests a sub-group under its parent, and says when a body ended', async () => {
    const prevention = (await t.services.governance.body('working-group-prevention'))!;
    await t.services.governance.createBody(systemActor, { slug: 'prevention-housing', name: 'Prevention: housing sub-group', kind: 'sub_group', parentId: prevention.id, areaOfFocus: null, purpose: 'Housing and care.', startsOn: '2024-01-01', endsOn: '2025-03-31' });
    const res = await t.app.inject('/governance');
    assert.match(pageText(section(res.body, 'body-working-group-prevention')), /Sub-groups Prevention: housing sub-group: No members listed · Ended on 31 March 2025/);
    assert.doesNotMatch(res.body, /data-qa="bodies-sub_group"/);
  });

  it('shows a body with its members grouped by organisation, independents apart, past members, and its meetings', async () => {
    const res = await t.app.inject('/governance/steering-group');
    assert.equal(res.statusCode, 200);
    const members = pageText(section(res.body, 'members'));
    assert.match(members, /Skills for Care Oonagh Smyth Co-chair Chief executive, Skills for Care/);
    assert.match(members, /Independent members .*Sir David Pearson Co-chair Independent co-chair/);
    assert.ok(members.indexOf('Independent members') > members.indexOf('Skills for Care'), 'independent members come last');
    assert.match(pageText(section(res.body, 'past-members')), /Former Member, Care Quality Commission \(Former adviser\): from 1 January 2024 to 30 June 2025/);
    assert.match(pageText(section(res.body, 'upcoming-meetings')), /Steering group: winter meeting 19 January 2027, 10am to midday/);
    assert.match(pageText(section(res.body, 'past-meetings')), /Steering group: budget session 10 November 2026, 10am to midday/);
    assert.match(res.body, /href="\/governance\/steering-group\/meetings.ics"/);
    assert.equal((await t.app.inject('/governance/no-such-body')).statusCode, 404);
  });

  it('formats meeting times the GOV.UK way in UK time', () => {
    assert.equal(meetingTimes(new Date('2026-03-02T10:00:00Z'), new Date('2026-03-02T12:00:00Z')), '2 March 2026, 10am to midday');
    // British Summer Time: 09:30 UTC is 10:30am in London.
    assert.equal(meetingTimes(new Date('2026-07-01T09:30:00Z'), new Date('2026-07-01T15:00:00Z')), '1 July 2026, 10:30am to 4pm');
    assert.equal(meetingTimes(new Date('2026-07-01T15:00:00Z'), new Date('2026-07-02T08:00:00Z')), '1 July 2026, 4pm to 2 July 2026, 9am');
  });

  it('lists meetings upcoming and past, filtered by body, paginated', async () => {
    const upcoming = pageText((await t.app.inject('/meetings')).body);
    assert.match(upcoming, /Upcoming \(2\)/);
    assert.match(upcoming, /Steering group: winter meeting/);
    assert.doesNotMatch(upcoming, /budget session/);
    const past = await t.app.inject('/meetings?when=past&body=steering-group');
    assert.equal(past.statusCode, 200);
    assert.deepEqual([...section(past.body, 'meetings').matchAll(/href="\/meetings\/(\d+)"/g)].length, 2);
    assert.match(pageText(section(past.body, 'meetings')), /budget session .* progress review/);
    // Many past meetings: 20 a page.
    for (let i = 1; i <= 21; i++) {
      await t.services.governance.createMeeting(systemActor, steeringId, { title: `Old meeting ${i}`, startsAt: new Date(Date.UTC(2025, 0, i, 10)), endsAt: new Date(Date.UTC(2025, 0, i, 11)), place: 'Leeds', onlineUrl: null, agenda: '', minutes: null, minutesPublic: false, cancelled: false, papers: [] });
    }
    const page2 = await t.app.inject('/meetings?when=past&page=2');
    assert.equal(page2.statusCode, 200);
    assert.match(pageText(section(page2.body, 'meetings')), /Old meeting 1 /);
    assert.equal((await t.app.inject('/meetings?when=past&page=9')).statusCode, 404);
    assert.equal((await t.app.inject('/meetings?body=nobody')).statusCode, 404);
    assert.equal((await t.app.inject('/meetings?colour=red')).statusCode, 400);
    const bodyPage2 = await t.app.inject('/governance/steering-group?page=2');
    assert.equal(bodyPage2.statusCode, 200);
    assert.match(bodyPage2.body, /Pages of past meetings/);
  });

  it('shows a meeting: when, where, agenda, public papers, public minutes and decisions linked to items', async () => {
    const [m] = await queryRows<{ id: number }>(t.database.db, sql`select id from governance_meetings where title = 'Steering group: progress review'`);
    const res = await t.app.inject(`/meetings/${m!.id}`);
    assert.equal(res.statusCode, 200);
    const details = pageText(section(res.body, 'meeting-details'));
    assert.match(details, /When 15 September 2026, 10am to midday/);
    assert.match(details, /Where Skills for Care, West Gate, Grace Street, Leeds Join online/);
    assert.match(pageText(section(res.body, 'minutes')), /welcomed the employer guide/);
    assert.match(section(res.body, 'decisions'), /href="\/recommendations\/TR-04"/);
    assert.match(pageText(section(res.body, 'papers')), /Year one progress summary/);
    assert.doesNotMatch(res.body, /Draft budget options/);
    assert.equal((await t.app.inject('/meetings/999999')).statusCode, 404);
    assert.equal((await t.app.inject('/meetings/abc')).statusCode, 404);
  });

  it('keeps private minutes and members-only papers from the public, reporters and other bodies’ members', async () => {
    for (const who of ['anonymous', 'reporter@cqc.example', 'other@example.org']) {
      const res = await t.app.inject({ url: `/meetings/${privateMeeting}`, headers: who === 'anonymous' ? {} : { cookie: cookies[who]! } });
      assert.equal(res.statusCode, 200, who);
      assert.ok(!res.body.includes(SECRET), `${who} must not see the private minutes`);
      assert.ok(!res.body.includes(SECRET_PAPER), `${who} must not see a members-only paper`);
      assert.match(pageText(section(res.body, 'minutes-private')), /not published/);
    }
    // Nor any public page or feed, whoever asks.
    for (const url of ['/governance', '/governance/steering-group', '/meetings?when=past', '/governance/steering-group/meetings.ics', '/api/v1/meetings?when=past&per_page=100', '/api/v1/governance/bodies?format=csv']) {
      for (const cookie of [undefined, cookies['team@example.org']]) {
        const res = await t.app.inject({ url, headers: cookie ? { cookie } : {} });
        assert.equal(res.statusCode, 200, url);
        assert.ok(!res.body.includes(SECRET) && !res.body.includes(SECRET_PAPER), `${url} must not hold private text`);
      }
    }
  });

  it('shows private minutes and members-only papers to the body’s members and the strategy team', async () => {
    for (const who of ['member@example.org', 'team@example.org']) {
      const res = await t.app.inject({ url: `/meetings/${privateMeeting}`, headers: { cookie: cookies[who]! } });
      assert.match(pageText(section(res.body, 'minutes')), new RegExp(SECRET));
      assert.match(pageText(section(res.body, 'papers')), new RegExp(`${SECRET_PAPER} Members only`));
      assert.equal(res.headers['cache-control'], 'private, no-cache');
    }
  });

  it('lists the meeting decisions on an item under "Discussed at", and updates the cached item page', async () => {
    const before = await t.app.inject('/recommendations/TR-04');
    assert.match(pageText(section(before.body, 'discussed-at')), /Steering group: progress review, Workforce strategy steering group, 15 September 2026, 10am to midday Decision: The employer guide/);
    const team = (await queryRows<{ id: number }>(t.database.db, sql`select id from users where email = 'team@example.org'`))[0]!;
    await t.services.governance.recordDecision(systemActor, { id: team.id, email: 'team@example.org', name: 'Tess', role: 'strategy_team', organisationId: null }, privateMeeting, { summary: 'Training costs to be modelled', itemCode: 'TR-04' });
    const afterwards = await t.app.inject('/recommendations/TR-04');
    assert.match(pageText(section(afterwards.body, 'discussed-at')), /budget session.*Decision: Training costs to be modelled.*progress review/);
    assert.doesNotMatch((await t.app.inject('/recommendations/AR-01')).body, /data-qa="discussed-at"/);
  });

  it('serves the bodies and meetings as JSON and CSV, public content only', async () => {
    const bodies = await t.app.inject('/api/v1/governance/bodies');
    const json = bodies.json<{ data: Array<{ slug: string; parent: string | null; people: number; calendar_url: string }> }>();
    const group = json.data.find((b) => b.slug === 'working-group-prevention')!;
    assert.equal(group.parent, 'steering-group');
    assert.equal(group.calendar_url, 'http://localhost:3000/governance/working-group-prevention/meetings.ics');
    const csv = await t.app.inject('/api/v1/governance/bodies?format=csv');
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(csv.body.split('\n')[0]!, /^slug,name,kind,parent/);
    const meetings = await t.app.inject('/api/v1/meetings?when=past&body=steering-group&per_page=100');
    const list = meetings.json<{ data: Array<{ id: number; minutes: string | null; papers: unknown[]; decisions: Array<{ item: string | null }> }>; meta: { total: number } }>();
    const budget = list.data.find((m) => m.id === privateMeeting)!;
    assert.equal(budget.minutes, null);
    assert.equal(budget.papers.length, 1);
    assert.ok(list.data.some((m) => m.decisions.some((d) => d.item === 'TR-04')));
    assert.equal((await t.app.inject('/api/v1/meetings?body=nobody')).statusCode, 404);
    assert.equal((await t.app.inject('/api/v1/meetings?per_page=1000')).statusCode, 400);
    const doc = (await t.app.inject('/api/v1/openapi.json')).json<{ paths: Record<string, unknown> }>();
    assert.ok(doc.paths['/api/v1/governance/bodies'] && doc.paths['/api/v1/meetings']);
  });
});

describe('governance pages with no bodies', () => {
  it('says so', async () => {
    const t = await createTestApp('empty');
    try {
      const res = await t.app.inject('/governance');
      assert.equal(res.statusCode, 200);
      assert.match(pageText(section(res.body, 'no-bodies')), /No governance bodies have been added yet/);
      assert.match(pageText((await t.app.inject('/meetings')).body), /No meetings are planned yet/);
    } finally {
      await t.close();
    }
  });
});
