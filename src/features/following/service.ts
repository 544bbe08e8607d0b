// Following by email: an item, or a theme (every item in it). Asking sends a confirmation link
// (double opt-in); nothing else is sent until it is used, and the page never says whether the
// address was known. Each follow gets an email for each verified update published on what it
// follows, or a weekly digest of them. Every email links to the address's preferences page and
// carries a one-click unsubscribe (RFC 8058) that stops everything the address follows.
import { BackgroundLane } from '../../platform/background.ts';
import { hashToken, newToken } from '../../platform/auth/secrets.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { renderEmail } from '../../platform/mail/templates.ts';
import { addDays, londonDay, londonMidnight, mondayOf } from '../../platform/time.ts';
import { CONFIDENCE_LABELS } from '../progress/labels.ts';
import type { ProgressService, PublishedUpdate, PublishListener } from '../progress/service.ts';
import { STATUS_LABELS } from '../strategy/labels.ts';
import type { StrategyService } from '../strategy/service.ts';
import { FollowingRepository, type AddressRecord, type FollowerRecord, type TargetKey } from './repository.ts';
import type { FollowFrequency } from './schema.ts';

/** How long a confirmation link works. */
export const CONFIRM_HOURS = 72;
/** Confirmation emails per address and item (or theme) in a day: enough for a lost email, too few to pester. */
export const CONFIRMATIONS_PER_DAY = 3;

export const FOLLOW_JOBS = { notify: 'following.notify-update', forget: 'following.forget-unconfirmed', digest: 'following.weekly-digest' } as const;
/** Mondays at 07:00, London time: the week before, Monday to Sunday, is complete. */
export const DIGEST_CRON = '0 7 * * 1';

export const FREQUENCY_LABELS: Record<FollowFrequency, string> = { each: 'An email for each update', weekly: 'A weekly digest' };

/** Only the domain goes in the audit trail: the address itself is personal data. */
const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1);

export interface FollowingOptions {
  strategy: StrategyService;
  progress: ProgressService;
  mailer?: Mailer | undefined;
  jobs?: JobQueue | undefined;
  baseUrl?: string | undefined;
  now?: () => Date;
  logError?: (error: unknown, message: string) => void;
  background?: BackgroundLane | undefined;
}

/** What a follow is of, as pages and emails name it. */
export interface Followed {
  kind: 'item' | 'theme';
  /** The item's or the theme's id. */
  id: number;
  /** The item's code or the theme's slug. */
  key: string;
  /** In subjects and sentences: "AR-06", or "the theme “Training”". */
  label: string;
  /** Above a page's heading: "AR-06: its title", or "Theme: Training". */
  caption: string;
  /** What the updates are on: "AR-06: its title", or "any item in the theme “Training”". */
  about: string;
  /** Its public page. */
  href: string;
  /** Where to ask for emails about it. */
  followHref: string;
}

export interface FollowTarget {
  follower: FollowerRecord;
  target: Followed;
}

/** An address's preferences: what it follows (confirmed), each with how often. */
export interface Preferences {
  address: AddressRecord;
  follows: FollowTarget[];
}

/** The week a digest sent at `now` covers: the whole London week (Monday to Sunday) before. */
export function digestWeek(now: Date): { weekOf: string; from: Date; to: Date } {
  const thisMonday = mondayOf(londonDay(now));
  const weekOf = addDays(thisMonday, -7);
  return { weekOf, from: londonMidnight(weekOf), to: londonMidnight(thisMonday) };
}

function itemFollowed(item: { id: number; code: string; title: string }): Followed {
  return {
    kind: 'item',
    id: item.id,
    key: item.code,
    label: item.code,
    caption: `${item.code}: ${item.title}`,
    about: `${item.code}: ${item.title}`,
    href: `/recommendations/${item.code}`,
    followHref: `/recommendations/${item.code}/follow`,
  };
}

function themeFollowed(theme: { id: number; slug: string; name: string }): Followed {
  return {
    kind: 'theme',
    id: theme.id,
    key: theme.slug,
    label: `the theme “${theme.name}”`,
    caption: `Theme: ${theme.name}`,
    about: `any item in the theme “${theme.name}”`,
    href: `/recommendations?theme=${encodeURIComponent(theme.slug)}`,
    followHref: `/follow/theme/${encodeURIComponent(theme.slug)}`,
  };
}

