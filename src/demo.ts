// The demo data, loaded in one place: `npm start` on an empty database, `strategy-hub seed`, and
// the test template behind `createTestApp('demo')` all call `seedDemoData`. Each feature that
// ships demo data adds one step here; every step loads only into an empty part of the database,
// so running it again changes nothing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Actor } from './platform/audit/audit.ts';
import type { Database } from './platform/db/client.ts';
import { datasetsDir, projectRoot } from './platform/paths.ts';
import { StrategyService } from './features/strategy/service.ts';
import { WorkforceService } from './features/workforce/service.ts';
import { GovernanceService } from './features/governance/service.ts';
import { EngagementService } from './features/engagement/service.ts';
import { CommunityService } from './features/community/service.ts';
import { BulletinsService } from './features/bulletins/service.ts';

/** One line per step that loaded something, for the log or the CLI. */
export type DemoReport = string[];

export async function seedDemoData(database: Database, actor: Actor, strategy = new StrategyService(database)): Promise<DemoReport> {
  const report: DemoReport = [];
  if (await strategy.seedDemo(actor)) report.push('Loaded the demo strategy.');
  const workforce = await new WorkforceService(database, strategy).seedShipped(actor);
  if (workforce.datasets || workforce.scenarios || workforce.itemLevers) {
    report.push(`Loaded the workforce model data: ${workforce.datasets} datasets, ${workforce.scenarios} scenarios, levers for ${workforce.itemLevers} items.`);
  }
  const bodies = await new GovernanceService(database, strategy).seedShipped(actor);
  if (bodies) report.push(`Loaded the governance bodies: ${bodies}.`);
  const activities = await new EngagementService(database, strategy).seedShipped(actor);
  if (activities) report.push(`Loaded the engagement activities (illustrative): ${activities}.`);
  const catalogue = await strategy.catalogue();
  const bulletins = new BulletinsService(database, {});
  const mail = await bulletins.seedShipped(actor, catalogue);
  if (mail.lists || mail.bulletins) report.push(`Loaded the mailing lists (${mail.lists}) and the demo bulletins (illustrative): ${mail.bulletins}.`);
  const champions = await new CommunityService(database, { strategy, news: bulletins }).seedShipped(actor);
  if (champions) report.push(`Loaded the demo champions (invented): ${champions}.`);
  return report;
}

/**
 * Changes when the shipped datasets or any feature's tables or loading code change, so a
 * prepared copy of the demo database (the test template) is rebuilt when it would differ.
 */
export function demoVersion(): string {
  const hash = createHash('sha256');
  const add = (dir: string, keep: (name: string) => boolean) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) add(full, keep);
      else if (keep(name)) hash.update(path.relative(projectRoot, full)).update(readFileSync(full));
    }
  };
  add(datasetsDir, () => true);
  add(path.join(projectRoot, 'src', 'features'), (name) => /^(schema|service|repository|forms|datasets)\.ts$/.test(name));
  for (const file of [path.join(projectRoot, 'src', 'demo.ts')]) if (existsSync(file)) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}
