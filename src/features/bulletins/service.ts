// Bulletins: mailing lists, subscribers and campaigns.
//
// Subscribing is double opt-in: the form stores the address as pending and emails a
// confirmation link; only the link makes it active (consent time and source recorded). Every
// bulletin carries a signed link (HMAC of the subscriber's id) to a preferences page and a
// one-click unsubscribe (RFC 8058). Unsubscribed and suspended addresses are never mailed.
//
// Sending: starting a campaign writes one queued delivery per recipient in the same
// transaction, then a job works through them in groups. Each email is marked "sending" before
// it is handed to the mail server and "sent" after, so a sender killed mid-send leaves only
// the few emails the server held at that moment in "sending"; the next sender marks those
// "unconfirmed" and never sends them again. Nobody gets two copies. One sender per campaign
// at a time: a PostgreSQL advisory lock held on its own connection (released by the server
// when a killed process's connection drops), and within a process a set of campaigns in hand.
import { BackgroundLane } from '../../platform/background.ts';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parse as parseCsv } from 'csv-parse/sync';
import { hashToken, newToken, sameToken } from '../../platform/auth/secrets.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { Mailer, MailMessage } from '../../platform/mail/mailer.ts';
import { renderEmail } from '../../platform/mail/templates.ts';
import { datasetsDir } from '../../platform/paths.ts';
import { markdownAsText, renderEmailMarkdown } from '../../platform/text/markdown.ts';
import { importRow, type CampaignInput } from './forms.ts';
import { BulletinsRepository, type CampaignRecord, type Claimed, type ListRecord, type SubscriberFilters, type SubscriberRecord } from './repository.ts';
import type { ChampionGroup, DeliveryStatus, LawfulBasis, ListKind, SubscriberStatus } from './schema.ts';

/** How long a confirmation link works. */
export const CONFIRM_HOURS = 72;
export const CONFIRMATIONS_PER_DAY = 3;
/** Hard bounces (the mail server refusing the address) before an address is suspended. */
export const HARD_BOUNCE_LIMIT = 3;
/** Attempts at one email before it counts as failed (temporary failures wait longer each time). */
export const MAX_ATTEMPTS = 5;
const RETRY_BASE_SECONDS = 30;
/** Deliveries read at a time; each is still marked one group at a time as it goes. */
const BATCH = 500;
/** A send job hands over to a fresh job after this long, so no job runs for hours. */
const SLICE_MS = 60_000;

export const BULLETIN_JOBS = { send: 'bulletins.send', due: 'bulletins.start-due', forget: 'bulletins.forget-unconfirmed' } as const;

const demoBulletinsSchema = z.object({
  illustrative: z.literal(true),
  bulletins: z.array(z.object({ subject: z.string().min(1), summary: z.string().min(1), sentOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), lists: z.array(z.string()).min(1), body: z.string().min(1) })),
});

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1);
const emailHash = (email: string) => hashToken(`bulletin-suppression:${email.toLowerCase()}`);

export interface BulletinsOptions {
  mailer?: Mailer | undefined;
  jobs?: JobQueue | undefined;
  baseUrl?: string | undefined;
  /** The session secret; links are signed with a key derived from it (one per process without it). */
  secret?: string | undefined;
  /** Emails a second, per sending instance. */
  sendRate?: number;
  /**
   * Emails marked "sending" and handed to the mailer together: the SMTP pool's size, so each
   * is on a connection of its own at once. Larger groups would queue some inside the mailer,
   * and a sender killed then would leave emails marked "sending" that never left (decision 28).
   */
  sendConcurrency?: number;
  now?: () => Date;
  logError?: (error: unknown, message: string) => void;
  background?: BackgroundLane | undefined;
  logInfo?: (object: object, message: string) => void;
  /** Addresses of champions who agreed to be contacted, in a group (community's service). */
  championEmails?: (group: ChampionGroup) => Promise<string[]>;
}


export interface Preferences {
  subscriber: SubscriberRecord;
  listIds: number[];
  lists: ListRecord[];
}

export interface CampaignView {
  campaign: CampaignRecord;
  listIds: number[];
  lists: ListRecord[];
  counts: Record<DeliveryStatus, number>;
  /** Who it would reach now (drafts) or was given (started). */
  audience: number;
}

export interface ImportSummary {
  rows: number;
  added: number;
  updated: number;
  skippedUnsubscribed: number;
  skippedErased: number;
  invalid: { line: number; message: string }[];
}

/** The email once per campaign, with a marker where each person's own link token goes. */
interface Composed {
  subject: string;
  text: string;
  html: string;
  marker: string;
}

interface SenderLock {
  release(): Promise<void>;
}

export class BulletinsService {
  private readonly now: () => Date;
  private readonly linkKey: Buffer;
  /** After-response work (emails after a form): the app's one bounded lane, or this service's own. */
  private readonly background: BackgroundLane;
  private readonly inHand = new Set<number>();

  constructor(
    private readonly database: Database,
    private readonly options: BulletinsOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.background = options.background ?? new BackgroundLane({ concurrency: 4, backlog: 500, logError: options.logError });
    const master = options.secret ?? randomBytes(32).toString('hex');
    this.linkKey = Buffer.from(hkdfSync('sha256', master, 'strategy-hub', 'bulletin subscriber links', 32));
    options.jobs?.define<{ campaignId: number }>(BULLETIN_JOBS.send, async (data) => this.sendCampaign(data.campaignId), { retryLimit: 10, retryDelaySeconds: 30 });
    options.jobs?.define(BULLETIN_JOBS.due, async () => void (await this.startDue()), { cron: '* * * * *' });
    options.jobs?.define(BULLETIN_JOBS.forget, async () => void (await this.forgetUnconfirmed()), { cron: '40 3 * * *' });
  }

