// Two app instances on one PostgreSQL server, as behind a load balancer: the same item saved
// from both at once gives one success and one clear conflict (never a lost update), a session
// made on one works on the other, and jobs queued from both run once each.
// PostgreSQL only: the embedded database is one process's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { openPostgres, queryRows } from './db/client.ts';
import type { TestDatabase } from './db/test-database.ts';
import { itemFormValues } from '../features/strategy/forms.ts';
import { addPeople, createTestApp, eventually, pageText, signInAs, submitForm, testDatabase, type TestApp } from '../testing.ts';

describe('two instances on one PostgreSQL server', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL (PostgreSQL)' }, () => {
  let database: TestDatabase;
  let second: TestDatabase;
  let one: TestApp;
  let two: TestApp;
  let cookie: string;

  before(async () => {
    database = await testDatabase('demo');
    second = Object.assign(await openPostgres(database.url!), { url: database.url });
    one = await createTestApp('demo', { database, jobPollingSeconds: 0.5 });
    two = await createTestApp('demo', { database: second, jobPollingSeconds: 0.5 });
    await addPeople(one, [{ email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' }]);
    cookie = (await signInAs(one.app, 'team@example.org')).cookie;
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await second?.close();
    await database?.close();
  });

  it('shares sessions: signed in on one, signed in on the other', async () => {
    const res = await two.app.inject({ url: '/admin', headers: { cookie } });
    assert.equal(res.statusCode, 200);
    assert.match(pageText(res.body), /Tom Team/);
  });

  it('gives one success and one conflict when both save the same item at once', async () => {
    const item = (await one.services.strategy.getItem('AR-12'))!;
    const fields = { ...itemFormValues(item), version: String(item.version) };
    const [a, b] = await Promise.all([
      submitForm(one.app, { url: '/admin/items/AR-12/edit', cookie, fields: { ...fields, title: 'Title saved through instance one' } }),
      submitForm(two.app, { url: '/admin/items/AR-12/edit', cookie, fields: { ...fields, title: 'Title saved through instance two' } }),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [303, 409]);
    const loser = a.statusCode === 409 ? a : b;
    assert.match(pageText(loser.body), /changed|saved/i);
    const winner = a.statusCode === 303 ? 'one' : 'two';
    const [saved] = await queryRows<{ title: string; version: number }>(database.db, sql`select title, version from items where code = 'AR-12'`);
    assert.equal(saved!.title, `Title saved through instance ${winner}`);
    assert.equal(saved!.version, item.version + 1);
    const audits = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_events where action like 'item.%' and object_id = 'AR-12' and actor_label = 'team@example.org'`);
    assert.equal(audits[0]!.n, 1, 'one change recorded');
  });

  it('runs each job once, however many instances queue it or work', async () => {
    const runs = new Map<string, number>();
    for (const t of [one, two]) {
      t.app.jobs.define<{ key: string }>('two-instances.count', async ({ key }) => {
        runs.set(key, (runs.get(key) ?? 0) + 1);
      });
    }
    await Promise.all([one.app.jobs.start({ work: true }), two.app.jobs.start({ work: true })]);
    // The same work queued five times from each instance at once (a scan at start-up, say).
    await Promise.all([one, two].flatMap((t) => Array.from({ length: 5 }, () => t.app.jobs.send('two-instances.count', { key: 'once' }, { singletonKey: 'scan-at-start' }))));
    // Twenty different jobs, half from each.
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).app.jobs.send('two-instances.count', { key: `job-${i}` })));
    await eventually(() => (runs.size === 21 ? true : undefined), 20_000, 'every job to run');
    // Time for a second run, if there were to be one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.deepEqual([...runs.values()].filter((n) => n !== 1), [], JSON.stringify(Object.fromEntries(runs)));
  });
});
