// The strategy team managing items in the browser, through the real forms and the database:
// what they create or change is public at once and in the audit trail; bad input comes back
// with GOV.UK error messages; two people editing one item never overwrite each other unseen.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../platform/audit/audit.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, pageText, section, signInAs, submitForm, type TestApp } from '../../testing.ts';
import { itemFormValues } from './forms.ts';
import { StrategyService } from './service.ts';

function versionIn(html: string): string {
  const version = /name="version" value="(\d+)"/.exec(html)?.[1];
  assert.ok(version, 'the form carries the version it was filled in against');
  return version;
}

describe('managing items in the browser', () => {
  let t: TestApp;
  let team: string;
  let reporter: string;
  let viewer: string;
  let dhsc: string;
  let cqc: string;
  let sfc: string;

  before(async () => {
    t = await createTestApp('demo');
    const catalogue = await t.services.strategy.catalogue();
    const slugOf = (short: string) => catalogue.organisations.find((o) => o.shortName === short)!.slug;
    [dhsc, cqc, sfc] = [slugOf('DHSC'), slugOf('CQC'), slugOf('SfC')];
    const cqcId = catalogue.organisations.find((o) => o.slug === cqc)!.id;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'second@example.org', name: 'Sam Second', role: 'strategy_team' },
      { email: 'reporter@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqcId },
      { email: 'viewer@example.org', name: 'Vic Viewer', role: 'viewer' },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    reporter = (await signInAs(t.app, 'reporter@cqc.example')).cookie;
    viewer = (await signInAs(t.app, 'viewer@example.org')).cookie;
  });
  after(async () => t.close());

  const get = (url: string, cookie = team) => t.app.inject({ url, headers: cookie ? { cookie } : {} });
  const itemRow = async (code: string) =>
    (await queryRows<{ title: string; status: string | null; version: number; summary: string }>(t.database.db, sql`select title, status, version, summary from items where code = ${code}`))[0];
  const auditFor = (code: string) =>
    queryRows<{ action: string; actor_label: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }>(
      t.database.db,
      sql`select action, actor_label, before, after from audit_events where object_type = 'item' and object_id = ${code} order by id`,
    );
  const itemCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from items`))[0]!.n);

  /** The edit form's fields as the page fills them in, for an item as it is saved now. */
  const savedFields = async (code: string, overrides: Record<string, string | string[]> = {}): Promise<Record<string, string | string[]>> => {
    const item = (await t.services.strategy.getItem(code))!;
    return { ...itemFormValues(item), version: String(item.version), ...overrides };
  };

  const newItem = (overrides: Record<string, string | string[]> = {}) => ({
    code: 'AR-13',
    type: 'recommendation',
    title: 'Fund apprenticeships for care workers',
    summary: 'Pay for apprenticeships in adult social care.',
    body: 'First paragraph about quokkaberries.\r\n\r\nSecond paragraph.',
    area: 'attract-and-retain',
    leads: [dhsc],
    partners: [sfc],
    themes: ['training', 'career-development'],
    shifts: ['hospital-to-community'],
    target: 'By March 2027',
    'targetDate-day': '31',
    'targetDate-month': '3',
    'targetDate-year': '2027',
    governmentRole: 'shared',
    ...overrides,
  });

  it('creates an item that the public pages and the API show at once, with an audit event', async () => {
    // Cached public responses first, so the test shows the write reaches them.
    assert.doesNotMatch((await get('/recommendations', '')).body, /AR-13/);
    assert.equal((await get('/api/v1/items/AR-13', '')).statusCode, 404);
    const form = await get('/admin/items/new');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<title>Create an item – /);

    const res = await submitForm(t.app, { url: '/admin/items', formUrl: '/admin/items/new', cookie: team, fields: newItem({ code: 'ar-13' }) });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/admin/items');
    const flash = res.cookies.find((c) => c.name === 'hub_flash')!;
    const list = await t.app.inject({ url: '/admin/items', headers: { cookie: `${team}; hub_flash=${flash.value}` } });
    assert.match(pageText(section(list.body, 'saved')), /AR-13 is created and published: Fund apprenticeships for care workers/);
    assert.match(pageText(section(list.body, 'items')), /AR-13 Fund apprenticeships for care workers Attract and retain Department of Health and Social Care Not reported/);

    assert.match((await get('/recommendations', '')).body, /href="\/recommendations\/AR-13"/);
    const page = await get('/recommendations/AR-13', '');
    assert.equal(page.statusCode, 200);
    const details = pageText(section(page.body, 'item-details'));
    assert.match(details, /Type Recommendation/);
    assert.match(details, /Partner organisations Skills for Care/);
    assert.match(details, /Target By March 2027 \(by 31 March 2027\)/);
    assert.match(details, /Status Not reported/);
    assert.match(details, /Government shifts Hospital to community/i);
    const api = JSON.parse((await get('/api/v1/items/AR-13', '')).body) as { status: string | null; body: string; leads: { slug: string }[]; themes: { slug: string }[]; government_role: string };
    assert.equal(api.status, null, 'a new item has no status until progress is published');
    assert.equal(api.body, 'First paragraph about quokkaberries.\n\nSecond paragraph.', 'line breaks stored as imports store them');
    assert.deepEqual(api.leads.map((o) => o.slug), [dhsc]);
    assert.deepEqual(api.themes.map((x) => x.slug).sort(), ['career-development', 'training']);
    assert.equal(api.government_role, 'shared');
    assert.match((await get('/recommendations?q=quokkaberries', '')).body, /href="\/recommendations\/AR-13"/, 'free-text search finds it');

    const audit = await auditFor('AR-13');
    assert.deepEqual(audit.map((a) => a.action), ['item.created']);
    assert.equal(audit[0]!.actor_label, 'team@example.org');
    assert.equal(audit[0]!.before, null);
    assert.equal(audit[0]!.after?.title, 'Fund apprenticeships for care workers');
    assert.deepEqual(audit[0]!.after?.lead_organisations, ['DHSC']);
  });

  it('shows every problem with the form at once, keeps what was typed, and writes nothing', async () => {
    const before = await itemCount();
    const res = await submitForm(t.app, {
      url: '/admin/items',
      formUrl: '/admin/items/new',
      cookie: team,
      fields: newItem({ code: 'AR 14!', title: '   ', summary: 'Kept summary text', leads: [], partners: [cqc], 'targetDate-day': '31', 'targetDate-month': '4', 'targetDate-year': '2027' }),
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: Create an item – /);
    const summary = pageText(section(res.body, 'error-summary'));
    assert.match(summary, /Code must be letters, digits and hyphens, like AR-08.*Enter a title.*Select at least one lead organisation.*Target date must be a real date/);
    assert.match(res.body, /href="#targetDate-day"/, 'a date error links to its first box');
    assert.match(res.body, /id="title-error"/);
    assert.match(res.body, /Kept summary text<\/textarea>/, 'what was typed is kept');
    assert.match(res.body, /value="AR 14!"/);

    const clash = await submitForm(t.app, { url: '/admin/items', formUrl: '/admin/items/new', cookie: team, fields: newItem({ code: 'AR-01', title: '', leads: [dhsc, cqc], partners: [cqc] }) });
    assert.equal(clash.statusCode, 400);
    const problems = pageText(section(clash.body, 'error-summary'));
    assert.match(problems, /AR-01 is already the code of another item/);
    assert.match(problems, /Care Quality Commission is a lead organisation, so cannot also be a partner/);
    assert.match(problems, /Enter a title/);

    const duplicate = await submitForm(t.app, { url: '/admin/items', formUrl: '/admin/items/new', cookie: team, fields: newItem({ code: 'tr-04' }) });
    assert.equal(duplicate.statusCode, 400);
    assert.match(pageText(section(duplicate.body, 'error-summary')), /TR-04 is already the code of another item/);

    const tooLong = await submitForm(t.app, { url: '/admin/items', formUrl: '/admin/items/new', cookie: team, fields: newItem({ code: 'AR-15', title: 'x'.repeat(301), type: 'opinion' }) });
    assert.equal(tooLong.statusCode, 400);
    assert.match(pageText(section(tooLong.body, 'error-summary')), /Title must be 300 characters or fewer.*Select the type of item/);

    const unknown = await submitForm(t.app, { url: '/admin/items', formUrl: '/admin/items/new', cookie: team, fields: newItem({ code: 'AR-16', area: 'nowhere', leads: ['no-such-body'] }) });
    assert.equal(unknown.statusCode, 400);
    assert.match(pageText(section(unknown.body, 'error-summary')), /Select an area from the list.*“no-such-body” is not an organisation/);
    assert.equal(await itemCount(), before, 'nothing written');
  });

  it('escapes what people type wherever it is shown', async () => {
    const res = await submitForm(t.app, { url: '/admin/items', formUrl: '/admin/items/new', cookie: team, fields: newItem({ code: 'AR-17', title: '<script>alert(1)</script> Pay & conditions', summary: '<img src=x onerror=alert(2)>' }) });
    assert.equal(res.statusCode, 303);
    for (const url of ['/recommendations/AR-17', '/recommendations', '/admin/items', '/admin/items/AR-17/edit']) {
      const page = await get(url);
      assert.doesNotMatch(page.body, /<script>alert\(1\)|<img src=x/, `${url} shows the text, not markup`);
      assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; Pay &amp; conditions/, `${url} shows the title`);
    }
  });

  it('edits an item: the form is filled in, the code stays, the change is public and audited', async () => {
    const form = await get('/admin/items/tr-06/edit');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<h1 class="govuk-heading-l">Edit TR-06<\/h1>/);
    assert.match(form.body, /name="title" type="text" value="Development programme for aspiring directors of adult social services"/);
    const adass = (await t.services.strategy.catalogue()).organisations.find((o) => o.shortName === 'ADASS')!.slug;
    assert.match(form.body, new RegExp(`name="partners" type="checkbox" value="${adass}" checked`));
    assert.match(form.body, /name="themes" type="checkbox" value="leadership-and-management" checked/);
    assert.match(form.body, /name="type" type="radio" value="not_stated" checked/);
    assert.doesNotMatch(form.body, /name="status"/, 'status is not on the form');
    const version = versionIn(form.body);
    const beforeRow = (await itemRow('TR-06'))!;

    const res = await submitForm(t.app, {
      url: '/admin/items/TR-06/edit',
      cookie: team,
      fields: newItem({ code: 'ZZ-99', version, title: 'Programme for aspiring directors', area: 'train', leads: [sfc], partners: [dhsc], themes: ['leadership-and-management'], shifts: [], type: 'commitment', governmentRole: 'none', target: '', 'targetDate-day': '', 'targetDate-month': '', 'targetDate-year': '' }),
    });
    assert.equal(res.statusCode, 303);
    const afterRow = (await itemRow('TR-06'))!;
    assert.equal(afterRow.title, 'Programme for aspiring directors');
    assert.equal(afterRow.version, beforeRow.version + 1);
    assert.equal(afterRow.status, beforeRow.status, 'the form does not touch the status');
    assert.equal(await itemRow('ZZ-99'), undefined, 'the code cannot change');
    const page = pageText(section((await get('/recommendations/TR-06', '')).body, 'item-details'));
    assert.match(page, /Type Commitment/);
    assert.match(page, /Partner organisations Department of Health and Social Care/);
    const audit = (await auditFor('TR-06')).at(-1)!;
    assert.equal(audit.action, 'item.updated');
    assert.equal(audit.before?.title, 'Development programme for aspiring directors of adult social services');
    assert.equal(audit.after?.title, 'Programme for aspiring directors');
    assert.deepEqual([audit.before?.partner_organisations, audit.after?.partner_organisations], [['ADASS'], ['DHSC']]);

    // Saving the form as it is changes nothing and records nothing; partners named in a
    // different order than the form lists them stay as they are.
    const events = (await auditFor('TR-03')).length;
    const versionBefore = (await itemRow('TR-03'))!.version;
    const fields = await savedFields('TR-03');
    const unchanged = await submitForm(t.app, { url: '/admin/items/TR-03/edit', cookie: team, fields: { ...fields, partners: [...(fields.partners as string[])].reverse() } });
    assert.equal(unchanged.statusCode, 303);
    const flash = unchanged.cookies.find((c) => c.name === 'hub_flash')!;
    assert.match(pageText((await t.app.inject({ url: '/admin/items', headers: { cookie: `${team}; hub_flash=${flash.value}` } })).body), /You did not change anything in TR-03/);
    assert.equal((await itemRow('TR-03'))!.version, versionBefore);
    assert.equal((await auditFor('TR-03')).length, events);
  });

  it('refuses a save made against an old version: 409, the typed text kept, the saved values shown, nothing written', async () => {
    const second = (await signInAs(t.app, 'second@example.org')).cookie;
    // Both open the form.
    const mine = versionIn((await get('/admin/items/AR-12/edit')).body);
    const theirs = versionIn((await get('/admin/items/AR-12/edit', second)).body);
    assert.equal(mine, theirs);
    const fields = (title: string, summary: string, version: string) => savedFields('AR-12', { title, summary, version });

    const first = await submitForm(t.app, { url: '/admin/items/AR-12/edit', cookie: second, fields: await fields('A People Promise for social care, agreed', 'Their summary', theirs) });
    assert.equal(first.statusCode, 303);
    const saved = (await itemRow('AR-12'))!;
    const events = (await auditFor('AR-12')).length;

    const late = await submitForm(t.app, { url: '/admin/items/AR-12/edit', cookie: team, fields: await fields('My own title for AR-12', 'My careful summary', mine) });
    assert.equal(late.statusCode, 409);
    assert.match(late.body, /<title>Error: Edit AR-12 – /);
    assert.match(pageText(section(late.body, 'conflict')), /AR-12 was changed by someone else while you were editing it\. Your changes are below; check them against the current version and save again\./);
    assert.match(late.body, /name="title" type="text" value="My own title for AR-12"/, 'the typed title is kept');
    assert.match(late.body, /My careful summary<\/textarea>/, 'the typed summary is kept');
    const current = pageText(section(late.body, 'current-version'));
    assert.match(current, /Title A People Promise for social care, agreed/);
    assert.match(current, /Summary Their summary/);
    assert.deepEqual(await itemRow('AR-12'), saved, 'nothing written');
    assert.equal((await auditFor('AR-12')).length, events);

    // The form now carries the saved version: saving again, knowingly, works.
    assert.equal(versionIn(late.body), String(saved.version));
    const retry = await submitForm(t.app, { url: '/admin/items/AR-12/edit', cookie: team, fields: await fields('My own title for AR-12', 'My careful summary', versionIn(late.body)) });
    assert.equal(retry.statusCode, 303);
    assert.equal((await itemRow('AR-12'))!.title, 'My own title for AR-12');
  });

  it('answers 409 when a choice was removed before the hub saw it, writes nothing, and names the choice once it has', async () => {
    // Saving takes the choices kept in memory (not read again in its transaction). Another
    // instance keeps them for up to a second: an organisation deleted in that second, here behind
    // the hub's back, is refused by its key.
    const other = new StrategyService(t.database, { revisionMaxAgeMs: 60_000 });
    await t.database.db.execute(sql`insert into organisations (slug, name, kind) values ('gone-soon', 'Gone Soon Trust', 'provider')`);
    assert.ok((await other.choices()).organisations.some((o) => o.slug === 'gone-soon'));
    const item = (await other.getItem('TR-04'))!;
    await t.database.db.execute(sql`delete from organisations where slug = 'gone-soon'`);
    const events = (await auditFor('TR-04')).length;
    const slugs = (list: { slug: string }[]) => list.map((o) => o.slug);
    const input = {
      kind: item.kind,
      title: 'A title never saved',
      summary: item.summary,
      body: item.body,
      area: item.area.slug,
      leads: slugs(item.leads),
      partners: [...slugs(item.partners), 'gone-soon'],
      themes: slugs(item.themes),
      priorities: slugs(item.priorities),
      shifts: slugs(item.shifts),
      targetText: item.targetText,
      targetDate: item.targetDate,
      governmentRole: item.governmentRole,
    };
    const teamUser: CurrentUser = { id: 1, email: 'team@example.org', name: 'Tom Team', role: 'strategy_team', organisationId: null };
    await assert.rejects(other.updateItem(systemActor, teamUser, 'TR-04', input, item.version), (error: unknown) => {
      assert.ok(error instanceof ConflictError);
      assert.match(error.message, /areas, organisations or terms changed while you were editing/);
      return true;
    });
    assert.notEqual((await itemRow('TR-04'))!.title, 'A title never saved');
    assert.equal((await auditFor('TR-04')).length, events);

    // The hub's own service has seen the choices' stamp move, and says which choice is unknown.
    const fields = await savedFields('TR-04');
    const res = await submitForm(t.app, { url: '/admin/items/TR-04/edit', cookie: team, fields: { ...fields, title: 'A title never saved', partners: [...(fields.partners as string[]), 'gone-soon'] } });
    assert.equal(res.statusCode, 400);
    assert.match(pageText(res.body), /“gone-soon” is not an organisation/);
    assert.equal((await auditFor('TR-04')).length, events);
  });

  it('retires an item and reinstates it with the status it had', async () => {
    const confirm = await get('/admin/items/AR-11/retire');
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /<h1 class="govuk-heading-l">Retire AR-11\?<\/h1>/);
    const version = versionIn(confirm.body);

    const retired = await submitForm(t.app, { url: '/admin/items/AR-11/retire', cookie: team, fields: { version } });
    assert.equal(retired.statusCode, 303);
    assert.equal((await itemRow('AR-11'))!.status, 'retired');
    assert.match(pageText(section((await get('/recommendations/AR-11', '')).body, 'status')), /Retired/);
    assert.match(pageText(section((await get('/admin/items?q=AR-11')).body, 'items')), /AR-11 .* Retired/);
    const api = JSON.parse((await get('/api/v1/items/AR-11', '')).body) as { status: string };
    assert.equal(api.status, 'retired');

    // A second retirement from the same, now old, page is refused.
    const stale = await submitForm(t.app, { url: '/admin/items/AR-11/retire', formUrl: '/admin/items/AR-11/edit', cookie: team, fields: { version } });
    assert.equal(stale.statusCode, 409);
    assert.match(pageText(section(stale.body, 'conflict')), /AR-11 was changed by someone else/);

    const page = await get('/admin/items/AR-11/retire');
    // Retiring it again, even from an up-to-date page, is refused, and the page offers reinstating.
    const twice = await submitForm(t.app, { url: '/admin/items/AR-11/retire', formUrl: '/admin/items/AR-11/retire', cookie: team, fields: { version: versionIn(page.body) } });
    assert.equal(twice.statusCode, 400);
    assert.match(pageText(twice.body), /AR-11 is already retired/);
    assert.match(twice.body, /data-qa="reinstate-form"/);
    // A form without its version is a bad request, and changes nothing.
    assert.equal((await submitForm(t.app, { url: '/admin/items/AR-11/reinstate', formUrl: '/admin/items/AR-11/retire', cookie: team, fields: {} })).statusCode, 400);
    assert.equal((await itemRow('AR-11'))!.status, 'retired');
    assert.match(pageText(page.body), /Reinstating puts it back with the status it had before it was retired: In progress/);
    const reinstated = await submitForm(t.app, { url: '/admin/items/AR-11/reinstate', formUrl: '/admin/items/AR-11/retire', cookie: team, fields: { version: versionIn(page.body) } });
    assert.equal(reinstated.statusCode, 303);
    assert.equal((await itemRow('AR-11'))!.status, 'in_progress');

    const audit = (await auditFor('AR-11')).slice(-2);
    assert.deepEqual(audit.map((a) => a.action), ['item.retired', 'item.reinstated']);
    assert.deepEqual([audit[0]!.before?.status, audit[0]!.after?.status], ['in_progress', 'retired']);
    assert.deepEqual([audit[1]!.before?.status, audit[1]!.after?.status], ['retired', 'in_progress']);

    // An item with no status goes back to none.
    const noStatus = versionIn((await get('/admin/items/AR-04/retire')).body);
    await submitForm(t.app, { url: '/admin/items/AR-04/retire', cookie: team, fields: { version: noStatus } });
    const back = await get('/admin/items/AR-04/retire');
    assert.match(pageText(back.body), /before it was retired: Not reported/);
    await submitForm(t.app, { url: '/admin/items/AR-04/reinstate', formUrl: '/admin/items/AR-04/retire', cookie: team, fields: { version: versionIn(back.body) } });
    assert.equal((await itemRow('AR-04'))!.status, null);
  });

  it('lets only the strategy team and administrators in', async () => {
    const before = await itemCount();
    for (const cookie of [reporter, viewer]) {
      for (const url of ['/admin/items', '/admin/items/new', '/admin/items/AR-01/edit', '/admin/items/AR-01/retire']) {
        assert.equal((await get(url, cookie)).statusCode, 403, url);
      }
      // The form's CSRF token from a page they can open; the write is still refused.
      const res = await submitForm(t.app, { url: '/admin/items', formUrl: '/sign-out', cookie, fields: newItem({ code: 'AR-18' }) });
      assert.equal(res.statusCode, 403);
    }
    const anonymous = await get('/admin/items/new', '');
    assert.equal(anonymous.statusCode, 303);
    assert.equal(anonymous.headers.location, '/login?next=%2Fadmin%2Fitems%2Fnew');
    assert.equal(await itemCount(), before);

    await assert.rejects(
      t.services.strategy.createItem(systemActor, { id: 1, email: 'r@x', name: 'R', role: 'organisation_reporter', organisationId: null }, { code: 'AR-19', kind: null, title: 'x', summary: '', body: '', area: 'train', leads: [dhsc], partners: [], themes: [], priorities: [], shifts: [], targetText: null, targetDate: null, governmentRole: null }),
      ForbiddenError,
    );

    assert.match(pageText(section((await get('/admin')).body, 'manage-links')), /Items/);
    assert.doesNotMatch((await get('/admin', reporter)).body, /href="\/admin\/items"/);
  });
});