  private repo(exec: Executor = this.database.db): BulletinsRepository {
    return new BulletinsRepository(exec);
  }

  private link(path: string): string {
    return `${(this.options.baseUrl ?? 'http://localhost:3000').replace(/\/$/, '')}${path}`;
  }

  private mailer(): Mailer {
    if (!this.options.mailer) throw new Error('No mailer: this hub cannot send email');
    return this.options.mailer;
  }

  private manage(viewer: CurrentUser): void {
    if (!can(viewer, 'bulletins.manage')) throw new ForbiddenError();
  }

  /* ----- signed links ----- */

  /** `<id>.<HMAC>`: the preferences and unsubscribe links in every email. */
  signedToken(subscriberId: number): string {
    return `${subscriberId}.${createHmac('sha256', this.linkKey).update(`subscriber:${subscriberId}`).digest('base64url')}`;
  }

  private subscriberIdFrom(token: string): number | undefined {
    const id = Number(token.slice(0, token.indexOf('.')));
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    return sameToken(token, this.signedToken(id)) ? id : undefined;
  }

  /* ----- lists ----- */

  async lists(): Promise<ListRecord[]> {
    return this.repo().lists();
  }

  /** The lists with their active subscribers counted, for the strategy team. */
  async listsWithCounts(viewer: CurrentUser): Promise<(ListRecord & { subscribers: number })[]> {
    this.manage(viewer);
    return this.repo().listsWithCounts();
  }

  async createList(viewer: CurrentUser, actor: Actor, input: { name: string; slug: string; description: string; kind: ListKind; topic?: string | undefined }): Promise<ListRecord> {
    this.manage(viewer);
    if ((input.kind === 'area' || input.kind === 'theme') !== !!input.topic) {
      throw new InputError([{ field: 'topic', message: input.topic ? 'Only area and theme lists have a topic' : `Select the ${input.kind} this list is about` }]);
    }
    return this.database.db.transaction(async (tx) => {
      const list = await this.repo(tx).insertList({ ...input, topic: input.topic ?? null });
      if (!list) throw new InputError([{ field: input.topic ? 'topic' : 'slug', message: input.topic ? `There is already a list for this ${input.kind}` : 'There is already a list with this web address' }]);
      await recordAudit(tx, actor, { action: 'bulletin_list.created', objectType: 'bulletin_list', objectId: list.id, after: { slug: list.slug, name: list.name, kind: list.kind, topic: list.topic } });
      return list;
    });
  }

  /**
   * The standard lists (the general bulletin, champions news, one per area and theme), where
   * missing. Used by the demo seed and the admin's "add the standard lists".
   */
  async ensureStandardLists(viewer: CurrentUser | null, actor: Actor, catalogue: { areas: { slug: string; name: string }[]; themes: { slug: string; name: string }[] }, exec?: Executor): Promise<number> {
    const wanted = [
      { slug: 'general', name: 'The strategy bulletin', description: 'News of the strategy: progress, events and what is coming next.', kind: 'general' as const, topic: null },
      { slug: 'champions-news', name: 'Champions news', description: 'For champions of the strategy: resources, events and stories from other champions.', kind: 'champions' as const, topic: null },
      ...catalogue.areas.map((a) => ({ slug: `area-${a.slug}`, name: `Area: ${a.name}`, description: `Progress and news on the strategy’s ${a.name} area.`, kind: 'area' as const, topic: a.slug })),
      ...catalogue.themes.map((t) => ({ slug: `theme-${t.slug}`, name: `Theme: ${t.name}`, description: `Progress and news on the ${t.name} theme.`, kind: 'theme' as const, topic: t.slug })),
    ];
    if (viewer) this.manage(viewer);
    const run = async (tx: Executor) => {
      let added = 0;
      for (const values of wanted) {
        const list = await this.repo(tx).insertList(values);
        if (!list) continue;
        added++;
        await recordAudit(tx, actor, { action: 'bulletin_list.created', objectType: 'bulletin_list', objectId: list.id, after: { slug: list.slug, kind: list.kind, topic: list.topic } });
      }
      return added;
    };
    return exec ? run(exec) : this.database.db.transaction(run);
  }

  private async checkLists(listIds: readonly number[], field: string, exec?: Executor): Promise<ListRecord[]> {
    const lists = await this.repo(exec).lists();
    const known = new Set(lists.map((l) => l.id));
    if (listIds.some((id) => !known.has(id))) throw new InputError([{ field, message: 'Select a list from the options' }]);
    return lists;
  }

  /* ----- subscribing ----- */

  /**
   * Someone asks for bulletins. The work (and its email) happens after the response, so the
   * page and its timing say nothing about whether the address was known.
   */
  async subscribe(actor: Actor, email: string, listIds: number[]): Promise<void> {
    await this.checkLists(listIds, 'lists');
    await this.background.start('could not handle a bulletin subscription', () => this.subscribeNow(actor, email.toLowerCase(), listIds));
  }

  /** Resolves when work started after a response has finished. */
  async settled(): Promise<void> {
    await this.background.settled();
  }

