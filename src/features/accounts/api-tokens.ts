// Organisations' API tokens: created by the organisation's reporters or the strategy team,
// shown once, kept only as a hash, limited to scopes, revocable, with the time last used.
// A token acts as a reporter of its organisation, and only on permission rows naming a scope
// it holds.
import type { Database, Executor } from '../../platform/db/client.ts';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { can, type ApiScope } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { hashToken, newToken } from '../../platform/auth/secrets.ts';
import { InputError } from '../../platform/http/validation.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import { AccountsRepository, type ApiTokenRecord, type ApiTokenSummary } from './repository.ts';

/** Tokens look like `wsh_` and 43 base64url characters, so they are easy to spot in a leak. */
const TOKEN_PREFIX = 'wsh_';
const TOKEN_PATTERN = /^wsh_[A-Za-z0-9_-]{43}$/;
/** Last-used times are written at most this often, so every API call is not also a write. */
const TOUCH_AFTER_MS = 60_000;

function snapshot(t: ApiTokenRecord) {
  return { organisationId: t.organisationId, name: t.name, prefix: t.prefix, scopes: t.scopes, expiresAt: t.expiresAt, revokedAt: t.revokedAt };
}

export class ApiTokensService {
  constructor(private readonly database: Database) {}

  private repo(exec: Executor = this.database.db): AccountsRepository {
    return new AccountsRepository(exec);
  }

  private check(viewer: CurrentUser, organisationId: number): void {
    if (!can(viewer, 'api-tokens.manage', { organisationId })) throw new ForbiddenError('You can manage API tokens only for your own organisation');
  }

  async list(viewer: CurrentUser, organisationId: number): Promise<ApiTokenSummary[]> {
    this.check(viewer, organisationId);
    return this.repo().apiTokensOf(organisationId);
  }

  /** Creates a token; the returned `token` is the only time anyone sees it. */
  async create(
    actor: Actor,
    viewer: CurrentUser,
    organisationId: number,
    input: { name: string; scopes: ApiScope[]; expiresInDays: number | null },
  ): Promise<{ token: string; record: ApiTokenRecord }> {
    this.check(viewer, organisationId);
    if (input.scopes.length === 0) throw new InputError([{ field: 'scopes', message: 'Select what the token may do' }]);
    const token = `${TOKEN_PREFIX}${newToken()}`;
    const expiresAt = input.expiresInDays === null ? null : new Date(Date.now() + input.expiresInDays * 86_400_000);
    const record = await this.database.db.transaction(async (tx) => {
      const record = await this.repo(tx).insertApiToken({
        organisationId,
        name: input.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        scopes: [...new Set(input.scopes)],
        createdBy: viewer.id,
        expiresAt,
      });
      await recordAudit(tx, actor, { action: 'api_token.created', objectType: 'api_token', objectId: record.id, after: snapshot(record) });
      return record;
    });
    return { token, record };
  }

  async revoke(actor: Actor, viewer: CurrentUser, organisationId: number, id: number): Promise<ApiTokenRecord> {
    this.check(viewer, organisationId);
    return this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.apiTokenById(id);
      if (!before || before.organisationId !== organisationId) throw new InputError([{ field: 'token', message: 'No such token for this organisation' }]);
      const after = await repo.revokeApiToken(id, viewer.id);
      if (!after) throw new ConflictError(`The token “${before.name}” is already revoked`);
      await recordAudit(tx, actor, { action: 'api_token.revoked', objectType: 'api_token', objectId: id, before: snapshot(before), after: snapshot(after) });
      return after;
    });
  }

  /** The organisation a bearer token acts for, or null if it is not a live token. */
  async principal(token: string): Promise<CurrentUser | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const record = await this.repo().liveApiToken(hashToken(token));
    if (!record) return null;
    if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > TOUCH_AFTER_MS) await this.repo().touchApiToken(record.id);
    return {
      id: 0,
      email: '',
      name: record.name,
      role: 'organisation_reporter',
      organisationId: record.organisationId,
      token: { id: record.id, name: record.name, scopes: record.scopes },
    };
  }

  /** Active people and live tokens per organisation, for the organisations list. */
  async countsByOrganisation(viewer: CurrentUser): Promise<{ people: Map<number, number>; tokens: Map<number, number> }> {
    if (!can(viewer, 'organisations.list')) throw new ForbiddenError();
    const repo = this.repo();
    return { people: await repo.userCountsByOrganisation(), tokens: await repo.liveApiTokenCounts() };
  }
}
