// Champions and "get involved". A sign-up's details travel sealed (AES-256-GCM) in its
// confirmation link, so until the link is used the hub keeps only what confirming needs
// (decision 23). Work after a sign-up or sign-in request runs after the response, so timing
// says nothing about whether an address was known. Champions manage their own record through
// emailed single-use sign-in links; the strategy team approves, and some settings approve
// automatically. Audit events about champions carry ids and regions, never personal data.
import { BackgroundLane } from '../../platform/background.ts';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { hashToken, newToken } from '../../platform/auth/secrets.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { Revision } from '../../platform/cache.ts';
import { ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { datasetsDir } from '../../platform/paths.ts';
import { renderEmail } from '../../platform/mail/templates.ts';
import type { StrategyService } from '../strategy/service.ts';
import type { ChampionDetails, ChampionFilters, JoinDetails } from './forms.ts';
import { ACTION_LABELS, REGION_LABELS } from './labels.ts';
import { CommunityRepository, type ActionRecord, type ChampionRecord, type EnquiryRecord, type ReplyRecord } from './repository.ts';
import { ACTION_KINDS, CHAMPION_REGIONS, CHAMPION_SETTINGS, CHAMPION_STATUSES, type ActionKind, type ChampionSetting, type EnquiryKind, type EnquiryStatus } from './schema.ts';

/** How long a confirmation link works. */
export const CONFIRM_HOURS = 72;
/** Confirmation emails per address in a day. */
export const CONFIRMATIONS_PER_DAY = 3;
/** How long a sign-in link works, and how many may be live at once. */
export const SIGN_IN_MINUTES = 30;
export const SIGN_IN_LINKS_LIVE = 3;
/** A champion's session lasts this long from sign-in. */
export const CHAMPION_SESSION_HOURS = 4;
export const DEFAULT_ENQUIRY_RETENTION_DAYS = 365;

export const COMMUNITY_JOBS = { tidy: 'community.forget-expired', retention: 'community.delete-closed-enquiries' } as const;

type DetailFields = Pick<ChampionDetails, 'name' | 'jobRole' | 'employer' | 'setting' | 'region' | 'why' | 'contactConsent' | 'directoryConsent'>;

/**
 * A champion's details as table fields. A consent given now is dated `at`; one already given
 * (in `before`) keeps its date; one withdrawn has none.
 */
function detailFields(d: DetailFields, at: Date, before?: Pick<ChampionRecord, 'contactConsent' | 'contactConsentAt' | 'directoryConsent' | 'directoryConsentAt'>) {
  return {
    name: d.name,
    jobRole: d.jobRole,
    employer: d.employer,
    setting: d.setting,
    region: d.region,
    why: d.why,
    contactConsent: d.contactConsent,
    contactConsentAt: d.contactConsent ? (before?.contactConsent ? before.contactConsentAt : at) : null,
    directoryConsent: d.directoryConsent,
    directoryConsentAt: d.directoryConsent ? (before?.directoryConsent ? before.directoryConsentAt : at) : null,
  };
}

const monthOf = (date: Date) => `${date.toISOString().slice(0, 7)}-01`;

export interface CommunityOptions {
  strategy: StrategyService;
  /** The session secret: the sealing and address keys are derived from it (one per process without it). */
  secret?: string | undefined;
  mailer?: Mailer | undefined;
  jobs?: JobQueue | undefined;
  baseUrl?: string | undefined;
  now?: (() => Date) | undefined;
  enquiryRetentionDays?: number | undefined;
  logError?: (error: unknown, message: string) => void;
  revisionMaxAgeMs?: number;
  background?: BackgroundLane | undefined;
  /** The bulletins' champions news list: approved champions who agreed to contact are on it. */
  news?: ChampionsNewsList | undefined;
}

/** What the community feature asks of the bulletins feature, in the caller's transaction. */
export interface ChampionsNewsList {
  addChampionIn(tx: Executor, actor: Actor, email: string, consentAt: Date): Promise<void>;
  removeChampionIn(tx: Executor, actor: Actor, email: string): Promise<void>;
}

interface SealedSignup {
  /** Random id: its hash is the stored row, so each link works once. */
  id: string;
  exp: number;
  at: number;
  d: JoinDetails;
}

export interface ChampionView {
  champion: ChampionRecord;
  pledges: { code: string; title: string; pledgedAt: Date }[];
  actions: (ActionRecord & { itemCode: string | null; itemTitle: string | null })[];
}

export interface PublicStats {
  active: number;
  byRegion: { region: string; count: number }[];
  bySetting: { setting: string; count: number }[];
  growth: { month: string; joined: number; left: number; total: number }[];
  mostPledged: { code: string; title: string; pledges: number }[];
  actions: { logged: number; peopleReached: number };
}

/** What an item page shows of its champions: labels already applied, so the strategy's view needs no community code. */
export interface ItemChampions {
  champions: { name: string; jobRole: string; employer: string; region: string }[];
  /** Active champions who pledged, including those not in the public directory. */
  pledges: number;
  actions: { kind: string; title: string; happenedOn: string; peopleReached: number; championName: string; region: string }[];
}

const isoDate = z.iso.date();
/** The shipped demo champions (`data/datasets/demo-champions/champions.json`, invented). */
const demoChampionsSchema = z.object({
  champions: z.array(
    z
      .object({
        email: z.email().refine((e) => e === e.trim().toLowerCase(), 'must be lower case'),
        name: z.string().min(1),
        jobRole: z.string().min(1),
        employer: z.string().min(1),
        setting: z.enum(CHAMPION_SETTINGS),
        region: z.enum(CHAMPION_REGIONS),
        why: z.string().min(1),
        contactConsent: z.boolean(),
        directoryConsent: z.boolean(),
        status: z.enum(CHAMPION_STATUSES),
        confirmedOn: isoDate,
        decidedOn: isoDate.nullable(),
        withdrawnOn: isoDate.optional(),
        pledges: z.array(z.string()),
        actions: z.array(
          z.object({ kind: z.enum(ACTION_KINDS), title: z.string().min(1), description: z.string(), item: z.string().nullable(), happenedOn: isoDate, peopleReached: z.number().int().min(0) }),
        ),
      })
      .refine((c) => (c.status === 'pending') === (c.decidedOn === null), 'a pending champion has no decision date, every other one has')
      .refine((c) => (c.status === 'withdrawn') === (c.withdrawnOn !== undefined), 'only a withdrawn champion has a withdrawal date'),
  ),
});

export interface EnquiryInput {
  kind: EnquiryKind;
  name: string;
  email: string;
  organisation: string;
  message: string;
}

export class CommunityService {
  private readonly now: () => Date;
  /** After-response work (emails after a form): the app's one bounded lane, or this service's own. */
  private readonly background: BackgroundLane;
  private readonly sealKey: Buffer;
  private readonly addressKey: Buffer;
  private readonly revisionClock: Revision;
  readonly retentionDays: number;

  constructor(
    private readonly database: Database,
    private readonly options: CommunityOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.background = options.background ?? new BackgroundLane({ concurrency: 4, backlog: 500, logError: options.logError });
    const master = options.secret ? Buffer.from(options.secret, 'utf8') : randomBytes(32);
    this.sealKey = Buffer.from(hkdfSync('sha256', master, 'strategy-hub', 'champion sign-up seal', 32));
    this.addressKey = Buffer.from(hkdfSync('sha256', master, 'strategy-hub', 'champion sign-up address', 32));
    this.retentionDays = options.enquiryRetentionDays ?? DEFAULT_ENQUIRY_RETENTION_DAYS;
    this.revisionClock = new Revision(() => this.repo().revision(), options.revisionMaxAgeMs ?? 1000);
    options.jobs?.define(COMMUNITY_JOBS.tidy, async () => void (await this.forgetExpired()), { cron: '40 3 * * *' });
    options.jobs?.define(COMMUNITY_JOBS.retention, async () => void (await this.deleteClosedEnquiries()), { cron: '50 3 * * *' });
  }

  private repo(exec: Executor = this.database.db): CommunityRepository {
    return new CommunityRepository(exec);
  }

  private link(path: string): string {
    return `${(this.options.baseUrl ?? 'http://localhost:3000').replace(/\/$/, '')}${path}`;
  }

  private mailer(): Mailer {
    if (!this.options.mailer) throw new Error('No mailer: this hub cannot send email');
    return this.options.mailer;
  }

  /** Runs after the response; `settled()` waits for it (tests, shutdown). */
  private inBackground(message: string, work: () => Promise<void>): Promise<void> {
    return this.background.start(message, work);
  }

  async settled(): Promise<void> {
    await this.background.settled();
  }

  /** Changes whenever something public pages show about champions changes. */
  revision(): Promise<number> {
    return this.revisionClock.current();
  }

  /** Keeps champions news in step: on it while active and agreeing to contact, off it otherwise. */
  private async syncNews(tx: Executor, actor: Actor, champion: Pick<ChampionRecord, 'email' | 'status' | 'contactConsent' | 'contactConsentAt'> | undefined, gone = false): Promise<void> {
    if (!champion || !this.options.news) return;
    if (!gone && champion.status === 'active' && champion.contactConsent) await this.options.news.addChampionIn(tx, actor, champion.email, champion.contactConsentAt ?? this.now());
    else await this.options.news.removeChampionIn(tx, actor, champion.email);
  }

  private async bump(tx: Executor): Promise<void> {
    const revision = await this.repo(tx).bumpRevision();
    this.revisionClock.set(revision);
  }

  private emailKey(email: string): string {
    return createHmac('sha256', this.addressKey).update(email).digest('hex');
  }

  private seal(payload: SealedSignup): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(deflateRawSync(Buffer.from(JSON.stringify(payload), 'utf8'))), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  private unseal(token: string): SealedSignup | undefined {
    try {
      const bytes = Buffer.from(token, 'base64url');
      if (bytes.length < 29) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const plain = inflateRawSync(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]), { maxOutputLength: 16_384 });
      const payload = JSON.parse(plain.toString('utf8')) as SealedSignup;
      return payload.exp > this.now().getTime() ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  /* ----- joining ----- */

  /**
   * Someone signs up. A new address gets a confirmation link carrying the sign-up sealed; a
   * champion's address gets a sign-in link instead. The caller shows the same page either way.
   */
  async join(actor: Actor, details: JoinDetails): Promise<void> {
    await this.inBackground('could not handle a champion sign-up', () => this.joinIn(actor, details));
  }

  private async joinIn(actor: Actor, details: JoinDetails): Promise<void> {
    const now = this.now();
    const existing = await this.repo().championByEmail(details.email);
    if (existing) {
      await this.sendSignInLink(existing, 'already');
      return;
    }
    const id = newToken();
    const emailKey = this.emailKey(details.email);
    const expiresAt = new Date(now.getTime() + CONFIRM_HOURS * 3_600_000);
    const send = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const waiting = await repo.lockSignup(emailKey);
      const sentToday = waiting && now.getTime() - waiting.lastSentAt.getTime() < 86_400_000 ? waiting.sentToday : 0;
      if (sentToday >= CONFIRMATIONS_PER_DAY) return false;
      // A second sign-up replaces the first: one waiting sign-up per address, its link the newest.
      // Both in one round trip.
      await Promise.all([
        repo.saveSignup({ linkHash: hashToken(id), emailKey, expiresAt, sentToday: sentToday + 1, lastSentAt: now }),
        recordAudit(tx, actor, { action: waiting ? 'champion.signup_resent' : 'champion.signup_requested', objectType: 'champion_signup', objectId: hashToken(id).slice(0, 16), after: { region: details.region, setting: details.setting } }),
      ]);
      return true;
    });
    if (!send) return;
    const token = this.seal({ id, exp: expiresAt.getTime(), at: now.getTime(), d: details });
    await this.mailer().send({ to: details.email, ...renderEmail('champion-confirm', { name: details.name, link: this.link(`/champions/join/confirm?token=${token}`), expiresAt: formatDateTime(expiresAt) }) });
  }

  /** The sign-up a confirmation link carries, while it works. */
  async signupFromLink(token: string): Promise<JoinDetails | undefined> {
    const payload = this.unseal(token);
    if (!payload) return undefined;
    return (await this.repo().signupByLink(hashToken(payload.id), this.now())) ? payload.d : undefined;
  }

  /** Uses a confirmation link: the champion record is created (or updated), approved at once if their setting says so. */
  async confirmJoin(actor: Actor, token: string): Promise<ChampionRecord | undefined> {
    const payload = this.unseal(token);
    if (!payload) return undefined;
    const now = this.now();
    const d = payload.d;
    const champion = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      if (!(await repo.signupByLink(hashToken(payload.id), now))) return undefined;
      await repo.deleteSignup(hashToken(payload.id));
      const auto = (await repo.autoApproveSettings()).includes(d.setting);
      const consentAt = new Date(payload.at);
      const { champion, created } = await repo.upsertChampion({
        email: d.email,
        ...detailFields(d, consentAt),
        status: auto ? 'active' : 'pending',
        autoApproved: auto,
        confirmedAt: now,
        decidedAt: auto ? now : null,
        updatedAt: now,
      });
      await recordAudit(tx, actor, { action: created ? 'champion.confirmed' : 'champion.updated', objectType: 'champion', objectId: champion.id, after: { region: champion.region, setting: champion.setting, status: champion.status } });
      if (created && auto) {
        await repo.tally(monthOf(now), { joined: 1 });
        await recordAudit(tx, systemActor, { action: 'champion.approved', objectType: 'champion', objectId: champion.id, after: { region: champion.region, automatically: true } });
        await this.bump(tx);
      }
      await this.syncNews(tx, actor, champion);
      return champion;
    });
    if (champion?.status === 'active' && !champion.welcomedAt) await this.welcome(champion);
    return champion;
  }

  private async welcome(champion: ChampionRecord): Promise<void> {
    const signIn = await this.issueSignInLink(champion);
    await this.mailer().send({ to: champion.email, ...renderEmail('champion-welcome', { name: champion.name, link: this.link(`/champions/sign-in/${signIn}`), minutes: SIGN_IN_MINUTES, championsLink: this.link('/champions') }) });
    await this.repo().updateChampion(champion.id, { welcomedAt: this.now() });
  }

  /* ----- signing in by link ----- */

  /** A champion asks for a sign-in link; the page says the same whatever the address. */
  async requestSignIn(email: string): Promise<void> {
    await this.inBackground('could not send a champion sign-in link', async () => {
      const champion = await this.repo().championByEmail(email);
      if (champion) await this.sendSignInLink(champion, 'requested');
    });
  }

  private async issueSignInLink(champion: ChampionRecord): Promise<string | undefined> {
    const now = this.now();
    const token = newToken();
    const issued = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      await repo.championById(champion.id, true);
      if ((await repo.recentSignInLinks(champion.id, now)) >= SIGN_IN_LINKS_LIVE) return false;
      await repo.addSignInLink(hashToken(token), champion.id, new Date(now.getTime() + SIGN_IN_MINUTES * 60_000));
      return true;
    });
    return issued ? token : undefined;
  }

  private async sendSignInLink(champion: ChampionRecord, why: 'already' | 'requested'): Promise<void> {
    const token = await this.issueSignInLink(champion);
    if (!token) return;
    await this.mailer().send({ to: champion.email, ...renderEmail('champion-sign-in', { name: champion.name, already: why === 'already', link: this.link(`/champions/sign-in/${token}`), minutes: SIGN_IN_MINUTES }) });
  }

  async signInLinkWorks(token: string): Promise<boolean> {
    return (await this.repo().signInLinkChampion(hashToken(token), this.now())) !== undefined;
  }

  /** Uses a sign-in link (once) and starts a session; returns the session's token. */
  async signInWithLink(token: string, meta: { requestId?: string; ip?: string }): Promise<string | undefined> {
    const now = this.now();
    const session = newToken();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const championId = await repo.useSignInLink(hashToken(token), now);
      if (championId === undefined) return undefined;
      await repo.addSession(hashToken(session), championId, new Date(now.getTime() + CHAMPION_SESSION_HOURS * 3_600_000));
      await recordAudit(tx, championActor(championId, meta), { action: 'champion.signed_in', objectType: 'champion', objectId: championId });
      return session;
    });
  }

  async sessionChampion(token: string): Promise<ChampionRecord | undefined> {
    return this.repo().sessionChampion(hashToken(token), this.now());
  }

  async signOut(token: string): Promise<void> {
    await this.repo().deleteSession(hashToken(token));
  }

  /* ----- a champion's own record ----- */

  async ownRecord(championId: number): Promise<ChampionView> {
    const repo = this.repo();
    const champion = await repo.championById(championId);
    if (!champion) throw new NotFoundError('champion');
    const names = await this.itemNames();
    const pledges = (await repo.pledgesOf(championId)).map((p) => ({ ...names.byId(p.itemId), pledgedAt: p.createdAt }));
    const actions = (await repo.actionsOf(championId)).map((a) => {
      const item = a.itemId === null ? undefined : names.byId(a.itemId);
      return { ...a, itemCode: item?.code ?? null, itemTitle: item?.title ?? null };
    });
    return { champion, pledges, actions };
  }

  private async itemNames() {
    const { items } = await this.options.strategy.itemsAsTheyStand();
    const byId = new Map(items.map((i) => [i.id, { code: i.code, title: i.title }]));
    return {
      list: items.filter((i) => i.status !== 'retired').map((i) => ({ code: i.code, title: i.title })),
      byId: (id: number) => byId.get(id) ?? { code: '?', title: 'An item no longer in the strategy' },
    };
  }

  /** Items a champion can pledge to or log action against. */
  async pledgeableItems(): Promise<{ code: string; title: string }[]> {
    return (await this.itemNames()).list;
  }

  async updateDetails(actor: Actor, championId: number, details: ChampionDetails): Promise<ChampionRecord> {
    const now = this.now();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.championById(championId, true);
      if (!before) throw new NotFoundError('champion');
      const after = await repo.updateChampion(championId, {
        ...detailFields(details, now, before),
        updatedAt: now,
      });
      const changed = (['name', 'jobRole', 'employer', 'setting', 'region', 'why', 'contactConsent', 'directoryConsent'] as const).filter((k) => before[k] !== after[k]);
      await recordAudit(tx, actor, { action: 'champion.details_changed', objectType: 'champion', objectId: championId, before: { region: before.region, setting: before.setting }, after: { region: after.region, setting: after.setting, fields: changed } });
      if (changed.includes('contactConsent')) await this.syncNews(tx, actor, after);
      await this.bump(tx);
      return after;
    });
  }

  async pledge(actor: Actor, championId: number, code: string, pledged: boolean): Promise<void> {
    const item = await this.options.strategy.itemRef(code);
    if (!item || (pledged && item.status === 'retired')) throw new InputError([{ field: 'item', message: 'Select an item from the list' }]);
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const champion = await repo.championById(championId, true);
      if (!champion) throw new NotFoundError('champion');
      if (champion.status === 'withdrawn' || champion.status === 'rejected') throw new ForbiddenError('Only current champions can pledge.');
      const changed = pledged ? await repo.addPledge(championId, item.id, this.now()) : await repo.removePledge(championId, item.id);
      if (!changed) return;
      await recordAudit(tx, actor, { action: pledged ? 'champion.pledged' : 'champion.pledge_removed', objectType: 'champion', objectId: championId, after: { item: item.code } });
      await this.bump(tx);
    });
  }

  async logAction(actor: Actor, championId: number, input: { kind: ActionKind; title: string; description: string; item: string; happenedOn: string; peopleReached: number }): Promise<ActionRecord> {
    const item = input.item ? await this.options.strategy.itemRef(input.item) : undefined;
    if (input.item && !item) throw new InputError([{ field: 'item', message: 'Select an item from the list' }]);
    if (input.happenedOn > this.now().toISOString().slice(0, 10)) throw new InputError([{ field: 'happenedOn', message: 'Date of the action must be today or in the past' }]);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const champion = await repo.championById(championId, true);
      if (!champion) throw new NotFoundError('champion');
      if (champion.status === 'withdrawn' || champion.status === 'rejected') throw new ForbiddenError('Only current champions can log actions.');
      const action = await repo.addAction({ championId, itemId: item?.id ?? null, kind: input.kind, title: input.title, description: input.description, happenedOn: input.happenedOn, peopleReached: input.peopleReached, createdAt: this.now() });
      await recordAudit(tx, actor, { action: 'champion.action_logged', objectType: 'champion_action', objectId: action.id, after: { champion: championId, kind: action.kind, item: item?.code ?? null, peopleReached: action.peopleReached } });
      await this.bump(tx);
      return action;
    });
  }

  async deleteAction(actor: Actor, championId: number, actionId: number): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const removed = await this.repo(tx).deleteAction(championId, actionId);
      if (!removed) throw new NotFoundError('action');
      await recordAudit(tx, actor, { action: 'champion.action_deleted', objectType: 'champion_action', objectId: actionId, before: { champion: championId, kind: removed.kind } });
      await this.bump(tx);
    });
  }

  async withdraw(actor: Actor, championId: number): Promise<void> {
    const now = this.now();
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const champion = await repo.championById(championId, true);
      if (!champion) throw new NotFoundError('champion');
      if (champion.status === 'withdrawn') return;
      await repo.updateChampion(championId, { status: 'withdrawn', withdrawnAt: now, updatedAt: now });
      if (champion.status === 'active') await repo.tally(monthOf(now), { left: 1 });
      await recordAudit(tx, actor, { action: 'champion.withdrawn', objectType: 'champion', objectId: championId, before: { status: champion.status, region: champion.region } });
      await this.syncNews(tx, actor, champion, true);
      await this.bump(tx);
    });
  }

  /** Everything held about a champion, for them to download. */
  async exportData(championId: number): Promise<object> {
    const { champion, pledges, actions } = await this.ownRecord(championId);
    return {
      exportedAt: this.now().toISOString(),
      champion: {
        email: champion.email,
        name: champion.name,
        jobRole: champion.jobRole,
        employer: champion.employer,
        setting: champion.setting,
        region: champion.region,
        why: champion.why,
        status: champion.status,
        confirmedAt: champion.confirmedAt,
        decidedAt: champion.decidedAt,
        autoApproved: champion.autoApproved,
        withdrawnAt: champion.withdrawnAt,
        updatedAt: champion.updatedAt,
      },
      consents: {
        contact: { given: champion.contactConsent, at: champion.contactConsentAt },
        publicDirectory: { given: champion.directoryConsent, at: champion.directoryConsentAt },
      },
      pledges: pledges.map((p) => ({ item: p.code, title: p.title, pledgedAt: p.pledgedAt })),
      actions: actions.map((a) => ({ kind: a.kind, title: a.title, description: a.description, item: a.itemCode, happenedOn: a.happenedOn, peopleReached: a.peopleReached, loggedAt: a.createdAt })),
    };
  }

  /** Deletes everything personal about a champion: the record, pledges, actions, links and sessions. */
  async erase(actor: Actor, championId: number): Promise<void> {
    const now = this.now();
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const champion = await repo.championById(championId, true);
      if (!champion) throw new NotFoundError('champion');
      const pledges = await repo.pledgeCount(championId);
      const actions = await repo.actionCount(championId);
      await repo.deleteChampion(championId);
      await this.syncNews(tx, actor, champion, true);
      if (champion.status === 'active') await repo.tally(monthOf(now), { left: 1 });
      await recordAudit(tx, actor, { action: 'champion.erased', objectType: 'champion', objectId: championId, before: { status: champion.status, region: champion.region, pledges, actions } });
      await this.bump(tx);
    });
  }

  /* ----- the strategy team ----- */

  private async filterItemId(filters: Partial<ChampionFilters>): Promise<number | undefined | null> {
    if (!filters.item) return undefined;
    const item = await this.options.strategy.itemRef(filters.item);
    return item ? item.id : null;
  }

  async list(viewer: CurrentUser, filters: ChampionFilters, page: number, perPage: number): Promise<{ rows: ChampionRecord[]; total: number; pages: number; contactable: number }> {
    if (!can(viewer, 'champions.manage')) throw new ForbiddenError();
    const itemId = await this.filterItemId(filters);
    if (itemId === null) throw new InputError([{ field: 'item', message: 'is not an item of the strategy' }]);
    const repo = this.repo();
    const { rows, total } = await repo.listChampions({ ...filters, itemId }, perPage, (page - 1) * perPage);
    const contactable = filters.status && filters.status !== 'active' ? 0 : await repo.countContactable({ ...filters, itemId });
    return { rows, total, pages: Math.max(1, Math.ceil(total / perPage)), contactable };
  }

  /**
   * Who a message to this selection would reach: active, approved champions who agreed to be
   * contacted. Bulletins narrowed to a group of champions go to these addresses.
   */
  async contactableAudience(viewer: CurrentUser, filters: Partial<ChampionFilters>): Promise<{ email: string; name: string }[]> {
    if (!can(viewer, 'champions.manage')) throw new ForbiddenError();
    const itemId = await this.filterItemId(filters);
    if (itemId === null) return [];
    return this.repo().contactable({ ...filters, itemId });
  }

  /** The addresses of a group of contactable champions, for the bulletins feature (which checked who is asking). */
  async contactableEmails(group: { region?: string; setting?: string; item?: string }): Promise<string[]> {
    const filters = { region: group.region as ChampionFilters['region'], setting: group.setting as ChampionFilters['setting'], item: group.item };
    const itemId = await this.filterItemId(filters);
    if (itemId === null) return [];
    return (await this.repo().contactable({ ...filters, itemId })).map((c) => c.email);
  }

  async exportRows(viewer: CurrentUser, filters: ChampionFilters): Promise<{ champion: ChampionRecord; pledges: string[]; actions: number }[]> {
    if (!can(viewer, 'champions.manage')) throw new ForbiddenError();
    const itemId = await this.filterItemId(filters);
    if (itemId === null) throw new InputError([{ field: 'item', message: 'is not an item of the strategy' }]);
    const repo = this.repo();
    const names = await this.itemNames();
    const { rows } = await repo.listChampions({ ...filters, itemId }, 100_000, 0);
    const out = [];
    for (const champion of rows) {
      out.push({ champion, pledges: (await repo.pledgesOf(champion.id)).map((p) => names.byId(p.itemId).code), actions: await repo.actionCount(champion.id) });
    }
    return out;
  }

  async champion(viewer: CurrentUser, id: number): Promise<ChampionView> {
    if (!can(viewer, 'champions.manage')) throw new ForbiddenError();
    return this.ownRecord(id);
  }

  async decide(actor: Actor, viewer: CurrentUser, id: number, decision: 'approve' | 'reject'): Promise<ChampionRecord> {
    if (!can(viewer, 'champions.manage')) throw new ForbiddenError();
    const now = this.now();
    const champion = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.championById(id, true);
      if (!before) throw new NotFoundError('champion');
      const status = decision === 'approve' ? 'active' : 'rejected';
      if (before.status === status) return before;
      if (before.status === 'withdrawn') throw new ForbiddenError('This champion has withdrawn: only they can rejoin.');
      const after = await repo.updateChampion(id, { status, decidedAt: now, decidedBy: viewer.id, autoApproved: false, updatedAt: now });
      if (status === 'active') await repo.tally(monthOf(now), { joined: 1 });
      else if (before.status === 'active') await repo.tally(monthOf(now), { left: 1 });
      await recordAudit(tx, actor, { action: decision === 'approve' ? 'champion.approved' : 'champion.rejected', objectType: 'champion', objectId: id, before: { status: before.status }, after: { status, region: after.region } });
      await this.syncNews(tx, actor, after);
      await this.bump(tx);
      return after;
    });
    if (champion.status === 'active' && !champion.welcomedAt) {
      await this.inBackground('could not send a champion welcome email', () => this.welcome(champion));
    }
    return champion;
  }

  async autoApproveSettings(): Promise<ChampionSetting[]> {
    return this.repo().autoApproveSettings();
  }

  async setAutoApproveSettings(actor: Actor, viewer: CurrentUser, settings: ChampionSetting[]): Promise<void> {
    if (!can(viewer, 'champions.manage')) throw new ForbiddenError();
    const chosen = CHAMPION_SETTINGS.filter((s) => settings.includes(s));
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.autoApproveSettings();
      await repo.setAutoApproveSettings(chosen);
      await recordAudit(tx, actor, { action: 'champion.auto_approve_changed', objectType: 'champion_settings', objectId: 'auto-approve', before: { settings: before }, after: { settings: chosen } });
    });
  }

  /* ----- public figures ----- */

  async publicStats(): Promise<PublicStats> {
    const repo = this.repo();
    const counts = await repo.activeCounts();
    const sum = (key: 'region' | 'setting') => {
      const totals = new Map<string, number>();
      for (const c of counts) totals.set(c[key], (totals.get(c[key]) ?? 0) + c.n);
      return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    };
    let total = 0;
    const growth = (await repo.growth()).map((g) => ({ ...g, total: (total += g.joined - g.left) }));
    const names = await this.itemNames();
    return {
      active: counts.reduce((n, c) => n + c.n, 0),
      byRegion: sum('region').map(([region, count]) => ({ region, count })),
      bySetting: sum('setting').map(([setting, count]) => ({ setting, count })),
      growth,
      mostPledged: (await repo.pledgeCounts()).slice(0, 10).map((p) => ({ ...names.byId(p.itemId), pledges: p.n })),
      actions: await repo.publicActionTotals(),
    };
  }

  async recentPublicActions(limit = 10): Promise<(ActionRecord & { championName: string; region: string; itemCode: string | null })[]> {
    const names = await this.itemNames();
    return (await this.repo().publicActions(limit)).map((a) => ({ ...a, itemCode: a.itemId === null ? null : names.byId(a.itemId).code }));
  }

  async directory(page: number, perPage: number) {
    const { rows, total } = await this.repo().directory(perPage, (page - 1) * perPage);
    return { rows, total, pages: Math.max(1, Math.ceil(total / perPage)) };
  }

  /** An item page's "Champions" section. */
  async itemChampions(code: string): Promise<ItemChampions | undefined> {
    const item = await this.options.strategy.itemRef(code);
    if (!item) return undefined;
    const repo = this.repo();
    const listed = await repo.directory(200, 0, item.id);
    const pledges = (await repo.pledgeCounts()).find((p) => p.itemId === item.id)?.n ?? 0;
    return {
      champions: listed.rows.map((c) => ({ name: c.name, jobRole: c.jobRole, employer: c.employer, region: REGION_LABELS[c.region] })),
      pledges,
      actions: (await repo.publicActions(20, item.id)).map((a) => ({ kind: ACTION_LABELS[a.kind], title: a.title, happenedOn: a.happenedOn, peopleReached: a.peopleReached, championName: a.championName, region: REGION_LABELS[a.region as keyof typeof REGION_LABELS] })),
    };
  }

  /* ----- enquiries ----- */

  async submitEnquiry(actor: Actor, input: EnquiryInput): Promise<EnquiryRecord> {
    const now = this.now();
    return this.database.db.transaction(async (tx) => {
      const enquiry = await this.repo(tx).addEnquiry({ ...input, consentAt: now, createdAt: now, updatedAt: now });
      await recordAudit(tx, actor, { action: 'enquiry.received', objectType: 'enquiry', objectId: enquiry.id, after: { kind: enquiry.kind } });
      return enquiry;
    });
  }

  async enquiries(viewer: CurrentUser, status: EnquiryStatus | '', page: number, perPage: number) {
    if (!can(viewer, 'enquiries.manage')) throw new ForbiddenError();
    const result = await this.repo().listEnquiries(status, perPage, (page - 1) * perPage);
    return { ...result, pages: Math.max(1, Math.ceil(result.total / perPage)) };
  }

  async enquiry(viewer: CurrentUser, id: number): Promise<{ enquiry: EnquiryRecord; replies: ReplyRecord[] }> {
    if (!can(viewer, 'enquiries.manage')) throw new ForbiddenError();
    const repo = this.repo();
    const enquiry = await repo.enquiryById(id);
    if (!enquiry) throw new NotFoundError('enquiry');
    return { enquiry, replies: await repo.repliesTo(id) };
  }

  /** Status and assignee; `isStaff` says whether an assignee id is a strategy team member or administrator. */
  async updateEnquiry(actor: Actor, viewer: CurrentUser, id: number, change: { status: EnquiryStatus; assigneeId: number | null }, isStaff: (userId: number) => boolean): Promise<EnquiryRecord> {
    if (!can(viewer, 'enquiries.manage')) throw new ForbiddenError();
    if (change.assigneeId !== null && !isStaff(change.assigneeId)) throw new InputError([{ field: 'assignee', message: 'Select someone from the strategy team' }]);
    const now = this.now();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.enquiryById(id, true);
      if (!before) throw new NotFoundError('enquiry');
      const closedAt = change.status === 'closed' ? (before.closedAt ?? now) : null;
      const after = await repo.updateEnquiry(id, { status: change.status, assigneeId: change.assigneeId, closedAt, updatedAt: now });
      await recordAudit(tx, actor, { action: 'enquiry.updated', objectType: 'enquiry', objectId: id, before: { status: before.status, assignee: before.assigneeId }, after: { status: after.status, assignee: after.assigneeId } });
      return after;
    });
  }

  /** Emails a reply to the person who asked, and keeps it with the enquiry. */
  async replyToEnquiry(actor: Actor, viewer: CurrentUser, id: number, body: string): Promise<ReplyRecord> {
    if (!can(viewer, 'enquiries.manage')) throw new ForbiddenError();
    const enquiry = await this.repo().enquiryById(id);
    if (!enquiry) throw new NotFoundError('enquiry');
    await this.mailer().send({ to: enquiry.email, ...renderEmail('enquiry-reply', { name: enquiry.name, body, authorName: viewer.name, original: enquiry.message }) });
    const now = this.now();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const reply = await repo.addReply({ enquiryId: id, authorId: viewer.id, authorName: viewer.name, body, sentAt: now });
      if (enquiry.status === 'new') await repo.updateEnquiry(id, { status: 'in_progress', updatedAt: now });
      await recordAudit(tx, actor, { action: 'enquiry.replied', objectType: 'enquiry', objectId: id, after: { reply: reply.id, characters: body.length } });
      return reply;
    });
  }

  /** Closed enquiries older than the retention period are deleted with their replies. */
  async deleteClosedEnquiries(): Promise<number> {
    const cutoff = new Date(this.now().getTime() - this.retentionDays * 86_400_000);
    return this.database.db.transaction(async (tx) => {
      const ids = await this.repo(tx).deleteClosedBefore(cutoff);
      if (ids.length) await recordAudit(tx, systemActor, { action: 'enquiry.deleted_after_retention', objectType: 'enquiry', objectId: ids.length === 1 ? ids[0]! : `${ids.length} enquiries`, after: { ids, retentionDays: this.retentionDays } });
      return ids.length;
    });
  }

  /**
   * Loads the shipped, invented demo champions (with their pledges, actions and the growth
   * tallies their approvals make) into a hub that has no champions yet; returns how many.
   * They count as welcomed, so nothing is emailed. The audit event carries counts only.
   */
  async seedShipped(actor: Actor): Promise<number> {
    const demo = demoChampionsSchema.parse(JSON.parse(await readFile(path.join(datasetsDir, 'demo-champions', 'champions.json'), 'utf8')));
    // Items are looked up before the transaction: the strategy service reads through the main connection.
    const { items } = await this.options.strategy.itemsAsTheyStand();
    const itemId = (code: string) => {
      const item = items.find((i) => i.code === code);
      if (!item) throw new Error(`The demo champions name an unknown item: ${code}`);
      return item.id;
    };
    const at = (date: string) => new Date(`${date}T10:00:00Z`);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      if ((await repo.countChampions()) > 0) return 0;
      let pledges = 0;
      let actions = 0;
      for (const c of demo.champions) {
        const confirmedAt = at(c.confirmedOn);
        const decidedAt = c.decidedOn ? at(c.decidedOn) : null;
        const withdrawnAt = c.withdrawnOn ? at(c.withdrawnOn) : null;
        const champion = await repo.insertChampion({
          email: c.email,
          ...detailFields(c, confirmedAt),
          status: c.status,
          confirmedAt,
          decidedAt,
          welcomedAt: c.status === 'active' || c.status === 'withdrawn' ? decidedAt : null,
          withdrawnAt,
          updatedAt: withdrawnAt ?? decidedAt ?? confirmedAt,
        });
        for (const code of c.pledges) if (await repo.addPledge(champion.id, itemId(code), decidedAt ?? confirmedAt)) pledges++;
        for (const a of c.actions) {
          await repo.addAction({ championId: champion.id, itemId: a.item ? itemId(a.item) : null, kind: a.kind, title: a.title, description: a.description, happenedOn: a.happenedOn, peopleReached: a.peopleReached, createdAt: at(a.happenedOn) });
          actions++;
        }
        // Approved champions (those who withdrew too, once) joined in the month of their approval.
        if (decidedAt && (c.status === 'active' || c.status === 'withdrawn')) await repo.tally(monthOf(decidedAt), { joined: 1 });
        if (champion.status === 'active') await this.syncNews(tx, actor, champion);
        if (withdrawnAt) await repo.tally(monthOf(withdrawnAt), { left: 1 });
      }
      await recordAudit(tx, actor, { action: 'champion.seeded', objectType: 'champion', objectId: 'demo', after: { champions: demo.champions.length, pledges, actions } });
      await this.bump(tx);
      return demo.champions.length;
    });
  }

  /** Sign-ups, sign-in links and sessions past their time are forgotten. */
  async forgetExpired(): Promise<number> {
    const now = this.now();
    const repo = this.repo();
    return (await repo.deleteExpiredSignups(now)) + (await repo.deleteExpiredLinksAndSessions(now));
  }

  /** For the benchmark and operators: waiting sign-ups, and how many addresses they are for. */
  async waitingSignups(): Promise<{ rows: number; addresses: number }> {
    return this.repo().countSignups();
  }
}

/** A champion acting on their own record: recorded by id, never by name or address. */
export function championActor(championId: number, meta: { requestId?: string | undefined; ip?: string | undefined } = {}): Actor {
  return { type: 'champion', id: String(championId), label: `champion ${championId}`, requestId: meta.requestId, ip: meta.ip };
}
