// The governance foundation through the real service and database: the shipped bodies, who
// sits where (through a linked account), meetings, and the rules a body's place must keep.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../platform/audit/audit.ts';
import { queryRows } from '../../platform/db/client.ts';
import { InputError } from '../../platform/http/validation.ts';
import { addPeople, createTestApp, type TestApp } from '../../testing.ts';

describe('governance bodies, members and meetings', () => {
  let t: TestApp;
  const clock = new Date('2026-03-02T10:00:00Z');
  before(async () => {
    t = await createTestApp('demo', { now: () => clock });
  });
  after(async () => t.close());

  it('ships the steering group, seven working groups, the evidence workstream and the Oversight Executive', async () => {
    const bodies = await t.services.governance.bodies();
    assert.equal(bodies.filter((b) => b.kind === 'working_group').length, 7);
    const steering = bodies.find((b) => b.slug === 'steering-group')!;
    assert.equal(steering.kind, 'steering_group');
    // 15 people listed; organisations are the distinct ones they sit for (the independent
    // co-chair sits for none, DHSC has two seats).
    assert.equal(steering.people, 15);
    const orgs = await queryRows<{ n: number }>(t.database.db, sql`select count(distinct organisation_id)::int as n from governance_memberships m join governance_bodies b on b.id = m.body_id where b.slug = 'steering-group'`);
    assert.equal(steering.organisations, orgs[0]!.n);
    assert.ok(bodies.filter((b) => b.kind === 'working_group').every((b) => b.parent?.slug === 'steering-group'));
    const members = await t.services.governance.members(steering.id);
    assert.deepEqual(
      members.slice(0, 2).map((m) => [m.personName, m.position]),
      [
        ['Oonagh Smyth', 'co_chair'],
        ['Sir David Pearson', 'co_chair'],
      ],
    );
  });

  it('knows which bodies a signed-in person sits on today, through their linked person', async () => {
    await addPeople(t, [{ email: 'wanda@example.org', name: 'Wanda Member', role: 'body_member' }]);
    const [wanda] = await queryRows<{ id: number }>(t.database.db, sql`select id from users where email = 'wanda@example.org'`);
    const group = (await t.services.governance.body('working-group-prevention'))!;
    const other = (await t.services.governance.body('working-group-leadership'))!;
    await t.services.governance.addMember(systemActor, group.id, { person: { name: 'Wanda Member', userId: wanda!.id }, organisationId: null, position: 'chair', roleTitle: 'Chair', startsOn: '2026-01-01', endsOn: null });
    // A past membership elsewhere does not count today.
    await t.services.governance.addMember(systemActor, other.id, { person: { name: 'ignored: the linked person is reused', userId: wanda!.id }, organisationId: null, position: 'member', roleTitle: '', startsOn: '2024-01-01', endsOn: '2025-12-31' });
    assert.equal(await t.services.governance.isMember(wanda!.id, group.id), true);
    assert.equal(await t.services.governance.isChair(wanda!.id, group.id), true);
    assert.equal(await t.services.governance.isMember(wanda!.id, other.id), false);
    const people = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from governance_people where user_id = ${wanda!.id}`);
    assert.equal(people[0]!.n, 1);
    const audit = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from audit_events where action = 'governance.member-added'`);
    assert.equal(audit[0]!.n, 2);
  });

  it('lists meetings upcoming and past, with their papers', async () => {
    const steering = (await t.services.governance.body('steering-group'))!;
    const at = (iso: string) => new Date(iso);
    const base = { place: 'Leeds', onlineUrl: null, agenda: '1. Drafts', minutes: null, minutesPublic: false, cancelled: false };
    await t.services.governance.createMeeting(systemActor, steering.id, { ...base, title: 'Past', startsAt: at('2026-02-01T10:00:00Z'), endsAt: at('2026-02-01T12:00:00Z'), papers: [] });
    const next = await t.services.governance.createMeeting(systemActor, steering.id, { ...base, title: 'Next', startsAt: at('2026-04-01T10:00:00Z'), endsAt: at('2026-04-01T12:00:00Z'), papers: [{ title: 'Paper A', url: 'https://example.org/a.pdf', isPublic: true }] });
    const upcoming = await t.services.governance.meetings({ bodyIds: [steering.id], when: 'upcoming' });
    // Soonest first; the shipped demo meetings (September 2026 on) come after.
    assert.deepEqual(upcoming.meetings.map((m) => m.title), ['Next', 'Steering group: progress review', 'Steering group: winter meeting']);
    const past = await t.services.governance.meetings({ bodyIds: [steering.id], when: 'past' });
    assert.deepEqual(past.meetings.map((m) => m.title), ['Past']);
    assert.equal((await t.services.governance.meeting(next.id))!.body.slug, 'steering-group');
  });

  it('refuses a body that would sit under itself, or a name already used', async () => {
    const steering = (await t.services.governance.body('steering-group'))!;
    const group = (await t.services.governance.body('working-group-prevention'))!;
    const input = { slug: steering.slug, name: steering.name, kind: steering.kind, parentId: group.id, areaOfFocus: null, purpose: steering.purpose, startsOn: steering.startsOn, endsOn: null };
    await assert.rejects(t.services.governance.updateBody(systemActor, steering.id, input, steering.version), (e: unknown) => e instanceof InputError && e.problems[0]!.field === 'parentId');
    await assert.rejects(
      t.services.governance.createBody(systemActor, { ...input, slug: 'new-body', parentId: null }),
      (e: unknown) => e instanceof InputError && e.problems.some((p) => p.field === 'name'),
    );
    assert.equal((await t.services.governance.body('new-body')), undefined);
  });
});
