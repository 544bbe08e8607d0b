// The drafting pipeline's rules. A member of an expert working group drafts a recommendation in
// their group (every save a new version) and submits it; the evidence workstream reviews it
// (strength of evidence, cost, the modelled workforce effect as the model's levers, a
// recommendation); the steering group decides at one of its meetings: accept (the strategy item
// is created in the same transaction, with its levers, and the meeting records the decision),
// send back (the group revises and resubmits) or reject. States:
//   draft → submitted → under_review → reviewed → decided   (send back: reviewed → draft)
// Every change is one transaction with an audit event; a stale version is a ConflictError.
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError, type FieldProblem } from '../../platform/http/validation.ts';
import type { Lever } from '../../model/types.ts';
import type { BodyRecord, MeetingRecord } from '../governance/repository.ts';
import type { GovernanceService } from '../governance/service.ts';
import type { Catalogue, StrategyService } from '../strategy/service.ts';
import { leverSchema, parseOrThrow } from '../workforce/forms.ts';
import type { LeversWorth, WorkforceService } from '../workforce/service.ts';
import { DraftingRepository, type CommentRecord, type DecisionRecord, type DraftListRow, type DraftRecord, type ReviewRecord, type VersionRecord } from './repository.ts';
import { DRAFT_STATES, type DecisionOutcome, type DraftState, type EvidenceStrength, type ReviewRecommendation } from './schema.ts';
import { DRAFT_STATE_LABELS } from './labels.ts';

/** A version as a working-group member writes it: organisations, area and themes by slug. */
export interface VersionInput {
  title: string;
  rationale: string;
  leads: string[];
  area: string;
  themes: string[];
  targetText: string;
}

export interface ReviewInput {
  strength: EvidenceStrength;
  analysis: string;
  costText: string;
  costPerYear: number | null;
  levers: unknown;
  testingNotes: string;
  recommendation: ReviewRecommendation;
}

export interface DecisionInput {
  meetingId: number;
  outcome: DecisionOutcome;
  reasons: string;
  /** The new item's code, for "accept". */
  code: string;
}

interface Named {
  slug: string;
  name: string;
}

/** A version with its organisations, area and themes by name. */
export interface VersionView {
  number: number;
  title: string;
  rationale: string;
  leads: Named[];
  area: Named | null;
  themes: Named[];
  targetText: string;
  savedAt: Date;
  savedByName: string;
}

export interface ReviewView extends ReviewRecord {
  reviewerName: string;
  /** The levers run through the workforce model (completed reviews with levers). */
  worth: LeversWorth | undefined;
}

export interface DecisionView extends DecisionRecord {
  recordedByName: string;
  meeting: { id: number; title: string; startsAt: Date; bodyName: string } | undefined;
  itemCode: string | undefined;
}

/** What the signed-in person may do to a draft now: the draft page offers only these. */
export interface DraftActions {
  edit: boolean;
  submit: boolean;
  startReview: boolean;
  completeReview: boolean;
  comment: boolean;
  decide: boolean;
}

export interface DraftPage {
  draft: DraftRecord;
  /** "sent_back" for a draft the steering group sent back, else its state. */
  shownState: DraftState | 'sent_back';
  group: BodyRecord;
  author: string;
  current: VersionView;
  versions: VersionView[];
  reviews: ReviewView[];
  comments: (CommentRecord & { authorName: string })[];
  decisions: DecisionView[];
  actions: DraftActions;
}

export interface BoardFilter {
  group: string;
  state: DraftState | 'sent_back' | '';
  page: number;
  perPage: number;
}

export interface Board {
  groups: BodyRecord[];
  group: BodyRecord | undefined;
  /** Per group (and "all"), how many drafts in each shown state. */
  counts: { group: BodyRecord | undefined; byState: Record<DraftState | 'sent_back', number>; total: number }[];
  rows: (DraftListRow & { groupName: string; shownState: DraftState | 'sent_back' })[];
  total: number;
}

/** Where an accepted item came from, for its public page. */
export interface Provenance {
  group: Named;
  review: { strength: EvidenceStrength; recommendation: ReviewRecommendation; completedAt: Date } | undefined;
  meeting: { id: number; title: string; startsAt: Date; bodyName: string } | undefined;
  decidedAt: Date;
}

export const SHOWN_STATES = ['draft', 'sent_back', 'submitted', 'under_review', 'reviewed', 'decided'] as const;