const keyOf = (target: Followed): TargetKey => (target.kind === 'item' ? { itemId: target.id } : { themeId: target.id });

/** One update as an email lists it. */
function updateLines(update: PublishedUpdate) {
  return {
    organisationName: update.organisationName,
    statusLabel: STATUS_LABELS[update.status].text,
    confidenceLabel: update.confidence ? CONFIDENCE_LABELS[update.confidence].text : null,
    summary: update.summary,
    publishedOn: formatDate(londonDay(update.publishedAt)),
  };
}

export class FollowingService {
  private readonly now: () => Date;
  /** After-response work (emails after a form): the app's one bounded lane, or this service's own. */
  private readonly background: BackgroundLane;

  constructor(
    private readonly database: Database,
    private readonly options: FollowingOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.background = options.background ?? new BackgroundLane({ concurrency: 4, backlog: 500, logError: options.logError });
    options.jobs?.define<{ updateId: number }>(FOLLOW_JOBS.notify, async (data) => void (await this.sendUpdate(data.updateId)), { retryLimit: 5, retryDelaySeconds: 60 });
    options.jobs?.define(FOLLOW_JOBS.forget, async () => void (await this.forgetUnconfirmed()), { cron: '30 3 * * *' });
    options.jobs?.define(FOLLOW_JOBS.digest, async () => void (await this.sendDigests()), { cron: DIGEST_CRON, retryLimit: 5, retryDelaySeconds: 300 });
  }

  private repo(exec: Executor = this.database.db): FollowingRepository {
    return new FollowingRepository(exec);
  }

  private link(path: string): string {
    return `${(this.options.baseUrl ?? 'http://localhost:3000').replace(/\/$/, '')}${path}`;
  }

  private mailer(): Mailer {
    if (!this.options.mailer) throw new Error('No mailer: this hub cannot send email');
    return this.options.mailer;
  }

