// Governance: the bodies that make and oversee the strategy, who sits on them, and their
// meetings. Other features ask this service who is a member of what (the drafting pipeline:
// members draft only in their own group) and which meetings a body held (decisions are recorded
// at a steering-group meeting). Every write runs in one transaction with its audit event.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Revision } from '../../platform/cache.ts';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { datasetsDir } from '../../platform/paths.ts';
import { londonDay } from '../../platform/time.ts';
import type { StrategyService } from '../strategy/service.ts';
import { GovernanceRepository, type BodyRecord, type DecisionRecord, type MeetingRecord, type MemberRow, type MembershipRecord, type PaperRecord } from './repository.ts';
import type { BodyKind, MemberPosition } from './schema.ts';

export interface BodyInput {
  slug: string;
  name: string;
  kind: BodyKind;
  parentId: number | null;
  areaOfFocus: string | null;
  purpose: string;
  startsOn: string | null;
  endsOn: string | null;
}

export interface MemberInput {
  /** An existing person, or a new one by name (optionally linked to a sign-in account). */
  person: { id: number } | { name: string; userId: number | null };
  organisationId: number | null;
  position: MemberPosition;
  roleTitle: string;
  startsOn: string | null;
  endsOn: string | null;
}

export interface MeetingInput {
  title: string;
  startsAt: Date;
  endsAt: Date;
  place: string | null;
  onlineUrl: string | null;
  agenda: string;
  minutes: string | null;
  minutesPublic: boolean;
  cancelled: boolean;
  papers: Array<{ title: string; url: string; isPublic: boolean }>;
}

export interface MembershipChange {
  organisationId: number | null;
  position: MemberPosition;
  roleTitle: string;
  startsOn: string | null;
  endsOn: string | null;
}

/**
 * Who is looking at a meeting, for what is not public: the strategy team and administrators see
 * everything; a body's current members see its private minutes and members-only papers.
 */
export interface MeetingViewer {
  staff: boolean;
  bodyIds: ReadonlySet<number>;
}

export const PUBLIC_VIEWER: MeetingViewer = { staff: false, bodyIds: new Set() };

/** A meeting as a page or the API shows it to one viewer: what they may not see is left out. */
export interface MeetingView extends Omit<MeetingRecord, 'minutes'> {
  body: BodyRecord;
  papers: PaperRecord[];
  /** The minutes this viewer may read; null when there are none or they are private to others. */
  minutes: string | null;
  /** Private minutes exist that this viewer may not read. */
  minutesWithheld: boolean;
  decisions: Array<DecisionRecord & { item: { code: string; title: string } | null }>;
}

/** A decision on an item, with the meeting and body it was made at. */
export interface Discussion {
  summary: string;
  meeting: { id: number; title: string; startsAt: Date; endsAt: Date; cancelled: boolean };
  body: { slug: string; name: string };
}

export interface BodySummary extends BodyRecord {
  people: number;
  organisations: number;
  parent: BodyRecord | undefined;
}

/** The shipped demo bodies (data/datasets/demo-governance/governance.json). */
interface DemoGovernance {
  bodies: Array<Omit<BodyInput, 'parentId'> & { parent?: string }>;
  members?: Array<{ body: string; name: string; organisation?: string; position: MemberPosition; roleTitle: string; startsOn?: string; endsOn?: string }>;
  meetings?: Array<{
    body: string;
    title: string;
    startsAt: string;
    endsAt: string;
    place?: string;
    onlineUrl?: string;
    agenda?: string;
    minutes?: string;
    minutesPublic?: boolean;
    cancelled?: boolean;
    papers?: Array<{ title: string; url: string; isPublic: boolean }>;
    decisions?: Array<{ summary: string; item?: string }>;
  }>;
}

export class GovernanceService {
  private readonly now: () => Date;

  /** A key summarising bodies, meetings and decisions: see revision(). Another instance's writes show within a second. */
  private readonly state: Revision<string>;

  constructor(
    private readonly database: Database,
    private readonly strategy: StrategyService,
    options: { now?: (() => Date) | undefined } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.state = new Revision(() => this.repo().stateKey(), 1000);
  }

