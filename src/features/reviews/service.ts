// The annual review's rules. The strategy team opens a review for a year, records a decision
// on each item (keep, amend, retire, new) with its rationale, and publishes it: one
// transaction freezes every item as it stands and the figures, and from then on the review
// never changes. Decisions are records: a "retire" decision does not retire the item (the
// strategy team does that in the item admin). Items are read through the strategy service.
import { pgErrorCode, type Database, type Executor } from '../../platform/db/client.ts';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import type { StandingItem, StrategyService } from '../strategy/service.ts';
import type { StrategyRecord } from '../strategy/repository.ts';
import type { ItemStatus } from '../strategy/schema.ts';
import { movements, reviewFigures, yearsOn, type ReviewFigures, type StatusChange } from './figures.ts';
import { ReviewsRepository, type DecisionRecord, type DecisionRow, type ReviewRecord, type SnapshotRow } from './repository.ts';
import { OUTCOMES, type Outcome } from './schema.ts';

/** The years a review may be for: the strategy's first full year on, to the end of its horizon. */
export interface ReviewYears {
  startYear: number;
  first: number;
  last: number;
}

/** One item in a review: as it stands now while the review is open, as frozen once published. */
/** What a review shows of every item, open or published. */
type ItemLine = Omit<StandingItem, 'id' | 'addedAfterLaunch'>;

export interface ReviewLine extends ItemLine {
  itemId: number;
  decision: DecisionRow | undefined;
  /** Active (not retired) items need a decision before the review can be published. */
  needsDecision: boolean;
}

export interface ReviewListEntry {
  review: ReviewRecord;
  decided: number;
  /** Items that need a decision: active items now for an open review, the snapshot's once published. */
  toDecide: number;
}

export interface DecisionInput {
  outcome: Outcome;
  rationale: string;
}

/** Whether "new" may be chosen for an item, and why (or why not), in words for the form. */
export interface NewRule {
  allowed: boolean;
  reason: string;
}

export interface ReportLine extends ItemLine {
  /** Its status at the previous review; undefined when there was none or it was not in it. */
  previousStatus: ItemStatus | null | undefined;
  decision: { outcome: Outcome; rationale: string } | undefined;
}

/** A published review, as the public report, the CSV, the spreadsheet and the API give it. */
export interface ReviewReport {
  year: number;
  title: string;
  summary: string;
  publishedAt: Date;
  yearsOn: number;
  yearsOnText: string;
  strategy: { title: string; startYear: number; publishedOn: string | null };
  figures: ReviewFigures;
  previous: { year: number; title: string; figures: ReviewFigures } | undefined;
  lines: ReportLine[];
  /** Items whose status changed since the previous review (empty for the first review). */
  changed: StatusChange<ReportLine>[];
  /** Items added since the previous review (empty for the first review). */
  added: ReportLine[];
  byOutcome: { outcome: Outcome; lines: ReportLine[] }[];
  /** Items retired before the review, so not decided on. */
  undecided: ReportLine[];
}

const publishedConflict = (year: number) =>
  `The ${year} review is published, so it cannot be changed: a published review is the record of what was decided.`;
const decisionConflict = (code: string) =>
  `Someone else saved a decision on ${code} while you were writing yours. Theirs is shown below. Your text is in the form and has not been saved: check both, then save again to replace theirs.`;
const introConflict = (year: number) =>
  `Someone else changed the ${year} review while you were editing it. Your text is in the form and has not been saved: check the review, then save again.`;

function startYearOf(strategy: StrategyRecord): number {
  return strategy.publishedOn ? Number(strategy.publishedOn.slice(0, 4)) : strategy.createdAt.getUTCFullYear();
}

/** The default title of a review: how long after the strategy's launch it is. */
export function defaultTitle(year: number, startYear: number): string {
  return yearsOn(year - startYear);
}

function lineFromStanding(item: StandingItem, decision: DecisionRow | undefined): ReviewLine {
  const { id, addedAfterLaunch: _added, ...line } = item;
  return { ...line, itemId: id, decision, needsDecision: item.status !== 'retired' };
}

/** A snapshot row as the item it froze. */
function itemLine(row: SnapshotRow): ItemLine {
  return {
    code: row.code,
    kind: row.kind,
    title: row.title,
    area: { slug: row.areaSlug, name: row.areaName },
    status: row.status,
    governmentRole: row.governmentRole,
    targetText: row.targetText,
    leads: row.leads,
    partners: row.partners,
  };
}

function lineFromSnapshot(row: SnapshotRow, decision: DecisionRow | undefined): ReviewLine {
  return { ...itemLine(row), itemId: row.itemId, decision, needsDecision: row.status !== 'retired' };
}