const NOT_REVIEWED = 'This draft has not been reviewed by the evidence workstream';
const stale = () => new ConflictError('Someone else changed this draft while you were looking at it. Nothing was saved: check it again, then try again.');
const refused = (message: string, field = 'draft') => new InputError([{ field, message }]);

function shownState(d: DraftRecord): DraftState | 'sent_back' {
  return d.state === 'draft' && d.sentBack ? 'sent_back' : d.state;
}

export class DraftingService {
  private readonly now: () => Date;

  constructor(
    private readonly database: Database,
    private readonly deps: { strategy: StrategyService; governance: GovernanceService; workforce: WorkforceService },
    options: { now?: (() => Date) | undefined } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  private repo(exec: Executor = this.database.db): DraftingRepository {
    return new DraftingRepository(exec);
  }

  /* ----- who may do what ----- */

  private isStaff(viewer: CurrentUser): boolean {
    return viewer.role === 'administrator' || viewer.role === 'strategy_team';
  }

  /** The working groups a person sits on today. */
  async groupsOf(viewer: CurrentUser): Promise<BodyRecord[]> {
    if (viewer.token) return [];
    const memberships = await this.deps.governance.membershipsOfUser(viewer.id);
    const groups = new Map(memberships.filter((m) => m.body.kind === 'working_group').map((m) => [m.body.id, m.body]));
    return [...groups.values()].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
  }

  async workingGroups(): Promise<BodyRecord[]> {
    return (await this.deps.governance.bodies()).filter((b) => b.kind === 'working_group');
  }

  private async isMember(viewer: CurrentUser, groupId: number, exec?: Executor): Promise<boolean> {
    return !viewer.token && this.deps.governance.isMember(viewer.id, groupId, exec);
  }

  /** The strategy team, administrators, and chairs or co-chairs of a steering group. */
  private async mayDecide(viewer: CurrentUser): Promise<boolean> {
    if (!can(viewer, 'drafting.decide') || viewer.token) return false;
    if (this.isStaff(viewer)) return true;
    return (await this.deps.governance.membershipsOfUser(viewer.id)).some((m) => m.body.kind === 'steering_group' && (m.position === 'chair' || m.position === 'co_chair'));
  }

  private async requireMember(viewer: CurrentUser, draft: DraftRecord, doing: string): Promise<BodyRecord> {
    const group = (await this.deps.governance.bodyById(draft.groupId))!;
    if (!can(viewer, 'drafting.draft') || !(await this.isMember(viewer, draft.groupId))) {
      throw new ForbiddenError(`Only members of the ${group.name} can ${doing} its drafts: you do not sit on it.`);
    }
    return group;
  }

  private async draftOr404(id: number, exec?: Executor): Promise<DraftRecord> {
    const draft = await this.repo(exec).byId(id);
    if (!draft) throw new NotFoundError('draft');
    return draft;
  }

  /* ----- versions: the working group ----- */

  /** The slugs of a version resolved against the strategy's catalogue; unknown ones are problems. */
  private async resolve(input: VersionInput): Promise<{ leadOrganisationIds: number[]; areaId: number | null; themeIds: number[] }> {
    const catalogue = await this.deps.strategy.catalogue();
    const problems: FieldProblem[] = [];
    const orgs = new Map(catalogue.organisations.map((o) => [o.slug, o.id]));
    const themes = new Map(catalogue.themes.map((t) => [t.slug, t.id]));
    const leadOrganisationIds = [...new Set(input.leads)].flatMap((s) => (orgs.has(s) ? [orgs.get(s)!] : (problems.push({ field: 'leads', message: `“${s}” is not an organisation: select from the list` }), [])));
    const themeIds = [...new Set(input.themes)].flatMap((s) => (themes.has(s) ? [themes.get(s)!] : (problems.push({ field: 'themes', message: `“${s}” is not one of the strategy’s themes: select from the list` }), [])));
    const area = input.area ? catalogue.areas.find((a) => a.slug === input.area) : undefined;
    if (input.area && !area) problems.push({ field: 'area', message: 'Select an area from the list' });
    if (problems.length) throw new InputError(problems);
    return { leadOrganisationIds, areaId: area?.id ?? null, themeIds };
  }

  /** Starts a draft in a working group the person sits on, with its first version. */
  async createDraft(actor: Actor, viewer: CurrentUser, groupSlug: string, input: VersionInput): Promise<DraftRecord> {
    const group = groupSlug ? await this.deps.governance.body(groupSlug) : undefined;
    if (!group || group.kind !== 'working_group') throw new InputError([{ field: 'group', message: 'Select the working group the draft is for' }]);
    if (!can(viewer, 'drafting.draft') || !(await this.isMember(viewer, group.id))) {
      throw new ForbiddenError(`You can draft only in a working group you sit on, and you do not sit on the ${group.name}.`);
    }
    const resolved = await this.resolve(input);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const draft = await repo.insertDraft({ groupId: group.id, authorId: viewer.id, state: 'draft', currentVersion: 1 });
      const version = await repo.insertVersion({ draftId: draft.id, number: 1, title: input.title, rationale: input.rationale, targetText: input.targetText, ...resolved, savedBy: viewer.id });
      await recordAudit(tx, actor, { action: 'draft.created', objectType: 'draft', objectId: draft.id, after: { group: group.slug, version: versionSnapshot(version) } });
      return draft;
    });
  }

  /** Saves a new version of a draft (nothing if it is the same as the current one). */
  async saveVersion(actor: Actor, viewer: CurrentUser, id: number, input: VersionInput, version: number): Promise<{ draft: DraftRecord; saved: boolean }> {
    const draft = await this.draftOr404(id);
    await this.requireMember(viewer, draft, 'edit');
    this.editable(draft);
    const resolved = await this.resolve(input);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const current = (await repo.byId(id, true))!;
      this.editable(current);
      if (current.version !== version) throw stale();
      const previous = (await repo.version(id, current.currentVersion))!;
      const next = { title: input.title, rationale: input.rationale, targetText: input.targetText, ...resolved };
      if (JSON.stringify(versionSnapshot({ ...previous, ...next })) === JSON.stringify(versionSnapshot(previous))) return { draft: current, saved: false };
      const saved = await repo.insertVersion({ draftId: id, number: current.currentVersion + 1, ...next, savedBy: viewer.id });
      const after = await repo.updateDraft(id, version, { currentVersion: saved.number });
      if (!after) throw stale();
      await recordAudit(tx, actor, { action: 'draft.version-saved', objectType: 'draft', objectId: id, before: versionSnapshot(previous), after: versionSnapshot(saved) });
      return { draft: after, saved: true };
    });
  }

  private editable(draft: DraftRecord): void {
    if (draft.state === 'decided') throw refused(`This draft has been decided (${draft.outcome === 'accept' ? 'accepted' : 'rejected'}): it cannot be edited.`);
    if (draft.state !== 'draft') throw refused('This draft has been submitted to the evidence workstream: it can be edited again only if the steering group sends it back.');
  }

  /** What is missing before a version can be submitted, each naming its field. */
  static missing(v: VersionRecord): FieldProblem[] {
    return [
      !v.title && { field: 'title', message: 'Add a title' },
      !v.rationale && { field: 'rationale', message: 'Add the rationale: why the strategy needs this' },
      v.leadOrganisationIds.length === 0 && { field: 'leads', message: 'Propose at least one lead organisation' },
      v.areaId === null && { field: 'area', message: 'Choose the area of the strategy it belongs to' },
    ].filter((p): p is FieldProblem => !!p);
  }

  /** Sends the latest version to the evidence workstream. */
  async submit(actor: Actor, viewer: CurrentUser, id: number, version: number): Promise<DraftRecord> {
    const draft = await this.draftOr404(id);
    await this.requireMember(viewer, draft, 'submit');
    if (draft.state === 'decided') throw refused('This draft has been decided: it cannot be submitted again.');
    if (draft.state !== 'draft') throw refused('This draft has already been submitted.');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const current = (await repo.byId(id, true))!;
      if (current.version !== version || current.state !== 'draft') throw stale();
      const latest = (await repo.version(id, current.currentVersion))!;
      const missing = DraftingService.missing(latest);
      if (missing.length) throw new InputError(missing.map((p) => ({ ...p, message: `This draft cannot be submitted yet. ${p.message}` })));
      const after = (await repo.updateDraft(id, version, { state: 'submitted', sentBack: false, submittedAt: new Date() }))!;
      await recordAudit(tx, actor, { action: 'draft.submitted', objectType: 'draft', objectId: id, before: { state: shownState(current) }, after: { state: after.state, version: latest.number } });
      return after;
    });
  }

  /* ----- the evidence workstream ----- */

  private requireReviewer(viewer: CurrentUser): void {
    if (!can(viewer, 'drafting.review')) throw new ForbiddenError('Only the evidence workstream (evidence reviewers) and the strategy team review drafts.');
  }

  /** Takes a submitted draft into review: the review covers its latest version. */
  async startReview(actor: Actor, viewer: CurrentUser, id: number, version: number): Promise<DraftRecord> {
    this.requireReviewer(viewer);
    const draft = await this.draftOr404(id);
    this.reviewable(draft, 'submitted');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const current = (await repo.byId(id, true))!;
      this.reviewable(current, 'submitted');
      if (current.version !== version) throw stale();
      const review = await repo.insertReview({ draftId: id, versionNumber: current.currentVersion, reviewerId: viewer.id });
      const after = (await repo.updateDraft(id, version, { state: 'under_review' }))!;
      await recordAudit(tx, actor, { action: 'draft.review-started', objectType: 'draft', objectId: id, before: { state: current.state }, after: { state: after.state, review: review.id, version: review.versionNumber } });
      return after;
    });
  }

  private reviewable(draft: DraftRecord, needed: 'submitted' | 'under_review'): void {
    if (draft.state === needed) return;
    if (needed === 'submitted') {
      if (draft.state === 'draft') throw refused('This draft has not been submitted by its working group, so it cannot be reviewed yet.');
      throw refused(`Only a submitted draft can be taken into review: this one is ${DRAFT_STATE_LABELS[draft.state].text.toLowerCase()}.`);
    }
    if (draft.state === 'submitted') throw refused('Start the review first: this draft is submitted but nobody has taken it into review.');
    throw refused(`Only a draft under review can have its review completed: this one is ${DRAFT_STATE_LABELS[shownState(draft)].text.toLowerCase()}.`);
  }

  /** Records the review's findings: the draft is then ready for the steering group. */
  async completeReview(actor: Actor, viewer: CurrentUser, id: number, version: number, input: ReviewInput): Promise<DraftRecord> {
    this.requireReviewer(viewer);
    const levers: Lever[] = parseOrThrow(leverSchema.array().max(10, 'must hold 10 levers or fewer'), input.levers, 'levers');
    const draft = await this.draftOr404(id);
    this.reviewable(draft, 'under_review');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const current = (await repo.byId(id, true))!;
      this.reviewable(current, 'under_review');
      if (current.version !== version) throw stale();
      const open = await repo.openReview(id);
      if (!open) throw stale();
      const review = await repo.completeReview(open.id, {
        reviewerId: viewer.id,
        strength: input.strength,
        analysis: input.analysis,
        costText: input.costText,
        costPerYear: input.costPerYear,
        levers,
        testingNotes: input.testingNotes,
        recommendation: input.recommendation,
      });
      const after = (await repo.updateDraft(id, version, { state: 'reviewed' }))!;
      await recordAudit(tx, actor, {
        action: 'draft.reviewed',
        objectType: 'draft',
        objectId: id,
        before: { state: current.state },
        after: { state: after.state, review: { id: review.id, version: review.versionNumber, strength: review.strength, recommendation: review.recommendation, costText: review.costText, costPerYear: review.costPerYear, levers } },
      });
      return after;
    });
  }

  /** Runs levers through the workforce model as if delivered in full (the review form's test). */
  async testLevers(levers: Lever[]): Promise<LeversWorth | undefined> {
    return this.deps.workforce.worthOfLevers(levers);
  }

  /* ----- comments ----- */

  async comment(actor: Actor, viewer: CurrentUser, id: number, body: string): Promise<CommentRecord> {
    const draft = await this.draftOr404(id);
    if (!(await this.mayComment(viewer, draft))) {
      const group = (await this.deps.governance.bodyById(draft.groupId))!;
      throw new ForbiddenError(`Only the evidence workstream and members of the ${group.name} can comment on this draft.`);
    }
    return this.database.db.transaction(async (tx) => {
      const row = await this.repo(tx).insertComment({ draftId: id, authorId: viewer.id, body });
      await recordAudit(tx, actor, { action: 'draft.commented', objectType: 'draft', objectId: id, after: { comment: row.id, body } });
      return row;
    });
  }

  private async mayComment(viewer: CurrentUser, draft: DraftRecord): Promise<boolean> {
    if (!can(viewer, 'drafting.comment')) return false;
    return can(viewer, 'drafting.review') || (await this.isMember(viewer, draft.groupId));
  }

  /* ----- decisions: the steering group ----- */

  /** Steering-group meetings that have started (newest first): where decisions can be recorded. */
  async decisionMeetings(): Promise<(MeetingRecord & { bodyName: string })[]> {
    const steering = (await this.deps.governance.bodies()).filter((b) => b.kind === 'steering_group');
    if (!steering.length) return [];
    const names = new Map(steering.map((b) => [b.id, b.name]));
    const { meetings } = await this.deps.governance.meetings({ bodyIds: steering.map((b) => b.id), when: 'past', limit: 50 });
    return meetings.filter((m) => !m.cancelled).map((m) => ({ ...m, bodyName: names.get(m.bodyId)! }));
  }

  /** The code a new item in this draft's area would get next, to prefill the decision form. */
  async suggestedCode(id: number): Promise<string | undefined> {
    const draft = await this.draftOr404(id);
    const latest = await this.repo().version(id, draft.currentVersion);
    const catalogue = await this.deps.strategy.catalogue();
    const area = latest?.areaId ? catalogue.areaById.get(latest.areaId) : undefined;
    return area ? this.deps.strategy.suggestCode(area.slug) : undefined;
  }

  async decide(actor: Actor, viewer: CurrentUser, id: number, version: number, input: DecisionInput): Promise<{ draft: DraftRecord; itemCode: string | undefined }> {
    if (!(await this.mayDecide(viewer))) throw new ForbiddenError('Only the strategy team and the chair or co-chairs of the steering group can record decisions on drafts.');
    const draft = await this.draftOr404(id);
    this.decidable(draft);
    const meeting = await this.deps.governance.meeting(input.meetingId);
    if (!meeting) throw refused('Select the meeting from the list', 'meeting');
    if (meeting.body.kind !== 'steering_group') throw refused(`“${meeting.title}” is a meeting of the ${meeting.body.name}, not of the steering group: decisions on drafts are made at steering-group meetings.`, 'meeting');
    if (meeting.cancelled) throw refused(`“${meeting.title}” was cancelled: choose the meeting where the decision was made.`, 'meeting');
    if (meeting.startsAt > this.now()) throw refused(`“${meeting.title}” has not started yet: record the decision once the meeting has begun.`, 'meeting');
    if (!this.isStaff(viewer) && !(await this.deps.governance.isChair(viewer.id, meeting.bodyId))) {
      throw new ForbiddenError(`Only the strategy team and the chair or co-chairs of the ${meeting.body.name} can record its decisions.`);
    }
    const group = (await this.deps.governance.bodyById(draft.groupId))!;
    const latest = (await this.repo().version(id, draft.currentVersion))!;
    const catalogue = await this.deps.strategy.catalogue();
    if (input.outcome === 'accept' && !input.code) throw refused('Enter the code the new recommendation will have, like TR-08', 'code');
    const review = await this.repo().latestCompletedReview(id);
    let revision: number | undefined;
    let itemCode: string | undefined;
    const decided = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const current = (await repo.byId(id, true))!;
      this.decidable(current);
      if (current.version !== version || current.currentVersion !== latest.number) throw stale();
      let itemId: number | null = null;
      if (input.outcome === 'accept') {
        const created = await this.deps.strategy.createItemIn(tx, actor, itemInput(catalogue, latest, input.code), 'not_started');
        itemId = created.id;
        itemCode = created.code;
        revision = created.revision;
        if (review && review.levers.length) await this.deps.workforce.setItemLeversIn(tx, actor, { id: created.id, code: created.code }, review.levers);
      }
      // Meeting decisions are public; a draft is not. Only an accepted one (now a public item)
      // is named; the others say what happened without the draft's words.
      const summary = {
        accept: `Accepted the draft recommendation “${latest.title}” from the ${group.name} as ${itemCode}`,
        send_back: `Sent a draft recommendation back to the ${group.name} to revise (draft ${id})`,
        reject: `Rejected a draft recommendation from the ${group.name} (draft ${id})`,
      }[input.outcome];
      await this.deps.governance.recordDecisionIn(tx, actor, meeting.id, { summary, itemId });
      const decision = await repo.insertDecision({ draftId: id, meetingId: meeting.id, versionNumber: latest.number, outcome: input.outcome, reasons: input.reasons, recordedBy: viewer.id, itemId });
      const after = (await repo.updateDraft(
        id,
        version,
        input.outcome === 'send_back' ? { state: 'draft', sentBack: true } : { state: 'decided', outcome: input.outcome, itemId },
      ))!;
      await recordAudit(tx, actor, {
        action: 'draft.decided',
        objectType: 'draft',
        objectId: id,
        before: { state: current.state },
        after: { state: shownState(after), outcome: decision.outcome, meeting: meeting.id, reasons: decision.reasons, version: latest.number, item: itemCode ?? null },
      });
      return after;
    });
    if (revision !== undefined) this.deps.strategy.noteRevision(revision);
    if (itemCode && review?.levers.length) this.deps.workforce.leversChanged();
    return { draft: decided, itemCode };
  }

  private decidable(draft: DraftRecord): void {
    if (draft.state === 'decided') throw refused('This draft has already been decided.');
    if (draft.state !== 'reviewed') throw refused(NOT_REVIEWED, 'outcome');
  }

  /* ----- reading ----- */

  private async versionViews(rows: (VersionRecord & { savedByName: string })[], catalogue?: Catalogue): Promise<VersionView[]> {
    const c = catalogue ?? (await this.deps.strategy.catalogue());
    const named = (x: { slug: string; name: string } | undefined) => (x ? { slug: x.slug, name: x.name } : undefined);
    return rows.map((v) => ({
      number: v.number,
      title: v.title,
      rationale: v.rationale,
      leads: v.leadOrganisationIds.flatMap((i) => named(c.organisationById.get(i)) ?? []),
      area: (v.areaId !== null && named(c.areaById.get(v.areaId))) || null,
      themes: v.themeIds.flatMap((i) => named(c.termById.get(i)) ?? []),
      targetText: v.targetText,
      savedAt: v.savedAt,
      savedByName: v.savedByName,
    }));
  }

  /** Everything the draft page shows, and what this person may do to it now. */
  async draftPage(viewer: CurrentUser, id: number): Promise<DraftPage> {
    const draft = await this.draftOr404(id);
    const repo = this.repo();
    const group = (await this.deps.governance.bodyById(draft.groupId))!;
    const versions = await this.versionViews(await repo.versions(id));
    const reviews: ReviewView[] = [];
    for (const r of await repo.reviews(id)) {
      reviews.push({ ...r, worth: r.completedAt && r.levers.length ? await this.deps.workforce.worthOfLevers(r.levers).catch(() => undefined) : undefined });
    }
    const decisions: DecisionView[] = [];
    for (const d of await repo.decisions(id)) {
      const meeting = await this.deps.governance.meeting(d.meetingId);
      decisions.push({
        ...d,
        meeting: meeting && meetingRef(meeting),
        itemCode: d.itemId ? (await this.deps.strategy.itemCode(d.itemId))?.code : undefined,
      });
    }
    const member = can(viewer, 'drafting.draft') && (await this.isMember(viewer, draft.groupId));
    const reviewer = can(viewer, 'drafting.review');
    const authorName = (await repo.listRow(id))?.authorName ?? '';
    return {
      draft,
      shownState: shownState(draft),
      group,
      author: authorName,
      current: versions[versions.length - 1]!,
      versions,
      reviews,
      comments: await repo.comments(id),
      decisions,
      actions: {
        edit: member && draft.state === 'draft',
        submit: member && draft.state === 'draft',
        startReview: reviewer && draft.state === 'submitted',
        completeReview: reviewer && draft.state === 'under_review',
        comment: reviewer || member,
        decide: draft.state === 'reviewed' && (await this.mayDecide(viewer)),
      },
    };
  }

  /** Two versions of a draft (by number), for the differences page. */
  async versionsOf(id: number): Promise<{ draft: DraftRecord; group: BodyRecord; versions: VersionView[] }> {
    const draft = await this.draftOr404(id);
    const group = (await this.deps.governance.bodyById(draft.groupId))!;
    return { draft, group, versions: await this.versionViews(await this.repo().versions(id)) };
  }

  /** The board: every draft by state and group, filtered, a page at a time. */
  async board(filter: BoardFilter): Promise<Board> {
    const groups = await this.workingGroups();
    const group = filter.group ? groups.find((g) => g.slug === filter.group) : undefined;
    if (filter.group && !group) throw new InputError([{ field: 'group', message: 'Select a working group from the list' }]);
    const repo = this.repo();
    const empty = () => Object.fromEntries(SHOWN_STATES.map((s) => [s, 0])) as Record<DraftState | 'sent_back', number>;
    const byGroup = new Map<number, Record<DraftState | 'sent_back', number>>();
    const all = empty();
    for (const c of await repo.counts()) {
      const state = c.state === 'draft' && c.sentBack ? 'sent_back' : c.state;
      const row = byGroup.get(c.groupId) ?? empty();
      row[state] += c.n;
      all[state] += c.n;
      byGroup.set(c.groupId, row);
    }
    const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
    const counts = [...groups.map((g) => ({ group: g, byState: byGroup.get(g.id) ?? empty() })), { group: undefined, byState: all }].map((r) => ({ ...r, total: sum(r.byState) }));
    const listFilter = {
      groupIds: group ? [group.id] : undefined,
      state: filter.state === 'sent_back' ? ('draft' as const) : filter.state || undefined,
      sentBack: filter.state === 'sent_back' ? true : filter.state === 'draft' ? false : undefined,
    };
    const names = new Map(groups.map((g) => [g.id, g.name]));
    const rows = (await repo.list(listFilter, filter.perPage, (filter.page - 1) * filter.perPage)).map((r) => ({ ...r, groupName: names.get(r.groupId) ?? '', shownState: shownState(r) }));
    return { groups, group, counts, rows, total: await repo.count(listFilter) };
  }

  /** The drafts of the working groups a person sits on, by group. */
  async myGroups(viewer: CurrentUser): Promise<{ group: BodyRecord; drafts: (DraftListRow & { shownState: DraftState | 'sent_back' })[] }[]> {
    const groups = await this.groupsOf(viewer);
    const repo = this.repo();
    const out = [];
    for (const group of groups) {
      out.push({ group, drafts: (await repo.list({ groupIds: [group.id] }, 200, 0)).map((r) => ({ ...r, shownState: shownState(r) })) });
    }
    return out;
  }

  /**
   * Where an item came from, if a draft became it: the group, the evidence review and the
   * meeting that accepted it. Undefined for items that did not come through the pipeline.
   */
  async provenance(code: string): Promise<Provenance | undefined> {
    const item = await this.deps.strategy.itemRef(code);
    if (!item) return undefined;
    const repo = this.repo();
    const origin = await repo.originOf(item.id);
    if (!origin) return undefined;
    const group = (await this.deps.governance.bodyById(origin.draft.groupId))!;
    const review = await repo.latestCompletedReview(origin.draft.id);
    const meeting = await this.deps.governance.meeting(origin.decision.meetingId);
    return {
      group: { slug: group.slug, name: group.name },
      review: review && review.strength && review.recommendation && review.completedAt ? { strength: review.strength, recommendation: review.recommendation, completedAt: review.completedAt } : undefined,
      meeting: meeting && meetingRef(meeting),
      decidedAt: origin.decision.recordedAt,
    };
  }
}

