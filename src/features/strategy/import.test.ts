// The strategy team's spreadsheet becomes the data: every row is checked first, any problem
// means nothing is written, and re-importing the same file changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { cliActor } from '../../platform/audit/audit.ts';
import { parseCsv, parseJsonRows, parseXlsx, toCsv, toXlsx } from '../../platform/files/spreadsheet.ts';
import { testDatabase } from '../../testing.ts';
import type { TestDatabase } from '../../platform/db/test-database.ts';
import { queryRows } from '../../platform/db/client.ts';
import { ITEM_COLUMNS } from './forms.ts';
import { StrategyService } from './service.ts';

const actor = cliActor('import items');
const HEADER = ITEM_COLUMNS.join(',');

function csv(...lines: string[]) {
  return parseCsv([HEADER, ...lines].join('\n'));
}

/** A valid row for a new item; `over` replaces columns by name. */
function row(code: string, over: Partial<Record<(typeof ITEM_COLUMNS)[number], string>> = {}): string {
  const values: Record<string, string> = {
    code,
    type: 'recommendation',
    title: `Test item ${code}`,
    summary: 'A summary',
    area: 'train',
    lead_organisations: 'DHSC',
    partner_organisations: 'SfC',
    target: '2026',
    target_date: '',
    government_role: 'shared',
    status: 'in_progress',
    progress_note: '',
    progress_as_of: '',
    themes: 'training',
    priorities: '',
    shifts: '',
    body: '',
    ...over,
  };
  return toCsv(ITEM_COLUMNS, [values]).split('\n')[1]!;
}

async function count(database: TestDatabase, table: 'items' | 'audit_events' | 'item_organisations'): Promise<number> {
  const rows = await queryRows<{ n: number }>(database.db, sql.raw(`select count(*)::int as n from ${table}`));
  return Number(rows[0]!.n);
}

