// Reporting cycles, reminders and compliance. A cycle opens, falls due and closes on London
// calendar days; organisations report on every item they lead or support within it. Before the
// due date and once it has passed, each organisation still to report gets one reminder of each
// kind (claimed in the database, then sent by a job, so restarts and several instances never
// send one twice). Compliance shows, per organisation, what was due, updated, overdue and never
// updated, and which items have had no published update for 90 days.
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { formatDate } from '../../platform/http/views.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { renderEmail } from '../../platform/mail/templates.ts';
import { addDays, daysBetween, londonDay, londonMidnight } from '../../platform/time.ts';
import type { OrganisationRecord, ReportingPair, StrategyService } from '../strategy/service.ts';
import { CyclesRepository, type CycleRecord, type ReminderRecord, type ReportFact } from './cycles-repository.ts';
import type { ReminderKind } from './schema.ts';

/** Days before the due date when the "due soon" reminder goes. */
export const REMIND_DAYS_BEFORE = 7;
/** An item with no published update for this many days is flagged to the strategy team. */
export const STALE_DAYS = 90;

export const REMINDER_JOBS = { scan: 'reporting.scan-reminders', send: 'reporting.send-reminder' } as const;

export interface CycleInput {
  name: string;
  opensOn: string;
  dueOn: string;
  closesOn: string;
}

export type CyclePhase = 'upcoming' | 'open' | 'overdue' | 'closed';

export interface Cycle extends CycleRecord {
  phase: CyclePhase;
}

/** The moments a cycle's reports count between: its first day to the end of its last. */
export interface CycleWindow {
  from: Date;
  to: Date;
}

/** One organisation's counts in a cycle. */
interface CycleCounts {
  organisation: OrganisationRecord;
  due: number;
  updated: number;
  outstanding: number;
  overdue: number;
  neverUpdated: number;
  /** The items still to report, for the drill-down and the reminder. */
  outstandingItems: { code: string; title: string; neverUpdated: boolean }[];
}

export interface ComplianceRow extends CycleCounts {
  reporters: number;
  reminders: ReminderRecord[];
}

export interface StaleItem {
  code: string;
  title: string;
  organisations: string[];
  lastPublishedAt: Date | null;
  daysSince: number | null;
}

export interface Compliance {
  today: string;
  cycle: Cycle | undefined;
  cycles: Cycle[];
  rows: ComplianceRow[];
  totals: { due: number; updated: number; outstanding: number; overdue: number; neverUpdated: number };
  stale: StaleItem[];
}

export interface CyclesOptions {
  strategy: StrategyService;
  reporters: (organisationId: number) => Promise<{ name: string; email: string }[]>;
  reporterCounts: () => Promise<Map<number, number>>;
  jobs?: JobQueue | undefined;
  mailer?: Mailer | undefined;
  baseUrl?: string | undefined;
  /** The clock (tests move it). */
  now?: () => Date;
}

export function cycleWindow(cycle: Pick<CycleRecord, 'opensOn' | 'closesOn'>): CycleWindow {
  return { from: londonMidnight(cycle.opensOn), to: londonMidnight(addDays(cycle.closesOn, 1)) };
}

export function cyclePhase(cycle: Pick<CycleRecord, 'opensOn' | 'dueOn' | 'closesOn'>, today: string): CyclePhase {
  if (today < cycle.opensOn) return 'upcoming';
  if (today > cycle.closesOn) return 'closed';
  return today > cycle.dueOn ? 'overdue' : 'open';
}

function cycleSnapshot(c: CycleRecord) {
  return { name: c.name, opensOn: c.opensOn, dueOn: c.dueOn, closesOn: c.closesOn };
}

const inWindow = (at: Date | null, window: CycleWindow) => !!at && at >= window.from && at < window.to;

export class CyclesService {
  private readonly now: () => Date;

  constructor(
    private readonly database: Database,
    private readonly options: CyclesOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    // Every morning (and at each start, for a morning missed while stopped) reminders are
    // claimed; each is sent by its own job, retried with backoff if the mail server fails.
    options.jobs?.define(REMINDER_JOBS.scan, async () => void (await this.scanReminders()), { cron: '0 8 * * *', retryLimit: 2 });
    options.jobs?.define<{ reminderId: number }>(REMINDER_JOBS.send, (data) => this.sendReminder(data.reminderId), { retryLimit: 5, retryDelaySeconds: 60 });
  }