/** A meeting as a draft's page and an item's provenance name it. */
function meetingRef(meeting: MeetingRecord & { body: BodyRecord }) {
  return { id: meeting.id, title: meeting.title, startsAt: meeting.startsAt, bodyName: meeting.body.name };
}

/** What the audit trail keeps of a version. */
function versionSnapshot(v: Pick<VersionRecord, 'title' | 'rationale' | 'leadOrganisationIds' | 'areaId' | 'themeIds' | 'targetText'> & { number?: number }) {
  return { number: v.number, title: v.title, rationale: v.rationale, leadOrganisationIds: v.leadOrganisationIds, areaId: v.areaId, themeIds: v.themeIds, targetText: v.targetText };
}

/** The strategy item an accepted version becomes: a recommendation, its rationale as summary and body. */
function itemInput(catalogue: Catalogue, v: VersionRecord, code: string) {
  const firstParagraph = v.rationale.split(/\r?\n\s*\r?\n/)[0]!.trim();
  return {
    code,
    kind: 'recommendation' as const,
    title: v.title,
    summary: firstParagraph.length > 2000 ? `${firstParagraph.slice(0, 1997)}…` : firstParagraph,
    body: v.rationale,
    area: catalogue.areaById.get(v.areaId!)!.slug,
    leads: v.leadOrganisationIds.map((i) => catalogue.organisationById.get(i)!.slug),
    partners: [],
    themes: v.themeIds.map((i) => catalogue.termById.get(i)!.slug),
    priorities: [],
    shifts: [],
    targetText: v.targetText || null,
    targetDate: null,
    governmentRole: null,
  };
}

export { DRAFT_STATES };
