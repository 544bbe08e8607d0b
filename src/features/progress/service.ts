// Reporting progress: an organisation drafts and submits an update on an item it leads or
// supports; the strategy team publishes it or returns it with comments. Only publishing
// changes the item's status, and only published updates are public. Every step is one
// transaction with an audit event; two people saving the same draft cannot overwrite each
// other (optimistic versions). Evidence files ride on the same saves: added and removed only
// while the update is a draft or returned, so a published update's files never change.
import { createHash } from 'node:crypto';
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { renderMarkdown } from '../../platform/text/markdown.ts';
import { RevisionMemo } from '../../platform/cache.ts';
import { ORGANISATION_KIND_LABELS } from '../strategy/labels.ts';
import { ORGANISATION_KINDS } from '../strategy/schema.ts';
import { computeFigures, quarterOf, type ProgressFigures } from './figures.ts';
import type { ItemRef, ItemSummary, StrategyService } from '../strategy/service.ts';
import { describeFile, type EvidenceFile, type NewEvidenceFile } from './evidence.ts';
import { ProgressRepository, type EvidenceFileRecord, type UpdateListRow, type UpdateRecord } from './repository.ts';
import { MAX_EVIDENCE_FILES, type Confidence, type EvidenceLink, type ReportedStatus, type UpdateState } from './schema.ts';

export interface UpdateInput {
  status: ReportedStatus | null;
  confidence: Confidence | null;
  summary: string;
  narrative: string;
  evidence: EvidenceLink[];
  milestones: string;
}

/** A published update as the public sees it; `narrativeHtml` is sanitised. */
export interface TimelineEntry {
  id: number;
  publishedAt: Date;
  organisation: { slug: string; name: string };
  status: ReportedStatus;
  confidence: Confidence | null;
  summary: string;
  narrative: string;
  narrativeHtml: string;
  evidence: EvidenceLink[];
  files: EvidenceFile[];
  milestones: string;
}

/** Files to add to an update and ids of its files to remove, in one save. */
export interface FileChanges {
  add: NewEvidenceFile[];
  remove: number[];
}

export type ReviewedUpdate = UpdateListRow & { files: EvidenceFile[] };

/** Where an item stands for the organisation reporting on it, as the task list shows it. */
export type TaskState = 'to_do' | 'draft' | 'submitted' | 'returned' | 'published';

export interface Task {
  item: ItemSummary;
  role: 'lead' | 'partner';
  state: TaskState;
  update: UpdateRecord | undefined;
  lastPublishedAt: Date | undefined;
  /** Still to report in the current cycle and its due date has passed. */
  overdue: boolean;
}

/** The reporting cycle a task list is for (see cycles.ts). */
export interface TaskCycle {
  window: { from: Date; to: Date };
  overdue: boolean;
}

/** A published update with what a notification about it needs. */
export interface PublishedUpdate {
  id: number;
  item: { id: number; code: string; title: string };
  organisationName: string;
  status: ReportedStatus;
  confidence: Confidence | null;
  summary: string;
  publishedAt: Date;
}

function asPublished(row: UpdateListRow): PublishedUpdate {
  return {
    id: row.id,
    item: { id: row.itemId, code: row.itemCode, title: row.itemTitle },
    organisationName: row.organisationName,
    status: row.status!,
    confidence: row.confidence,
    summary: row.summary,
    publishedAt: row.publishedAt!,
  };
}

function snapshot(u: UpdateRecord) {
  return {
    state: u.state,
    status: u.status,
    confidence: u.confidence,
    summary: u.summary,
    narrative: u.narrative,
    evidence: u.evidence,
    milestones: u.milestones,
    reviewComment: u.reviewComment,
  };
}

const EDITABLE: readonly UpdateState[] = ['draft', 'returned'];
const NO_FILE_CHANGES: FileChanges = { add: [], remove: [] };