  private repo(exec: Executor = this.database.db): GovernanceRepository {
    return new GovernanceRepository(exec);
  }

  /** The service's clock (tests move it). */
  currentTime(): Date {
    return this.now();
  }

  private today(): string {
    return londonDay(this.now());
  }

  /* ----- reading ----- */

  /** Every body with its current head count ("N people from M organisations"). */
  async bodies(): Promise<BodySummary[]> {
    const repo = this.repo();
    const [bodies, counts] = [await repo.bodies(), await repo.memberCounts(this.today())];
    const byId = new Map(bodies.map((b) => [b.id, b]));
    return bodies.map((b) => ({ ...b, ...(counts.get(b.id) ?? { people: 0, organisations: 0 }), parent: b.parentId ? byId.get(b.parentId) : undefined }));
  }

  async body(slug: string): Promise<BodyRecord | undefined> {
    return this.repo().bodyBySlug(slug);
  }

  async bodyById(id: number, exec: Executor = this.database.db): Promise<BodyRecord | undefined> {
    return this.repo(exec).bodyById(id);
  }

  /** A body's members: current ones by default, or everyone who ever sat on it. */
  async members(bodyId: number, which: 'current' | 'all' = 'current'): Promise<MemberRow[]> {
    return this.repo().members([bodyId], which === 'current' ? this.today() : undefined);
  }

  /** The bodies a signed-in person sits on today (through the person linked to their account). */
  async membershipsOfUser(userId: number, exec: Executor = this.database.db): Promise<Array<MembershipRecord & { body: BodyRecord }>> {
    return this.repo(exec).membershipsOfUser(userId, this.today());
  }

  /** Whether a signed-in person sits on the body today. */
  async isMember(userId: number, bodyId: number, exec: Executor = this.database.db): Promise<boolean> {
    return (await this.membershipsOfUser(userId, exec)).some((m) => m.bodyId === bodyId);
  }

  /** Whether a signed-in person chairs or co-chairs the body today. */
  async isChair(userId: number, bodyId: number, exec: Executor = this.database.db): Promise<boolean> {
    return (await this.membershipsOfUser(userId, exec)).some((m) => m.bodyId === bodyId && (m.position === 'chair' || m.position === 'co_chair'));
  }

  async meeting(id: number, exec: Executor = this.database.db): Promise<(MeetingRecord & { body: BodyRecord }) | undefined> {
    const repo = this.repo(exec);
    const meeting = await repo.meetingById(id);
    if (!meeting) return undefined;
    return { ...meeting, body: (await repo.bodyById(meeting.bodyId))! };
  }

  /** Meetings of some bodies (or all), upcoming (soonest first) or past (latest first). */
  async meetings(filter: { bodyIds?: number[]; when: 'upcoming' | 'past'; limit?: number; offset?: number }): Promise<{ meetings: MeetingRecord[]; total: number }> {
    const repo = this.repo();
    const now = this.now();
    const range = filter.when === 'upcoming' ? { from: now } : { before: now };
    const base = { ...(filter.bodyIds ? { bodyIds: filter.bodyIds } : {}), ...range };
    const meetings = await repo.meetings({ ...base, ...(filter.limit !== undefined ? { limit: filter.limit } : {}), ...(filter.offset ? { offset: filter.offset } : {}) });
    return { meetings, total: await repo.countMeetings(base) };
  }

  /** What a signed-in person (or nobody) may see of meetings that is not public. */
  async viewer(user: CurrentUser | null): Promise<MeetingViewer> {
    // An organisation's API token reads only what is public.
    if (!user || user.token) return PUBLIC_VIEWER;
    const staff = user.role === 'administrator' || user.role === 'strategy_team';
    return { staff, bodyIds: new Set((await this.membershipsOfUser(user.id)).map((m) => m.bodyId)) };
  }

  /** Whether the viewer may read a body's private minutes and members-only papers. */
  seesPrivate(viewer: MeetingViewer, bodyId: number): boolean {
    return viewer.staff || viewer.bodyIds.has(bodyId);
  }

