// People and their access: the first administrator's set-up link, invitations, password
// resets, signing in and out with server-side sessions, lockout after repeated failures, and
// managing roles. Every change is one transaction with an audit event; email goes out after
// the transaction commits.
import { BackgroundLane } from '../../platform/background.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser, Role } from '../../platform/auth/roles.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../platform/auth/secrets.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { renderEmail } from '../../platform/mail/templates.ts';
import { formatDateTime } from '../../platform/http/views.ts';
import { ROLE_LABELS } from '../../platform/auth/roles.ts';
import { AccountsRepository, type UserListRow, type UserQuery, type UserRecord } from './repository.ts';
import type { UserStatus } from './schema.ts';

export const SESSION_IDLE_MINUTES = 120;
export const LINK_HOURS = 72;
/** Reset links are short-lived: they arrive unasked-for, in a mailbox that may be shared. */
export const RESET_MINUTES = 60;
/** Reset emails per account per hour; more requests are answered the same way but send nothing. */
export const RESETS_PER_HOUR = 3;
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
/** Sessions are refreshed at most this often, so reading a page is not a write every time. */
const TOUCH_AFTER_MS = 60_000;

/** The change is saved but its email could not be sent; the person can try sending it again. */
export class MailNotSentError extends Error {
  constructor(readonly user: UserRecord, cause: unknown) {
    super(`The invitation to ${user.email} is saved, but the email could not be sent. Try sending it again.`, { cause });
  }
}

export interface AccountsOptions {
  mailer?: Mailer | undefined;
  /** The site's address, for links in emails. */
  baseUrl?: string;
  /** Where work done after a response (reset emails) reports its errors. */
  logError?: (error: unknown, message: string) => void;
  background?: BackgroundLane | undefined;
}

export interface Invitation {
  email: string;
  name: string;
  role: Role;
  organisation: { id: number; name: string } | null;
}

export type SignInResult =
  | { outcome: 'signed-in'; user: CurrentUser; sessionToken: string }
  | { outcome: 'invalid' }
  | { outcome: 'locked'; minutes: number };

export interface SessionMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export function currentUser(u: UserRecord): CurrentUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role, organisationId: u.organisationId };
}

function snapshot(u: UserRecord) {
  return { email: u.email, name: u.name, role: u.role, organisationId: u.organisationId, status: u.status };
}

export class AccountsService {
  /** After-response work (emails after a form): the app's one bounded lane, or this service's own. */
  private readonly background: BackgroundLane;

  constructor(
    private readonly database: Database,
    private readonly options: AccountsOptions = {},
  ) {
    this.background = options.background ?? new BackgroundLane({ concurrency: 4, backlog: 500, logError: options.logError });
  }

  /** Resolves when work started after a response (reset emails) has finished. */
  async settled(): Promise<void> {
    await this.background.settled();
  }

  private inBackground(message: string, work: () => Promise<void>): Promise<void> {
    return this.background.start(message, work);
  }

  private async sendMail(to: string, email: { subject: string; text: string; html: string }): Promise<void> {
    if (!this.options.mailer) throw new Error('No mailer: this hub cannot send email');
    await this.options.mailer.send({ to, ...email });
  }

  private link(path: string): string {
    return `${(this.options.baseUrl ?? 'http://localhost:3000').replace(/\/$/, '')}${path}`;
  }

  private repo(exec: Executor = this.database.db): AccountsRepository {
    return new AccountsRepository(exec);
  }

  async hasUsers(): Promise<boolean> {
    return (await this.repo().countUsers()) > 0;
  }