describe('importing items', () => {
  let database: TestDatabase;
  let service: StrategyService;

  before(async () => {
    database = await testDatabase('demo');
    service = new StrategyService(database, { revisionMaxAgeMs: 0 });
  });
  after(async () => database.close());

  it('creates new items with their organisations, themes and an audit event each', async () => {
    const itemsBefore = await count(database, 'items');
    const auditBefore = await count(database, 'audit_events');
    const result = await service.importItems(csv(row('NEW-01'), row('NEW-02', { type: 'Commitment', status: 'Not started' })), actor);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    assert.deepEqual([result.created, result.updated, result.unchanged], [2, 0, 0]);
    assert.equal(await count(database, 'items'), itemsBefore + 2);
    assert.equal(await count(database, 'audit_events'), auditBefore + 2);
    const item = await service.getItem('NEW-02');
    assert.equal(item?.kind, 'commitment');
    assert.equal(item?.status, 'not_started');
    assert.deepEqual(item?.leads.map((o) => o.shortName), ['DHSC']);
    assert.deepEqual(item?.partners.map((o) => o.name), ['Skills for Care']);
    assert.deepEqual(item?.themes.map((t) => t.slug), ['training']);
  });

  it('changes nothing when the same file is imported again', async () => {
    const file = csv(row('SAME-01'), row('SAME-02'));
    await service.importItems(file, actor);
    const revision = await service.revision();
    const auditBefore = await count(database, 'audit_events');
    const again = await service.importItems(file, actor);
    assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 2]);
    assert.equal(await count(database, 'audit_events'), auditBefore, 'no audit events for no changes');
    assert.equal(await service.revision(), revision, 'the data revision does not move');
    const item = await service.getItem('SAME-01');
    assert.equal(item?.version, 1);
  });

  it('updates changed items, records before and after, and bumps the version', async () => {
    await service.importItems(csv(row('UPD-01')), actor);
    const result = await service.importItems(csv(row('UPD-01', { status: 'complete', lead_organisations: 'CQC; DHSC', partner_organisations: '' })), actor);
    assert.deepEqual([result.created, result.updated], [0, 1]);
    assert.deepEqual(result.changes[0]?.fields, ['lead_organisations', 'partner_organisations', 'status']);
    const item = await service.getItem('UPD-01');
    assert.equal(item?.status, 'complete');
    assert.equal(item?.version, 2);
    assert.deepEqual(item?.leads.map((o) => o.shortName), ['CQC', 'DHSC']);
    assert.deepEqual(item?.partners, []);
    const audit = await queryRows<{ action: string; before: { status: string }; after: { status: string }; actor_type: string }>(
      database.db,
      sql`select action, before, after, actor_type from audit_events where object_id = 'UPD-01' order by id desc limit 1`,
    );
    assert.equal(audit[0]?.action, 'item.updated');
    assert.equal(audit[0]?.before.status, 'in_progress');
    assert.equal(audit[0]?.after.status, 'complete');
    assert.equal(audit[0]?.actor_type, 'cli');
  });

  it('keeps the values of columns the file does not have', async () => {
    await service.importItems(csv(row('KEEP-01', { status: 'complete', themes: 'training; career-development' })), actor);
    const partial = parseCsv('code,title,area,lead_organisations\nKEEP-01,Renamed item,train,DHSC\n');
    const result = await service.importItems(partial, actor);
    assert.equal(result.updated, 1);
    const item = await service.getItem('KEEP-01');
    assert.equal(item?.title, 'Renamed item');
    assert.equal(item?.status, 'complete');
    assert.deepEqual(item?.themes.map((t) => t.slug), ['training', 'career-development']);
    assert.deepEqual(item?.partners.map((o) => o.shortName), ['SfC']);
  });

  it('makes a kept partner who is now named as a lead a lead only', async () => {
    await service.importItems(csv(row('MOVE-01', { lead_organisations: 'DHSC', partner_organisations: 'SfC; CQC' })), actor);
    const result = await service.importItems(parseCsv('code,title,area,lead_organisations\nMOVE-01,Moved,train,DHSC; SfC\n'), actor);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    const item = await service.getItem('MOVE-01');
    assert.deepEqual(item?.leads.map((o) => o.shortName), ['DHSC', 'SfC']);
    assert.deepEqual(item?.partners.map((o) => o.shortName), ['CQC']);
  });

  it('refuses JSON rows that lack a required field, naming it', async () => {
    const rows = [
      { code: 'JSON-01', title: 'Has a code', area: 'train', lead_organisations: 'DHSC' },
      { title: 'No code', area: 'train', lead_organisations: 'DHSC' },
    ];
    const result = await service.importItems(parseJsonRows(JSON.stringify(rows)), actor);
    assert.equal(result.ok, false);
    assert.deepEqual(result.problems, [{ row: 2, column: 'code', message: 'is required' }]);
  });

  it('shows what would change on a dry run and writes nothing', async () => {
    const itemsBefore = await count(database, 'items');
    const auditBefore = await count(database, 'audit_events');
    const result = await service.importItems(csv(row('DRY-01'), row('AR-01', { status: 'complete' })), actor, { dryRun: true });
    assert.equal(result.ok, true);
    assert.equal(result.dryRun, true);
    assert.deepEqual(
      result.changes.map((c) => [c.key, c.action]),
      [
        ['DRY-01', 'create'],
        ['AR-01', 'update'],
      ],
    );
    assert.equal(await count(database, 'items'), itemsBefore);
    assert.equal(await count(database, 'audit_events'), auditBefore);
    assert.equal(await service.getItem('DRY-01'), undefined);
    assert.equal((await service.getItem('AR-01'))?.status, 'in_progress');
  });

  const badRows: [string, string, string, RegExp][] = [
    ['a code with spaces', row('BAD 01'), 'code', /letters, digits and hyphens/],
    ['an unknown type', row('BAD-02', { type: 'suggestion' }), 'type', /recommendation, commitment/],
    ['an unknown status', row('BAD-03', { status: 'finished' }), 'status', /not_started, in_progress, complete, retired/],
    ['an impossible date', row('BAD-04', { target_date: '2025-02-30' }), 'target_date', /real date/],
    ['a date in another format', row('BAD-05', { target_date: '31/03/2025' }), 'target_date', /YYYY-MM-DD/],
    ['an unknown area', row('BAD-06', { area: 'elsewhere' }), 'area', /not an area.*attract-and-retain/],
    ['an unknown organisation', row('BAD-07', { lead_organisations: 'Ministry of Magic' }), 'lead_organisations', /not a known organisation/],
    ['no lead organisation', row('BAD-08', { lead_organisations: '' }), 'lead_organisations', /at least one lead/],
    ['an unknown theme', row('BAD-09', { themes: 'gardening' }), 'themes', /not one of: pay-and-conditions/],
    ['a lead who is also a partner', row('BAD-10', { partner_organisations: 'DHSC' }), 'partner_organisations', /already a lead/],
    ['an empty title', row('BAD-11', { title: '' }), 'title', /required/],
    ['an overlong title', row('BAD-12', { title: 'x'.repeat(301) }), 'title', /300 characters or fewer/],
    ['control characters', row('BAD-13', { title: 'Bad\u0007bell' }), 'title', /one line of plain text/],
    ['an unknown government role', row('BAD-14', { government_role: 'sometimes' }), 'government_role', /none, shared, government_only/],
  ];
  for (const [name, line, column, message] of badRows) {
    it(`refuses a row with ${name}, naming row and column, and writes nothing`, async () => {
      const itemsBefore = await count(database, 'items');
      const result = await service.importItems(csv(row('GOOD-01'), line), actor);
      assert.equal(result.ok, false);
      const problem = result.problems.find((p) => p.column === column);
      assert.ok(problem, `expected a problem in column ${column}, got ${JSON.stringify(result.problems)}`);
      assert.equal(problem.row, 3);
      assert.match(problem.message, message);
      assert.equal(await count(database, 'items'), itemsBefore, 'the good row was not written either');
      assert.equal(await service.getItem('GOOD-01'), undefined);
    });
  }

  it('reports every bad row of a file, not just the first', async () => {
    const result = await service.importItems(csv(row('MANY-01', { status: 'x' }), row('MANY-02'), row('MANY-03', { area: 'nowhere' })), actor);
    assert.deepEqual(
      result.problems.map((p) => [p.row, p.column]),
      [
        [2, 'status'],
        [4, 'area'],
      ],
    );
  });

  it('refuses a code that appears twice in a file', async () => {
    const result = await service.importItems(csv(row('TWICE-01'), row('twice-01')), actor);
    assert.equal(result.ok, false);
    assert.deepEqual(result.problems, [{ row: 3, column: 'code', message: 'TWICE-01 is already on row 2' }]);
  });

  it('refuses a file missing a required column, naming it', async () => {
    const result = await service.importItems(parseCsv('code,title,area\nX-01,Title,train\n'), actor);
    assert.equal(result.ok, false);
    assert.deepEqual(result.problems, [{ row: 1, column: 'lead_organisations', message: 'this column is required but missing from the header row' }]);
  });

  it('warns about columns it does not read', async () => {
    const result = await service.importItems(parseCsv(`${HEADER},notes\n${row('WARN-01')},internal note\n`), actor, { dryRun: true });
    assert.equal(result.ok, true);
    assert.match(result.warnings[0] ?? '', /Column "notes" is not one the import reads/);
  });

  it('reads human labels and any case for coded values', async () => {
    const result = await service.importItems(csv(row('LABEL-01', { type: 'COMMITMENT', status: 'In progress', government_role: 'Government only', area: 'Attract and retain', themes: 'Pay and conditions' })), actor);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    const item = await service.getItem('LABEL-01');
    assert.equal(item?.governmentRole, 'government_only');
    assert.equal(item?.area.slug, 'attract-and-retain');
    assert.deepEqual(item?.themes.map((t) => t.slug), ['pay-and-conditions']);
  });

  it('exports what it imports: CSV and XLSX round trips change nothing', async () => {
    const rows = await service.exportItems();
    assert.ok(rows.length >= 24);
    assert.deepEqual(Object.keys(rows[0]!), [...ITEM_COLUMNS]);
    const fromCsv = await service.importItems(parseCsv(toCsv(ITEM_COLUMNS, rows)), actor);
    assert.equal(fromCsv.ok, true, JSON.stringify(fromCsv.problems));
    assert.deepEqual([fromCsv.created, fromCsv.updated, fromCsv.unchanged], [0, 0, rows.length]);
    const fromXlsx = await service.importItems(await parseXlsx(await toXlsx('items', ITEM_COLUMNS, rows)), actor);
    assert.equal(fromXlsx.ok, true, JSON.stringify(fromXlsx.problems));
    assert.deepEqual([fromXlsx.created, fromXlsx.updated, fromXlsx.unchanged], [0, 0, rows.length]);
  });
});

