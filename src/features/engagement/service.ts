// Engagement: what the strategy team heard, and where. Activities (roundtables, network
// discussions, workshops, surveys, events) with their region, organiser, participants and
// themes; the feedback heard at each, tagged by theme; and the public counts by theme. Every
// write is one transaction with its audit event.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { datasetsDir } from '../../platform/paths.ts';
import type { TermRecord } from '../strategy/repository.ts';
import type { StrategyService } from '../strategy/service.ts';
import { EngagementRepository, type ActivityRecord, type FeedbackRecord } from './repository.ts';
import type { EngagementKind, EngagementRegion } from './schema.ts';

export interface ActivityInput {
  kind: EngagementKind;
  title: string;
  heldOn: string;
  region: EngagementRegion;
  organiser: string;
  participants: number;
  summary: string;
  /** Theme slugs. */
  themes: string[];
}

export interface FeedbackInput {
  text: string;
  /** Theme slugs. */
  themes: string[];
}

export interface ActivitySummary extends ActivityRecord {
  themes: TermRecord[];
  feedbackCount: number;
}

export interface ActivityDetail extends ActivitySummary {
  feedback: Array<FeedbackRecord & { themes: TermRecord[] }>;
}

export interface WhatWeHeard {
  totals: { activities: number; participants: number; feedback: number; untagged: number };
  /** Every theme, most heard first (ties in the strategy's order), with zero counts kept. */
  byTheme: Array<{ theme: TermRecord; feedback: number; activities: number }>;
  byKind: Array<{ kind: EngagementKind; activities: number; participants: number }>;
}

interface DemoEngagement {
  activities: Array<Omit<ActivityInput, 'themes'> & { themes: string[]; feedback: FeedbackInput[] }>;
}

export class EngagementService {
  constructor(
    private readonly database: Database,
    private readonly strategy: StrategyService,
  ) {}

  private repo(exec: Executor = this.database.db): EngagementRepository {
    return new EngagementRepository(exec);
  }

  /** The strategy's themes: what activities and feedback are tagged with. */
  async themes(): Promise<TermRecord[]> {
    return (await this.strategy.catalogue()).themes;
  }

  /** Theme slugs to ids; an unknown slug is a problem with `field`. */
  private async themeIds(slugs: string[], field: string): Promise<number[]> {
    const themes = await this.themes();
    const ids = [...new Set(slugs)].map((slug) => themes.find((t) => t.slug === slug)?.id);
    if (ids.some((id) => id === undefined)) throw new InputError([{ field, message: 'Select themes from the list' }]);
    return ids as number[];
  }

  async list(page: number, perPage: number): Promise<{ activities: ActivitySummary[]; total: number }> {
    const repo = this.repo();
    const [total, rows] = [await repo.count(), await repo.page(perPage, (page - 1) * perPage)];
    return { activities: await this.summarise(rows), total };
  }

  private async summarise(rows: ActivityRecord[]): Promise<ActivitySummary[]> {
    const repo = this.repo();
    const ids = rows.map((r) => r.id);
    const [tags, counts, themes] = [await repo.themesOf(ids), await repo.feedbackCounts(ids), await this.themes()];
    return rows.map((r) => ({
      ...r,
      themes: themes.filter((t) => tags.some((tag) => tag.activityId === r.id && tag.termId === t.id)),
      feedbackCount: counts.get(r.id) ?? 0,
    }));
  }

  async activity(id: number): Promise<ActivityDetail | undefined> {
    const row = await this.repo().byId(id);
    if (!row) return undefined;
    const [summary] = await this.summarise([row]);
    const themes = await this.themes();
    const feedback = await this.repo().feedback(id);
    return { ...summary!, feedback: feedback.map((f) => ({ ...f, themes: themes.filter((t) => f.termIds.includes(t.id)) })) };
  }