  /** Meetings as one viewer may see them: papers, minutes and decisions with the items they concern. */
  async meetingViews(meetings: Array<MeetingRecord & { body?: BodyRecord }>, viewer: MeetingViewer): Promise<MeetingView[]> {
    const repo = this.repo();
    const ids = meetings.map((m) => m.id);
    const [papers, decisions, bodies] = [await repo.papers(ids), await repo.decisions(ids), await repo.bodies()];
    const bodyById = new Map(bodies.map((b) => [b.id, b]));
    const items = new Map<number, { code: string; title: string } | undefined>();
    for (const d of decisions) if (d.itemId !== null && !items.has(d.itemId)) items.set(d.itemId, await this.strategy.itemCode(d.itemId));
    return meetings.map((m) => {
      const full = this.seesPrivate(viewer, m.bodyId);
      const minutes = m.minutes && (m.minutesPublic || full) ? m.minutes : null;
      return {
        ...m,
        body: m.body ?? bodyById.get(m.bodyId)!,
        papers: papers.filter((p) => p.meetingId === m.id && (p.isPublic || full)),
        minutes,
        minutesWithheld: !!m.minutes && minutes === null,
        decisions: decisions.filter((d) => d.meetingId === m.id).map((d) => ({ ...d, item: d.itemId === null ? null : (items.get(d.itemId) ?? null) })),
      };
    });
  }

  async meetingView(id: number, viewer: MeetingViewer): Promise<MeetingView | undefined> {
    const meeting = await this.meeting(id);
    return meeting ? (await this.meetingViews([meeting], viewer))[0] : undefined;
  }

  /** The decisions meetings made about an item, latest meeting first: public. */
  async discussions(code: string): Promise<Discussion[]> {
    const item = await this.strategy.itemRef(code);
    if (!item) return [];
    return (await this.repo().decisionsOnItem(item.id)).map((d) => ({
      summary: d.summary,
      meeting: { id: d.meeting.id, title: d.meeting.title, startsAt: d.meeting.startsAt, endsAt: d.meeting.endsAt, cancelled: d.meeting.cancelled },
      body: { slug: d.body.slug, name: d.body.name },
    }));
  }

  /** Changes whenever a body, meeting or decision changes (cached pages that show them key on it). */
  revision(): Promise<string> {
    return this.state.current();
  }

