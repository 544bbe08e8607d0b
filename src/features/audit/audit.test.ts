// The audit trail as administrators and the strategy team use it: filters that narrow what is
// shown, UK days, pages, the CSV download (safe to open in a spreadsheet), escaping, and who
// may see it at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { LightMyRequestResponse } from 'fastify';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { auditEvents } from '../../platform/audit/schema.ts';
import type { CurrentUser, Role } from '../../platform/auth/roles.ts';
import { hashPassword } from '../../platform/auth/secrets.ts';
import { ForbiddenError } from '../../platform/http/errors.ts';
import { createTestApp, type TestApp } from '../../testing.ts';
import { users } from '../accounts/schema.ts';
import { EXPORT_COLUMNS } from './routes.ts';
import { auditQuery, describeChanges } from './service.ts';

const PASSWORD = 'a long enough passphrase';
const BULK = 1010;
const bulkId = (n: number) => String(n).padStart(4, '0');

describe('what an audit event changed', () => {
  it('lists only the fields that differ, before → after', () => {
    assert.deepEqual(describeChanges({ role: 'viewer', name: 'Sam', status: 'active' }, { role: 'administrator', name: 'Sam', status: 'active' }), ['role: "viewer" → "administrator"']);
    assert.deepEqual(describeChanges({ a: 1 }, { a: 1, b: null }), ['b: (none) → null']);
    assert.deepEqual(describeChanges({ tags: ['x'] }, { tags: ['x', 'y'] }), ['tags: ["x"] → ["x","y"]']);
  });

  it('shows a creation by its new values and a deletion by its old ones', () => {
    assert.deepEqual(describeChanges(null, { code: 'AR-01', status: 'complete' }), ['code: "AR-01"', 'status: "complete"']);
    assert.deepEqual(describeChanges({ code: 'AR-01' }, null), ['code: "AR-01"']);
    assert.deepEqual(describeChanges(null, null), []);
  });

  it('shortens long values to about 80 characters', () => {
    const [line] = describeChanges(null, { summary: 'x'.repeat(500) });
    assert.equal(line, `summary: "${'x'.repeat(78)}…`);
  });
});

describe('UK days', () => {
  it('include the whole of the "to" day', () => {
    const q = auditQuery({ from: '2020-07-15', to: '2020-07-15' });
    assert.equal(q.since?.toISOString(), '2020-07-14T23:00:00.000Z');
    assert.equal(q.until?.toISOString(), '2020-07-15T23:00:00.000Z');
  });
});

