// Migrations apply once and report themselves; the audit trail cannot be changed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { recordAudit, systemActor } from '../audit/audit.ts';
import { auditEvents } from '../audit/schema.ts';
import { queryRows, wrapPglite } from './client.ts';
import { migrate, migrationStatus, migrationTags } from './migrate.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

describe('migrations', () => {
  it('report a new database as not up to date, and apply on it', { skip: !!process.env.DATABASE_URL && 'PGlite only: a bare PostgreSQL database is made by the test factory already migrated' }, async () => {
    const database = wrapPglite(await PGlite.create(), 'memory://');
    try {
      assert.deepEqual(await migrationStatus(database), { expected: migrationTags().length, applied: 0, upToDate: false });
      const status = await migrate(database);
      assert.equal(status.upToDate, true);
    } finally {
      await database.close();
    }
  });

  it('apply again without changing anything', async () => {
    const database = await createTestDatabase();
    try {
      const before = await migrationStatus(database);
      const after = await migrate(database, database.url);
      assert.deepEqual(after, before);
      assert.equal(after.upToDate, true);
    } finally {
      await database.close();
    }
  });
});

describe('audit trail', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => database.close());

  it('records who did what, with before and after', async () => {
    await recordAudit(database.db, { ...systemActor, requestId: 'req-1', ip: '127.0.0.1' }, { action: 'thing.changed', objectType: 'thing', objectId: 7, before: { a: 1 }, after: { a: 2 } });
    const [row] = await database.db.select().from(auditEvents);
    assert.equal(row?.action, 'thing.changed');
    assert.equal(row?.objectId, '7');
    assert.deepEqual([row?.before, row?.after, row?.requestId, row?.ip], [{ a: 1 }, { a: 2 }, 'req-1', '127.0.0.1']);
  });

  it('refuses to update or delete an audit event', async () => {
    await recordAudit(database.db, systemActor, { action: 'x', objectType: 'y', objectId: 1 });
    // drizzle wraps the database's error; the trigger's message is its cause.
    const refused = (e: unknown) => /append-only/.test(String((e as Error).cause));
    await assert.rejects(database.db.execute(sql`update audit_events set action = 'tampered'`), refused);
    await assert.rejects(database.db.execute(sql`delete from audit_events`), refused);
    const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_events where action = 'tampered'`);
    assert.equal(Number(rows[0]?.n), 0);
  });
});
