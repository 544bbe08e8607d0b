// Governance: the bodies that make and oversee the strategy, who sits on them, and their
// meetings. Other features ask this service who is a member of what (the drafting pipeline:
// members draft only in their own group) and which meetings a body held (decisions are recorded
// at a steering-group meeting). Every write runs in one transaction with its audit event.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { datasetsDir } from '../../platform/paths.ts';
import { londonDay } from '../../platform/time.ts';
import type { StrategyService } from '../strategy/service.ts';
import { GovernanceRepository, type BodyRecord, type DecisionRecord, type MeetingRecord, type MemberRow, type MembershipRecord } from './repository.ts';
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

export interface BodySummary extends BodyRecord {
  people: number;
  organisations: number;
  parent: BodyRecord | undefined;
}

/** The shipped demo bodies (data/datasets/demo-governance/governance.json). */
interface DemoGovernance {
  bodies: Array<Omit<BodyInput, 'parentId'> & { parent?: string }>;
  members?: Array<{ body: string; name: string; organisation?: string; position: MemberPosition; roleTitle: string; startsOn?: string; endsOn?: string }>;
}

export class GovernanceService {
  private readonly now: () => Date;

  constructor(
    private readonly database: Database,
    private readonly strategy: StrategyService,
    options: { now?: (() => Date) | undefined } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  private repo(exec: Executor = this.database.db): GovernanceRepository {
    return new GovernanceRepository(exec);
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

  /* ----- writing ----- */

  async createBody(actor: Actor, input: BodyInput): Promise<BodyRecord> {
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      await this.checkBody(repo, input, undefined);
      const body = await repo.insertBody({ ...input, position: await repo.countBodies() });
      await recordAudit(tx, actor, { action: 'governance.body-created', objectType: 'governance_body', objectId: body.slug, after: input });
      return body;
    });
  }

  async updateBody(actor: Actor, id: number, input: BodyInput, version: number): Promise<BodyRecord> {
    return this.database.db.transaction(async (tx) => {
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
    return this.database.db.transaction(async (tx) => {
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

  async createMeeting(actor: Actor, bodyId: number, input: MeetingInput): Promise<MeetingRecord> {
    return this.database.db.transaction(async (tx) => {
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
    return this.database.db.transaction(async (tx) => {
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
      await recordAudit(tx, actor, { action: 'governance.seeded', objectType: 'governance_body', objectId: 'demo', after: { bodies: demo.bodies.length, members: demo.members?.length ?? 0 } });
      return demo.bodies.length;
    });
  }
}