/** What the audit trail keeps about a file: never its bytes. */
function fileSnapshot(f: EvidenceFileRecord) {
  return { update: f.updateId, organisation: f.organisationId, filename: f.filename, contentType: f.contentType, size: f.size, sha256: f.sha256 };
}

/** How many of the latest published updates the dashboard lists. */
const LATEST_UPDATES = 5;

/** A published update as the dashboard lists it. */
export interface LatestUpdate {
  id: number;
  publishedAt: Date;
  itemCode: string;
  itemTitle: string;
  organisation: { slug: string; name: string };
  status: ReportedStatus;
  summary: string;
}

export interface Dashboard {
  /** The strategy revision the figures were worked out at. */
  revision: number;
  figures: ProgressFigures;
  latest: LatestUpdate[];
}

/**
 * Who hears of a publish (following, which queues emails to followers). `published` runs in the
 * publish's own transaction, so a crash cannot publish an update and lose its emails, or the
 * reverse; `prepare` runs before it, for anything that must not wait on the database inside it.
 */
export interface PublishListener {
  prepare(): Promise<void>;
  published(tx: Executor, updateId: number): Promise<void>;
}

export class ProgressService {
  private readonly memo = new RevisionMemo();

  constructor(
    private readonly database: Database,
    private readonly strategy: StrategyService,
    /** Told of each publish inside its transaction (followers' emails are queued with it). */
    private readonly listener?: PublishListener,
  ) {}

  private repo(exec: Executor = this.database.db): ProgressRepository {
    return new ProgressRepository(exec);
  }

  /** The item, if `organisationId` leads or supports it and `viewer` may report for it. */
  private async reportable(viewer: CurrentUser, code: string, organisationId: number, exec?: Executor): Promise<ItemRef> {
    if (!can(viewer, 'progress.report', { organisationId })) throw new ForbiddenError('You can report only for your own organisation');
    const item = await this.strategy.itemRef(code, exec);
    if (!item) throw new InputError([{ field: 'code', message: `There is no item ${code}` }]);
    if (![...item.leadIds, ...item.partnerIds].includes(organisationId)) {
      throw new ForbiddenError(`${code} is not led or supported by this organisation`);
    }
    if (item.status === 'retired') throw new InputError([{ field: 'code', message: `${code} is retired: there is nothing more to report` }]);
    return item;
  }

  /**
   * The task list: every item the organisation leads or supports, and where its report stands.
   * In a reporting cycle an item published before the cycle opened is due again.
   */
  async tasks(viewer: CurrentUser, organisationId: number, cycle?: TaskCycle): Promise<Task[]> {
    if (!can(viewer, 'progress.report', { organisationId })) throw new ForbiddenError('You can report only for your own organisation');
    const work = await this.strategy.organisationItems(organisationId);
    const all = [...work.leads.map((item) => ({ item, role: 'lead' as const })), ...work.partners.map((item) => ({ item, role: 'partner' as const }))].filter(
      (t) => t.item.status !== 'retired',
    );
    // The organisation's reports in two queries, not several per item.
    const { open, lastPublished } = await this.repo().organisationState(organisationId);
    return all.map((t) => {
      const update = open.get(t.item.code);
      const lastPublishedAt = lastPublished.get(t.item.code);
      const publishedThisTime = !!lastPublishedAt && (!cycle || lastPublishedAt >= cycle.window.from);
      const state: TaskState = update ? update.state : publishedThisTime ? 'published' : 'to_do';
      const overdue = !!cycle?.overdue && (state === 'to_do' || state === 'draft' || state === 'returned');
      return { ...t, state, update, lastPublishedAt, overdue };
    });
  }

  /** The update being written for an item, or undefined before anyone starts one. */
  async openUpdate(viewer: CurrentUser, code: string, organisationId: number): Promise<{ item: ItemRef; update: UpdateRecord | undefined; files: EvidenceFile[] }> {
    const item = await this.reportable(viewer, code, organisationId);
    const repo = this.repo();
    const update = await repo.openFor(item.id, organisationId);
    return { item, update, files: update ? (await repo.filesFor([update.id])).map(describeFile) : [] };
  }