  private repo(exec: Executor = this.database.db): CyclesRepository {
    return new CyclesRepository(exec);
  }

  today(): string {
    return londonDay(this.now());
  }

  private withPhase(cycle: CycleRecord, today = this.today()): Cycle {
    return { ...cycle, phase: cyclePhase(cycle, today) };
  }

  /* ----- what reporters see ----- */

  /** The cycle open today, or undefined between cycles. */
  async current(): Promise<Cycle | undefined> {
    const cycle = await this.repo().openOn(this.today());
    return cycle && this.withPhase(cycle);
  }

  async next(): Promise<Cycle | undefined> {
    const cycle = await this.repo().nextAfter(this.today());
    return cycle && this.withPhase(cycle);
  }

  /* ----- the strategy team ----- */

  async list(viewer: CurrentUser): Promise<Cycle[]> {
    if (!can(viewer, 'progress.cycles')) throw new ForbiddenError();
    const today = this.today();
    return (await this.repo().list()).map((c) => this.withPhase(c, today));
  }

  async get(viewer: CurrentUser, id: number): Promise<Cycle | undefined> {
    if (!can(viewer, 'progress.cycles')) throw new ForbiddenError();
    const cycle = await this.repo().byId(id);
    return cycle && this.withPhase(cycle);
  }

  /** Checks a cycle's dates and name against the others, inside the writing transaction. */
  private async checkCycle(repo: CyclesRepository, input: CycleInput, exceptId?: number): Promise<void> {
    await repo.lockForWrite();
    const problems = [];
    const named = await repo.byName(input.name);
    if (named && named.id !== exceptId) problems.push({ field: 'name', message: `There is already a cycle called “${named.name}”` });
    const clash = await repo.overlapping(input.opensOn, input.closesOn, exceptId);
    if (clash.length) {
      const c = clash[0]!;
      problems.push({ field: 'opensOn', message: `The dates overlap “${c.name}” (${formatDate(c.opensOn)} to ${formatDate(c.closesOn)}): cycles cannot overlap` });
    }
    if (problems.length) throw new InputError(problems);
  }

