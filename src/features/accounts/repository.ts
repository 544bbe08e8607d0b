// SQL for people, sessions, one-time links and sign-in throttling.
import { and, asc, count, desc, eq, getTableColumns, gt, ilike, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { Role } from '../../platform/auth/roles.ts';
import { organisations } from '../strategy/schema.ts';
import { accountTokens, apiTokens, sessions, signInThrottle, users, type AccountTokenPurpose, type UserStatus } from './schema.ts';

export type UserRecord = typeof users.$inferSelect;
export type AccountTokenRecord = typeof accountTokens.$inferSelect;
export type ApiTokenRecord = typeof apiTokens.$inferSelect;
/** A token as people see it: never its hash. */
export type ApiTokenSummary = Omit<ApiTokenRecord, 'tokenHash'> & { createdByName: string | null };

export interface UserQuery {
  role?: Role | undefined;
  organisationId?: number | undefined;
  status?: UserStatus | undefined;
  q?: string | undefined;
}

export interface UserListRow extends UserRecord {
  organisationName: string | null;
  organisationSlug: string | null;
}

/** Who reminders go to: organisation reporters, active, who have set a password. */
const ACTIVE_REPORTER = and(eq(users.role, 'organisation_reporter'), eq(users.status, 'active'), isNotNull(users.passwordHash));

export class AccountsRepository {
  constructor(private readonly db: Executor) {}

  async countUsers(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(users);
    return Number(row?.n ?? 0);
  }

  async userByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email));
    return row;
  }

  /** The user, locked until the transaction ends, so checks that count their links see one another. */
  async lockUserByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.email, email)).for('update');
    return row;
  }

  async userById(id: number): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row;
  }

  async insertUser(values: typeof users.$inferInsert): Promise<UserRecord> {
    const [row] = await this.db.insert(users).values(values).returning();
    return row!;
  }

  /** Applies the change only if nobody changed the user since `version`; false when they did. */
  async updateUser(id: number, version: number, values: Partial<Pick<UserRecord, 'name' | 'role' | 'organisationId' | 'status' | 'passwordHash'>>): Promise<UserRecord | undefined> {
    const [row] = await this.db
      .update(users)
      .set({ ...values, version: sql`${users.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(users.id, id), eq(users.version, version)))
      .returning();
    return row;
  }

  async recordSignIn(id: number): Promise<void> {
    await this.db.update(users).set({ lastSignInAt: sql`now()` }).where(eq(users.id, id));
  }

  private userConditions(q: UserQuery): SQL | undefined {
    const conditions: SQL[] = [];
    if (q.role) conditions.push(eq(users.role, q.role));
    if (q.organisationId) conditions.push(eq(users.organisationId, q.organisationId));
    if (q.status) conditions.push(eq(users.status, q.status));
    if (q.q) {
      const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(or(ilike(users.name, pattern), ilike(users.email, pattern))!);
    }
    return conditions.length ? and(...conditions) : undefined;
  }

  async listUsers(q: UserQuery, limit: number, offset: number): Promise<{ rows: UserListRow[]; total: number }> {
    const where = this.userConditions(q);
    const [total] = await this.db.select({ n: count() }).from(users).where(where);
    const rows = await this.db
      .select({ user: users, organisationName: organisations.name, organisationSlug: organisations.slug })
      .from(users)
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .where(where)
      .orderBy(asc(users.name), asc(users.id))
      .limit(limit)
      .offset(offset);
    return {
      rows: rows.map((r) => ({ ...r.user, organisationName: r.organisationName, organisationSlug: r.organisationSlug })),
      total: Number(total?.n ?? 0),
    };
  }

  /* ----- sessions ----- */

  async insertSession(values: typeof sessions.$inferInsert): Promise<void> {
    await this.db.insert(sessions).values(values);
  }

  async sessionWithUser(id: string): Promise<{ session: typeof sessions.$inferSelect; user: UserRecord } | undefined> {
    const [row] = await this.db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, id), gt(sessions.expiresAt, sql`now()`)));
    return row;
  }

  async touchSession(id: string, expiresAt: Date): Promise<void> {
    await this.db.update(sessions).set({ lastSeenAt: sql`now()`, expiresAt }).where(eq(sessions.id, id));
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.id, id));
  }

  async deleteSessionsOf(userId: number): Promise<void> {
    await this.db.delete(sessions).where(eq(sessions.userId, userId));
  }

  async deleteExpiredSessions(): Promise<void> {
    await this.db.delete(sessions).where(lt(sessions.expiresAt, sql`now()`));
  }

  /* ----- one-time links ----- */

  async insertToken(values: typeof accountTokens.$inferInsert): Promise<void> {
    await this.db.insert(accountTokens).values(values);
  }

  async usableToken(tokenHash: string, purpose: AccountTokenPurpose): Promise<AccountTokenRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(accountTokens)
      .where(and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, sql`now()`)));
    return row;
  }

  /** Stops a person's unused links of one kind working (a new one replaces them). */
  async retireTokens(userId: number, purpose: AccountTokenPurpose): Promise<void> {
    await this.db
      .update(accountTokens)
      .set({ usedAt: sql`now()` })
      .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)));
  }

  async tokensSince(userId: number, purpose: AccountTokenPurpose, since: Date): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(accountTokens)
      .where(and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), gt(accountTokens.createdAt, since)));
    return Number(row?.n ?? 0);
  }

  /** Marks a link used; false if it was used meanwhile (so it works once, even in a race). */
  async useToken(id: number): Promise<boolean> {
    const rows = await this.db.update(accountTokens).set({ usedAt: sql`now()` }).where(and(eq(accountTokens.id, id), isNull(accountTokens.usedAt))).returning({ id: accountTokens.id });
    return rows.length === 1;
  }

  /* ----- organisations' API tokens ----- */

  async insertApiToken(values: typeof apiTokens.$inferInsert): Promise<ApiTokenRecord> {
    const [row] = await this.db.insert(apiTokens).values(values).returning();
    return row!;
  }

  async apiTokensOf(organisationId: number): Promise<ApiTokenSummary[]> {
    const { tokenHash: _hash, ...columns } = getTableColumns(apiTokens);
    return this.db
      .select({ ...columns, createdByName: users.name })
      .from(apiTokens)
      .leftJoin(users, eq(users.id, apiTokens.createdBy))
      .where(eq(apiTokens.organisationId, organisationId))
      .orderBy(sql`${apiTokens.revokedAt} is not null`, desc(apiTokens.createdAt), desc(apiTokens.id));
  }

  async apiTokenById(id: number): Promise<ApiTokenRecord | undefined> {
    const [row] = await this.db.select().from(apiTokens).where(eq(apiTokens.id, id));
    return row;
  }

  /** A token that still works: not revoked, not expired. */
  async liveApiToken(tokenHash: string): Promise<ApiTokenRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`))));
    return row;
  }

  /** Revokes a token once; undefined if it was already revoked. */
  async revokeApiToken(id: number, by: number | null): Promise<ApiTokenRecord | undefined> {
    const [row] = await this.db
      .update(apiTokens)
      .set({ revokedAt: sql`now()`, revokedBy: by })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning();
    return row;
  }

  async touchApiToken(id: number): Promise<void> {
    await this.db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, id));
  }

  /** Active tokens per organisation, for the organisations list. */
  async liveApiTokenCounts(): Promise<Map<number, number>> {
    const rows = await this.db
      .select({ organisationId: apiTokens.organisationId, n: count() })
      .from(apiTokens)
      .where(and(isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`))))
      .groupBy(apiTokens.organisationId);
    return new Map(rows.map((r) => [r.organisationId, Number(r.n)]));
  }

  /** Active reporters of an organisation who have set a password: who reminders go to. */
  async reportersOf(organisationId: number): Promise<{ name: string; email: string }[]> {
    return this.db.select({ name: users.name, email: users.email }).from(users).where(and(eq(users.organisationId, organisationId), ACTIVE_REPORTER)).orderBy(users.name);
  }

  /** How many such reporters each organisation has, in one query. */
  async reporterCounts(): Promise<Map<number, number>> {
    const rows = await this.db.select({ organisationId: users.organisationId, n: count() }).from(users).where(ACTIVE_REPORTER).groupBy(users.organisationId);
    return new Map(rows.map((r) => [r.organisationId!, Number(r.n)]));
  }

  async userCountsByOrganisation(): Promise<Map<number, number>> {
    const rows = await this.db
      .select({ organisationId: users.organisationId, n: count() })
      .from(users)
      .where(and(eq(users.status, 'active'), sql`${users.organisationId} is not null`))
      .groupBy(users.organisationId);
    return new Map(rows.map((r) => [r.organisationId!, Number(r.n)]));
  }

  /* ----- sign-in throttling ----- */

  async throttle(email: string): Promise<typeof signInThrottle.$inferSelect | undefined> {
    const [row] = await this.db.select().from(signInThrottle).where(eq(signInThrottle.email, email));
    return row;
  }

  async recordFailure(email: string, maxFailures: number, lockMinutes: number): Promise<{ failures: number; lockedUntil: Date | null }> {
    const [row] = await this.db
      .insert(signInThrottle)
      .values({ email, failures: 1 })
      .onConflictDoUpdate({
        target: signInThrottle.email,
        set: { failures: sql`${signInThrottle.failures} + 1`, updatedAt: sql`now()` },
      })
      .returning();
    if (row!.failures >= maxFailures) {
      const [locked] = await this.db
        .update(signInThrottle)
        .set({ failures: 0, lockedUntil: sql`now() + make_interval(mins => ${lockMinutes})` })
        .where(eq(signInThrottle.email, email))
        .returning();
      return { failures: row!.failures, lockedUntil: locked!.lockedUntil };
    }
    return { failures: row!.failures, lockedUntil: null };
  }

  async clearThrottle(email: string): Promise<void> {
    await this.db.delete(signInThrottle).where(eq(signInThrottle.email, email));
  }
}