  /**
   * Saves the draft (creating it the first time) and, with `submit`, sends it to the strategy
   * team. `version` is the version the person started from (undefined for a new draft): if
   * someone saved since, nothing is written and ConflictError says so. `files` adds evidence
   * files and removes some of the update's own, in the same transaction.
   */
  async save(
    actor: Actor,
    viewer: CurrentUser,
    code: string,
    organisationId: number,
    input: UpdateInput,
    version: number | undefined,
    submit: boolean,
    files: FileChanges = NO_FILE_CHANGES,
  ): Promise<UpdateRecord> {
    if (submit) {
      const missing = [
        !input.status && { field: 'status', message: 'Select the item’s status' },
        !input.confidence && { field: 'confidence', message: 'Select how confident you are' },
        !input.summary && { field: 'summary', message: 'Enter a summary of progress' },
      ].filter((p): p is { field: string; message: string } => !!p);
      if (missing.length) throw new InputError(missing);
    }
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      // The item and its open update in one round trip.
      const [item, found] = await Promise.all([this.reportable(viewer, code, organisationId, tx), repo.openForCode(code, organisationId)]);
      const existing = !found || found.itemId === item.id ? found : await repo.openFor(item.id, organisationId);
      const by = viewer.token ? null : viewer.id;
      const values = { ...input, updatedBy: by, ...(submit ? { state: 'submitted' as const, submittedAt: new Date() } : {}) };
      let saved: UpdateRecord | undefined;
      if (!existing) {
        if (version !== undefined) throw new ConflictError('This update was published or withdrawn while you were editing it. Your text is below: start a new update from it.');
        this.checkFiles([], files);
        saved = await repo.insert({ itemId: item.id, organisationId, createdBy: by, ...values });
      } else {
        if (existing.state === 'submitted') throw new ConflictError('This update has been submitted and is waiting for the strategy team. Your text is below; it has not been saved.');
        if (version === undefined || existing.version !== version) {
          throw new ConflictError('Someone else saved this update while you were editing it. Your text is below and has not been saved: compare it with theirs, then save again.');
        }
        // Only a change to the files can break their rules: a save of words alone reads none.
        if (files.add.length || files.remove.length) this.checkFiles(await repo.filesFor([existing.id]), files);
        saved = await repo.update(existing.id, version, EDITABLE, values);
        if (!saved) throw new ConflictError('Someone else saved this update while you were editing it. Your text is below and has not been saved: compare it with theirs, then save again.');
      }
      const removed = await repo.deleteFiles(saved.id, files.remove);
      const added: EvidenceFileRecord[] = [];
      for (const f of files.add) {
        added.push(
          await repo.insertFile({
            updateId: saved.id,
            organisationId,
            filename: f.filename,
            contentType: f.contentType,
            size: f.bytes.length,
            sha256: createHash('sha256').update(f.bytes).digest('hex'),
            content: f.bytes,
            uploadedBy: by,
          }),
        );
      }
      await recordAudit(tx, actor, [
        {
          action: submit ? 'progress_update.submitted' : 'progress_update.saved',
          objectType: 'progress_update',
          objectId: saved.id,
          before: existing ? snapshot(existing) : undefined,
          after: { item: code, ...snapshot(saved) },
        },
        ...removed.map((f) => ({ action: 'progress_evidence.removed', objectType: 'progress_evidence_file', objectId: f.id, before: { item: code, ...fileSnapshot(f) } })),
        ...added.map((f) => ({ action: 'progress_evidence.uploaded', objectType: 'progress_evidence_file', objectId: f.id, after: { item: code, ...fileSnapshot(f) } })),
      ]);
      return saved;
    });
  }

  /** Removals must name the update's own files, and the files left must fit the limit. */
  private checkFiles(current: EvidenceFileRecord[], changes: FileChanges): void {
    const own = new Set(current.map((f) => f.id));
    if (changes.remove.some((id) => !own.has(id))) {
      throw new InputError([{ field: 'remove', message: 'A file you chose to remove is not part of this update any more' }]);
    }
    const kept = current.length - new Set(changes.remove).size;
    if (kept + changes.add.length > MAX_EVIDENCE_FILES) {
      throw new InputError([
        {
          field: 'files',
          message: `An update can have at most ${MAX_EVIDENCE_FILES} files. It has ${kept}, so you can add ${Math.max(0, MAX_EVIDENCE_FILES - kept)} more: remove a file or choose fewer`,
        },
      ]);
    }
  }

  /**
   * An evidence file with its bytes. A published update's files are public; the files of
   * one not yet published only for its organisation's reporters and the strategy team.
   */
  async evidenceFile(viewer: CurrentUser | null, id: number): Promise<{ file: EvidenceFileRecord & { content: Buffer }; published: boolean } | undefined> {
    const row = await this.repo().fileWithContent(id);
    if (!row) return undefined;
    const published = row.state === 'published';
    if (!published && !can(viewer, 'evidence.view-unpublished', { organisationId: row.file.organisationId })) {
      throw new ForbiddenError('This file belongs to an update that is not published yet.');
    }
    return { file: row.file, published };
  }

  /* ----- the strategy team ----- */

  async queue(viewer: CurrentUser, state: UpdateState, page: number, perPage: number): Promise<{ rows: UpdateListRow[]; counts: Map<UpdateState, number> }> {
    if (!can(viewer, 'progress.verify')) throw new ForbiddenError();
    const repo = this.repo();
    return { rows: await repo.listByState(state, perPage, (page - 1) * perPage), counts: await repo.countByState() };
  }

  async forReview(viewer: CurrentUser, id: number): Promise<ReviewedUpdate | undefined> {
    if (!can(viewer, 'progress.verify')) throw new ForbiddenError();
    const repo = this.repo();
    const row = await repo.listRow(id);
    return row && { ...row, files: (await repo.filesFor([row.id])).map(describeFile) };
  }

  /** Publishes a submitted update: it becomes public and gives the item its status. */
  async publish(actor: Actor, viewer: CurrentUser, id: number, version: number): Promise<UpdateRecord> {
    if (!can(viewer, 'progress.verify')) throw new ForbiddenError();
    let revision = 0;
    await this.listener?.prepare();
    const published = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.byId(id);
      if (!before) throw new InputError([{ field: 'id', message: 'No such update' }]);
      if (before.state !== 'submitted' || !before.status) throw new ConflictError('Only a submitted update can be published, and this one is not (it may have been published or returned by someone else).');
      const after = await repo.update(id, version, ['submitted'], { state: 'published', publishedAt: new Date(), reviewedAt: new Date(), reviewedBy: viewer.id, reviewComment: null });
      if (!after) throw new ConflictError('Someone else changed this update while you were reviewing it. Check it again.');
      await recordAudit(tx, actor, { action: 'progress_update.published', objectType: 'progress_update', objectId: id, before: snapshot(before), after: snapshot(after) });
      revision = await this.strategy.applyProgress(tx, actor, before.itemId, { status: after.status!, note: after.summary, asOf: after.publishedAt!.toISOString().slice(0, 10) });
      await this.listener?.published(tx, id);
      return after;
    });
    this.strategy.noteRevision(revision);
    return published;
  }

  /** Returns a submitted update to its organisation with comments; nothing becomes public. */
  async returnUpdate(actor: Actor, viewer: CurrentUser, id: number, version: number, comment: string): Promise<UpdateRecord> {
    if (!can(viewer, 'progress.verify')) throw new ForbiddenError();
    if (!comment) throw new InputError([{ field: 'comment', message: 'Say what needs to change, so the organisation can put it right' }]);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.byId(id);
      if (!before) throw new InputError([{ field: 'id', message: 'No such update' }]);
      if (before.state !== 'submitted') throw new ConflictError('Only a submitted update can be returned, and this one is not (it may have been published or returned by someone else).');
      const after = await repo.update(id, version, ['submitted'], { state: 'returned', reviewedAt: new Date(), reviewedBy: viewer.id, reviewComment: comment });
      if (!after) throw new ConflictError('Someone else changed this update while you were reviewing it. Check it again.');
      await recordAudit(tx, actor, { action: 'progress_update.returned', objectType: 'progress_update', objectId: id, before: snapshot(before), after: snapshot(after) });
      return after;
    });
  }

  /* ----- public ----- */

  /** A published update, for telling followers about it; undefined if not (or no longer) published. */
  async publishedUpdate(id: number): Promise<PublishedUpdate | undefined> {
    const row = await this.repo().listRow(id);
    return row && row.state === 'published' ? asPublished(row) : undefined;
  }

  /** Updates published from `from` (inclusive) to `to` (exclusive), oldest first: a week's news for a digest. */
  async publishedBetween(from: Date, to: Date): Promise<PublishedUpdate[]> {
    return (await this.repo().publishedBetween(from, to)).map(asPublished);
  }

  /** What the dashboard's figures are worked out at: the strategy's revision. */
  dashboardRevision(): Promise<number> {
    return this.strategy.revision();
  }

  /**
   * The progress dashboard's figures, worked out once per strategy revision (publishing an
   * update bumps it) and per quarter (status over time ends in the current one).
   */
  async dashboard(today = new Date()): Promise<Dashboard> {
    const revision = await this.strategy.revision();
    return this.memo.get(`dashboard ${quarterOf(today)}`, revision, async () => {
      const catalogue = await this.strategy.catalogue();
      const repo = this.repo();
      // Side by side: on PostgreSQL the pool runs them at once (PGlite queues them).
      const [items, history, activity, latest] = await Promise.all([this.strategy.itemFacts(), repo.statusChanges(), repo.organisationActivity(), repo.latestPublished(LATEST_UPDATES)]);
      const figures = computeFigures({
        items,
        areas: catalogue.areas,
        themes: catalogue.themes,
        shifts: catalogue.shifts,
        organisations: catalogue.organisations,
        organisationKinds: ORGANISATION_KINDS.map((kind) => ({ kind, name: ORGANISATION_KIND_LABELS[kind] })),
        history,
        activity,
        startsOn: catalogue.strategy.publishedOn,
        today,
      });
      return {
        revision,
        figures,
        latest: latest.map((u) => ({ id: u.id, publishedAt: u.publishedAt!, itemCode: u.itemCode, itemTitle: u.itemTitle, organisation: { slug: u.organisationSlug, name: u.organisationName }, status: u.status!, summary: u.summary })),
      };
    });
  }


  /** An item's published updates, newest first: its public timeline. */
  async timeline(code: string): Promise<TimelineEntry[] | undefined> {
    const item = await this.strategy.itemRef(code);
    if (!item) return undefined;
    const repo = this.repo();
    const updates = await repo.timeline(item.id);
    const files = new Map<number, EvidenceFile[]>();
    for (const f of await repo.filesFor(updates.map((u) => u.id))) files.set(f.updateId, [...(files.get(f.updateId) ?? []), describeFile(f)]);
    return updates.map((u) => ({
      id: u.id,
      publishedAt: u.publishedAt!,
      organisation: { slug: u.organisationSlug, name: u.organisationName },
      status: u.status!,
      confidence: u.confidence,
      summary: u.summary,
      narrative: u.narrative,
      narrativeHtml: renderMarkdown(u.narrative),
      evidence: u.evidence,
      files: files.get(u.id) ?? [],
      milestones: u.milestones,
    }));
  }
}
