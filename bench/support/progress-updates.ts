// Loads published progress updates for the progress benchmark: a fixed number spread evenly
// over every item, each from the item's first lead organisation, moving from "not started"
// through "in progress" (and, for some items, to "complete"), dated over two years from the
// strategy's publication. Bulk SQL, not the reporting pages: this is test data, loaded fast,
// the same on every run. Retired items get none. Items then take their latest update's
// status, as publishing does.
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../../src/platform/db/client.ts';

export interface UpdatesLoad {
  updates: number;
  items: number;
  ms: number;
}

export async function loadPublishedUpdates(options: { dataDir: string; databaseUrl: string | undefined; updates: number }): Promise<UpdatesLoad> {
  const database = await openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  const started = performance.now();
  try {
    const [row] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from items where status is distinct from 'retired'`);
    const items = Number(row!.n);
    await database.db.transaction(async (tx) => {
      // Update j (0, 1, 2…) of item k: not started for the first 3, then in progress; items with
      // k % 3 = 0 are complete from their 15th update; one item in 7 never gets past not started.
      // Dates run from 2024-07-18, 40 days apart, offset by k % 37 days so quarters differ.
      await tx.execute(sql`
        with numbered as (
          select i.id, (row_number() over (order by i.id) - 1)::int as k,
                 (select io.organisation_id from item_organisations io where io.item_id = i.id and io.role = 'lead' order by io.position limit 1) as organisation_id
          from items i
          where i.status is distinct from 'retired'
        ), updates as (
          select n.id, n.organisation_id, n.k, (g.x / ${items})::int as j
          from generate_series(0, ${options.updates - 1}) as g(x)
          join numbered n on n.k = g.x % ${items}
        )
        insert into progress_updates (item_id, organisation_id, state, status, confidence, summary, narrative, version, created_at, updated_at, submitted_at, reviewed_at, published_at)
        select u.id, u.organisation_id, 'published',
               case when u.k % 7 = 1 or u.j < 3 then 'not_started' when u.k % 3 = 0 and u.j >= 14 then 'complete' else 'in_progress' end,
               case u.j % 3 when 0 then 'on_track' when 1 then 'some_risk' else 'off_track' end,
               'Update ' || (u.j + 1) || ' on item ' || u.k, '', 1, t.at, t.at, t.at, t.at, t.at
        from updates u
        cross join lateral (select timestamptz '2024-07-18 09:00:00+00' + make_interval(days => u.j * 40 + u.k % 37) as at) t
        where u.organisation_id is not null`);
      await tx.execute(sql`
        update items set status = last.status, progress_as_of = (last.published_at at time zone 'UTC')::date, version = items.version + 1
        from (
          select distinct on (item_id) item_id, status, published_at from progress_updates
          where state = 'published' order by item_id, published_at desc, id desc
        ) as last
        where last.item_id = items.id`);
      await tx.execute(sql`update strategies set revision = revision + 1`);
    });
    await database.db.execute(sql`analyze progress_updates`);
    return { updates: options.updates, items, ms: performance.now() - started };
  } finally {
    await database.close();
  }
}
