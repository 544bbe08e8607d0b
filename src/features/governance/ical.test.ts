// A body's iCalendar feed read back by a real iCalendar library (ical.js): the events and their
// UTC times, awkward text (commas, semicolons, backslashes, new lines, emoji, long lines) round
// trip, a cancelled meeting says so, lines are folded at 75 octets with CRLF endings, and a
// client holding the current feed gets a 304.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ICAL from 'ical.js';
import { systemActor } from '../../platform/audit/audit.ts';
import { createTestApp, type TestApp } from '../../testing.ts';
import { escapeText, foldLine } from './ical.ts';

const AWKWARD_TITLE = 'Budget, pay; and "terms" \\ conditions 🎉';
const AWKWARD_AGENDA = `1. Welcome, apologies; minutes\n2. Pay rates 💷 for care workers across England, Scotland’s comparison, and a very long agenda line that goes on well past seventy-five octets so it must be folded 🧵🧵🧵\n3. Close`;

describe('iCalendar feed of a body’s meetings', () => {
  let t: TestApp;
  let ids: { awkward: number; cancelled: number };
  before(async () => {
    t = await createTestApp('demo', { now: () => new Date('2026-11-24T12:00:00Z') });
    const group = (await t.services.governance.body('working-group-leadership'))!;
    const base = { onlineUrl: null, minutes: 'Private words never in a feed', minutesPublic: false, cancelled: false, papers: [{ title: 'Members-only costings', url: 'https://example.org/c.pdf', isPublic: false }] };
    const awkward = await t.services.governance.createMeeting(systemActor, group.id, {
      ...base,
      title: AWKWARD_TITLE,
      // 14:00 in London in summer is 13:00 UTC.
      startsAt: new Date('2027-06-15T13:00:00Z'),
      endsAt: new Date('2027-06-15T15:30:00Z'),
      place: 'Room 1, West Gate; Leeds',
      agenda: AWKWARD_AGENDA,
    });
    const toCancel = await t.services.governance.createMeeting(systemActor, group.id, { ...base, title: 'Called off', startsAt: new Date('2027-01-10T10:00:00Z'), endsAt: new Date('2027-01-10T11:00:00Z'), place: null, onlineUrl: 'https://meet.example.org/x', agenda: '' });
    await t.services.governance.cancelMeeting(systemActor, toCancel.id, toCancel.version);
    ids = { awkward: awkward.id, cancelled: toCancel.id };
  });
  after(async () => t.close());

  it('is a valid calendar with one event per meeting, read back intact by ical.js', async () => {
    const res = await t.app.inject('/governance/working-group-leadership/meetings.ics');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/calendar; charset=utf-8');
    const calendar = new ICAL.Component(ICAL.parse(res.body) as unknown[]);
    assert.equal(calendar.name, 'vcalendar');
    assert.equal(calendar.getFirstPropertyValue('version'), '2.0');
    assert.equal(calendar.getFirstPropertyValue('method'), 'PUBLISH');
    assert.equal(calendar.getFirstPropertyValue('calscale'), 'GREGORIAN');
    assert.ok(String(calendar.getFirstPropertyValue('prodid')).includes('Workforce Strategy Hub'));
    assert.equal(calendar.getFirstPropertyValue('x-wr-calname'), 'Expert working group: Leadership: meetings');
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    assert.equal(events.length, 2);
    const awkward = events.find((e) => e.uid === `meeting-${ids.awkward}@localhost`)!;
    assert.ok(awkward, 'the UID names the meeting and the host of BASE_URL');
    assert.equal(awkward.summary, AWKWARD_TITLE);
    assert.equal(awkward.description, AWKWARD_AGENDA);
    assert.equal(awkward.location, 'Room 1, West Gate; Leeds');
    assert.equal(awkward.startDate.toJSDate().toISOString(), '2027-06-15T13:00:00.000Z');
    assert.equal(awkward.endDate.toJSDate().toISOString(), '2027-06-15T15:30:00.000Z');
    assert.equal(awkward.startDate.zone?.tzid, 'UTC');
    assert.equal(awkward.sequence, 0);
    assert.equal(awkward.component.getFirstPropertyValue('url'), `http://localhost:3000/meetings/${ids.awkward}`);
    assert.equal(awkward.component.getFirstPropertyValue('status'), 'CONFIRMED');
    assert.ok(awkward.component.getFirstPropertyValue('dtstamp'));
    const cancelled = events.find((e) => e.uid === `meeting-${ids.cancelled}@localhost`)!;
    assert.equal(cancelled.component.getFirstPropertyValue('status'), 'CANCELLED');
    // Cancelling changed the meeting: calendars see a newer version.
    assert.equal(cancelled.sequence, 1);
    assert.equal(cancelled.location, 'https://meet.example.org/x');
    assert.ok(!res.body.includes('Private words') && !res.body.includes('Members-only costings'));
  });

  it('folds lines at 75 octets without splitting a character, with CRLF endings', async () => {
    const res = await t.app.inject('/governance/working-group-leadership/meetings.ics');
    const raw = res.rawPayload;
    assert.ok(res.body.endsWith('\r\n'));
    assert.ok(!/[^\r]\n/.test(res.body), 'every line ends with CRLF');
    const lines = res.body.split('\r\n');
    assert.ok(lines.some((l) => l.startsWith(' ')), 'long lines are folded');
    for (const line of lines) assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line too long: ${line}`);
    // Folding never split a UTF-8 sequence: the bytes decode without replacement characters.
    assert.ok(!raw.toString('utf8').includes('\uFFFD'));
    assert.equal(foldLine('a'.repeat(75)), 'a'.repeat(75));
    assert.equal(foldLine('a'.repeat(76)), `${'a'.repeat(75)}\r\n a`);
    assert.equal(foldLine(`${'a'.repeat(74)}🎉`), `${'a'.repeat(74)}\r\n 🎉`);
    assert.equal(escapeText('a\\b;c,d\ne'), 'a\\\\b\\;c\\,d\\ne');
  });

  it('answers 304 to a client that has the current feed, and a new ETag after a change', async () => {
    const first = await t.app.inject('/governance/working-group-leadership/meetings.ics');
    const etag = String(first.headers.etag);
    assert.ok(etag);
    const again = await t.app.inject({ url: '/governance/working-group-leadership/meetings.ics', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    const meeting = (await t.services.governance.meeting(ids.awkward))!;
    await t.services.governance.updateMeeting(systemActor, meeting.id, { title: 'Renamed', startsAt: meeting.startsAt, endsAt: meeting.endsAt, place: meeting.place, onlineUrl: null, agenda: '', papers: [] }, meeting.version);
    const changed = await t.app.inject({ url: '/governance/working-group-leadership/meetings.ics', headers: { 'if-none-match': etag } });
    assert.equal(changed.statusCode, 200);
    const event = new ICAL.Component(ICAL.parse(changed.body) as unknown[]).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)).find((e) => e.summary === 'Renamed')!;
    assert.equal(event.sequence, 1);
    assert.equal((await t.app.inject('/governance/nobody/meetings.ics')).statusCode, 404);
  });
});