  private async subscribeNow(actor: Actor, email: string, listIds: number[]): Promise<void> {
    const now = this.now();
    const token = newToken();
    const outcome = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const existing = await repo.lockByEmail(email);
      if (existing?.status === 'active') return { send: 'already' as const, subscriber: existing };
      const sentToday = existing?.lastConfirmationAt && now.getTime() - existing.lastConfirmationAt.getTime() < 86_400_000 ? existing.confirmationsSent : 0;
      if (sentToday >= CONFIRMATIONS_PER_DAY) return { send: 'none' as const };
      const values = {
        pendingListIds: listIds,
        confirmTokenHash: hashToken(token),
        confirmExpiresAt: new Date(now.getTime() + CONFIRM_HOURS * 3_600_000),
        confirmationsSent: sentToday + 1,
        lastConfirmationAt: now,
      };
      const subscriber = existing
        ? await repo.updateSubscriber(existing.id, values)
        : await repo.insertSubscriber({ email, status: 'pending', source: 'form', lawfulBasis: 'consent', consentNote: 'Subscribe form', ...values });
      await recordAudit(tx, actor, {
        action: existing ? 'subscriber.confirmation_resent' : 'subscriber.requested',
        objectType: 'bulletin_subscriber',
        objectId: subscriber.id,
        after: { emailDomain: domainOf(email), lists: listIds },
      });
      return { send: 'confirm' as const, subscriber };
    });
    if (outcome.send === 'confirm') {
      await this.mailer().send({
        to: email,
        ...renderEmail('bulletin-confirm', {
          already: false,
          link: this.link(`/bulletins/confirm/${token}`),
          expiresAt: formatDateTime(outcome.subscriber.confirmExpiresAt),
          preferencesLink: null,
        }),
      });
    } else if (outcome.send === 'already') {
      await this.mailer().send({
        to: email,
        ...renderEmail('bulletin-confirm', {
          already: true,
          link: '',
          expiresAt: '',
          preferencesLink: this.link(`/bulletins/preferences/${this.signedToken(outcome.subscriber.id)}`),
        }),
      });
    }
  }

  /** The subscription a confirmation link is for, while the link works. */
  async confirmation(token: string): Promise<{ subscriber: SubscriberRecord; lists: ListRecord[] } | undefined> {
    const subscriber = await this.repo().byConfirmToken(hashToken(token), this.now());
    if (!subscriber) return undefined;
    const lists = (await this.lists()).filter((l) => subscriber.pendingListIds.includes(l.id));
    return { subscriber, lists };
  }

  /** Uses a confirmation link: the address becomes active on the lists it chose. Returns its signed token. */
  async confirm(actor: Actor, token: string): Promise<string | undefined> {
    const now = this.now();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const found = await repo.byConfirmToken(hashToken(token), now);
      if (!found) return undefined;
      const known = new Set((await repo.lists()).map((l) => l.id));
      const lists = found.pendingListIds.filter((id) => known.has(id));
      await repo.addToLists(found.id, lists);
      await repo.updateSubscriber(found.id, {
        status: 'active',
        lawfulBasis: 'consent',
        consentAt: now,
        consentNote: 'Subscribe form, confirmed by the emailed link',
        pendingListIds: [],
        confirmTokenHash: null,
        confirmExpiresAt: null,
        hardBounces: 0,
        lastBounce: null,
        unsubscribedAt: null,
        suspendedAt: null,
      });
      await repo.unsuppress(emailHash(found.email));
      await recordAudit(tx, actor, {
        action: 'subscriber.confirmed',
        objectType: 'bulletin_subscriber',
        objectId: found.id,
        before: { status: found.status },
        after: { status: 'active', lists, consentAt: now.toISOString() },
      });
      return this.signedToken(found.id);
    });
  }

  /**
   * Runs `change` in one transaction on the subscriber a signed link names, locked; undefined
   * when the link is not ours or the subscriber is gone.
   */
  private async asLinkOwner<T>(token: string, change: (repo: BulletinsRepository, subscriber: SubscriberRecord, tx: Executor) => Promise<T>): Promise<T | undefined> {
    const id = this.subscriberIdFrom(token);
    if (!id) return undefined;
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const subscriber = await repo.lockSubscriber(id);
      return subscriber ? change(repo, subscriber, tx) : undefined;
    });
  }

  /** What a signed link's owner sees on their preferences page; undefined for a link that is not ours. */
  async preferences(token: string): Promise<Preferences | undefined> {
    const id = this.subscriberIdFrom(token);
    const subscriber = id && (await this.repo().subscriber(id));
    if (!subscriber) return undefined;
    return { subscriber, listIds: await this.repo().listIdsOf(subscriber.id), lists: await this.lists() };
  }

  /**
   * Changes which lists a signed link's owner gets. No lists at all is unsubscribing; choosing
   * lists again after unsubscribing is consent given again (the link proves the mailbox).
   */
  async updatePreferences(actor: Actor, token: string, listIds: number[]): Promise<SubscriberStatus | undefined> {
    await this.checkLists(listIds, 'lists');
    const now = this.now();
    return this.asLinkOwner(token, async (repo, subscriber, tx) => {
      const id = subscriber.id;
      const before = await repo.listIdsOf(id);
      await repo.removeFromLists(id, before.filter((l) => !listIds.includes(l)));
      await repo.addToLists(id, listIds.filter((l) => !before.includes(l)));
      let status = subscriber.status;
      if (!listIds.length && status === 'active') status = 'unsubscribed';
      else if (listIds.length && (status === 'unsubscribed' || status === 'pending')) status = 'active';
      if (status !== subscriber.status) {
        await repo.updateSubscriber(id, status === 'active' ? { status, consentAt: now, consentNote: 'Preferences page, reached by the signed link in an email', unsubscribedAt: null } : { status, unsubscribedAt: now });
      }
      await recordAudit(tx, actor, { action: 'subscriber.preferences_changed', objectType: 'bulletin_subscriber', objectId: id, before: { status: subscriber.status, lists: before }, after: { status, lists: listIds } });
      return status;
    });
  }

  /** One-click unsubscribe: no more bulletins, from any list. True if the link is ours. */
  async unsubscribe(actor: Actor, token: string): Promise<boolean> {
    const done = await this.asLinkOwner(token, async (repo, subscriber, tx) => {
      const id = subscriber.id;
      const lists = await repo.listIdsOf(id);
      await repo.removeFromLists(id, lists);
      if (subscriber.status !== 'unsubscribed') await repo.updateSubscriber(id, { status: 'unsubscribed', unsubscribedAt: this.now(), pendingListIds: [], confirmTokenHash: null, confirmExpiresAt: null });
      await recordAudit(tx, actor, { action: 'subscriber.unsubscribed', objectType: 'bulletin_subscriber', objectId: id, before: { status: subscriber.status, lists }, after: { status: 'unsubscribed', lists: [] } });
      return true;
    });
    return done ?? false;
  }

  /** Everything held about a signed link's owner, for them to download. */
  async exportData(token: string): Promise<object | undefined> {
    const prefs = await this.preferences(token);
    if (!prefs) return undefined;
    const s = prefs.subscriber;
    return {
      email: s.email,
      status: s.status,
      source: s.source,
      lawfulBasis: s.lawfulBasis,
      consentGivenAt: s.consentAt?.toISOString() ?? null,
      consentNote: s.consentNote,
      lists: prefs.lists.filter((l) => prefs.listIds.includes(l.id)).map((l) => l.name),
      hardBounces: s.hardBounces,
      unsubscribedAt: s.unsubscribedAt?.toISOString() ?? null,
      subscribedAt: s.createdAt.toISOString(),
      bulletinsSent: (await this.repo().deliveriesOf(s.id)).map((d) => ({ subject: d.subject, status: d.status, sentAt: d.sentAt?.toISOString() ?? null })),
    };
  }

  /**
   * Erases a signed link's owner: the row, their lists and their delivery records go. Only a
   * hash of the address stays, so an import never adds them back.
   */
  async erase(actor: Actor, token: string): Promise<boolean> {
    const done = await this.asLinkOwner(token, async (repo, subscriber, tx) => {
      const id = subscriber.id;
      await repo.deleteSubscriber(id);
      await repo.suppress(emailHash(subscriber.email));
      await recordAudit(tx, actor, { action: 'subscriber.erased', objectType: 'bulletin_subscriber', objectId: id, before: { status: subscriber.status } });
      return true;
    });
    return done ?? false;
  }

  async forgetUnconfirmed(): Promise<number> {
    return this.repo().deleteUnconfirmed(this.now());
  }

  /* ----- champions news ----- */

  /**
   * An approved champion who agreed to be contacted joins champions news (their address was
   * confirmed when they signed up). In the caller's transaction. Never overrides an unsubscribe.
   */
  async addChampionIn(tx: Executor, actor: Actor, email: string, consentAt: Date): Promise<void> {
    const repo = this.repo(tx);
    const list = await repo.listOfKind('champions');
    if (!list) return;
    const address = email.toLowerCase();
    let subscriber = await repo.lockByEmail(address);
    if (subscriber && (subscriber.status === 'unsubscribed' || subscriber.status === 'suspended')) return;
    if (!subscriber) {
      subscriber = await repo.insertSubscriber({ email: address, status: 'active', source: 'champion', lawfulBasis: 'consent', consentAt, consentNote: 'Champion sign-up: agreed to be contacted about the strategy' });
    } else if (subscriber.status === 'pending') {
      subscriber = await repo.updateSubscriber(subscriber.id, { status: 'active', consentAt, consentNote: 'Champion sign-up: agreed to be contacted about the strategy' });
    }
    if ((await repo.listIdsOf(subscriber.id)).includes(list.id)) return;
    await repo.addToLists(subscriber.id, [list.id]);
    await recordAudit(tx, actor, { action: 'subscriber.joined_champions_news', objectType: 'bulletin_subscriber', objectId: subscriber.id, after: { list: list.slug } });
  }

  /** A champion who withdrew, erased their record or stopped agreeing to contact leaves champions news. */
  async removeChampionIn(tx: Executor, actor: Actor, email: string): Promise<void> {
    const repo = this.repo(tx);
    const list = await repo.listOfKind('champions');
    const subscriber = list && (await repo.lockByEmail(email.toLowerCase()));
    if (!list || !subscriber || !(await repo.listIdsOf(subscriber.id)).includes(list.id)) return;
    await repo.removeFromLists(subscriber.id, [list.id]);
    await recordAudit(tx, actor, { action: 'subscriber.left_champions_news', objectType: 'bulletin_subscriber', objectId: subscriber.id, before: { list: list.slug } });
  }

  /* ----- the strategy team's view of subscribers ----- */

  async subscribers(viewer: CurrentUser, filters: SubscriberFilters, page: number, perPage = 50) {
    this.manage(viewer);
    const { rows, total } = await this.repo().subscribers(filters, perPage, (page - 1) * perPage);
    return { rows, total, counts: await this.repo().statusCounts() };
  }

  async exportSubscribers(viewer: CurrentUser, filters: SubscriberFilters) {
    this.manage(viewer);
    const lists = new Map((await this.lists()).map((l) => [l.id, l.slug]));
    const out = [];
    for (let offset = 0; ; offset += 5000) {
      const { rows } = await this.repo().subscribers(filters, 5000, offset);
      out.push(...rows.map((r) => ({ ...r, lists: r.listIds.map((id) => lists.get(id) ?? String(id)) })));
      if (rows.length < 5000) return out;
    }
  }

  /**
   * Adds people from a CSV (a column `email`, optional `consent_date`) to lists, with the lawful
   * basis and a note of where the addresses came from. Unsubscribed, suspended and erased
   * addresses are never added back. All or nothing: one transaction.
   */
  async importCsv(viewer: CurrentUser, actor: Actor, csv: string, input: { lists: number[]; lawfulBasis: LawfulBasis; note: string }, progress?: (done: number, total: number) => void): Promise<ImportSummary> {
    this.manage(viewer);
    await this.checkLists(input.lists, 'lists');
    let records: Record<string, string>[];
    try {
      records = parseCsv(csv.replace(/^\uFEFF/, ''), { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, relax_column_count: true, trim: true });
    } catch (error) {
      throw new InputError([{ field: 'file', message: `The file is not a CSV file this hub can read: ${(error as Error).message}` }]);
    }
    if (!records.length) throw new InputError([{ field: 'file', message: 'The file has no rows under its header' }]);
    if (!('email' in records[0]!)) throw new InputError([{ field: 'file', message: 'The file needs a column headed “email”' }]);
    const summary: ImportSummary = { rows: records.length, added: 0, updated: 0, skippedUnsubscribed: 0, skippedErased: 0, invalid: [] };
    const people = new Map<string, Date>();
    const today = this.now();
    records.forEach((record, index) => {
      const parsed = importRow.safeParse({ email: record.email ?? '', consent_date: record.consent_date });
      if (!parsed.success) {
        summary.invalid.push({ line: index + 2, message: parsed.error.issues[0]?.message ?? 'not valid' });
        return;
      }
      const consent = parsed.data.consent_date ? new Date(`${parsed.data.consent_date}T00:00:00Z`) : today;
      if (Number.isNaN(consent.getTime()) || consent > today) {
        summary.invalid.push({ line: index + 2, message: 'consent_date must be a real date, not in the future' });
        return;
      }
      people.set(parsed.data.email.toLowerCase(), consent);
    });
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      let done = 0;
      for (const [email, consentAt] of people) {
        const existing = await repo.lockByEmail(email);
        if (existing && (existing.status === 'unsubscribed' || existing.status === 'suspended')) summary.skippedUnsubscribed++;
        else if (!existing && (await repo.isSuppressed(emailHash(email)))) summary.skippedErased++;
        else if (existing) {
          if (existing.status === 'pending') {
            await repo.updateSubscriber(existing.id, { status: 'active', source: 'import', lawfulBasis: input.lawfulBasis, consentAt, consentNote: input.note, confirmTokenHash: null, confirmExpiresAt: null });
          }
          const before = await repo.listIdsOf(existing.id);
          const adding = input.lists.filter((l) => !before.includes(l));
          await repo.addToLists(existing.id, adding);
          if (adding.length || existing.status === 'pending') summary.updated++;
        } else {
          const added = await repo.insertSubscriber({ email, status: 'active', source: 'import', lawfulBasis: input.lawfulBasis, consentAt, consentNote: input.note });
          await repo.addToLists(added.id, input.lists);
          summary.added++;
        }
        if (++done % 500 === 0) progress?.(done, people.size);
      }
      progress?.(people.size, people.size);
      await recordAudit(tx, actor, {
        action: 'subscribers.imported',
        objectType: 'bulletin_list',
        objectId: input.lists.join(','),
        after: { lists: input.lists, lawfulBasis: input.lawfulBasis, note: input.note, added: summary.added, updated: summary.updated, skipped: summary.skippedUnsubscribed + summary.skippedErased, invalid: summary.invalid.length },
      });
    });
    return summary;
  }

  /* ----- campaigns ----- */

  async campaigns(viewer: CurrentUser, page: number, perPage = 25) {
    this.manage(viewer);
    return this.repo().campaigns(perPage, (page - 1) * perPage);
  }

  /** Who a campaign on these lists (and champion group) would reach now. */
  async audience(listIds: readonly number[], group: ChampionGroup | null): Promise<number> {
    return this.repo().audienceCount(listIds, await this.groupEmails(group));
  }

  private async groupEmails(group: ChampionGroup | null): Promise<string[] | null> {
    if (!group) return null;
    if (!this.options.championEmails) throw new Error('No champions: this hub cannot narrow a bulletin to a group of champions');
    return (await this.options.championEmails(group)).map((e) => e.toLowerCase());
  }

  /** The campaign alone, for the strategy team. */
  async campaignRecord(viewer: CurrentUser, id: number): Promise<CampaignRecord> {
    this.manage(viewer);
    const campaign = await this.repo().campaign(id);
    if (!campaign) throw new NotFoundError();
    return campaign;
  }

  /** The campaign with its lists, delivery counts and audience, for its admin page. */
  async campaign(viewer: CurrentUser, id: number): Promise<CampaignView> {
    const campaign = await this.campaignRecord(viewer, id);
    const listIds = await this.repo().campaignListIds(id);
    const counts = await this.repo().deliveryCounts(id);
    const audience = campaign.status === 'draft' || campaign.status === 'scheduled' ? await this.audience(listIds, campaign.championGroup) : (campaign.recipientCount ?? 0);
    return { campaign, listIds, lists: await this.lists(), counts, audience };
  }

  async createCampaign(viewer: CurrentUser, actor: Actor, input: CampaignInput, group: ChampionGroup | null = null): Promise<CampaignRecord> {
    this.manage(viewer);
    await this.checkLists(input.lists, 'lists');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const campaign = await repo.insertCampaign({ subject: input.subject, summary: input.summary, bodyMarkdown: input.body, public: input.public, championGroup: group, createdBy: viewer.id });
      await repo.setCampaignLists(campaign.id, input.lists);
      await recordAudit(tx, actor, { action: 'campaign.created', objectType: 'bulletin_campaign', objectId: campaign.id, after: { subject: campaign.subject, lists: input.lists, championGroup: group } });
      return campaign;
    });
  }

  async updateCampaign(viewer: CurrentUser, actor: Actor, id: number, input: CampaignInput): Promise<CampaignRecord> {
    this.manage(viewer);
    await this.checkLists(input.lists, 'lists');
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await this.editable(repo, id, input.version);
      const beforeLists = await repo.campaignListIds(id);
      const campaign = await repo.updateCampaign(id, { subject: input.subject, summary: input.summary, bodyMarkdown: input.body, public: input.public });
      await repo.setCampaignLists(id, input.lists);
      await recordAudit(tx, actor, {
        action: 'campaign.updated',
        objectType: 'bulletin_campaign',
        objectId: id,
        before: { subject: before.subject, summary: before.summary, body: before.bodyMarkdown, public: before.public, lists: beforeLists },
        after: { subject: campaign.subject, summary: campaign.summary, body: campaign.bodyMarkdown, public: campaign.public, lists: input.lists },
      });
      return campaign;
    });
  }

  async deleteCampaign(viewer: CurrentUser, actor: Actor, id: number, version: number): Promise<void> {
    this.manage(viewer);
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await this.editable(repo, id, version);
      await repo.deleteCampaign(id);
      await recordAudit(tx, actor, { action: 'campaign.deleted', objectType: 'bulletin_campaign', objectId: id, before: { subject: before.subject, status: before.status } });
    });
  }

  private async editable(repo: BulletinsRepository, id: number, version: number | undefined): Promise<CampaignRecord> {
    const campaign = await repo.lockCampaign(id);
    if (!campaign) throw new NotFoundError();
    if (campaign.status !== 'draft') throw new ConflictError(campaign.status === 'scheduled' ? 'This bulletin is scheduled: cancel the schedule to change it' : 'This bulletin has been sent and cannot be changed');
    if (version !== undefined && version !== campaign.version) throw new ConflictError('Someone else changed this bulletin while you were editing it. Your changes were not saved: reload it to see theirs.');
    return campaign;
  }

  /** The email as one person on the list would get it (links point nowhere real). */
  async preview(viewer: CurrentUser, id: number): Promise<{ subject: string; text: string; html: string }> {
    return this.personalise(this.compose(await this.campaignRecord(viewer, id)), 'preview-link').message;
  }

  /** Sends the campaign to the person writing it, marked as a test. */
  async sendTest(viewer: CurrentUser, actor: Actor, id: number): Promise<string> {
    const { message } = this.personalise(this.compose(await this.campaignRecord(viewer, id)), 'preview-link');
    await this.mailer().send({ to: viewer.email, ...message, subject: `[Test] ${message.subject}` });
    await this.database.db.transaction(async (tx) =>
      recordAudit(tx, actor, { action: 'campaign.test_sent', objectType: 'bulletin_campaign', objectId: id, after: { toDomain: domainOf(viewer.email) } }),
    );
    return viewer.email;
  }

  /**
   * Sends now or at a time. Starting writes a queued delivery for each person it reaches, in
   * the same transaction as the status change; the job is queued after it commits.
   */
  async schedule(viewer: CurrentUser, actor: Actor, id: number, version: number, at: Date | null): Promise<CampaignRecord> {
    this.manage(viewer);
    const now = this.now();
    if (at && at.getTime() <= now.getTime()) throw new InputError([{ field: 'at', message: 'The time to send must be in the future' }]);
    const current = await this.repo().campaign(id);
    if (!current) throw new NotFoundError();
    if (at) {
      const campaign = await this.database.db.transaction(async (tx) => {
        const repo = this.repo(tx);
        await this.editable(repo, id, version);
        const updated = await repo.updateCampaign(id, { status: 'scheduled', scheduledFor: at });
        await recordAudit(tx, actor, { action: 'campaign.scheduled', objectType: 'bulletin_campaign', objectId: id, before: { status: 'draft' }, after: { status: 'scheduled', scheduledFor: at.toISOString() } });
        return updated;
      });
      await this.options.jobs?.send(BULLETIN_JOBS.due, {}, { singletonKey: `due-${id}`, startAfter: at });
      return campaign;
    }
    return this.start(actor, id, version);
  }

  async cancelSchedule(viewer: CurrentUser, actor: Actor, id: number, version: number): Promise<CampaignRecord> {
    this.manage(viewer);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const campaign = await repo.lockCampaign(id);
      if (!campaign) throw new NotFoundError();
      if (campaign.status !== 'scheduled') throw new ConflictError('This bulletin is not scheduled (it may have started sending)');
      if (campaign.version !== version) throw new ConflictError('Someone else changed this bulletin: reload it and try again.');
      const updated = await repo.updateCampaign(id, { status: 'draft', scheduledFor: null });
      await recordAudit(tx, actor, { action: 'campaign.unscheduled', objectType: 'bulletin_campaign', objectId: id, before: { status: 'scheduled', scheduledFor: campaign.scheduledFor?.toISOString() }, after: { status: 'draft' } });
      return updated;
    });
  }

  private async start(actor: Actor, id: number, version: number | undefined): Promise<CampaignRecord> {
    const before = await this.repo().campaign(id);
    if (!before) throw new NotFoundError();
    // Asked of the community feature before the transaction (PGlite has one connection).
    const emails = await this.groupEmails(before.championGroup);
    const now = this.now();
    const campaign = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const locked = await repo.lockCampaign(id);
      if (!locked) throw new NotFoundError();
      if (locked.status !== 'draft' && locked.status !== 'scheduled') throw new ConflictError('This bulletin has already been sent');
      if (version !== undefined && locked.version !== version) throw new ConflictError('Someone else changed this bulletin: reload it and check it before sending.');
      const listIds = await repo.campaignListIds(id);
      const recipients = await repo.queueDeliveries(id, listIds, emails);
      const updated = await repo.updateCampaign(id, { status: 'sending', slug: await this.slugFor(repo, locked.subject, now), startedAt: now, recipientCount: recipients });
      await recordAudit(tx, actor, {
        action: 'campaign.started',
        objectType: 'bulletin_campaign',
        objectId: id,
        before: { status: locked.status },
        after: { status: 'sending', recipients, lists: listIds, slug: updated.slug },
      });
      return updated;
    });
    await this.options.jobs?.send(BULLETIN_JOBS.send, { campaignId: id }, { singletonKey: `campaign-${id}` });
    return campaign;
  }

  private async slugFor(repo: BulletinsRepository, subject: string, now: Date): Promise<string> {
    const base = `${now.toISOString().slice(0, 7)}-${subject
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '')}`.replace(/-$/, '');
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      if (!(await repo.slugTaken(slug))) return slug;
    }
  }

  /** The cron's work: start scheduled campaigns whose time has come, and pick up any send that stopped. */
  async startDue(): Promise<number> {
    const repo = this.repo();
    let started = 0;
    for (const id of await repo.campaignIdsIn('scheduled', this.now())) {
      try {
        await this.start(systemActor, id, undefined);
        started++;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    await this.resumeSending();
    return started;
  }

  /** Queues a send job for every campaign still sending (after a restart, the old job may be held by a dead process). */
  async resumeSending(): Promise<number[]> {
    const ids = await this.repo().campaignIdsIn('sending');
    for (const id of ids) await this.options.jobs?.send(BULLETIN_JOBS.send, { campaignId: id }, { singletonKey: `campaign-${id}` });
    return ids;
  }

  /* ----- sending ----- */

  private compose(campaign: CampaignRecord): Composed {
    const marker = `x${randomBytes(12).toString('hex')}x`;
    const rendered = renderEmail('bulletin', {
      subject: campaign.subject,
      bodyHtml: renderEmailMarkdown(campaign.bodyMarkdown),
      bodyText: markdownAsText(campaign.bodyMarkdown),
      archiveLink: campaign.slug && campaign.public ? this.link(`/bulletins/${campaign.slug}`) : null,
      preferencesLink: this.link(`/bulletins/preferences/${marker}`),
      unsubscribeLink: this.link(`/bulletins/unsubscribe/${marker}`),
    });
    return { ...rendered, marker };
  }

  private personalise(composed: Composed, token: string): { message: Omit<MailMessage, 'to'> } {
    return {
      message: {
        subject: composed.subject,
        text: composed.text.replaceAll(composed.marker, token),
        html: composed.html.replaceAll(composed.marker, token),
        headers: {
          'List-Unsubscribe': `<${this.link(`/bulletins/unsubscribe/${token}`)}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      },
    };
  }

  /** Holds the campaign's sender lock, or says another sender has it. */
  private async lockSender(id: number): Promise<SenderLock | undefined> {
    if (this.inHand.has(id)) return undefined;
    this.inHand.add(id);
    if (this.database.engine === 'pglite') return { release: async () => void this.inHand.delete(id) };
    let connection;
    try {
      connection = await this.database.connect();
      const [row] = await connection.query<{ locked: boolean }>(`select pg_try_advisory_lock(hashtext('bulletins.send'), $1) as locked`, [id]);
      if (!row?.locked) {
        connection.release();
        this.inHand.delete(id);
        return undefined;
      }
    } catch (error) {
      connection?.release(error as Error);
      this.inHand.delete(id);
      throw error;
    }
    const held = connection;
    return {
      release: async () => {
        try {
          await held.query(`select pg_advisory_unlock(hashtext('bulletins.send'), $1)`, [id]);
          held.release();
        } catch (error) {
          held.release(error as Error);
        } finally {
          this.inHand.delete(id);
        }
      },
    };
  }

  /**
   * Sends a campaign's waiting emails for up to a minute, then hands over to a fresh job (or,
   * with nothing left, marks the campaign sent). Safe to call at any time from any instance.
   */
  async sendCampaign(id: number, sliceMs = SLICE_MS): Promise<void> {
    const lock = await this.lockSender(id);
    if (!lock) return;
    let next: Date | null | undefined;
    try {
      const campaign = await this.repo().campaign(id);
      if (campaign?.status !== 'sending') return;
      // Holding the lock, any email still marked as sending was left by a sender that stopped.
      const interrupted = await this.repo().markInterrupted(id);
      if (interrupted) this.options.logInfo?.({ campaignId: id, unconfirmed: interrupted }, 'a stopped send left emails the mail server may have had; they are not sent again');
      const composed = this.compose(campaign);
      const deadline = Date.now() + sliceMs;
      const limiter = new RateLimiter(this.options.sendRate ?? 100);
      while (Date.now() < deadline) {
        const batch = await this.repo().claimable(id, BATCH, this.now());
        if (!batch.length) break;
        await this.deliver(id, composed, batch, limiter, deadline);
      }
      next = await this.repo().nextWaiting(id);
      if (next === undefined) await this.finish(id);
    } finally {
      await lock.release();
    }
    if (next !== undefined) {
      await this.options.jobs?.send(BULLETIN_JOBS.send, { campaignId: id }, { singletonKey: `campaign-${id}`, ...(next && next > this.now() ? { startAfter: next } : {}) });
    }
  }

  /** One batch, a group at a time: each group is marked sending, handed over, then marked with what happened. */
  private async deliver(id: number, composed: Composed, batch: Claimed[], limiter: RateLimiter, deadline: number): Promise<void> {
    const group = Math.max(1, this.options.sendConcurrency ?? 5);
    const leaving = batch.filter((c) => c.status !== 'active').map((c) => c.subscriberId);
    await this.repo().markDeliveries(id, leaving, 'skipped');
    const active = batch.filter((c) => c.status === 'active');
    for (let i = 0; i < active.length && Date.now() < deadline; i += group) {
      const people = active.slice(i, i + group);
      await limiter.take(people.length);
      await this.repo().markSending(id, people.map((p) => p.subscriberId));
      const results = await Promise.all(
        people.map(async (person) => {
          try {
            await this.mailer().send({ to: person.email, ...this.personalise(composed, this.signedToken(person.subscriberId)).message });
            return { person, error: undefined };
          } catch (error) {
            return { person, error: error as Error & { responseCode?: number } };
          }
        }),
      );
      const now = this.now();
      await this.repo().markDeliveries(id, results.filter((r) => !r.error).map((r) => r.person.subscriberId), 'sent', { sentAt: now, error: null });
      for (const { person, error } of results) if (error) await this.failed(id, person, error, now);
    }
  }

  private async failed(id: number, person: Claimed, error: Error & { responseCode?: number }, now: Date): Promise<void> {
    const reason = error.message.slice(0, 500);
    const permanent = (error.responseCode ?? 0) >= 500 || error.name === 'InvalidMailError';
    const attempts = person.attempts + 1; // this one included
    if (permanent || attempts >= MAX_ATTEMPTS) {
      await this.database.db.transaction(async (tx) => {
        const repo = this.repo(tx);
        await repo.markDeliveries(id, [person.subscriberId], 'failed', { error: reason });
        if ((error.responseCode ?? 0) >= 500) {
          const status = await repo.recordBounce(person.subscriberId, reason, HARD_BOUNCE_LIMIT);
          await recordAudit(tx, systemActor, { action: 'subscriber.bounced', objectType: 'bulletin_subscriber', objectId: person.subscriberId, after: { campaign: id, responseCode: error.responseCode, status } });
        }
      });
    } else {
      const wait = RETRY_BASE_SECONDS * 2 ** (attempts - 1) * 1000;
      await this.repo().markDeliveries(id, [person.subscriberId], 'queued', { error: reason, notBefore: new Date(now.getTime() + wait) });
    }
  }

  private async finish(id: number): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const campaign = await repo.lockCampaign(id);
      if (campaign?.status !== 'sending') return;
      const counts = await repo.deliveryCounts(id);
      await repo.updateCampaign(id, { status: 'sent', finishedAt: this.now() });
      await recordAudit(tx, systemActor, { action: 'campaign.sent', objectType: 'bulletin_campaign', objectId: id, before: { status: 'sending' }, after: { status: 'sent', ...counts } });
    });
  }

  /* ----- demo data ----- */

  /**
   * The standard lists and the illustrative sent bulletins of `data/datasets/demo-bulletins/`,
   * into an empty archive. Sent long ago, with no deliveries: nobody is emailed.
   */
  async seedShipped(actor: Actor, catalogue: { areas: { slug: string; name: string }[]; themes: { slug: string; name: string }[] }): Promise<{ lists: number; bulletins: number }> {
    const demo = demoBulletinsSchema.parse(JSON.parse(await readFile(path.join(datasetsDir, 'demo-bulletins', 'bulletins.json'), 'utf8')));
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const lists = await this.ensureStandardLists(null, actor, catalogue, tx);
      if ((await repo.campaigns(1, 0)).total > 0) return { lists, bulletins: 0 };
      const bySlug = new Map((await repo.lists()).map((l) => [l.slug, l.id]));
      for (const b of demo.bulletins) {
        const sentAt = new Date(`${b.sentOn}T09:00:00Z`);
        const listIds = b.lists.map((slug) => {
          const id = bySlug.get(slug);
          if (!id) throw new Error(`The demo bulletins name an unknown list: ${slug}`);
          return id;
        });
        const campaign = await repo.insertCampaign({ subject: b.subject, summary: b.summary, bodyMarkdown: b.body, public: true, status: 'sent', startedAt: sentAt, finishedAt: sentAt, recipientCount: 0, createdAt: sentAt, updatedAt: sentAt });
        await repo.updateCampaign(campaign.id, { slug: await this.slugFor(repo, b.subject, sentAt), updatedAt: sentAt });
        await repo.setCampaignLists(campaign.id, listIds);
      }
      await recordAudit(tx, actor, { action: 'campaign.seeded', objectType: 'bulletin_campaign', objectId: 'demo', after: { bulletins: demo.bulletins.length } });
      return { lists, bulletins: demo.bulletins.length };
    });
  }

  /* ----- the public archive ----- */

  async published(page: number, perPage = 20) {
    return this.repo().published(perPage, (page - 1) * perPage);
  }

  async publishedBySlug(slug: string): Promise<CampaignRecord | undefined> {
    return this.repo().publishedBySlug(slug);
  }
}

/** Spreads sends to at most `perSecond`, in whole groups. */
class RateLimiter {
  private nextAt = 0;

  constructor(private readonly perSecond: number) {}

  async take(count: number): Promise<void> {
    const now = performance.now();
    const wait = this.nextAt - now;
    this.nextAt = Math.max(now, this.nextAt) + (count * 1000) / this.perSecond;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