  async create(actor: Actor, viewer: CurrentUser, input: CycleInput): Promise<Cycle> {
    if (!can(viewer, 'progress.cycles')) throw new ForbiddenError();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      await this.checkCycle(repo, input);
      const created = await repo.insert({ ...input, createdBy: viewer.token ? null : viewer.id });
      await recordAudit(tx, actor, { action: 'reporting_cycle.created', objectType: 'reporting_cycle', objectId: created.id, after: cycleSnapshot(created) });
      return this.withPhase(created);
    });
  }

  async update(actor: Actor, viewer: CurrentUser, id: number, input: CycleInput, version: number): Promise<Cycle> {
    if (!can(viewer, 'progress.cycles')) throw new ForbiddenError();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.byId(id);
      if (!before) throw new InputError([{ field: 'id', message: 'There is no such reporting cycle' }]);
      if (before.version !== version) throw new ConflictError('Someone else changed this cycle while you were editing it. What you typed is below and has not been saved: check the dates, then save again.');
      if (cyclePhase(before, this.today()) === 'closed') throw new ConflictError('This cycle has closed: its dates are part of the record and cannot change.');
      await this.checkCycle(repo, input, id);
      const after = await repo.update(id, version, input);
      if (!after) throw new ConflictError('Someone else changed this cycle while you were editing it. What you typed is below and has not been saved: check the dates, then save again.');
      await recordAudit(tx, actor, { action: 'reporting_cycle.updated', objectType: 'reporting_cycle', objectId: id, before: cycleSnapshot(before), after: cycleSnapshot(after) });
      return this.withPhase(after);
    });
  }

  /** Only a cycle that has not opened can be deleted: once open, it is part of the record. */
  async remove(actor: Actor, viewer: CurrentUser, id: number, version: number): Promise<CycleRecord> {
    if (!can(viewer, 'progress.cycles')) throw new ForbiddenError();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.byId(id);
      if (!before) throw new InputError([{ field: 'id', message: 'There is no such reporting cycle' }]);
      if (cyclePhase(before, this.today()) !== 'upcoming') throw new ConflictError('This cycle has opened, so it is part of the record and cannot be deleted. You can still change its due and close dates.');
      const deleted = await repo.delete(id, version);
      if (!deleted) throw new ConflictError('Someone else changed this cycle since you opened it. Check it again.');
      await recordAudit(tx, actor, { action: 'reporting_cycle.deleted', objectType: 'reporting_cycle', objectId: id, before: cycleSnapshot(before) });
      return deleted;
    });
  }

  /* ----- compliance ----- */

  /** Per organisation: due, updated, overdue and never updated in a cycle (the current one by default). */
  async compliance(viewer: CurrentUser, cycleId?: number): Promise<Compliance> {
    if (!can(viewer, 'progress.compliance')) throw new ForbiddenError();
    const today = this.today();
    const repo = this.repo();
    const cycles = (await repo.list()).map((c) => this.withPhase(c, today));
    const cycle = cycleId !== undefined ? cycles.find((c) => c.id === cycleId) : (cycles.find((c) => c.phase === 'open' || c.phase === 'overdue') ?? cycles.find((c) => c.phase === 'closed'));
    const pairs = await this.options.strategy.reportingPairs();
    const facts = await repo.reportFacts();
    const reminders = cycle ? await repo.remindersOf(cycle.id) : [];
    const reporters = await this.options.reporterCounts();
    const rows = complianceRows(pairs, facts, cycle, today).map((row) => ({
      ...row,
      reporters: reporters.get(row.organisation.id) ?? 0,
      reminders: reminders.filter((r) => r.organisationId === row.organisation.id),
    }));
    const totals = { due: 0, updated: 0, outstanding: 0, overdue: 0, neverUpdated: 0 };
    for (const r of rows) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
    return { today, cycle, cycles, rows, totals, stale: staleItems(pairs, facts, today) };
  }



  /* ----- reminders ----- */

  /** Which reminder is due today for a cycle, if any. */
  reminderKind(cycle: Pick<CycleRecord, 'opensOn' | 'dueOn' | 'closesOn'>, today = this.today()): ReminderKind | undefined {
    const phase = cyclePhase(cycle, today);
    if (phase === 'overdue') return 'overdue';
    if (phase === 'open' && daysBetween(today, cycle.dueOn) <= REMIND_DAYS_BEFORE) return 'due_soon';
    return undefined;
  }

  /**
   * Claims today's reminders (one per organisation still to report, per kind, per cycle) and
   * queues a job to send each claimed reminder not yet sent. Safe to run any number of times.
   */
  async scanReminders(): Promise<{ claimed: number; queued: number }> {
    const today = this.today();
    const cycle = await this.repo().openOn(today);
    let claimed = 0;
    const kind = cycle && this.reminderKind(cycle, today);
    if (cycle && kind) {
      const pairs = await this.options.strategy.reportingPairs();
      const rows = complianceRows(pairs, await this.repo().reportFacts(), this.withPhase(cycle, today), today);
      for (const row of rows.filter((r) => r.outstanding > 0)) {
        const made = await this.database.db.transaction(async (tx) => {
          const reminder = await this.repo(tx).claimReminder(cycle.id, row.organisation.id, kind);
          if (reminder) {
            await recordAudit(tx, systemActor, {
              action: 'reporting_reminder.claimed',
              objectType: 'reporting_reminder',
              objectId: reminder.id,
              after: { cycle: cycle.name, organisation: row.organisation.name, kind, outstanding: row.outstanding },
            });
          }
          return reminder;
        });
        if (made) claimed++;
      }
    }
    let queued = 0;
    if (this.options.jobs) {
      for (const reminder of await this.repo().unsentReminders()) {
        if (await this.options.jobs.send(REMINDER_JOBS.send, { reminderId: reminder.id }, { singletonKey: `reminder-${reminder.id}` })) queued++;
      }
    }
    return { claimed, queued };
  }

  /** Emails one claimed reminder to the organisation's reporters, once. */
  async sendReminder(reminderId: number): Promise<void> {
    const repo = this.repo();
    const reminder = await repo.reminder(reminderId);
    if (!reminder || reminder.sentAt) return;
    const cycle = await repo.byId(reminder.cycleId);
    if (!cycle) return;
    const today = this.today();
    const pairs = (await this.options.strategy.reportingPairs()).filter((p) => p.organisation.id === reminder.organisationId);
    const [row] = complianceRows(pairs, await repo.reportFacts(reminder.organisationId), this.withPhase(cycle, today), today);
    const recipients = row && row.outstanding > 0 ? await this.options.reporters(reminder.organisationId) : [];
    if (row && recipients.length) {
      if (!this.options.mailer) throw new Error('No mailer: this hub cannot send reminders');
      const link = `${(this.options.baseUrl ?? 'http://localhost:3000').replace(/\/$/, '')}/report/${row.organisation.slug}`;
      const email = renderEmail('reporting-reminder', {
        overdue: reminder.kind === 'overdue',
        organisationName: row.organisation.name,
        cycleName: cycle.name,
        dueOn: formatDate(cycle.dueOn),
        closesOn: formatDate(cycle.closesOn),
        items: row.outstandingItems.map((i) => ({ code: i.code, title: i.title, state: i.neverUpdated ? 'never reported' : 'not yet reported this cycle' })),
        link,
      });
      for (const person of recipients) await this.options.mailer.send({ to: person.email, ...email });
    }
    await this.database.db.transaction(async (tx) => {
      await this.repo(tx).markSent(reminder.id, recipients.length);
      await recordAudit(tx, systemActor, {
        action: 'reporting_reminder.sent',
        objectType: 'reporting_reminder',
        objectId: reminder.id,
        after: { cycle: cycle.name, organisation: row?.organisation.name ?? reminder.organisationId, kind: reminder.kind, recipients: recipients.length, outstanding: row?.outstanding ?? 0 },
      });
    });
  }
}

