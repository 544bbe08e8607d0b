// Reporting progress through the real pages: a reporter drafts and submits, the strategy team
// returns and publishes, and only then does the public item page (and its API) change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, signInAs, submitForm, type TestApp } from '../../testing.ts';


describe('progress updates', () => {
  let t: TestApp;
  let reporter: string;
  let otherReporter: string;
  let team: string;
  let cqc: string;
  let sfc: string;
  const form = (code: string, organisation = cqc) => `/report/${organisation}/items/${code}`;
  const fields = (over: Record<string, string> = {}) => ({
    status: 'in_progress',
    confidence: 'on_track',
    summary: 'Guidance drafted with providers.',
    narrative: 'We met **12 providers**.\n\n<script>alert(1)</script>',
    evidence: 'Draft guidance https://example.org/guidance.pdf',
    milestones: '',
    version: '',
    action: 'save',
    ...over,
  });
  const versionOf = (body: string) => /name="version" value="(\d*)"/.exec(body)?.[1] ?? '';

  before(async () => {
    t = await createTestApp('demo');
    const organisations = (await t.services.strategy.catalogue()).organisations;
    const cqcOrg = organisations.find((o) => o.shortName === 'CQC')!;
    const sfcOrg = organisations.find((o) => o.slug === 'skills-for-care')!;
    cqc = cqcOrg.slug;
    sfc = sfcOrg.slug;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqcOrg.id },
      { email: 'sam@sfc.example', name: 'Sam Skills', role: 'organisation_reporter', organisationId: sfcOrg.id },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    reporter = (await signInAs(t.app, 'rita@cqc.example')).cookie;
    otherReporter = (await signInAs(t.app, 'sam@sfc.example')).cookie;
  });
  after(async () => t.close());

  it('lists the organisation’s items as a task list', async () => {
    const res = await t.app.inject({ url: `/report/${cqc}`, headers: { cookie: reporter } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /govuk-task-list/);
    for (const code of ['AR-06', 'TR-01', 'TR-05A']) assert.match(res.body, new RegExp(`/report/${cqc}/items/${code}"`));
    assert.match(res.body, /You have reported on 0 of 3 items/);
    const redirect = await t.app.inject({ url: '/report', headers: { cookie: reporter } });
    assert.equal(redirect.headers.location, `/report/${cqc}`);
  });

  it('keeps each organisation to its own items, through every route', async () => {
    assert.equal((await t.app.inject({ url: `/report/${sfc}`, headers: { cookie: reporter } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: form('AR-06'), headers: { cookie: otherReporter } })).statusCode, 403);
    const post = await submitForm(t.app, { url: form('AR-06'), formUrl: '/sign-out', cookie: otherReporter, fields: fields() });
    assert.equal(post.statusCode, 403);
    // An item CQC neither leads nor supports.
    const notTheirs = await t.app.inject({ url: form('AR-04'), headers: { cookie: reporter } });
    assert.equal(notTheirs.statusCode, 403);
    assert.equal((await t.app.inject({ url: '/admin/updates', headers: { cookie: reporter } })).statusCode, 403);
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from progress_updates`);
    assert.equal(Number(n!.n), 0);
  });

  it('saves a draft, which is not public, and checks what is sent', async () => {
    const bad = await submitForm(t.app, { url: form('AR-06'), cookie: reporter, fields: fields({ status: 'finished', evidence: 'not a link', summary: 'x'.repeat(601) }) });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Select the item’s status from the list/);
    assert.match(bad.body, /Evidence link 1 must end with a web address/);
    assert.match(bad.body, /Summary must be 600 characters or fewer/);
    assert.match(bad.body, /not a link/, 'what they typed is kept');

    const saved = await submitForm(t.app, { url: form('AR-06'), cookie: reporter, fields: fields() });
    assert.equal(saved.statusCode, 303);
    const page = await t.app.inject({ url: form('AR-06'), headers: { cookie: reporter } });
    assert.match(page.body, /Guidance drafted with providers/);
    assert.equal(versionOf(page.body), '1');
    const publicPage = await t.app.inject('/recommendations/AR-06');
    assert.doesNotMatch(publicPage.body, /Guidance drafted/, 'a draft is not public');
    assert.match(publicPage.body, /No progress updates have been published yet/);
    const tasks = await t.app.inject({ url: `/report/${cqc}`, headers: { cookie: reporter } });
    assert.match(tasks.body, /In progress/);
  });

  it('refuses the second of two saves from the same version, keeping the second person’s text', async () => {
    const first = await submitForm(t.app, { url: form('AR-06'), cookie: reporter, fields: fields({ summary: 'First person’s summary.', version: '1' }) });
    assert.equal(first.statusCode, 303);
    const second = await submitForm(t.app, { url: form('AR-06'), cookie: reporter, fields: fields({ summary: 'Second person’s summary.', version: '1' }) });
    assert.equal(second.statusCode, 409);
    assert.match(second.body, /Someone else saved this update while you were editing it/);
    assert.match(second.body, /Second person’s summary\./, 'their text is on the page');
    assert.match(second.body, /data-qa="current-version"[\s\S]*First person’s summary\./, 'beside what is saved');
    const [row] = await queryRows<{ summary: string; version: number }>(t.database.db, sql`select summary, version from progress_updates`);
    assert.equal(row!.summary, 'First person’s summary.');
  });

  it('submits, is returned with comments, resubmits, and is published: only then the item changes', async () => {
    const incomplete = await submitForm(t.app, { url: form('AR-06'), cookie: reporter, fields: fields({ version: '2', confidence: '', action: 'submit' }) });
    assert.equal(incomplete.statusCode, 400);
    assert.match(incomplete.body, /Select how confident you are/);

    const submitted = await submitForm(t.app, { url: form('AR-06'), cookie: reporter, fields: fields({ version: '2', action: 'submit' }) });
    assert.equal(submitted.statusCode, 303);
    assert.equal(submitted.headers.location, `/report/${cqc}`);
    const locked = await t.app.inject({ url: form('AR-06'), headers: { cookie: reporter } });
    assert.match(locked.body, /data-qa="submitted"/);
    assert.doesNotMatch(locked.body, /data-qa="update-form"/, 'cannot be changed while waiting');

    const queue = await t.app.inject({ url: '/admin/updates', headers: { cookie: team } });
    const id = /href="\/admin\/updates\/(\d+)"/.exec(queue.body)![1]!;
    const review = await t.app.inject({ url: `/admin/updates/${id}`, headers: { cookie: team } });
    assert.match(review.body, /<strong>12 providers<\/strong>/, 'Markdown rendered');
    assert.doesNotMatch(review.body, /<script>alert/, 'and sanitised');

    const noComment = await submitForm(t.app, { url: `/admin/updates/${id}/return`, formUrl: `/admin/updates/${id}`, cookie: team, fields: { version: versionOf(review.body), comment: '' } });
    assert.equal(noComment.statusCode, 400);
    assert.match(noComment.body, /Say what needs to change/);
    const returned = await submitForm(t.app, { url: `/admin/updates/${id}/return`, formUrl: `/admin/updates/${id}`, cookie: team, fields: { version: versionOf(review.body), comment: 'Please link the published guidance.' } });
    assert.equal(returned.statusCode, 303);
    const back = await t.app.inject({ url: form('AR-06'), headers: { cookie: reporter } });
    assert.match(back.body, /Please link the published guidance\./);
    assert.equal((await t.app.inject('/api/v1/items/AR-06/updates')).json<{ data: unknown[] }>().data.length, 0, 'returned is not public');

    const resubmitted = await submitForm(t.app, { url: form('AR-06'), cookie: reporter, fields: fields({ version: versionOf(back.body), action: 'submit', status: 'complete', summary: 'Guidance published.' }) });
    assert.equal(resubmitted.statusCode, 303);
    const again = await t.app.inject({ url: `/admin/updates/${id}`, headers: { cookie: team } });
    const stale = versionOf(again.body);
    const published = await submitForm(t.app, { url: `/admin/updates/${id}/publish`, formUrl: `/admin/updates/${id}`, cookie: team, fields: { version: stale } });
    assert.equal(published.statusCode, 303);
    const twice = await submitForm(t.app, { url: `/admin/updates/${id}/publish`, formUrl: '/sign-out', cookie: team, fields: { version: stale } });
    assert.equal(twice.statusCode, 409, 'a second publish is refused');

    const item = await t.app.inject('/recommendations/AR-06');
    assert.match(item.body, /data-qa="status">\s*<strong class="govuk-tag govuk-tag--green">Complete<\/strong>/);
    assert.match(item.body, /data-qa="timeline"[\s\S]*Care Quality Commission[\s\S]*Guidance published\./);
    assert.doesNotMatch(item.body, /<script>alert/);
    const api = (await t.app.inject('/api/v1/items/AR-06/updates')).json<{ data: { status: string; summary: string; evidence: { url: string }[] }[] }>();
    assert.deepEqual([api.data[0]?.status, api.data[0]?.summary, api.data[0]?.evidence[0]?.url], ['complete', 'Guidance published.', 'https://example.org/guidance.pdf']);
    assert.equal((await t.app.inject('/api/v1/items/AR-06')).json<{ status: string }>().status, 'complete');

    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where object_type = 'progress_update' or action = 'item.progress_applied' order by id`);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['progress_update.saved', 'progress_update.saved', 'progress_update.submitted', 'progress_update.returned', 'progress_update.submitted', 'progress_update.published', 'item.progress_applied'],
    );
    const tasks = await t.app.inject({ url: `/report/${cqc}`, headers: { cookie: reporter } });
    assert.match(tasks.body, /You have reported on 1 of 3 items/);
  });

  it('starts a new update after one is published, and answers 404 for unknown items', async () => {
    const page = await t.app.inject({ url: form('AR-06'), headers: { cookie: reporter } });
    assert.match(page.body, /data-qa="update-form"/);
    assert.equal(versionOf(page.body), '', 'a fresh draft');
    assert.equal((await t.app.inject('/api/v1/items/ZZ-99/updates')).statusCode, 404);
  });
});