const decisionAudit = (d: DecisionRecord) => ({ outcome: d.outcome, rationale: d.rationale });

export class ReviewsService {
  constructor(
    private readonly database: Database,
    private readonly strategy: StrategyService,
  ) {}

  private repo(exec: Executor = this.database.db): ReviewsRepository {
    return new ReviewsRepository(exec);
  }

  private guard(viewer: CurrentUser | null): asserts viewer is CurrentUser {
    if (!can(viewer, 'reviews.manage')) throw new ForbiddenError('Only the strategy team can manage annual reviews');
  }

  async years(): Promise<ReviewYears> {
    const { strategy } = await this.strategy.catalogue();
    const startYear = startYearOf(strategy);
    return { startYear, first: startYear + 1, last: startYear + strategy.horizonYears };
  }

  /* ----- the strategy team ----- */

  async list(viewer: CurrentUser): Promise<{ reviews: ReviewListEntry[]; years: ReviewYears; nextYear: number | undefined }> {
    this.guard(viewer);
    const repo = this.repo();
    const all = await repo.all();
    const counts = await repo.decisionCounts();
    const years = await this.years();
    let activeNow: number | undefined;
    const entries: ReviewListEntry[] = [];
    for (const review of all) {
      let toDecide: number;
      if (review.figures) toDecide = review.figures.active;
      else toDecide = activeNow ??= (await this.strategy.itemsAsTheyStand()).items.filter((i) => i.status !== 'retired').length;
      entries.push({ review, decided: counts.get(review.id) ?? 0, toDecide });
    }
    const latest = all[0]?.year;
    const next = latest === undefined ? years.first : latest + 1;
    return { reviews: entries, years, nextYear: next <= years.last ? next : undefined };
  }

  /**
   * Opens the review for `year`: within the strategy's horizon, one per year, in order (after
   * every review there is), and only when no other review is open.
   */
  async open(actor: Actor, viewer: CurrentUser, year: number): Promise<ReviewRecord> {
    this.guard(viewer);
    const years = await this.years();
    if (!Number.isInteger(year) || year < years.first || year > years.last) {
      throw new InputError([
        { field: 'year', message: `Enter a year from ${years.first} to ${years.last}: the strategy started in ${years.startYear} and runs for ${years.last - years.startYear} years` },
      ]);
    }
    const taken = new InputError([{ field: 'year', message: `There is already a review for ${year}` }]);
    try {
      return await this.database.db.transaction(async (tx) => {
        const repo = this.repo(tx);
        await repo.lockForOpening();
        const all = await repo.all();
        if (all.some((r) => r.year === year)) throw taken;
        const latest = all[0];
        if (latest && year < latest.year) throw new InputError([{ field: 'year', message: `Reviews go in order: the latest is for ${latest.year}, so the next must be after ${latest.year}` }]);
        const open = all.find((r) => r.state === 'open');
        if (open) throw new InputError([{ field: 'year', message: `The ${open.year} review is still open: publish it before you open another` }]);
        const review = await repo.insert({ year, title: defaultTitle(year, years.startYear), openedBy: viewer.id });
        await recordAudit(tx, actor, { action: 'review.opened', objectType: 'review', objectId: year, after: { year, state: review.state, title: review.title } });
        return review;
      });
    } catch (error) {
      // Two people opening the same year at once: the unique index refuses the second.
      if (pgErrorCode(error) === '23505') throw taken;
      throw error;
    }
  }

  async review(viewer: CurrentUser, year: number): Promise<{ review: ReviewRecord; lines: ReviewLine[]; years: ReviewYears }> {
    this.guard(viewer);
    const repo = this.repo();
    const review = await repo.byYear(year);
    if (!review) throw new NotFoundError('review');
    return { review, lines: await this.lines(repo, review), years: await this.years() };
  }

  private async lines(repo: ReviewsRepository, review: ReviewRecord): Promise<ReviewLine[]> {
    const decisions = new Map((await repo.decisions(review.id)).map((d) => [d.itemId, d]));
    if (review.state === 'published') return (await repo.snapshot(review.id)).map((row) => lineFromSnapshot(row, decisions.get(row.itemId)));
    return (await this.strategy.itemsAsTheyStand()).items.map((item) => lineFromStanding(item, decisions.get(item.id)));
  }

  /** One item of a review, with its decision (if any) and whether "new" may be chosen for it. */
  async line(viewer: CurrentUser, year: number, code: string): Promise<{ review: ReviewRecord; line: ReviewLine; newRule: NewRule }> {
    this.guard(viewer);
    const repo = this.repo();
    const review = await repo.byYear(year);
    if (!review) throw new NotFoundError('review');
    const line = (await this.lines(repo, review)).find((l) => l.code === code);
    if (!line) throw new NotFoundError('item');
    return { review, line, newRule: await this.newRule(repo, review, line.itemId, code) };
  }

