// Following an item by email. Asking sends a confirmation link (double opt-in); nothing else is
// sent until it is used, and the page never says whether the address was known. When the
// strategy team publishes a verified update, a job emails the item's confirmed followers, each
// once per update, with a link that stops the emails at once (also by RFC 8058 one-click).
import { hashToken, newToken } from '../../platform/auth/secrets.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import { formatDate, formatDateTime } from '../../platform/http/views.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { renderEmail } from '../../platform/mail/templates.ts';
import { CONFIDENCE_LABELS } from '../progress/labels.ts';
import type { ProgressService, PublishListener } from '../progress/service.ts';
import { STATUS_LABELS } from '../strategy/labels.ts';
import type { StrategyService } from '../strategy/service.ts';
import { FollowingRepository, type FollowerRecord } from './repository.ts';

/** How long a confirmation link works. */
export const CONFIRM_HOURS = 72;
/** Confirmation emails per address and item in a day: enough for a lost email, too few to pester. */
export const CONFIRMATIONS_PER_DAY = 3;

export const FOLLOW_JOBS = { notify: 'following.notify-update', forget: 'following.forget-unconfirmed' } as const;

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
}

export interface FollowTarget {
  follower: FollowerRecord;
  item: { code: string; title: string };
}

export class FollowingService {
  private readonly now: () => Date;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly database: Database,
    private readonly options: FollowingOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    options.jobs?.define<{ updateId: number }>(FOLLOW_JOBS.notify, async (data) => void (await this.sendUpdate(data.updateId)), { retryLimit: 5, retryDelaySeconds: 60 });
    options.jobs?.define(FOLLOW_JOBS.forget, async () => void (await this.forgetUnconfirmed()), { cron: '30 3 * * *' });
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

  /**
   * Someone asks to follow an item. A new or unconfirmed address gets a confirmation link; a
   * confirmed one gets a note that it already follows (with the stop link). Either way the
   * caller shows the same page. Returns false only if the item does not exist.
   */
  async request(actor: Actor, code: string, email: string): Promise<boolean> {
    const item = await this.options.strategy.itemRef(code);
    if (!item || item.status === 'retired') return false;
    // The rest runs after the response, so how long the page takes says nothing about the address.
    const task: Promise<void> = this.requestIn(actor, item, email)
      .catch((error: unknown) => this.options.logError?.(error, 'could not handle a request to follow an item'))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
    return true;
  }

  /** Resolves when work started after a response (follow requests) has finished. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async requestIn(actor: Actor, item: { id: number; code: string; title: string }, email: string): Promise<void> {
    const now = this.now();
    const token = newToken();
    const outcome = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const existing = await repo.lockByItemAndEmail(item.id, email);
      if (existing?.confirmedAt) return { send: 'already' as const, follower: existing };
      const sentToday = existing?.lastConfirmationAt && now.getTime() - existing.lastConfirmationAt.getTime() < 86_400_000 ? existing.confirmationsSent : 0;
      if (sentToday >= CONFIRMATIONS_PER_DAY) return { send: 'none' as const, follower: existing };
      const values = {
        confirmTokenHash: hashToken(token),
        confirmExpiresAt: new Date(now.getTime() + CONFIRM_HOURS * 3_600_000),
        confirmationsSent: sentToday + 1,
        lastConfirmationAt: now,
      };
      const follower = existing ? await repo.update(existing.id, values) : await repo.insert({ itemId: item.id, email, stopToken: newToken(), ...values });
      await recordAudit(tx, actor, {
        action: existing ? 'follower.confirmation_resent' : 'follower.requested',
        objectType: 'item_follower',
        objectId: follower.id,
        after: { item: item.code, emailDomain: domainOf(email) },
      });
      return { send: 'confirm' as const, follower };
    });
    if (outcome.send === 'confirm') {
      await this.mailer().send({
        to: email,
        ...renderEmail('follow-confirm', {
          already: false,
          itemCode: item.code,
          itemTitle: item.title,
          link: this.link(`/follow/confirm/${token}`),
          expiresAt: formatDateTime(outcome.follower.confirmExpiresAt),
          stopLink: null,
        }),
      });
    } else if (outcome.send === 'already') {
      await this.mailer().send({
        to: email,
        ...renderEmail('follow-confirm', {
          already: true,
          itemCode: item.code,
          itemTitle: item.title,
          link: this.link(`/recommendations/${item.code}`),
          expiresAt: '',
          stopLink: this.link(`/follow/stop/${outcome.follower.stopToken}`),
        }),
      });
    }
  }

  /** The follow a confirmation link is for, while the link works. */
  async confirmation(token: string): Promise<FollowTarget | undefined> {
    const follower = await this.repo().byConfirmToken(hashToken(token), this.now());
    return follower && this.withItem(follower);
  }

