// The drafting pipeline through the real app: a working-group member drafts (every save a
// version) and submits; a reviewer takes it into review and records the evidence review with
// levers; the steering group decides at a meeting: send back, accept (the item is created with
// its levers and provenance) or reject. Each state change, and each refusal with its reason.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { systemActor } from '../../platform/audit/audit.ts';
import { queryRows } from '../../platform/db/client.ts';
import { users } from '../accounts/schema.ts';
import { addPeople, createTestApp, pageText, section, signInAs, submitForm, type TestApp } from '../../testing.ts';
import { markedDifference } from './differences.ts';
import { drafts } from './schema.ts';

const GROUP = 'working-group-recruit-and-retain';
const OTHER_GROUP = 'working-group-develop-and-train';

describe('the drafting pipeline', () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  let pastMeeting = 0;
  let futureMeeting = 0;
  let groupMeeting = 0;

  const userId = async (email: string) => (await t.database.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
  const get = (url: string, who: string) => t.app.inject({ url, headers: { cookie: cookies[who]! } });
  const post = (url: string, who: string, fields: Record<string, string | string[]>, formUrl?: string) => submitForm(t.app, { url, formUrl: formUrl ?? '/sign-out', cookie: cookies[who]!, fields });
  const draftRow = async (id: number) => (await t.database.db.select().from(drafts).where(eq(drafts.id, id)))[0]!;
  const versionOf = async (id: number) => String((await draftRow(id)).version);

  const fullDraft = { title: 'A national career pathway for care workers', rationale: 'Care workers leave because they see no way up.\n\nA pathway with pay steps keeps them.', leads: ['skills-for-care'], area: 'attract-and-retain', themes: [] as string[], targetText: 'By March 2027' };

  before(async () => {
    t = await createTestApp('demo', { workforcePageRuns: 0 });
    await addPeople(t, [
      { email: 'mina@example.org', name: 'Mina Member', role: 'body_member' },
      { email: 'otto@example.org', name: 'Otto Other', role: 'body_member' },
      { email: 'rae@example.org', name: 'Rae Reviewer', role: 'evidence_reviewer' },
      { email: 'tess@example.org', name: 'Tess Team', role: 'strategy_team' },
      { email: 'cora@example.org', name: 'Cora Chair', role: 'body_member' },
      { email: 'vic@example.org', name: 'Vic Viewer', role: 'viewer' },
    ]);
    const governance = t.services.governance;
    const body = async (slug: string) => (await governance.body(slug))!;
    const member = async (slug: string, email: string, name: string, position: 'member' | 'chair' = 'member') =>
      governance.addMember(systemActor, (await body(slug)).id, { person: { name, userId: await userId(email) }, organisationId: null, position, roleTitle: '', startsOn: null, endsOn: null });
    await member(GROUP, 'mina@example.org', 'Mina Member');
    await member(OTHER_GROUP, 'otto@example.org', 'Otto Other');
    await member('steering-group', 'cora@example.org', 'Cora Chair', 'chair');
    const meeting = { place: 'London', onlineUrl: null, agenda: '', minutes: null, minutesPublic: false, cancelled: false, papers: [] };
    const hour = 3_600_000;
    pastMeeting = (await governance.createMeeting(systemActor, (await body('steering-group')).id, { ...meeting, title: 'Steering group, spring', startsAt: new Date(Date.now() - 2 * hour), endsAt: new Date(Date.now() - hour) })).id;
    futureMeeting = (await governance.createMeeting(systemActor, (await body('steering-group')).id, { ...meeting, title: 'Steering group, summer', startsAt: new Date(Date.now() + 30 * 24 * hour), endsAt: new Date(Date.now() + 30 * 24 * hour + hour) })).id;
    groupMeeting = (await governance.createMeeting(systemActor, (await body(GROUP)).id, { ...meeting, title: 'Recruit and retain workshop', startsAt: new Date(Date.now() - 3 * hour), endsAt: new Date(Date.now() - 2 * hour) })).id;
    for (const who of ['mina', 'otto', 'rae', 'tess', 'cora', 'vic']) cookies[who] = (await signInAs(t.app, `${who}@example.org`)).cookie;
  });
  after(async () => t?.close());

  let id = 0;

  it('lets a member start a draft in their own group, and refuses one in a group they do not sit on', async () => {
    const refused = await post('/drafting/new', 'mina', { group: OTHER_GROUP, title: 'Not mine' });
    assert.equal(refused.statusCode, 403);
    assert.match(pageText(refused.body), /you do not sit on the Develop and train|do not sit on the/i);

    const noTitle = await post('/drafting/new', 'mina', { group: GROUP, title: '' });
    assert.equal(noTitle.statusCode, 400);
    assert.match(pageText(section(noTitle.body, 'error-summary')), /Enter a title/);

    const res = await post('/drafting/new', 'mina', { group: GROUP, title: 'A career pathway', rationale: '', area: '', targetText: '' });
    assert.equal(res.statusCode, 303);
    id = Number(/\/drafting\/(\d+)/.exec(String(res.headers.location))![1]);
    const row = await draftRow(id);
    assert.equal(row.state, 'draft');
    assert.equal(row.currentVersion, 1);
    const page = await get(`/drafting/${id}`, 'mina');
    assert.equal(page.statusCode, 200);
    assert.match(pageText(page.body), /A career pathway/);
    assert.match(section(page.body, 'actions'), /data-qa="edit"/);
  });

  it('refuses to submit an empty draft, saying what is missing', async () => {
    const res = await post(`/drafting/${id}/submit`, 'mina', { version: await versionOf(id) });
    assert.equal(res.statusCode, 400);
    const summary = pageText(section(res.body, 'error-summary'));
    assert.match(summary, /cannot be submitted yet/);
    assert.match(summary, /rationale/);
    assert.match(summary, /lead organisation/);
    assert.equal((await draftRow(id)).state, 'draft');
  });

  it('keeps every version, and refuses an edit from a member of another group', async () => {
    const other = await post(`/drafting/${id}/edit`, 'otto', { ...fullDraft, version: await versionOf(id) });
    assert.equal(other.statusCode, 403);
    const stale = await post(`/drafting/${id}/edit`, 'mina', { ...fullDraft, version: '99' });
    assert.equal(stale.statusCode, 409);
    assert.match(pageText(stale.body), /Someone else changed this draft/);
    const res = await post(`/drafting/${id}/edit`, 'mina', { ...fullDraft, version: await versionOf(id) });
    assert.equal(res.statusCode, 303);
    assert.equal((await draftRow(id)).currentVersion, 2);
    const events = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where object_type = 'draft' and object_id = ${String(id)} order by id`);
    assert.deepEqual(events.map((e) => e.action), ['draft.created', 'draft.version-saved']);
  });

  it('shows what changed between versions, word by word, escaped', async () => {
    const res = await get(`/drafting/${id}/changes?from=1&to=2`, 'rae');
    assert.equal(res.statusCode, 200);
    const diff = section(res.body, 'differences');
    assert.match(diff, /A <ins class="app-diff__added"><span class="govuk-visually-hidden">\[added: <\/span>national <span class="govuk-visually-hidden">\]<\/span><\/ins>career pathway/);
    assert.match(markedDifference('Pay care workers fairly', 'Pay care workers').html, /<del class="app-diff__removed"><span class="govuk-visually-hidden">\[removed: <\/span> ?fairly<span class="govuk-visually-hidden">\]<\/span><\/del>/);
    assert.match(pageText(diff), /Skills for Care/);
    // The version picker is a plain GET form.
    assert.match(res.body, /<form method="get" action="\/drafting\/\d+\/changes"[^>]*data-qa="version-picker"/);
    const marked = markedDifference('Pay fairly', 'Pay <script>alert(1)</script> fairly');
    assert.ok(!marked.html.includes('<script'), marked.html);
    const newText = marked.html.replace(/<span class="govuk-visually-hidden">[^<]*<\/span>/g, '').replace(/<\/?(ins|del)\b[^>]*>/g, '');
    assert.match(newText, /^Pay &lt;script&gt;alert\(1\)&lt;\/script&gt; fairly$/);
    assert.equal(marked.changed, true);
  });

  it('refuses to review a draft that is not submitted, then submits it', async () => {
    const early = await post(`/drafting/${id}/review/start`, 'rae', { version: await versionOf(id) });
    assert.equal(early.statusCode, 400);
    assert.match(pageText(section(early.body, 'error-summary')), /has not been submitted by its working group/);
    const res = await post(`/drafting/${id}/submit`, 'mina', { version: await versionOf(id) });
    assert.equal(res.statusCode, 303);
    assert.equal((await draftRow(id)).state, 'submitted');
    const edit = await post(`/drafting/${id}/edit`, 'mina', { ...fullDraft, title: 'Changed', version: await versionOf(id) });
    assert.equal(edit.statusCode, 400);
    assert.match(pageText(edit.body), /can be edited again only if the steering group sends it back/);
  });

  it('refuses a decision on a draft not yet reviewed, with the reason', async () => {
    const res = await post(`/drafting/${id}/decision`, 'tess', { version: await versionOf(id), meeting: String(pastMeeting), outcome: 'reject', reasons: 'Too soon', code: '' });
    assert.equal(res.statusCode, 400);
    assert.match(pageText(res.body), /This draft has not been reviewed by the evidence workstream/);
  });

  it('lets only reviewers review; the review records levers and tests them against the workforce model', async () => {
    const member = await post(`/drafting/${id}/review/start`, 'mina', { version: await versionOf(id) });
    assert.equal(member.statusCode, 403);
    const start = await post(`/drafting/${id}/review/start`, 'rae', { version: await versionOf(id) });
    assert.equal(start.statusCode, 303);
    assert.equal((await draftRow(id)).state, 'under_review');
    const review = { version: await versionOf(id), strength: 'moderate', analysis: 'Pathways cut leaving in two pilots.', costText: '£40m a year', costPerYear: '40,000,000', testingNotes: 'Modelled and tested at two roundtables.', recommendation: 'proceed', 'training-size': '5', 'training-start': '2027', 'training-ramp': '3' };
    const tested = await post(`/drafting/${id}/review`, 'rae', { ...review, action: 'test' });
    assert.equal(tested.statusCode, 200);
    const figures = pageText(section(tested.body, 'tested'));
    assert.match(figures, /without it [\d,]+ posts/);
    assert.match(figures, /Difference −[\d,]+ posts/, 'fewer leavers close the gap');
    assert.equal((await draftRow(id)).state, 'under_review', 'testing saves nothing');
    const bad = await post(`/drafting/${id}/review`, 'rae', { ...review, 'training-size': '100', action: 'save' });
    assert.equal(bad.statusCode, 400);
    assert.match(pageText(section(bad.body, 'error-summary')), /Training and retention: the size must be less than 100%/);
    const saved = await post(`/drafting/${id}/review`, 'rae', { ...review, action: 'save' });
    assert.equal(saved.statusCode, 303);
    assert.equal((await draftRow(id)).state, 'reviewed');
    const [row] = await queryRows<{ levers: { kind: string; size: number }[]; cost_per_year: string | number; strength: string }>(t.database.db, sql`select levers, cost_per_year, strength from draft_reviews where draft_id = ${id}`);
    assert.deepEqual(row!.levers.map((l) => [l.kind, l.size]), [['training', 0.05]]);
    assert.equal(Number(row!.cost_per_year), 40_000_000);
    const page = await get(`/drafting/${id}`, 'mina');
    assert.match(pageText(section(page.body, 'review-worth')), /a difference of −[\d,]+ posts/);
  });

  it('lets members and reviewers comment, and refuses others', async () => {
    assert.equal((await post(`/drafting/${id}/comments`, 'mina', { body: 'Thanks: we will add the pilots.' })).statusCode, 303);
    assert.equal((await post(`/drafting/${id}/comments`, 'rae', { body: 'See the pilot evaluations.' })).statusCode, 303);
    const otto = await post(`/drafting/${id}/comments`, 'otto', { body: 'Me too' });
    assert.equal(otto.statusCode, 403);
    const empty = await post(`/drafting/${id}/comments`, 'rae', { body: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(pageText(section((await get(`/drafting/${id}`, 'vic')).body, 'comments')), /Thanks: we will add the pilots\.[\s\S]*See the pilot evaluations/);
  });

  it('refuses decisions from people who may not make them, and at meetings that do not count', async () => {
    const fields = async (over: Record<string, string>) => ({ version: await versionOf(id), meeting: String(pastMeeting), outcome: 'send_back', reasons: 'Add the pilots.', code: '', ...over });
    assert.equal((await post(`/drafting/${id}/decision`, 'mina', await fields({}))).statusCode, 403);
    assert.equal((await post(`/drafting/${id}/decision`, 'rae', await fields({}))).statusCode, 403);
    const future = await post(`/drafting/${id}/decision`, 'tess', await fields({ meeting: String(futureMeeting) }));
    assert.equal(future.statusCode, 400);
    assert.match(pageText(section(future.body, 'error-summary')), /has not started yet/);
    const notSteering = await post(`/drafting/${id}/decision`, 'tess', await fields({ meeting: String(groupMeeting) }));
    assert.equal(notSteering.statusCode, 400);
    assert.match(pageText(section(notSteering.body, 'error-summary')), /not of the steering group/);
    const noCode = await post(`/drafting/${id}/decision`, 'tess', await fields({ outcome: 'accept' }));
    assert.equal(noCode.statusCode, 400);
    assert.match(pageText(section(noCode.body, 'error-summary')), /Enter the code/);
    const stale = await post(`/drafting/${id}/decision`, 'tess', await fields({ version: '1' }));
    assert.equal(stale.statusCode, 409);
    assert.equal((await draftRow(id)).state, 'reviewed');
  });

  it('sends a draft back to its group, which revises and resubmits it', async () => {
    const res = await post(`/drafting/${id}/decision`, 'cora', { version: await versionOf(id), meeting: String(pastMeeting), outcome: 'send_back', reasons: 'Add the pilots’ evidence.', code: '' });
    assert.equal(res.statusCode, 303);
    const row = await draftRow(id);
    assert.equal(row.state, 'draft');
    assert.equal(row.sentBack, true);
    const board = await get('/drafting?state=sent_back', 'vic');
    assert.match(pageText(section(board.body, 'drafts')), /A national career pathway for care workers[\s\S]*Sent back/);
    assert.match(pageText(section((await get(`/drafting/${id}`, 'mina')).body, 'sent-back')), /sent this draft back/);
    assert.equal((await post(`/drafting/${id}/edit`, 'mina', { ...fullDraft, rationale: `${fullDraft.rationale}\n\nTwo pilots cut leaving by a fifth.`, version: await versionOf(id) })).statusCode, 303);
    assert.equal((await post(`/drafting/${id}/submit`, 'mina', { version: await versionOf(id) })).statusCode, 303);
    assert.equal((await draftRow(id)).sentBack, false);
    assert.equal((await post(`/drafting/${id}/review/start`, 'rae', { version: await versionOf(id) })).statusCode, 303);
    const review = { version: await versionOf(id), strength: 'strong', analysis: 'Now with pilots.', costText: '', costPerYear: '', testingNotes: '', recommendation: 'proceed', 'training-size': '5', 'training-start': '2027', 'training-ramp': '3', action: 'save' };
    assert.equal((await post(`/drafting/${id}/review`, 'rae', review)).statusCode, 303);
  });

  it('accepts a reviewed draft: the item is created with its levers, the meeting records it, and the item page says where it came from', async () => {
    const form = await get(`/drafting/${id}/decision`, 'tess');
    assert.equal(form.statusCode, 200);
    const suggested = /name="code" type="text" value="([A-Z0-9-]+)"|id="code" name="code" type="text" spellcheck="false" value="([A-Z0-9-]+)"/.exec(form.body);
    assert.ok(/value="AR-\d+"/.test(form.body), 'the next free code in the area is suggested');
    void suggested;
    const taken = await post(`/drafting/${id}/decision`, 'tess', { version: await versionOf(id), meeting: String(pastMeeting), outcome: 'accept', reasons: 'Strong evidence.', code: 'AR-01' });
    assert.equal(taken.statusCode, 400);
    assert.match(pageText(section(taken.body, 'error-summary')), /AR-01 is already the code of another item/);
    assert.equal((await draftRow(id)).state, 'reviewed', 'nothing written');
    const res = await post(`/drafting/${id}/decision`, 'tess', { version: await versionOf(id), meeting: String(pastMeeting), outcome: 'accept', reasons: 'Strong evidence.', code: 'AR-99' });
    assert.equal(res.statusCode, 303);
    const row = await draftRow(id);
    assert.equal(row.state, 'decided');
    assert.equal(row.outcome, 'accept');
    const item = await t.services.strategy.getItem('AR-99');
    assert.ok(item);
    assert.equal(item.title, fullDraft.title);
    assert.equal(item.kind, 'recommendation');
    assert.equal(item.status, 'not_started');
    assert.equal(item.summary, 'Care workers leave because they see no way up.');
    assert.deepEqual(item.leads.map((o) => o.slug), ['skills-for-care']);
    assert.equal(item.targetText, 'By March 2027');
    assert.deepEqual((await t.services.workforce.leversOf('AR-99'))!.levers.map((l) => [l.kind, l.size, l.startYear]), [['training', 0.05, 2027]]);
    const decisions = await queryRows<{ summary: string; item_id: number | null }>(t.database.db, sql`select summary, item_id from meeting_decisions where meeting_id = ${pastMeeting} order by id`);
    assert.equal(decisions.length, 2);
    assert.match(decisions[1]!.summary, /Accepted .* as AR-99/);
    assert.equal(decisions[1]!.item_id, row.itemId);
    const publicPage = await t.app.inject('/recommendations/AR-99');
    assert.equal(publicPage.statusCode, 200);
    const provenance = pageText(section(publicPage.body, 'provenance'));
    assert.match(provenance, /Recruit and retain/);
    assert.match(provenance, /Evidence strong; the evidence workstream recommended: proceed/);
    assert.match(provenance, /Steering group, spring/);
    assert.match(section(publicPage.body, 'provenance'), new RegExp(`href="/meetings/${pastMeeting}"`));
    const plain = await t.app.inject('/recommendations/AR-02');
    assert.ok(!plain.body.includes('data-qa="provenance"'), 'items without a draft show nothing');
  });

  it('refuses to edit or decide a decided draft', async () => {
    const edit = await post(`/drafting/${id}/edit`, 'mina', { ...fullDraft, version: await versionOf(id) });
    assert.equal(edit.statusCode, 400);
    assert.match(pageText(edit.body), /This draft has been decided \(accepted\): it cannot be edited/);
    const again = await post(`/drafting/${id}/decision`, 'tess', { version: await versionOf(id), meeting: String(pastMeeting), outcome: 'reject', reasons: 'No', code: '' });
    assert.equal(again.statusCode, 400);
    assert.match(pageText(again.body), /already been decided/);
  });

  it('rejects a draft as final', async () => {
    const svc = t.services.drafting;
    const mina = { id: await userId('mina@example.org'), email: 'mina@example.org', name: 'Mina', role: 'body_member' as const, organisationId: null };
    const rae = { id: await userId('rae@example.org'), email: 'rae@example.org', name: 'Rae', role: 'evidence_reviewer' as const, organisationId: null };
    const tess = { id: await userId('tess@example.org'), email: 'tess@example.org', name: 'Tess', role: 'strategy_team' as const, organisationId: null };
    let d = await svc.createDraft(systemActor, mina, GROUP, fullDraft);
    d = await svc.submit(systemActor, mina, d.id, d.version);
    d = await svc.startReview(systemActor, rae, d.id, d.version);
    d = await svc.completeReview(systemActor, rae, d.id, d.version, { strength: 'none', analysis: 'Nothing.', costText: '', costPerYear: null, levers: [], testingNotes: '', recommendation: 'reject' });
    const { draft } = await svc.decide(systemActor, tess, d.id, d.version, { meetingId: pastMeeting, outcome: 'reject', reasons: 'No evidence.', code: '' });
    assert.equal(draft.state, 'decided');
    assert.equal(draft.outcome, 'reject');
    assert.equal(draft.itemId, null);
    // The meeting's public decision says what happened without the draft's words.
    const [decision] = await queryRows<{ summary: string }>(t.database.db, sql`select summary from meeting_decisions where summary like ${`%(draft ${d.id})`}`);
    assert.ok(decision && !decision.summary.includes(fullDraft.title), decision?.summary);
    await assert.rejects(() => svc.submit(systemActor, mina, d.id, draft.version), /decided/);
  });

  it('shows the board by state and group, filters it, and has an empty state', async () => {
    const res = await get('/drafting', 'vic');
    assert.equal(res.statusCode, 200);
    const summary = pageText(section(res.body, 'board-summary'));
    assert.match(summary, /Recruit and retain/);
    const filtered = await get(`/drafting?group=${OTHER_GROUP}`, 'vic');
    assert.match(pageText(filtered.body), /No drafts match these filters/);
    const decided = await get(`/drafting?group=${GROUP}&state=decided`, 'vic');
    assert.match(pageText(section(decided.body, 'drafts')), /2 drafts/);
    assert.equal((await get('/drafting?state=nonsense', 'vic')).statusCode, 400);
    assert.equal((await t.app.inject('/drafting')).statusCode, 303, 'signed out: sent to sign in');
    const mine = await get('/drafting/mine', 'vic');
    assert.match(pageText(section(mine.body, 'no-groups')), /do not sit on an expert working group/);
    const home = await get('/admin', 'vic');
    assert.match(home.body, /href="\/drafting"/);
  });
});