  /**
   * A one-time link (valid for 72 hours) to create the first administrator. Only while nobody
   * has an account; `email` pre-creates that administrator (the CLI's create-admin).
   */
  async createSetupLink(actor: Actor, email?: string): Promise<{ token: string; expiresAt: Date } | undefined> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + LINK_HOURS * 3_600_000);
    const created = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      if ((await repo.countUsers()) > 0 && !email) return false;
      let userId: number | null = null;
      if (email) {
        const existing = await repo.userByEmail(email);
        if (existing && existing.passwordHash) throw new InputError([{ field: 'email', message: `${email} already has an account` }]);
        const user = existing ?? (await repo.insertUser({ email, name: email.split('@')[0]!, role: 'administrator', organisationId: null }));
        if (existing && existing.role !== 'administrator') throw new InputError([{ field: 'email', message: `${email} already has an account with another role` }]);
        userId = user.id;
        if (!existing) await recordAudit(tx, actor, { action: 'user.created', objectType: 'user', objectId: user.id, after: snapshot(user) });
      }
      await repo.insertToken({ tokenHash: hashToken(token), purpose: 'setup', userId, expiresAt });
      await recordAudit(tx, actor, { action: 'setup_link.created', objectType: 'user', objectId: userId ?? 'first-administrator', after: { expiresAt } });
      return true;
    });
    return created ? { token, expiresAt } : undefined;
  }

  /** Whether a set-up link can still be used, and for which pre-created account if any. */
  async setupLink(token: string): Promise<{ email: string | null } | undefined> {
    const repo = this.repo();
    const link = await repo.usableToken(hashToken(token), 'setup');
    if (!link) return undefined;
    if (link.userId === null) return (await repo.countUsers()) === 0 ? { email: null } : undefined;
    const user = await repo.userById(link.userId);
    return user && !user.passwordHash ? { email: user.email } : undefined;
  }

  async completeSetup(token: string, input: { name: string; email: string; password: string }, meta: SessionMeta & { requestId?: string }): Promise<{ user: CurrentUser; sessionToken: string }> {
    const passwordHash = await hashPassword(input.password);
    const user = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const link = await repo.usableToken(hashToken(token), 'setup');
      if (!link || !(await repo.useToken(link.id))) throw new ForbiddenError('This set-up link has been used or has expired');
      const actor: Actor = { type: 'user', label: input.email, requestId: meta.requestId, ip: meta.ip };
      if (link.userId !== null) {
        const existing = await repo.userById(link.userId);
        if (!existing || existing.passwordHash) throw new ForbiddenError('This set-up link has been used or has expired');
        const updated = (await repo.updateUser(existing.id, existing.version, { name: input.name, passwordHash }))!;
        await recordAudit(tx, { ...actor, id: String(updated.id) }, { action: 'user.password_set', objectType: 'user', objectId: updated.id, before: snapshot(existing), after: snapshot(updated) });
        return updated;
      }
      if ((await repo.countUsers()) > 0) throw new ForbiddenError('An administrator has already been set up');
      const created = await repo.insertUser({ email: input.email, name: input.name, passwordHash, role: 'administrator', organisationId: null });
      await recordAudit(tx, { ...actor, id: String(created.id) }, { action: 'user.created', objectType: 'user', objectId: created.id, after: snapshot(created) });
      return created;
    });
    const sessionToken = await this.startSession(user, meta);
    return { user: currentUser(user), sessionToken };
  }

  /**
   * Signs in by email and password. Unknown emails and wrong passwords get the same answer
   * and take the same time; five failures in a row lock that email for 15 minutes, whether
   * or not it has an account.
   */
  async signIn(email: string, password: string, meta: SessionMeta & { requestId?: string }): Promise<SignInResult> {
    const repo = this.repo();
    const throttle = await repo.throttle(email);
    if (throttle?.lockedUntil && throttle.lockedUntil > new Date()) {
      return { outcome: 'locked', minutes: Math.ceil((throttle.lockedUntil.getTime() - Date.now()) / 60_000) };
    }
    const user = await repo.userByEmail(email);
    const usable = user && user.status === 'active' ? user : undefined;
    const ok = await verifyPassword(usable?.passwordHash ?? null, password);
    const actor: Actor = { type: 'user', id: user ? String(user.id) : undefined, label: email, requestId: meta.requestId, ip: meta.ip };
    if (!ok || !usable) {
      const result = await this.database.db.transaction(async (tx) => {
        const failure = await this.repo(tx).recordFailure(email, MAX_FAILURES, LOCK_MINUTES);
        await recordAudit(tx, actor, {
          action: failure.lockedUntil ? 'sign_in.locked' : 'sign_in.failed',
          objectType: 'sign_in',
          objectId: email,
          after: { failures: failure.failures, lockedUntil: failure.lockedUntil },
        });
        return failure;
      });
      return result.lockedUntil ? { outcome: 'locked', minutes: LOCK_MINUTES } : { outcome: 'invalid' };
    }
    const sessionToken = await this.startSession(usable, meta, actor);
    return { outcome: 'signed-in', user: currentUser(usable), sessionToken };
  }

  /** A new session (a new token each time: sign-in rotates it). */
  private async startSession(user: UserRecord, meta: SessionMeta & { requestId?: string }, actor?: Actor): Promise<string> {
    const token = newToken();
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      await repo.deleteExpiredSessions();
      await repo.insertSession({
        id: hashToken(token),
        userId: user.id,
        expiresAt: new Date(Date.now() + SESSION_IDLE_MINUTES * 60_000),
        ip: meta.ip ?? null,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
      });
      await repo.clearThrottle(user.email);
      await repo.recordSignIn(user.id);
      await recordAudit(tx, actor ?? { type: 'user', id: String(user.id), label: user.email, requestId: meta.requestId, ip: meta.ip }, {
        action: 'sign_in.succeeded',
        objectType: 'user',
        objectId: user.id,
      });
    });
    return token;
  }

  /** The person a session cookie belongs to, or null; keeps an active session alive. */
  async sessionUser(token: string): Promise<CurrentUser | null> {
    const id = hashToken(token);
    const found = await this.repo().sessionWithUser(id);
    if (!found || found.user.status !== 'active') return null;
    if (Date.now() - found.session.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
      await this.repo().touchSession(id, new Date(Date.now() + SESSION_IDLE_MINUTES * 60_000));
    }
    return currentUser(found.user);
  }

  async signOut(token: string, actor: Actor): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      await this.repo(tx).deleteSession(hashToken(token));
      await recordAudit(tx, actor, { action: 'sign_out', objectType: 'user', objectId: actor.id ?? 'unknown' });
    });
  }

  /* ----- invitations ----- */

  /**
   * Invites someone by email: creates their account without a password (or updates an
   * invitation not yet accepted) and emails a single-use link, valid for 72 hours, to set one.
   * Earlier links for the same person stop working.
   */
  async invite(actor: Actor, viewer: CurrentUser, invitation: Invitation): Promise<UserRecord> {
    if (!can(viewer, 'users.invite')) throw new ForbiddenError();
    if (invitation.role === 'administrator' && viewer.role !== 'administrator') throw new ForbiddenError('Only an administrator can invite an administrator');
    if (invitation.role === 'organisation_reporter' && !invitation.organisation) {
      throw new InputError([{ field: 'organisation', message: 'Select the organisation this reporter reports for' }]);
    }
    const token = newToken();
    const user = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const existing = await repo.userByEmail(invitation.email);
      if (existing?.passwordHash) throw new InputError([{ field: 'email', message: `${invitation.email} already has an account` }]);
      if (existing?.status === 'deactivated') throw new InputError([{ field: 'email', message: `${invitation.email} has a deactivated account. Reactivate it from their page instead.` }]);
      const values = { name: invitation.name, role: invitation.role, organisationId: invitation.organisation?.id ?? null };
      const user = existing ? await repo.updateUser(existing.id, existing.version, values) : await repo.insertUser({ email: invitation.email, ...values });
      if (!user) throw new ConflictError(`${invitation.email}’s invitation was changed by someone else. Try again.`);
      await this.issueLink(tx, user, 'invite', token, viewer);
      await recordAudit(tx, actor, { action: existing ? 'user.reinvited' : 'user.invited', objectType: 'user', objectId: user.id, before: existing ? snapshot(existing) : undefined, after: snapshot(user) });
      return user;
    });
    await this.sendInvite(user, token, viewer, invitation.organisation?.name ?? null);
    return user;
  }

  /** A new invitation link for someone who has not accepted yet; the old one stops working. */
  async resendInvite(actor: Actor, viewer: CurrentUser, id: number, organisationName: string | null): Promise<UserRecord> {
    if (!can(viewer, 'users.invite')) throw new ForbiddenError();
    const token = newToken();
    const user = await this.database.db.transaction(async (tx) => {
      const user = await this.repo(tx).userById(id);
      if (!user) throw new InputError([{ field: 'id', message: 'No such person' }]);
      if (user.passwordHash || user.status !== 'active') throw new InputError([{ field: 'email', message: `${user.name} has already accepted their invitation or is deactivated` }]);
      if (user.role === 'administrator' && viewer.role !== 'administrator') throw new ForbiddenError('Only an administrator can invite an administrator');
      await this.issueLink(tx, user, 'invite', token, viewer);
      await recordAudit(tx, actor, { action: 'user.invite_resent', objectType: 'user', objectId: user.id });
      return user;
    });
    await this.sendInvite(user, token, viewer, organisationName);
    return user;
  }

  private async issueLink(tx: Executor, user: UserRecord, purpose: 'invite' | 'reset', token: string, creator?: CurrentUser): Promise<Date> {
    const repo = this.repo(tx);
    const expiresAt = new Date(Date.now() + (purpose === 'invite' ? LINK_HOURS * 3_600_000 : RESET_MINUTES * 60_000));
    await repo.retireTokens(user.id, purpose);
    await repo.insertToken({ tokenHash: hashToken(token), purpose, userId: user.id, createdBy: creator?.id ?? null, expiresAt });
    return expiresAt;
  }

  private async sendInvite(user: UserRecord, token: string, inviter: CurrentUser, organisationName: string | null): Promise<void> {
    const email = renderEmail('invite', {
      name: user.name,
      inviterName: inviter.name,
      roleLabel: ROLE_LABELS[user.role].text,
      organisationName,
      link: this.link(`/invite/${token}`),
      expiresAt: formatDateTime(new Date(Date.now() + LINK_HOURS * 3_600_000)),
    });
    try {
      await this.sendMail(user.email, email);
    } catch (error) {
      throw new MailNotSentError(user, error);
    }
  }

  /** Who an invitation link is for, while it can still be used. */
  async invitation(token: string): Promise<{ email: string; name: string } | undefined> {
    const user = await this.linkedUser(token, 'invite');
    return user && !user.passwordHash ? { email: user.email, name: user.name } : undefined;
  }

  /** The active person a usable link of this kind belongs to. */
  private async linkedUser(token: string, purpose: 'invite' | 'reset'): Promise<UserRecord | undefined> {
    const repo = this.repo();
    const link = await repo.usableToken(hashToken(token), purpose);
    if (!link?.userId) return undefined;
    const user = await repo.userById(link.userId);
    return user?.status === 'active' ? user : undefined;
  }

  /** Accepts an invitation: sets the name and password, uses up the link, and signs in. */
  async acceptInvite(token: string, input: { name: string; password: string }, meta: SessionMeta & { requestId?: string }): Promise<{ user: CurrentUser; sessionToken: string }> {
    return this.setPasswordByLink(token, 'invite', input.password, meta, input.name);
  }

  /* ----- password reset ----- */

  /**
   * Asks for a reset link. Answers at once and the same way whether or not the email has an
   * account: the lookup and the email happen after the response, so neither the words nor
   * the time taken say who has an account.
   */
  async requestPasswordReset(email: string, meta: SessionMeta & { requestId?: string }): Promise<void> {
    await this.inBackground('password reset email failed', async () => {
      const token = newToken();
      const sent = await this.database.db.transaction(async (tx) => {
        const repo = this.repo(tx);
        // Locked: requests at the same moment take turns, so the hourly limit holds.
        const user = await repo.lockUserByEmail(email);
        if (!user || user.status !== 'active') return undefined;
        if ((await repo.tokensSince(user.id, 'reset', new Date(Date.now() - 3_600_000))) >= RESETS_PER_HOUR) return undefined;
        const expiresAt = await this.issueLink(tx, user, 'reset', token);
        await recordAudit(tx, { type: 'user', label: email, requestId: meta.requestId, ip: meta.ip }, { action: 'password_reset.requested', objectType: 'user', objectId: user.id, after: { expiresAt } });
        return { user, expiresAt };
      });
      if (!sent) return;
      await this.sendMail(
        sent.user.email,
        renderEmail('password-reset', { name: sent.user.name, link: this.link(`/password-reset/${token}`), expiresAt: formatDateTime(sent.expiresAt) }),
      );
    });
  }

  /** Whose password a reset link changes, while it can still be used. */
  async resetLink(token: string): Promise<{ email: string } | undefined> {
    const user = await this.linkedUser(token, 'reset');
    return user ? { email: user.email } : undefined;
  }

  /** Sets a new password from a reset link, signs the person out everywhere else, and signs in. */
  async completeReset(token: string, password: string, meta: SessionMeta & { requestId?: string }): Promise<{ user: CurrentUser; sessionToken: string }> {
    return this.setPasswordByLink(token, 'reset', password, meta);
  }

  private async setPasswordByLink(token: string, purpose: 'invite' | 'reset', password: string, meta: SessionMeta & { requestId?: string }, name?: string): Promise<{ user: CurrentUser; sessionToken: string }> {
    const passwordHash = await hashPassword(password);
    const expired = new ForbiddenError(purpose === 'invite' ? 'This invitation link has been used or has expired' : 'This password reset link has been used or has expired');
    const user = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const link = await repo.usableToken(hashToken(token), purpose);
      if (!link?.userId || !(await repo.useToken(link.id))) throw expired;
      const existing = await repo.userById(link.userId);
      if (!existing || existing.status !== 'active' || (purpose === 'invite' && existing.passwordHash)) throw expired;
      const updated = await repo.updateUser(existing.id, existing.version, { passwordHash, ...(name ? { name } : {}) });
      if (!updated) throw expired;
      await repo.deleteSessionsOf(updated.id);
      await repo.clearThrottle(updated.email);
      const actor: Actor = { type: 'user', id: String(updated.id), label: updated.email, organisationId: updated.organisationId ?? undefined, requestId: meta.requestId, ip: meta.ip };
      await recordAudit(tx, actor, { action: purpose === 'invite' ? 'user.invite_accepted' : 'user.password_reset', objectType: 'user', objectId: updated.id, before: snapshot(existing), after: snapshot(updated) });
      return updated;
    });
    const sessionToken = await this.startSession(user, meta);
    return { user: currentUser(user), sessionToken };
  }

  /* ----- managing people ----- */

  async listUsers(viewer: CurrentUser, query: UserQuery, page: number, perPage: number): Promise<{ rows: UserListRow[]; total: number; pages: number }> {
    if (!can(viewer, 'users.list')) throw new ForbiddenError();
    const { rows, total } = await this.repo().listUsers(query, perPage, (page - 1) * perPage);
    return { rows, total, pages: Math.max(1, Math.ceil(total / perPage)) };
  }

  /** The active people of one organisation, for those who may see that organisation. */
  async organisationPeople(viewer: CurrentUser, organisationId: number): Promise<UserListRow[]> {
    if (!can(viewer, 'organisation.view', { organisationId })) throw new ForbiddenError();
    return (await this.repo().listUsers({ organisationId, status: 'active' }, 500, 0)).rows;
  }

  /** Who reporting reminders go to: an organisation's active reporters (the system asks, not a person). */
  async reportersOf(organisationId: number): Promise<{ name: string; email: string }[]> {
    return this.repo().reportersOf(organisationId);
  }

  /** How many reporters each organisation has (for the compliance view). */
  async reporterCounts(): Promise<Map<number, number>> {
    return this.repo().reporterCounts();
  }

  async getUser(viewer: CurrentUser, id: number): Promise<UserRecord | undefined> {
    if (!can(viewer, 'users.list')) throw new ForbiddenError();
    return this.repo().userById(id);
  }

  /**
   * Changes a person's role and organisation. Only administrators grant or change the
   * administrator role; reporters must have an organisation; nobody demotes themselves.
   */
  async updateUser(actor: Actor, viewer: CurrentUser, id: number, change: { role: Role; organisationId: number | null; version: number }): Promise<UserRecord> {
    return this.changeUser(actor, viewer, id, change.version, 'user.updated', (user) => {
      const touchesAdmin = user.role === 'administrator' || change.role === 'administrator';
      if (touchesAdmin && viewer.role !== 'administrator') throw new ForbiddenError('Only an administrator can give or change the administrator role');
      if (user.id === viewer.id && change.role !== user.role) throw new InputError([{ field: 'role', message: 'You cannot change your own role' }]);
      if (change.role === 'organisation_reporter' && change.organisationId === null) {
        throw new InputError([{ field: 'organisation', message: 'Select the organisation this reporter reports for' }]);
      }
      return { role: change.role, organisationId: change.organisationId };
    });
  }

  async setStatus(actor: Actor, viewer: CurrentUser, id: number, status: UserStatus, version: number): Promise<UserRecord> {
    return this.changeUser(actor, viewer, id, version, status === 'active' ? 'user.reactivated' : 'user.deactivated', (user) => {
      if (user.id === viewer.id) throw new InputError([{ field: 'status', message: 'You cannot deactivate your own account' }]);
      if (user.role === 'administrator' && viewer.role !== 'administrator') throw new ForbiddenError('Only an administrator can deactivate an administrator');
      return { status };
    });
  }

  private async changeUser(
    actor: Actor,
    viewer: CurrentUser,
    id: number,
    version: number,
    action: string,
    decide: (user: UserRecord) => Partial<Pick<UserRecord, 'role' | 'organisationId' | 'status'>>,
  ): Promise<UserRecord> {
    if (!can(viewer, 'users.manage')) throw new ForbiddenError();
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const user = await repo.userById(id);
      if (!user) throw new InputError([{ field: 'id', message: 'No such person' }]);
      const values = decide(user);
      const updated = await repo.updateUser(id, version, values);
      if (!updated) throw new ConflictError(`${user.name}’s account was changed by someone else while you were editing it. Check the details below and try again.`);
      // A deactivated person is signed out everywhere at once.
      if (values.status === 'deactivated') await repo.deleteSessionsOf(id);
      await recordAudit(tx, actor, { action, objectType: 'user', objectId: id, before: snapshot(user), after: snapshot(updated) });
      return updated;
    });
  }
}