  async confirm(actor: Actor, token: string): Promise<FollowTarget | undefined> {
    const follower = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const found = await repo.byConfirmToken(hashToken(token), this.now());
      if (!found) return undefined;
      const confirmed = await repo.update(found.id, { confirmedAt: this.now(), confirmTokenHash: null, confirmExpiresAt: null });
      await recordAudit(tx, actor, { action: 'follower.confirmed', objectType: 'item_follower', objectId: found.id, after: { emailDomain: domainOf(found.email) } });
      return confirmed;
    });
    return follower && this.withItem(follower);
  }

  /** The follow a stop link is for; undefined once stopped (the row is gone). */
  async stopTarget(stopToken: string): Promise<FollowTarget | undefined> {
    const follower = await this.repo().byStopToken(stopToken);
    return follower && this.withItem(follower);
  }

  /** Stops the emails and forgets the address. True if there was something to stop. */
  async stop(actor: Actor, stopToken: string): Promise<boolean> {
    return this.database.db.transaction(async (tx) => {
      const removed = await this.repo(tx).deleteByStopToken(stopToken);
      if (!removed) return false;
      await recordAudit(tx, actor, { action: 'follower.stopped', objectType: 'item_follower', objectId: removed.id, before: { confirmed: !!removed.confirmedAt, emailDomain: domainOf(removed.email) } });
      return true;
    });
  }

  private async withItem(follower: FollowerRecord): Promise<FollowTarget | undefined> {
    const item = await this.options.strategy.itemCode(follower.itemId);
    return item && { follower, item };
  }

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
   * Emails every confirmed follower of the update's item who has not had this update. Each
   * email is recorded as it goes, so a retry after a failure carries on where it stopped.
   */
  async sendUpdate(updateId: number): Promise<number> {
    const update = await this.options.progress.publishedUpdate(updateId);
    if (!update) return 0;
    let sent = 0;
    for (const follower of await this.repo().waitingFor(update.item.id, updateId)) {
      await this.mailer().send({
        to: follower.email,
        ...renderEmail('follow-update', {
          itemCode: update.item.code,
          itemTitle: update.item.title,
          organisationName: update.organisationName,
          statusLabel: STATUS_LABELS[update.status].text,
          confidenceLabel: update.confidence ? CONFIDENCE_LABELS[update.confidence].text : null,
          summary: update.summary,
          publishedOn: formatDate(update.publishedAt),
          itemLink: this.link(`/recommendations/${update.item.code}`),
          unsubscribeLink: this.link(`/follow/stop/${follower.stopToken}`),
        }),
        headers: {
          'List-Unsubscribe': `<${this.link(`/follow/stop/${follower.stopToken}`)}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
      await this.repo().recordSent(follower.id, updateId);
      sent++;
    }
    if (sent) {
      await this.database.db.transaction(async (tx) =>
        recordAudit(tx, systemActor, { action: 'follower.notified', objectType: 'progress_update', objectId: updateId, after: { item: update.item.code, emails: sent } }),
      );
    }
    return sent;
  }

  /** Confirmation links not used in time are forgotten with their addresses. */
  async forgetUnconfirmed(): Promise<number> {
    return this.repo().deleteUnconfirmedBefore(this.now());
  }
}
