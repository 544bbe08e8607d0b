// People and their access: the first administrator's set-up link, signing in and out with
// server-side sessions, lockout after repeated failures, and managing roles. Every change is
// one transaction with an audit event.
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser, Role } from '../../platform/auth/roles.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../platform/auth/secrets.ts';
import { InputError } from '../../platform/http/validation.ts';
import { AccountsRepository, type UserListRow, type UserQuery, type UserRecord } from './repository.ts';
import type { UserStatus } from './schema.ts';

export const SESSION_IDLE_MINUTES = 120;
export const LINK_HOURS = 72;
export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;
/** Sessions are refreshed at most this often, so reading a page is not a write every time. */
const TOUCH_AFTER_MS = 60_000;

export class ForbiddenError extends Error {
  constructor(message = 'You do not have permission to do that') {
    super(message);
  }
}

/** Someone else saved first; the form is shown again with what was typed and this message. */
export class ConflictError extends Error {}

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
  constructor(private readonly database: Database) {}

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

  /* ----- managing people ----- */

  async listUsers(viewer: CurrentUser, query: UserQuery, page: number, perPage: number): Promise<{ rows: UserListRow[]; total: number; pages: number }> {
    if (!can(viewer, 'users.list')) throw new ForbiddenError();
    const { rows, total } = await this.repo().listUsers(query, perPage, (page - 1) * perPage);
    return { rows, total, pages: Math.max(1, Math.ceil(total / perPage)) };
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