  /**
   * "New" is for items that were not in the strategy at the last review: not in the previous
   * published review's snapshot or, at the first review, added after the strategy was launched
   * (created after the strategy was loaded with its launch items).
   */
  private async newRule(repo: ReviewsRepository, review: ReviewRecord, itemId: number, code: string, exec?: Executor): Promise<NewRule> {
    const previous = await repo.previousPublished(review.year);
    if (previous) {
      return (await repo.inSnapshot(previous.id, itemId))
        ? { allowed: false, reason: `“New” is only for items added since the last review, and ${code} was in the ${previous.year} review` }
        : { allowed: true, reason: `${code} was not in the ${previous.year} review` };
    }
    const item = (await this.strategy.itemsAsTheyStand(exec)).items.find((i) => i.id === itemId);
    return item?.addedAfterLaunch
      ? { allowed: true, reason: `${code} was added after the strategy was launched` }
      : { allowed: false, reason: `“New” is only for items added since the strategy was launched, and ${code} was part of it at launch` };
  }

  /**
   * Records the decision on one item of an open review. `version` is the version of the
   * decision the person started from (undefined when there was none): if someone saved since,
   * nothing is written and ConflictError says so.
   */
  async decide(actor: Actor, viewer: CurrentUser, year: number, code: string, input: DecisionInput, version: number | undefined): Promise<DecisionRecord> {
    this.guard(viewer);
    const rationale = input.rationale.trim();
    if (!OUTCOMES.includes(input.outcome)) throw new InputError([{ field: 'outcome', message: 'Select the decision' }]);
    if (!rationale) throw new InputError([{ field: 'rationale', message: 'Enter the reason for the decision' }]);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      // Locked: decisions and publishing on one review take turns, so none lands after publication.
      const review = await repo.byYear(year, true);
      if (!review) throw new NotFoundError('review');
      if (review.state === 'published') throw new ConflictError(publishedConflict(year));
      const item = await this.strategy.itemRef(code, tx);
      if (!item) throw new NotFoundError('item');
      if (input.outcome === 'new') {
        const rule = await this.newRule(repo, review, item.id, code, tx);
        if (!rule.allowed) throw new InputError([{ field: 'outcome', message: rule.reason }]);
      }
      const existing = await repo.decision(review.id, item.id);
      let saved: DecisionRecord | undefined;
      if (!existing) {
        if (version !== undefined) throw new InputError([{ field: 'version', message: 'This form names a decision that does not exist: open the item again' }]);
        saved = await repo.insertDecision({ reviewId: review.id, itemId: item.id, outcome: input.outcome, rationale, decidedBy: viewer.id });
      } else {
        if (version === undefined || version !== existing.version) throw new ConflictError(decisionConflict(code));
        saved = await repo.updateDecision(existing.id, version, { outcome: input.outcome, rationale, decidedBy: viewer.id });
        if (!saved) throw new ConflictError(decisionConflict(code));
      }
      await recordAudit(tx, actor, {
        action: 'review_decision.saved',
        objectType: 'review_decision',
        objectId: `${year}/${code}`,
        before: existing ? decisionAudit(existing) : undefined,
        after: decisionAudit(saved),
      });
      return saved;
    });
  }

  /** Changes the team's title and introduction of an open review. */
  async updateIntro(actor: Actor, viewer: CurrentUser, year: number, input: { title: string; summary: string }, version: number): Promise<ReviewRecord> {
    this.guard(viewer);
    if (!input.title.trim()) throw new InputError([{ field: 'title', message: 'Enter a title' }]);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const review = await repo.byYear(year, true);
      if (!review) throw new NotFoundError('review');
      if (review.state === 'published') throw new ConflictError(publishedConflict(year));
      if (review.version !== version) throw new ConflictError(introConflict(year));
      const after = await repo.updateOpen(review.id, version, { title: input.title.trim(), summary: input.summary.trim() });
      if (!after) throw new ConflictError(introConflict(year));
      await recordAudit(tx, actor, {
        action: 'review.updated',
        objectType: 'review',
        objectId: year,
        before: { title: review.title, summary: review.summary },
        after: { title: after.title, summary: after.summary },
      });
      return after;
    });
  }

  /** The active items of an open review that have no decision yet: publishing waits for them. */
  async undecided(viewer: CurrentUser, year: number): Promise<ReviewLine[]> {
    const { lines } = await this.review(viewer, year);
    return lines.filter((l) => l.needsDecision && !l.decision);
  }

  /**
   * Publishes an open review, in one transaction: every item is frozen as it stands (status,
   * organisations, government role), the figures are worked out from that snapshot, the
   * review becomes public and read-only, and the audit trail records it. Nothing else changes:
   * items keep their status, even those with a "retire" decision. Refused while any active
   * item has no decision (each is named), or if the review changed since `version`.
   */
  async publish(actor: Actor, viewer: CurrentUser, year: number, version: number): Promise<ReviewRecord> {
    this.guard(viewer);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const review = await repo.byYear(year, true);
      if (!review) throw new NotFoundError('review');
      if (review.state === 'published') throw new ConflictError(publishedConflict(year));
      if (review.version !== version) throw new ConflictError(`Someone else changed the ${year} review since you opened this page. Check it, then publish again.`);
      const { items } = await this.strategy.itemsAsTheyStand(tx);
      const decisions = new Map((await repo.decisions(review.id)).map((d) => [d.itemId, d]));
      const undecided = items.filter((i) => i.status !== 'retired' && !decisions.has(i.id));
      if (undecided.length) {
        throw new InputError(undecided.map((i) => ({ field: i.code, message: `${i.code} has no decision yet` })));
      }
      await repo.insertSnapshot(
        items.map((item, position) => ({
          reviewId: review.id,
          itemId: item.id,
          position,
          code: item.code,
          kind: item.kind,
          title: item.title,
          areaSlug: item.area.slug,
          areaName: item.area.name,
          status: item.status,
          governmentRole: item.governmentRole,
          targetText: item.targetText,
          leads: item.leads,
          partners: item.partners,
        })),
      );
      const figures = reviewFigures(items);
      const published = await repo.updateOpen(review.id, version, { state: 'published', publishedAt: new Date(), publishedBy: viewer.id, figures });
      if (!published) throw new ConflictError(`Someone else changed the ${year} review since you opened this page. Check it, then publish again.`);
      const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, [...decisions.values()].filter((d) => d.outcome === o).length]));
      await recordAudit(tx, actor, {
        action: 'review.published',
        objectType: 'review',
        objectId: year,
        before: { state: review.state, title: review.title },
        after: { state: published.state, title: published.title, publishedAt: published.publishedAt, items: items.length, decisions: outcomes, figures },
      });
      return published;
    });
  }

  /* ----- public ----- */

  /** Published reviews, newest first. */
  async publishedReviews(): Promise<{ review: ReviewRecord; yearsOnText: string }[]> {
    const { startYear } = await this.years();
    return (await this.repo().published()).map((review) => ({ review, yearsOnText: yearsOn(review.year - startYear) }));
  }

  /** A published review's report; undefined for a year with no published review. */
  async report(year: number): Promise<ReviewReport | undefined> {
    const repo = this.repo();
    const review = await repo.byYear(year);
    if (!review || review.state !== 'published' || !review.figures || !review.publishedAt) return undefined;
    const { strategy } = await this.strategy.catalogue();
    const startYear = startYearOf(strategy);
    const decisions = new Map((await repo.decisions(review.id)).map((d) => [d.itemId, d]));
    const snapshot = await repo.snapshot(review.id);
    const previousReview = await repo.previousPublished(year);
    const previousRows = previousReview ? await repo.snapshot(previousReview.id) : [];
    const previousStatus = new Map(previousRows.map((r) => [r.code, r.status]));
    const lines: ReportLine[] = snapshot.map((row) => {
      const d = decisions.get(row.itemId);
      return {
        ...itemLine(row),
        previousStatus: previousStatus.has(row.code) ? previousStatus.get(row.code) : undefined,
        decision: d ? { outcome: d.outcome, rationale: d.rationale } : undefined,
      };
    });
    const moved = previousReview
      ? movements(lines, previousRows.map((r) => ({ code: r.code, status: r.status, area: { slug: r.areaSlug, name: r.areaName } })))
      : { changed: [], added: [] };
    return {
      year,
      title: review.title,
      summary: review.summary,
      publishedAt: review.publishedAt,
      yearsOn: year - startYear,
      yearsOnText: yearsOn(year - startYear),
      strategy: { title: strategy.title, startYear, publishedOn: strategy.publishedOn },
      figures: review.figures,
      previous: previousReview?.figures ? { year: previousReview.year, title: previousReview.title, figures: previousReview.figures } : undefined,
      lines,
      changed: moved.changed,
      added: moved.added,
      byOutcome: OUTCOMES.map((outcome) => ({ outcome, lines: lines.filter((l) => l.decision?.outcome === outcome) })),
      undecided: lines.filter((l) => !l.decision),
    };
  }
}