describe('importing organisations', () => {
  let database: TestDatabase;
  let service: StrategyService;

  before(async () => {
    database = await testDatabase('demo');
    service = new StrategyService(database, { revisionMaxAgeMs: 0 });
  });
  after(async () => database.close());

  it('creates, updates and leaves alone organisations matched by name', async () => {
    const table = parseCsv(
      'name,short_name,kind,is_government,website\n' +
        'Home Office,HO,central_government,yes,https://www.gov.uk/government/organisations/home-office\n' +
        'Care Workers Charity,CWC,Other,no,\n' +
        'Regional NHS body,,NHS and health systems,,\n' +
        'Skills for Care,SfC,workforce_body,no,https://www.skillsforcare.org.uk\n',
    );
    const result = await service.importOrganisations(table, actor);
    assert.equal(result.ok, true, JSON.stringify(result.problems));
    assert.deepEqual([result.created, result.updated, result.unchanged], [2, 1, 1]);
    const again = await service.importOrganisations(table, actor);
    assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 4]);
    const list = await service.organisationList();
    assert.equal(list.find((o) => o.organisation.name === 'Home Office')?.organisation.shortName, 'HO');
    assert.equal(list.find((o) => o.organisation.name === 'Care Workers Charity')?.organisation.slug, 'care-workers-charity');
    assert.equal(list.find((o) => o.organisation.name === 'Regional NHS body')?.organisation.kind, 'nhs', 'labels as pages show them are read');
  });

  it('finds items by a renamed short name after an update (search text follows), without changing the items', async () => {
    const page = await service.listItems({ area: [], theme: [], lead: [], status: [], type: [], shift: [], q: 'HO' }, 1, 50);
    assert.ok(page.items.some((i) => i.code === 'AR-05'), 'AR-05 is led by the Home Office, now short-named HO');
    assert.equal((await service.getItem('AR-05'))?.version, 1, 'an organisation edit is not an item edit');
  });

  it('refuses bad rows and a short name already held by another organisation', async () => {
    const table = parseCsv('name,short_name,kind,is_government,website\nX,,nonsense,maybe,ftp://x\nNew Body,DHSC,other,no,\n');
    const result = await service.importOrganisations(table, actor);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.map((p) => [p.row, p.column]),
      [
        [2, 'name'],
        [2, 'kind'],
        [2, 'is_government'],
        [2, 'website'],
        [3, 'short_name'],
      ],
    );
  });
});