describe('the audit trail', () => {
  let t: TestApp;
  const cookies: Partial<Record<Role, string>> = {};
  let cqc: { id: number; slug: string; name: string };
  let dhsc: { id: number; slug: string; name: string };
  let subjectId: number;

  async function addUser(role: Role, email: string, organisationId: number | null = null): Promise<number> {
    const [row] = await t.database.db.insert(users).values({ email, name: email.split('@')[0]!, role, organisationId, passwordHash: await hashPassword(PASSWORD) }).returning();
    return row!.id;
  }

  /** Signs in through the real form; returns the cookie header. */
  async function signIn(email: string): Promise<string> {
    const form = await t.app.inject('/login');
    const csrf = form.cookies.find((c) => c.name === 'hub_csrf')!.value;
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/login',
      cookies: { hub_csrf: csrf },
      payload: new URLSearchParams({ _csrf: token, email, password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.statusCode, 303, `${email} signs in`);
    return `hub_session=${res.cookies.find((c) => c.name === 'hub_session')!.value}`;
  }

  function get(url: string, cookie: string | undefined = cookies.administrator): Promise<LightMyRequestResponse> {
    return t.app.inject({ url, headers: cookie ? { cookie } : {} });
  }

  function auditPage(query: Record<string, string>, cookie?: string): Promise<LightMyRequestResponse> {
    return get(`/admin/audit?${new URLSearchParams(query).toString()}`, cookie);
  }

  /** The table's rows as a person reads them: text only, spaces collapsed, entities decoded. */
  function rowsOf(res: LightMyRequestResponse): string[] {
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    const table = /data-qa="audit-events"[\s\S]*?<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(res.body)?.[1] ?? '';
    return table
      .split(/<tr class="govuk-table__row">/)
      .slice(1)
      .map((row) =>
        row
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .replace(/&(quot|#39|lt|gt|amp);/g, (_, name: string) => ({ quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' })[name]!)
          .trim(),
      );
  }

  function countOf(res: LightMyRequestResponse): number {
    const text = /data-qa="event-count">([\s\S]*?)<\/h2>/.exec(res.body)?.[1] ?? '';
    return Number(text.replace(/[^\d]/g, ''));
  }

  function csvOf(res: LightMyRequestResponse): Record<string, string>[] {
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    return parse<Record<string, string>>(res.body, { columns: true });
  }

  before(async () => {
    t = await createTestApp('demo');
    const catalogue = await t.services.strategy.catalogue();
    const find = (shortName: string) => {
      const o = catalogue.organisations.find((org) => org.shortName === shortName)!;
      return { id: o.id, slug: o.slug, name: o.name };
    };
    cqc = find('CQC');
    dhsc = find('DHSC');

    const adminId = await addUser('administrator', 'ada@example.org');
    await addUser('strategy_team', 'team@example.org');
    await addUser('organisation_reporter', 'reporter@cqc.example', cqc.id);
    await addUser('viewer', 'viewer@example.org');
    subjectId = await addUser('viewer', 'subject@example.org');
    for (const [role, email] of [
      ['administrator', 'ada@example.org'],
      ['strategy_team', 'team@example.org'],
      ['organisation_reporter', 'reporter@cqc.example'],
      ['viewer', 'viewer@example.org'],
    ] as const) {
      cookies[role] = await signIn(email);
    }

    // A real change through the accounts service, made by the administrator.
    const admin: CurrentUser = { id: adminId, email: 'ada@example.org', name: 'ada', role: 'administrator', organisationId: null };
    const subject = (await t.services.accounts.getUser(admin, subjectId))!;
    await t.services.accounts.updateUser({ type: 'user', id: String(adminId), label: 'ada@example.org' }, admin, subjectId, { role: 'evidence_reviewer', organisationId: null, version: subject.version });

    // Writes by other kinds of actor, each from an organisation.
    const db = t.database.db;
    const token: Actor = { type: 'api_token', id: 'token-7', label: 'Nightly sync', organisationId: cqc.id, requestId: 'req-nightly', ip: '192.0.2.7' };
    await recordAudit(db, token, { action: 'item.updated', objectType: 'item', objectId: 'AUDIT-01', before: { status: 'not_started', title: 'Same' }, after: { status: 'in_progress', title: 'Same' } });
    await recordAudit(db, { type: 'cli', id: 'ops', label: 'ops via strategy-hub import', organisationId: dhsc.id }, { action: 'item.created', objectType: 'item', objectId: 'AUDIT-02', after: { status: 'complete' } });
    // Labels written by whoever named a token or typed an email: hostile on purpose.
    await recordAudit(db, { type: 'user', label: '=HYPERLINK("http://evil.example","click")' }, { action: 'user.updated', objectType: 'user', objectId: 'AUDIT-04' });
    await recordAudit(db, { type: 'user', label: '<script>alert("audit")</script>' }, { action: 'item.updated', objectType: 'item', objectId: 'AUDIT-03', before: { title: 'plain' }, after: { title: '<b>bold</b>' } });
    // Events from the past, either side of UK midnight in summer time. recordAudit always
    // stamps "now", so these are inserted as they would have been then.
    await db.insert(auditEvents).values([
      { occurredAt: new Date('2020-07-14T22:30:00Z'), actorType: 'system', actorLabel: 'archivist', action: 'item.updated', objectType: 'item', objectId: 'OLD-1' },
      { occurredAt: new Date('2020-07-14T23:30:00Z'), actorType: 'system', actorLabel: 'archivist', action: 'item.updated', objectType: 'item', objectId: 'OLD-2' },
    ]);
    // More than one page, and more than one batch of the download.
    await recordAudit(
      db,
      { type: 'user', label: 'bulk@example.org' },
      Array.from({ length: BULK }, (_, i) => ({ action: 'item.updated', objectType: 'item', objectId: `BULK-${bulkId(i + 1)}` })),
    );
  });
  after(async () => t.close());

  it('shows administrators and the strategy team every event, with a link from the account page', async () => {
    for (const role of ['administrator', 'strategy_team'] as const) {
      const res = await get('/admin/audit', cookies[role]);
      assert.equal(res.statusCode, 200);
      assert.ok(countOf(res) > BULK, 'every event, the demo strategy’s included');
      assert.equal(rowsOf(res).length, 50);
    }
    const home = await get('/admin');
    assert.match(home.body, /<a class="govuk-link" href="\/admin\/audit">Audit trail<\/a>/);
  });

  it('refuses everyone else: reporters and viewers get 403, signed-out people sign in first', async () => {
    for (const url of ['/admin/audit', '/admin/audit/export']) {
      assert.equal((await get(url, cookies.organisation_reporter)).statusCode, 403, `${url} as a reporter`);
      assert.equal((await get(url, cookies.viewer)).statusCode, 403, `${url} as a viewer`);
      const anonymous = await get(url, '');
      assert.equal(anonymous.statusCode, 303);
      assert.equal(anonymous.headers.location, `/login?next=${encodeURIComponent(url)}`);
    }
    const reporter: CurrentUser = { id: 1, email: 'r@x', name: 'R', role: 'organisation_reporter', organisationId: cqc.id };
    await assert.rejects(t.services.audit.list(reporter, {}, 1, 50), ForbiddenError);
    assert.throws(() => t.services.audit.exportRows(reporter, {}), ForbiddenError, 'refused before anything is read');
  });

  it('filters by person: part of the label in any case, or exactly the actor’s id', async () => {
    for (const person of ['nightly', 'SYNC', 'token-7']) {
      const rows = rowsOf(await auditPage({ person }));
      assert.equal(rows.length, 1, person);
      assert.ok(rows[0]!.includes(`Nightly sync API token ${cqc.name}`), rows[0]);
    }
    assert.equal(rowsOf(await auditPage({ person: 'token-' })).length, 0, 'an id matches only in full');
    const cli = rowsOf(await auditPage({ person: 'ops via' }));
    assert.match(cli[0]!, /ops via strategy-hub import Command line/);
    const admin = rowsOf(await auditPage({ person: 'ada@example.org', action: 'user.updated' }));
    assert.equal(admin.length, 1);
    assert.match(admin[0]!, /role: "viewer" → "evidence_reviewer"/);
  });

  it('filters by the acting organisation, and refuses one that does not exist', async () => {
    const atCqc = rowsOf(await auditPage({ organisation: cqc.slug }));
    assert.deepEqual(atCqc.map((r) => /AUDIT-\d+/.exec(r)?.[0]), ['AUDIT-01']);
    assert.ok(atCqc[0]!.includes(cqc.name));
    const atDhsc = rowsOf(await auditPage({ organisation: dhsc.slug }));
    assert.deepEqual(atDhsc.map((r) => /AUDIT-\d+/.exec(r)?.[0]), ['AUDIT-02']);
    const unknown = await auditPage({ organisation: 'no-such-organisation' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.body, /organisation: &quot;no-such-organisation&quot; is not an organisation/);
  });

  it('filters by object type and id, and by the start of an action', async () => {
    const item = rowsOf(await auditPage({ objectType: 'item', objectId: 'AUDIT-01' }));
    assert.equal(item.length, 1);
    assert.match(item[0]!, /item AUDIT-01/);
    assert.match(item[0]!, /status: "not_started" → "in_progress"/);
    assert.doesNotMatch(item[0]!, /title:/, 'an unchanged field is not listed');
    const person = rowsOf(await auditPage({ objectType: 'user', objectId: String(subjectId), action: 'user.' }));
    assert.equal(person.length, 1);
    assert.match(person[0]!, /user\.updated/);
    const created = rowsOf(await auditPage({ objectType: 'item', objectId: 'AUDIT-02' }));
    assert.match(created[0]!, /status: "complete"/);
    assert.doesNotMatch(created[0]!, /→/, 'a creation shows only its new values');
    const page = await auditPage({});
    assert.match(page.body, /<option value="item">item<\/option>/);
    assert.match(page.body, /<option value="user">user<\/option>/);
  });

  it('filters by UK days, the "to" day included whole, oldest last', async () => {
    const ids = async (from: string, to: string) => rowsOf(await auditPage({ person: 'archivist', from, to })).map((r) => /OLD-\d/.exec(r)?.[0]);
    // 22:30 UTC on 14 July is 11:30pm on the 14th in the UK; 23:30 UTC is 12:30am on the 15th.
    assert.deepEqual(await ids('2020-07-15', '2020-07-15'), ['OLD-2']);
    assert.deepEqual(await ids('2020-07-14', '2020-07-14'), ['OLD-1']);
    assert.deepEqual(await ids('', '2020-07-14'), ['OLD-1']);
    assert.deepEqual(await ids('2020-07-14', '2020-07-15'), ['OLD-2', 'OLD-1']);
    assert.deepEqual(await ids('2020-07-16', ''), []);
    const shown = await auditPage({ person: 'archivist' });
    assert.match(shown.body, /<time datetime="2020-07-14T23:30:00.000Z">12:30am on 15 July 2020<\/time>/);
  });

  it('answers filters it cannot use with a 400 and the GOV.UK error summary', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ from: '2024-05-02', to: '2024-05-01' }, /from: must be the same as or before the date in “to”/],
      [{ from: '2024-02-30' }, /from: must be a real date/],
      [{ to: '1 May 2024' }, /to: must be a date written YYYY-MM-DD/],
      [{ objectType: 'Item!' }, /objectType: must be lower-case letters and underscores/],
      [{ page: '0' }, /page: must be 1 or more/],
      [{ who: 'ada' }, /who: is not a known parameter/],
    ];
    for (const [query, message] of cases) {
      for (const path of ['/admin/audit', '/admin/audit/export']) {
        if (path.endsWith('export') && 'page' in query) continue;
        const res = await get(`${path}?${new URLSearchParams(query).toString()}`);
        assert.equal(res.statusCode, 400, `${path} ${JSON.stringify(query)}`);
        assert.match(res.body, /govuk-error-summary/);
        assert.match(res.body, message);
      }
    }
  });

  it('says when nothing matches, with a way back to every event', async () => {
    const res = await auditPage({ person: 'nobody-has-this-name' });
    assert.equal(countOf(res), 0);
    assert.match(res.body, /No audit events match these filters\. <a class="govuk-link" href="\/admin\/audit">Clear the filters<\/a>/);
    assert.doesNotMatch(res.body, /Download these events as CSV/);
  });

  it('pages through 50 events at a time, keeping the filters, and a page past the last is not found', async () => {
    const first = await auditPage({ person: 'bulk@example.org' });
    assert.equal(countOf(first), BULK);
    const firstRows = rowsOf(first);
    assert.equal(firstRows.length, 50);
    assert.match(firstRows[0]!, new RegExp(`BULK-${bulkId(BULK)}`), 'newest first');
    assert.match(first.body, /href="\/admin\/audit\?person=bulk%40example\.org&amp;page=2"/);
    const second = rowsOf(await auditPage({ person: 'bulk@example.org', page: '2' }));
    assert.equal(second.length, 50);
    assert.match(second[0]!, new RegExp(`BULK-${bulkId(BULK - 50)}`));
    const last = Math.ceil(BULK / 50);
    assert.equal(rowsOf(await auditPage({ person: 'bulk@example.org', page: String(last) })).length, BULK % 50);
    assert.equal((await auditPage({ person: 'bulk@example.org', page: String(last + 1) })).statusCode, 404);
  });

  it('escapes what actors wrote, on the page and in the filter that found it', async () => {
    const res = await auditPage({ person: '<script>' });
    assert.equal(rowsOf(res).length, 1);
    assert.ok(!res.body.includes('<script>alert'), 'no script from an actor label');
    assert.ok(!res.body.includes('<b>bold</b>'), 'no markup from a changed value');
    assert.match(res.body, /&lt;script&gt;alert\(&quot;audit&quot;\)&lt;\/script&gt;/);
    assert.match(res.body, /title: &quot;plain&quot; → &quot;&lt;b&gt;bold&lt;\/b&gt;&quot;/);
  });

  it('downloads the filtered events as CSV with a header row and the full details', async () => {
    const page = await auditPage({ objectType: 'item', objectId: 'AUDIT-01' });
    assert.match(page.body, /href="\/admin\/audit\/export\?objectType=item&amp;objectId=AUDIT-01"/);
    const res = await get('/admin/audit/export?objectType=item&objectId=AUDIT-01');
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    assert.equal(res.body.split('\n')[0], EXPORT_COLUMNS.join(','));
    const records = csvOf(res);
    assert.equal(records.length, 1);
    const [record] = records;
    assert.match(record!.occurred_at!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.deepEqual(
      { ...record, occurred_at: undefined, before: JSON.parse(record!.before!) as unknown, after: JSON.parse(record!.after!) as unknown },
      {
        occurred_at: undefined,
        actor_type: 'api_token',
        actor_id: 'token-7',
        actor_label: 'Nightly sync',
        organisation: cqc.name,
        action: 'item.updated',
        object_type: 'item',
        object_id: 'AUDIT-01',
        before: { status: 'not_started', title: 'Same' },
        after: { status: 'in_progress', title: 'Same' },
        request_id: 'req-nightly',
        ip: '192.0.2.7',
      },
    );
  });

  it('downloads every match across batches, newest first, once each', async () => {
    const records = csvOf(await get('/admin/audit/export?person=bulk%40example.org'));
    assert.equal(records.length, BULK);
    assert.equal(new Set(records.map((r) => r.object_id)).size, BULK);
    assert.equal(records[0]!.object_id, `BULK-${bulkId(BULK)}`);
    assert.equal(records.at(-1)!.object_id, 'BULK-0001');
    const dated = csvOf(await get('/admin/audit/export?person=archivist&from=2020-07-15&to=2020-07-15'));
    assert.deepEqual(dated.map((r) => r.object_id), ['OLD-2']);
  });

  it('makes cells a spreadsheet would run as formulas into plain text', async () => {
    const [record] = csvOf(await get('/admin/audit/export?person=HYPERLINK'));
    assert.equal(record!.actor_label, '\'=HYPERLINK("http://evil.example","click")');
  });
});