/**
 * Per organisation, what was due in a cycle and what was done: plain arithmetic over who reports
 * on what and their latest submissions and publications. Most overdue first, then most
 * outstanding, then by name: who to chase is at the top.
 */
function complianceRows(pairs: ReportingPair[], facts: ReportFact[], cycle: Cycle | undefined, today: string): CycleCounts[] {
  const fact = new Map(facts.map((f) => [`${f.itemId}:${f.organisationId}`, f]));
  const window = cycle && cycleWindow(cycle);
  const late = !!cycle && today > cycle.dueOn;
  const rows = new Map<number, CycleCounts>();
  for (const pair of pairs) {
    let row = rows.get(pair.organisation.id);
    if (!row) {
      row = { organisation: pair.organisation, due: 0, updated: 0, outstanding: 0, overdue: 0, neverUpdated: 0, outstandingItems: [] };
      rows.set(pair.organisation.id, row);
    }
    const f = fact.get(`${pair.item.id}:${pair.organisation.id}`);
    const never = !f?.lastPublishedAt;
    if (never) row.neverUpdated++;
    if (!window) continue;
    row.due++;
    if (inWindow(f?.lastSubmittedAt ?? null, window) || inWindow(f?.lastPublishedAt ?? null, window)) {
      row.updated++;
    } else {
      row.outstanding++;
      if (late) row.overdue++;
      row.outstandingItems.push({ code: pair.item.code, title: pair.item.title, neverUpdated: never });
    }
  }
  return [...rows.values()].sort((a, b) => b.overdue - a.overdue || b.outstanding - a.outstanding || a.organisation.name.localeCompare(b.organisation.name));
}

/** Active items with no published update for STALE_DAYS days, or none ever, oldest first. */
function staleItems(pairs: ReportingPair[], facts: ReportFact[], today: string): StaleItem[] {
  const last = new Map<number, Date>();
  for (const f of facts) {
    if (f.lastPublishedAt && (!last.has(f.itemId) || f.lastPublishedAt > last.get(f.itemId)!)) last.set(f.itemId, f.lastPublishedAt);
  }
  const items = new Map<number, StaleItem>();
  for (const pair of pairs) {
    const at = last.get(pair.item.id) ?? null;
    const daysSince = at ? daysBetween(londonDay(at), today) : null;
    if (daysSince !== null && daysSince < STALE_DAYS) continue;
    const item = items.get(pair.item.id) ?? { code: pair.item.code, title: pair.item.title, organisations: [], lastPublishedAt: at, daysSince };
    if (pair.role === 'lead') item.organisations.unshift(pair.organisation.name);
    else item.organisations.push(pair.organisation.name);
    items.set(pair.item.id, item);
  }
  return [...items.values()].sort((a, b) => (b.daysSince ?? Infinity) - (a.daysSince ?? Infinity) || a.code.localeCompare(b.code, 'en', { numeric: true }));
}