  /** The links every email to a confirmed address carries, and its one-click unsubscribe headers. */
  private addressLinks(address: AddressRecord) {
    const unsubscribeLink = this.link(`/follow/unsubscribe/${address.token}`);
    return {
      links: { preferencesLink: this.link(`/follow/preferences/${address.token}`), unsubscribeLink },
      headers: { 'List-Unsubscribe': `<${unsubscribeLink}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
  }

  /* ----- what can be followed ----- */

  /** An item that can be followed (not retired), by its code. */
  async item(code: string): Promise<Followed | undefined> {
    const item = await this.options.strategy.itemRef(code);
    return item && item.status !== 'retired' ? itemFollowed(item) : undefined;
  }

  /** One of the strategy's themes, by its slug. */
  async theme(slug: string): Promise<Followed | undefined> {
    const theme = (await this.options.strategy.catalogue()).themes.find((t) => t.slug === slug);
    return theme && themeFollowed(theme);
  }

  private async targetOf(follower: FollowerRecord): Promise<Followed | undefined> {
    if (follower.itemId !== null) {
      const item = await this.options.strategy.itemCode(follower.itemId);
      return item && itemFollowed({ id: follower.itemId, ...item });
    }
    const theme = (await this.options.strategy.catalogue()).termById.get(follower.themeId!);
    return theme && themeFollowed(theme);
  }

  private async withTarget(follower: FollowerRecord): Promise<FollowTarget | undefined> {
    const target = await this.targetOf(follower);
    return target && { follower, target };
  }

  /* ----- asking, confirming, stopping ----- */

  /**
   * Someone asks to follow an item or a theme. A new or unconfirmed address gets a
   * confirmation link; a confirmed one gets a note that it already follows (with its
   * preferences link). Either way the caller shows the same page, at once: the work runs after
   * the response, so how long the page takes says nothing about the address.
   */
  async request(actor: Actor, target: Followed, email: string): Promise<void> {
    await this.background.start(`could not handle a request to follow ${target.kind === 'item' ? 'an item' : 'a theme'}`, () => this.requestIn(actor, target, email));
  }

  /** Resolves when work started after a response (follow requests) has finished. */
  async settled(): Promise<void> {
    await this.background.settled();
  }

  private async requestIn(actor: Actor, target: Followed, email: string): Promise<void> {
    const now = this.now();
    const token = newToken();
    const outcome = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const existing = await repo.lockByTargetAndEmail(keyOf(target), email);
      if (existing?.confirmedAt) return { send: 'already' as const, follower: existing, address: await repo.ensureAddress(email, newToken()) };
      const sentToday = existing?.lastConfirmationAt && now.getTime() - existing.lastConfirmationAt.getTime() < 86_400_000 ? existing.confirmationsSent : 0;
      if (sentToday >= CONFIRMATIONS_PER_DAY) return { send: 'none' as const };
      const values = {
        confirmTokenHash: hashToken(token),
        confirmExpiresAt: new Date(now.getTime() + CONFIRM_HOURS * 3_600_000),
        confirmationsSent: sentToday + 1,
        lastConfirmationAt: now,
      };
      const follower = existing ? await repo.update(existing.id, values) : await repo.insert({ ...keyOf(target), email, stopToken: newToken(), ...values });
      await recordAudit(tx, actor, {
        action: existing ? 'follower.confirmation_resent' : 'follower.requested',
        objectType: 'item_follower',
        objectId: follower.id,
        after: { [target.kind]: target.key, emailDomain: domainOf(email) },
      });
      return { send: 'confirm' as const, follower };
    });
    if (outcome.send === 'confirm') {
      await this.mailer().send({
        to: email,
        ...renderEmail('follow-confirm', {
          already: false,
          targetLabel: target.label,
          targetAbout: target.about,
          link: this.link(`/follow/confirm/${token}`),
          expiresAt: formatDateTime(outcome.follower.confirmExpiresAt),
          preferencesLink: null,
        }),
      });
    } else if (outcome.send === 'already') {
      const { links, headers } = this.addressLinks(outcome.address);
      await this.mailer().send({
        to: email,
        ...renderEmail('follow-confirm', {
          already: true,
          targetLabel: target.label,
          targetAbout: target.about,
          link: this.link(target.href),
          expiresAt: '',
          preferencesLink: links.preferencesLink,
        }),
        headers,
      });
    }
  }

  /** The follow a confirmation link is for, while the link works. */
  async confirmation(token: string): Promise<FollowTarget | undefined> {
    const follower = await this.repo().byConfirmToken(hashToken(token), this.now());
    return follower && this.withTarget(follower);
  }

  /** Confirms a follow with how often it wants emails; returns it with its address's preferences token. */
  async confirm(actor: Actor, token: string, frequency: FollowFrequency): Promise<(FollowTarget & { addressToken: string }) | undefined> {
    const confirmed = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const found = await repo.byConfirmToken(hashToken(token), this.now());
      if (!found) return undefined;
      const follower = await repo.update(found.id, { confirmedAt: this.now(), confirmTokenHash: null, confirmExpiresAt: null, frequency });
      const address = await repo.ensureAddress(found.email, newToken());
      await recordAudit(tx, actor, { action: 'follower.confirmed', objectType: 'item_follower', objectId: found.id, after: { frequency, emailDomain: domainOf(found.email) } });
      return { follower, address };
    });
    if (!confirmed) return undefined;
    const target = await this.withTarget(confirmed.follower);
    return target && { ...target, addressToken: confirmed.address.token };
  }

  /** The follow a stop link is for; undefined once stopped (the row is gone). */
  async stopTarget(stopToken: string): Promise<FollowTarget | undefined> {
    const follower = await this.repo().byStopToken(stopToken);
    return follower && this.withTarget(follower);
  }

  /**
   * Stops one follow. The address is forgotten with its last follow; otherwise the answer
   * carries its preferences token, to manage the rest. Undefined if there was nothing to stop.
   */
  async stop(actor: Actor, stopToken: string): Promise<{ addressToken: string | null } | undefined> {
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const removed = await repo.deleteByStopToken(stopToken);
      if (!removed) return undefined;
      await repo.deleteUnusedAddresses(removed.email);
      await recordAudit(tx, actor, { action: 'follower.stopped', objectType: 'item_follower', objectId: removed.id, before: { confirmed: !!removed.confirmedAt, frequency: removed.frequency, emailDomain: domainOf(removed.email) } });
      return { addressToken: (await repo.addressOf(removed.email))?.token ?? null };
    });
  }

  /* ----- preferences ----- */

  /** What the address with this token follows; undefined for a token that names no address. */
  async preferences(token: string): Promise<Preferences | undefined> {
    const repo = this.repo();
    const address = await repo.addressByToken(token);
    if (!address) return undefined;
    const follows: FollowTarget[] = [];
    for (const follower of await repo.confirmedOf(address.email)) {
      const target = await this.withTarget(follower);
      if (target) follows.push(target);
    }
    return { address, follows };
  }

  /**
   * Changes how often the address hears about each of its follows (`choices` by follower
   * id). Follows of other addresses are ignored. Returns how many changed.
   */
  async setFrequencies(actor: Actor, token: string, choices: Map<number, FollowFrequency>): Promise<number | undefined> {
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const address = await repo.addressByToken(token);
      if (!address) return undefined;
      let changed = 0;
      for (const frequency of ['each', 'weekly'] as const) {
        const ids = [...choices].filter(([, f]) => f === frequency).map(([id]) => id);
        for (const row of await repo.setFrequency(address.email, ids, frequency)) {
          await recordAudit(tx, actor, { action: 'follower.frequency_changed', objectType: 'item_follower', objectId: row.id, before: { frequency: frequency === 'each' ? 'weekly' : 'each' }, after: { frequency } });
          changed++;
        }
      }
      return changed;
    });
  }

  /**
   * Unsubscribes an address from everything: every follow and the address itself are
   * deleted, so nothing more is sent to it. Undefined if the token names no address.
   */
  async unsubscribe(actor: Actor, token: string): Promise<{ stopped: number } | undefined> {
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const address = await repo.addressByToken(token);
      if (!address) return undefined;
      const removed = await repo.deleteAllOf(address.email);
      await repo.deleteUnusedAddresses(address.email);
      await recordAudit(tx, actor, { action: 'follower.unsubscribed', objectType: 'follow_address', objectId: address.id, before: { follows: removed.length, emailDomain: domainOf(address.email) } });
      return { stopped: removed.length };
    });
  }

  /* ----- an email for each update ----- */

  /**
   * Told by progress of each publish: the emails to the item's followers are a job queued in
   * the publish's own transaction, so they go if and only if the update is published, and the
   * job survives restarts (ADR 0026).
   */
  readonly publishListener: PublishListener = {
    prepare: async () => this.options.jobs?.ready(),
    published: async (tx, updateId) => void (await this.options.jobs?.send(FOLLOW_JOBS.notify, { updateId }, { singletonKey: `update-${updateId}`, transaction: tx })),
  };

  /**
   * Emails every address that follows the update's item, or one of its themes, for each
   * update and has not had this one: one email per address, however many of its follows the
   * update concerns. Each email is recorded as it goes, so a retry after a failure carries on
   * where it stopped. Addresses that chose the weekly digest hear of it there instead.
   */
  async sendUpdate(updateId: number): Promise<number> {
    const update = await this.options.progress.publishedUpdate(updateId);
    if (!update) return 0;
    const themes = (await this.options.strategy.getItem(update.item.code))?.themes ?? [];
    const byEmail = new Map<string, FollowerRecord[]>();
    for (const follower of await this.repo().waitingFor(update.item.id, themes.map((t) => t.id), updateId)) {
      byEmail.set(follower.email, [...(byEmail.get(follower.email) ?? []), follower]);
    }
    const item = itemFollowed(update.item);
    let sent = 0;
    for (const [email, followers] of byEmail) {
      const address = await this.repo().ensureAddress(email, newToken());
      const { links, headers } = this.addressLinks(address);
      const because = followers.map((f) => (f.itemId !== null ? item.label : themeFollowed(themes.find((t) => t.id === f.themeId)!).label));
      await this.mailer().send({
        to: email,
        ...renderEmail('follow-update', {
          itemCode: update.item.code,
          itemTitle: update.item.title,
          ...updateLines(update),
          itemLink: this.link(item.href),
          because,
          ...links,
        }),
        headers,
      });
      await this.repo().recordSent(
        followers.map((f) => f.id),
        updateId,
      );
      sent++;
    }
    if (sent) {
      await this.database.db.transaction(async (tx) =>
        recordAudit(tx, systemActor, { action: 'follower.notified', objectType: 'progress_update', objectId: updateId, after: { item: update.item.code, emails: sent } }),
      );
    }
    return sent;
  }

  /* ----- the weekly digest ----- */

  /**
   * Sends each address that chose the weekly digest one email listing the verified updates
   * published in the London week (Monday to Sunday) before `now`, on what it follows, grouped
   * by item. No email when nothing changed for the address. Each (address, week) is claimed
   * before its email is sent, so a retried or doubled run sends nothing twice; a claim is given
   * back only when the mailer reports the email was not sent (decision 0027).
   */
  async sendDigests(now: Date = this.now()): Promise<{ weekOf: string; sent: number }> {
    const week = digestWeek(now);
    const follows = await this.repo().confirmedWeekly();
    const updates = follows.length ? await this.options.progress.publishedBetween(week.from, week.to) : [];
    if (!updates.length) return { weekOf: week.weekOf, sent: 0 };

    const termsOf = new Map((await this.options.strategy.itemFacts()).map((f) => [f.id, new Set(f.termIds)]));
    const byEmail = new Map<string, FollowerRecord[]>();
    for (const follow of follows) byEmail.set(follow.email, [...(byEmail.get(follow.email) ?? []), follow]);

    let sent = 0;
    const failures: unknown[] = [];
    for (const [email, followed] of byEmail) {
      const concerns = (u: PublishedUpdate) => followed.some((f) => f.itemId === u.item.id || (f.themeId !== null && termsOf.get(u.item.id)?.has(f.themeId)));
      const relevant = updates.filter(concerns);
      // Updates it already had one by one (it chose the digest during the week) are not repeated.
      const told = await this.repo().notifiedOf(email, relevant.map((u) => u.id));
      const listed = relevant.filter((u) => !told.has(u.id));
      if (!listed.length) continue;

      const address = await this.repo().ensureAddress(email, newToken());
      if (!(await this.repo().claimDigest(address.id, week.weekOf, listed.length))) continue;
      const groups = new Map<string, { code: string; title: string; link: string; updates: ReturnType<typeof updateLines>[] }>();
      for (const u of listed) {
        const group = groups.get(u.item.code) ?? { code: u.item.code, title: u.item.title, link: this.link(`/recommendations/${u.item.code}`), updates: [] };
        group.updates.push(updateLines(u));
        groups.set(u.item.code, group);
      }
      const labels: string[] = [];
      for (const f of followed) {
        const target = await this.targetOf(f);
        if (target) labels.push(target.label);
      }
      const { links, headers } = this.addressLinks(address);
      try {
        await this.mailer().send({
          to: email,
          ...renderEmail('follow-digest', {
            weekBeginning: formatDate(week.weekOf),
            weekEnding: formatDate(addDays(week.weekOf, 6)),
            count: listed.length,
            items: [...groups.values()].sort((a, b) => a.code.localeCompare(b.code)),
            follows: labels,
            ...links,
          }),
          headers,
        });
        sent++;
      } catch (error) {
        await this.repo().releaseDigest(address.id, week.weekOf);
        failures.push(error);
      }
    }
    if (sent) {
      await this.database.db.transaction(async (tx) =>
        recordAudit(tx, systemActor, { action: 'follower.digest_sent', objectType: 'follow_digest', objectId: week.weekOf, after: { weekOf: week.weekOf, emails: sent, updates: updates.length } }),
      );
    }
    // The job is retried; claimed addresses are skipped, the ones that failed are tried again.
    if (failures.length) throw new Error(`${failures.length} weekly digest email(s) could not be sent`, { cause: failures[0] });
    return { weekOf: week.weekOf, sent };
  }

  /** Confirmation links not used in time are forgotten with their addresses. */
  async forgetUnconfirmed(): Promise<number> {
    const forgotten = await this.repo().deleteUnconfirmedBefore(this.now());
    await this.repo().deleteUnusedAddresses();
    return forgotten;
  }
}