  /** One write in one transaction; afterwards this instance's revision is read afresh. */
  private async write<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    try {
      return await this.database.db.transaction(work);
    } finally {
      this.state.forget();
    }
  }

  async membership(id: number): Promise<(MembershipRecord & { personName: string }) | undefined> {
    const repo = this.repo();
    const membership = await repo.membershipById(id);
    if (!membership) return undefined;
    return { ...membership, personName: (await repo.personById(membership.personId))?.name ?? '' };
  }

  /** Whether a signed-in person may keep a meeting's record (minutes, decisions): staff, or a chair of its body. */
  async mayKeepRecord(user: CurrentUser, bodyId: number, exec: Executor = this.database.db): Promise<boolean> {
    if (user.token) return false;
    if (user.role === 'administrator' || user.role === 'strategy_team') return true;
    return this.isChair(user.id, bodyId, exec);
  }

  /* ----- writing ----- */

  async createBody(actor: Actor, input: BodyInput): Promise<BodyRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      await this.checkBody(repo, input, undefined);
      const body = await repo.insertBody({ ...input, position: await repo.countBodies() });
      await recordAudit(tx, actor, { action: 'governance.body-created', objectType: 'governance_body', objectId: body.slug, after: input });
      return body;
    });
  }

  async updateBody(actor: Actor, id: number, input: BodyInput, version: number): Promise<BodyRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.bodyById(id, true);
      if (!before) throw new NotFoundError('No such body');
      if (before.version !== version) throw new ConflictError('Someone else changed this body while you were editing it');
      await this.checkBody(repo, input, before);
      const after = await repo.updateBody(id, input);
      await recordAudit(tx, actor, { action: 'governance.body-updated', objectType: 'governance_body', objectId: after.slug, before, after });
      return after;
    });
  }

  /** Names unique; a parent that exists and is not the body itself or one of its descendants. */
  private async checkBody(repo: GovernanceRepository, input: BodyInput, current: BodyRecord | undefined): Promise<void> {
    const all = await repo.bodies();
    const problems = [];
    if (all.some((b) => b.slug === input.slug && b.id !== current?.id)) problems.push({ field: 'slug', message: 'Another body already has this web address name' });
    if (all.some((b) => b.name.toLowerCase() === input.name.toLowerCase() && b.id !== current?.id)) problems.push({ field: 'name', message: 'Another body already has this name' });
    if (input.parentId !== null) {
      const byId = new Map(all.map((b) => [b.id, b]));
      if (!byId.has(input.parentId)) problems.push({ field: 'parentId', message: 'Select a parent body from the list' });
      else if (current) {
        for (let at: BodyRecord | undefined = byId.get(input.parentId); at; at = at.parentId ? byId.get(at.parentId) : undefined) {
          if (at.id === current.id) {
            problems.push({ field: 'parentId', message: 'A body cannot sit under itself or one of the bodies under it' });
            break;
          }
        }
      }
    }
    if (problems.length) throw new InputError(problems);
  }

  async addMember(actor: Actor, bodyId: number, input: MemberInput): Promise<MembershipRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const body = await repo.bodyById(bodyId, true);
      if (!body) throw new NotFoundError('No such body');
      let personId: number;
      if ('id' in input.person) {
        if (!(await repo.personById(input.person.id))) throw new InputError([{ field: 'person', message: 'Select a person from the list' }]);
        personId = input.person.id;
      } else {
        const linked = input.person.userId === null ? undefined : await repo.personByUser(input.person.userId);
        personId = linked?.id ?? (await repo.insertPerson({ name: input.person.name, userId: input.person.userId })).id;
      }
      const membership = await repo.insertMembership({
        bodyId,
        personId,
        organisationId: input.organisationId,
        position: input.position,
        roleTitle: input.roleTitle,
        startsOn: input.startsOn,
        endsOn: input.endsOn,
      });
      await recordAudit(tx, actor, { action: 'governance.member-added', objectType: 'governance_body', objectId: body.slug, after: membership });
      return membership;
    });
  }

  async updateMembership(actor: Actor, id: number, change: MembershipChange): Promise<MembershipRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.membershipById(id);
      if (!before) throw new NotFoundError('membership');
      const after = await repo.updateMembership(id, change);
      await recordAudit(tx, actor, { action: 'governance.member-updated', objectType: 'governance_membership', objectId: String(id), before, after });
      return after;
    });
  }

  /** Ends a membership on a day: the person moves to the body's past members from the next day. */
  async endMembership(actor: Actor, id: number, endsOn: string): Promise<MembershipRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.membershipById(id);
      if (!before) throw new NotFoundError('membership');
      if (before.startsOn && endsOn < before.startsOn) throw new InputError([{ field: 'endsOn', message: 'End date must be the same as or after the date they joined' }]);
      const after = await repo.updateMembership(id, { endsOn });
      await recordAudit(tx, actor, { action: 'governance.member-ended', objectType: 'governance_membership', objectId: String(id), before, after });
      return after;
    });
  }

  /** Removes a membership entered by mistake (one that ended stays, with its end date). */
  async removeMembership(actor: Actor, id: number): Promise<MembershipRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.membershipById(id);
      if (!before) throw new NotFoundError('membership');
      await repo.deleteMembership(id);
      await recordAudit(tx, actor, { action: 'governance.member-removed', objectType: 'governance_membership', objectId: String(id), before });
      return before;
    });
  }

  async createMeeting(actor: Actor, bodyId: number, input: MeetingInput): Promise<MeetingRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const body = await repo.bodyById(bodyId, true);
      if (!body) throw new NotFoundError('No such body');
      const { papers, ...fields } = input;
      const meeting = await repo.insertMeeting({ bodyId, ...fields });
      await repo.replacePapers(meeting.id, papers);
      await recordAudit(tx, actor, { action: 'governance.meeting-created', objectType: 'governance_meeting', objectId: String(meeting.id), after: { body: body.slug, ...input } });
      return meeting;
    });
  }

  /** Changes a meeting's time, place, agenda and papers; a stale version is a ConflictError. */
  async updateMeeting(actor: Actor, id: number, input: Omit<MeetingInput, 'minutes' | 'minutesPublic' | 'cancelled'>, version: number): Promise<MeetingRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.meetingById(id, true);
      if (!before) throw new NotFoundError('meeting');
      if (before.version !== version) throw new ConflictError('Someone else changed this meeting while you were editing it');
      const papersBefore = await repo.papers([id]);
      const { papers, ...fields } = input;
      const after = await repo.updateMeeting(id, fields);
      await repo.replacePapers(id, papers);
      await recordAudit(tx, actor, {
        action: 'governance.meeting-updated',
        objectType: 'governance_meeting',
        objectId: String(id),
        before: { ...before, papers: papersBefore.map((p) => ({ title: p.title, url: p.url, isPublic: p.isPublic })) },
        after: { ...after, papers },
      });
      return after;
    });
  }

  /** Marks a meeting cancelled: it stays listed, and calendars show it as cancelled. */
  async cancelMeeting(actor: Actor, id: number, version: number): Promise<MeetingRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.meetingById(id, true);
      if (!before) throw new NotFoundError('meeting');
      if (before.version !== version) throw new ConflictError('Someone else changed this meeting while you were looking at it');
      if (before.cancelled) return before;
      const after = await repo.updateMeeting(id, { cancelled: true });
      await recordAudit(tx, actor, { action: 'governance.meeting-cancelled', objectType: 'governance_meeting', objectId: String(id), before, after });
      return after;
    });
  }

  /** The minutes and who may read them: the strategy team, or a chair or co-chair of the body. */
  async setMinutes(actor: Actor, user: CurrentUser, id: number, minutes: { text: string; isPublic: boolean }, version: number): Promise<MeetingRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.meetingById(id, true);
      if (!before) throw new NotFoundError('meeting');
      if (!(await this.mayKeepRecord(user, before.bodyId, tx))) throw new ForbiddenError('Only the strategy team and the chairs of this body may record its minutes');
      if (before.version !== version) throw new ConflictError('Someone else changed this meeting while you were editing its minutes');
      const after = await repo.updateMeeting(id, { minutes: minutes.text || null, minutesPublic: minutes.isPublic });
      await recordAudit(tx, actor, { action: 'governance.minutes-set', objectType: 'governance_meeting', objectId: String(id), before: { minutes: before.minutes, minutesPublic: before.minutesPublic }, after: { minutes: after.minutes, minutesPublic: after.minutesPublic } });
      return after;
    });
  }

  /** Records a decision of a meeting, linked to an item by its code where it concerns one. */
  async recordDecision(actor: Actor, user: CurrentUser, meetingId: number, decision: { summary: string; itemCode: string | null }): Promise<DecisionRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const meeting = await repo.meetingById(meetingId);
      if (!meeting) throw new NotFoundError('meeting');
      if (!(await this.mayKeepRecord(user, meeting.bodyId, tx))) throw new ForbiddenError('Only the strategy team and the chairs of this body may record its decisions');
      let itemId: number | null = null;
      if (decision.itemCode) {
        const item = await this.strategy.itemRef(decision.itemCode, tx);
        if (!item) throw new InputError([{ field: 'itemCode', message: `No item has the code ${decision.itemCode}` }]);
        itemId = item.id;
      }
      return this.recordDecisionIn(tx, actor, meetingId, { summary: decision.summary, itemId });
    });
  }

  async removeDecision(actor: Actor, user: CurrentUser, meetingId: number, decisionId: number): Promise<DecisionRecord> {
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      const meeting = await repo.meetingById(meetingId);
      if (!meeting) throw new NotFoundError('meeting');
      if (!(await this.mayKeepRecord(user, meeting.bodyId, tx))) throw new ForbiddenError('Only the strategy team and the chairs of this body may remove its decisions');
      const removed = await repo.deleteDecision(decisionId, meetingId);
      if (!removed) throw new NotFoundError('decision');
      await recordAudit(tx, actor, { action: 'governance.decision-removed', objectType: 'governance_meeting', objectId: String(meetingId), before: removed });
      return removed;
    });
  }

  /**
   * Records what a meeting decided, inside the caller's transaction: the drafting pipeline
   * records its decisions this way, so the meeting lists them with the items they made.
   */
  async recordDecisionIn(tx: Executor, actor: Actor, meetingId: number, decision: { summary: string; itemId: number | null }): Promise<DecisionRecord> {
    const repo = this.repo(tx);
    const meeting = await repo.meetingById(meetingId, true);
    if (!meeting) throw new NotFoundError('No such meeting');
    const row = await repo.insertDecision({ meetingId, summary: decision.summary, itemId: decision.itemId });
    await recordAudit(tx, actor, { action: 'governance.decision-recorded', objectType: 'governance_meeting', objectId: String(meetingId), after: row });
    this.state.forget();
    return row;
  }

  /* ----- the demo bodies ----- */

  /** Loads the shipped bodies (and members) into a hub that has none. Returns how many bodies. */
  async seedShipped(actor: Actor): Promise<number> {
    const file = path.join(datasetsDir, 'demo-governance', 'governance.json');
    const demo = JSON.parse(await readFile(file, 'utf8')) as DemoGovernance;
    const organisations = (await this.strategy.catalogue()).organisations;
    const orgId = (name: string | undefined) => {
      if (!name) return null;
      const org = organisations.find((o) => o.shortName === name || o.name === name);
      if (!org) throw new Error(`The demo governance data names an unknown organisation: ${name}`);
      return org.id;
    };
    const itemIds = new Map<string, number>();
    for (const code of (demo.meetings ?? []).flatMap((m) => (m.decisions ?? []).flatMap((d) => (d.item ? [d.item] : [])))) {
      const item = await this.strategy.itemRef(code);
      if (!item) throw new Error(`The demo governance data names an unknown item: ${code}`);
      itemIds.set(code, item.id);
    }
    return this.write(async (tx) => {
      const repo = this.repo(tx);
      if ((await repo.countBodies()) > 0) return 0;
      const bySlug = new Map<string, BodyRecord>();
      for (const [position, b] of demo.bodies.entries()) {
        const { parent, ...fields } = b;
        const body = await repo.insertBody({ ...fields, parentId: parent ? bySlug.get(parent)!.id : null, position });
        bySlug.set(body.slug, body);
      }
      const people = new Map<string, number>();
      for (const m of demo.members ?? []) {
        const body = bySlug.get(m.body);
        if (!body) throw new Error(`The demo governance data names an unknown body: ${m.body}`);
        const personId = people.get(m.name) ?? (await repo.insertPerson({ name: m.name })).id;
        people.set(m.name, personId);
        await repo.insertMembership({ bodyId: body.id, personId, organisationId: orgId(m.organisation), position: m.position, roleTitle: m.roleTitle, startsOn: m.startsOn ?? body.startsOn, endsOn: m.endsOn ?? null });
      }
      for (const m of demo.meetings ?? []) {
        const body = bySlug.get(m.body);
        if (!body) throw new Error(`The demo governance data names an unknown body: ${m.body}`);
        const meeting = await repo.insertMeeting({
          bodyId: body.id,
          title: m.title,
          startsAt: new Date(m.startsAt),
          endsAt: new Date(m.endsAt),
          place: m.place ?? null,
          onlineUrl: m.onlineUrl ?? null,
          agenda: m.agenda ?? '',
          minutes: m.minutes ?? null,
          minutesPublic: m.minutesPublic ?? false,
          cancelled: m.cancelled ?? false,
        });
        await repo.replacePapers(meeting.id, m.papers ?? []);
        for (const d of m.decisions ?? []) await repo.insertDecision({ meetingId: meeting.id, summary: d.summary, itemId: d.item ? itemIds.get(d.item)! : null });
      }
      await recordAudit(tx, actor, {
        action: 'governance.seeded',
        objectType: 'governance_body',
        objectId: 'demo',
        after: { bodies: demo.bodies.length, members: demo.members?.length ?? 0, meetings: demo.meetings?.length ?? 0 },
      });
      return demo.bodies.length;
    });
  }
}