  async create(actor: Actor, input: ActivityInput): Promise<ActivityRecord> {
    const termIds = await this.themeIds(input.themes, 'themes');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const { themes: _themes, ...values } = input;
      const activity = await repo.insert(values);
      await repo.setThemes(activity.id, termIds);
      await recordAudit(tx, actor, { action: 'engagement.activity-created', objectType: 'engagement_activity', objectId: String(activity.id), after: input });
      return activity;
    });
  }

  async update(actor: Actor, id: number, input: ActivityInput, version: number): Promise<ActivityRecord> {
    const termIds = await this.themeIds(input.themes, 'themes');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.byId(id, true);
      if (!before) throw new NotFoundError('engagement activity');
      if (before.version !== version) throw new ConflictError('Someone else changed this activity while you were editing it. Check it and save again.');
      const { themes: _themes, ...values } = input;
      const after = await repo.update(id, values);
      const beforeThemes = (await repo.themesOf([id])).map((t) => t.termId);
      await repo.setThemes(id, termIds);
      await recordAudit(tx, actor, { action: 'engagement.activity-updated', objectType: 'engagement_activity', objectId: String(id), before: { ...before, themeIds: beforeThemes }, after: { ...after, themeIds: termIds } });
      return after;
    });
  }

  async remove(actor: Actor, id: number, version: number): Promise<ActivityRecord> {
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.byId(id, true);
      if (!before) throw new NotFoundError('engagement activity');
      if (before.version !== version) throw new ConflictError('Someone else changed this activity since you opened it. Check it before deleting it.');
      const feedback = await repo.feedback(id);
      await repo.delete(id);
      await recordAudit(tx, actor, { action: 'engagement.activity-deleted', objectType: 'engagement_activity', objectId: String(id), before: { ...before, feedback } });
      return before;
    });
  }

  async addFeedback(actor: Actor, activityId: number, input: FeedbackInput): Promise<FeedbackRecord> {
    const termIds = await this.themeIds(input.themes, 'feedbackThemes');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      if (!(await repo.byId(activityId, true))) throw new NotFoundError('engagement activity');
      const row = await repo.insertFeedback(activityId, input.text, termIds);
      await repo.touch(activityId);
      await recordAudit(tx, actor, { action: 'engagement.feedback-added', objectType: 'engagement_activity', objectId: String(activityId), after: { id: row.id, ...input } });
      return row;
    });
  }

  async removeFeedback(actor: Actor, activityId: number, feedbackId: number): Promise<FeedbackRecord> {
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      if (!(await repo.byId(activityId, true))) throw new NotFoundError('engagement activity');
      const removed = await repo.deleteFeedback(activityId, feedbackId);
      if (!removed) throw new NotFoundError('feedback');
      await repo.touch(activityId);
      await recordAudit(tx, actor, { action: 'engagement.feedback-removed', objectType: 'engagement_activity', objectId: String(activityId), before: removed });
      return removed;
    });
  }

  /** The public counts: feedback by theme, activities and participants by kind. */
  async whatWeHeard(): Promise<WhatWeHeard> {
    const repo = this.repo();
    const [themes, counts, totals, kinds] = [await this.themes(), await repo.countsByTheme(), await repo.totals(), await repo.countsByKind()];
    const byTheme = themes
      .map((theme, position) => ({ theme, position, ...(counts.find((c) => c.termId === theme.id) ?? { feedback: 0, activities: 0 }) }))
      .sort((a, b) => b.feedback - a.feedback || a.position - b.position)
      .map(({ theme, feedback, activities }) => ({ theme, feedback, activities }));
    return { totals, byTheme, byKind: kinds.sort((a, b) => b.activities - a.activities) };
  }

  /** Loads the shipped, illustrative activities into a hub that has none. Returns how many. */
  async seedShipped(actor: Actor): Promise<number> {
    const demo = JSON.parse(await readFile(path.join(datasetsDir, 'demo-engagement', 'engagement.json'), 'utf8')) as DemoEngagement;
    const themes = await this.themes();
    const ids = (slugs: string[]) =>
      slugs.map((slug) => {
        const theme = themes.find((t) => t.slug === slug);
        if (!theme) throw new Error(`The demo engagement data names an unknown theme: ${slug}`);
        return theme.id;
      });
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      if ((await repo.count()) > 0) return 0;
      for (const a of demo.activities) {
        const { themes: slugs, feedback, ...values } = a;
        const activity = await repo.insert(values);
        await repo.setThemes(activity.id, ids(slugs));
        for (const f of feedback) await repo.insertFeedback(activity.id, f.text, ids(f.themes));
      }
      await recordAudit(tx, actor, { action: 'engagement.seeded', objectType: 'engagement_activity', objectId: 'demo', after: { activities: demo.activities.length } });
      return demo.activities.length;
    });
  }
}
