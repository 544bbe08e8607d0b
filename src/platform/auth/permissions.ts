// Who may do what: one declarative table. Routes name their row (`config.access`), the guard
// enforces it, services check object rules with `can`, and a test walks every row as every
// role. Add a row here before adding a route that needs one.
import type { CurrentUser, Role } from './roles.ts';

/** What an organisation's API token may be allowed to do; a token holds one or more. */
export const API_SCOPES = {
  'organisation:read': 'Read your organisation’s items and work through the API',
} as const;
export type ApiScope = keyof typeof API_SCOPES;
export const API_SCOPE_NAMES = Object.keys(API_SCOPES) as ApiScope[];

export interface AccessRule {
  /** 'anyone' (no sign-in), 'signed-in' (any role), or the roles allowed. */
  roles: 'anyone' | 'signed-in' | readonly Role[];
  /**
   * 'own-organisation': roles outside `anyOrganisation` may act only on objects of their own
   * organisation (the route's `:organisation` slug, or the object a service loads).
   */
  object?: 'own-organisation';
  /** The scope an API token needs to use this row ('any': every token); rows without one are closed to tokens. */
  apiScope?: ApiScope | 'any';
  description: string;
}

/** Roles that act for every organisation where a rule is scoped to one. */
export const ANY_ORGANISATION: readonly Role[] = ['administrator', 'strategy_team'];

export const ACCESS = {
  public: { roles: 'anyone', description: 'Public pages and the read API' },
  'account.sign-in': { roles: 'anyone', description: 'Sign in, set up the first administrator' },
  'account.sign-out': { roles: 'signed-in', description: 'Sign out' },
  'admin.home': { roles: 'signed-in', description: 'The signed-in home page' },
  'account.whoami': { roles: 'signed-in', apiScope: 'any', description: 'Who a session or API token acts as (GET /api/v1/me)' },
  'users.list': { roles: ['administrator', 'strategy_team'], description: 'List people and their roles' },
  'users.manage': { roles: ['administrator', 'strategy_team'], description: 'Change a person’s role or organisation, deactivate, reactivate' },
  'account.reset-password': { roles: 'anyone', description: 'Ask for a password reset link, accept an invitation or reset link' },
  'users.invite': { roles: ['administrator', 'strategy_team'], description: 'Invite people by email, resend an invitation' },
  'organisations.list': { roles: ['administrator', 'strategy_team'], description: 'List organisations with their people and API tokens' },
  'organisation.view': {
    roles: ['administrator', 'strategy_team', 'organisation_reporter'],
    object: 'own-organisation',
    apiScope: 'organisation:read',
    description: 'See an organisation’s items and work',
  },
  'api-tokens.manage': {
    roles: ['administrator', 'strategy_team', 'organisation_reporter'],
    object: 'own-organisation',
    description: 'Create and revoke an organisation’s API tokens',
  },
  'mail.outbox': { roles: ['administrator'], description: 'Read the outbox of email not sent by SMTP (it holds sign-in links)' },
  'progress.report': {
    roles: ['administrator', 'strategy_team', 'organisation_reporter'],
    object: 'own-organisation',
    description: 'Draft, save and submit progress updates on the items an organisation leads or supports',
  },
  'evidence.download': {
    roles: 'anyone',
    description: 'Download a progress update’s evidence file: anyone once the update is published; before that, as evidence.view-unpublished says',
  },
  'evidence.view-unpublished': {
    roles: ['administrator', 'strategy_team', 'organisation_reporter'],
    object: 'own-organisation',
    description: 'Download the evidence files of an update not yet published (checked on the file’s organisation)',
  },
  'progress.verify': { roles: ['administrator', 'strategy_team'], description: 'Publish submitted progress updates, or return them with comments' },
  'audit.view': { roles: ['administrator', 'strategy_team'], description: 'Read the audit trail and export it as CSV' },
  'items.manage': { roles: ['administrator', 'strategy_team'], description: 'Create, edit and retire the strategy’s items' },
  'progress.cycles': { roles: ['administrator', 'strategy_team'], description: 'Set reporting cycles: open, due and close dates' },
  'progress.compliance': {
    roles: ['administrator', 'strategy_team', 'body_member', 'viewer'],
    description: 'See who has reported: per organisation, items due, updated, overdue and never updated (the strategy team and the Oversight Executive)',
  },
  'items.follow': { roles: 'anyone', description: 'Follow an item or a theme by email (double opt-in), confirm, choose how often, stop following, unsubscribe' },
  'workforce.project': { roles: 'anyone', description: 'Run a workforce projection through the API (POST /api/v1/workforce/projections), rate-limited' },
  'workforce.scenarios': { roles: ['administrator', 'strategy_team'], description: 'Create, edit, publish, unpublish and delete workforce model scenarios; see the model’s datasets' },
  'workforce.item-levers': { roles: ['administrator', 'strategy_team'], description: 'Set the workforce model levers each strategy item declares it moves' },
  'engagement.manage': { roles: ['administrator', 'strategy_team'], description: 'Record engagement activities and the feedback heard at them (shown on the public “what we heard” page)' },
  'bulletins.subscribe': { roles: 'anyone', description: 'Subscribe to bulletins (double opt-in), confirm, and through the signed link in each email change lists, unsubscribe, download or erase one’s data' },
  'bulletins.manage': { roles: ['administrator', 'strategy_team'], description: 'Write, test, schedule and send bulletins; manage lists; import, export and see subscribers' },
  'champions.join': { roles: 'anyone', description: 'Sign up as a champion (double opt-in), confirm, ask for a sign-in link' },
  'champions.self': { roles: 'anyone', description: 'A champion’s own record, pledges, actions, data download and erasure (checked against the champion’s own sign-in, not a staff account)' },
  'champions.manage': { roles: ['administrator', 'strategy_team'], description: 'Search, approve, reject and export champions; set the settings that approve automatically' },
  'enquiries.submit': { roles: 'anyone', description: 'Send a “get involved” enquiry' },
  'enquiries.manage': { roles: ['administrator', 'strategy_team'], description: 'Read “get involved” enquiries, set their status and assignee, reply by email' },
  'drafting.view': { roles: 'signed-in', description: 'See the drafting board, drafts, their versions and differences, reviews, comments and decisions (not public)' },
  'drafting.draft': { roles: 'signed-in', description: 'Draft, edit and submit recommendations: only in a working group you sit on (checked by the drafting service)' },
  'drafting.review': { roles: ['administrator', 'strategy_team', 'evidence_reviewer'], description: 'Take a submitted draft into review and record the evidence review (strength, cost, modelled workforce effect, recommendation)' },
  'drafting.comment': { roles: 'signed-in', description: 'Comment on a draft: the evidence workstream, and members of the draft’s working group (checked by the drafting service)' },
  'drafting.decide': {
    roles: 'signed-in',
    description: 'Record a steering-group decision on a reviewed draft: the strategy team, administrators, and the chair or co-chairs of the steering group (checked by the drafting service)',
  },
  'governance.manage': { roles: ['administrator', 'strategy_team'], description: 'Add and change governance bodies, their members and meetings; cancel meetings' },
  'governance.minutes': {
    roles: ['administrator', 'strategy_team', 'body_member'],
    description: 'Record a meeting’s minutes and decisions: the strategy team, or a chair or co-chair of the meeting’s body (the service checks the body)',
  },
  'reviews.manage': { roles: ['administrator', 'strategy_team'], description: 'Open an annual review, record decisions on items, publish it' },
} as const satisfies Record<string, AccessRule>;

export type Access = keyof typeof ACCESS;

export function isAccess(value: unknown): value is Access {
  return typeof value === 'string' && Object.hasOwn(ACCESS, value);
}

/** Whether `user` may take `access`, optionally on an object belonging to an organisation. */
export function can(user: CurrentUser | null, access: Access, object?: { organisationId: number | null }): boolean {
  const rule: AccessRule = ACCESS[access];
  if (rule.roles === 'anyone') return true;
  if (!user) return false;
  // An API token reaches only the rows that name a scope it holds.
  if (user.token && !(rule.apiScope === 'any' || (rule.apiScope && user.token.scopes.includes(rule.apiScope)))) return false;
  if (rule.roles !== 'signed-in' && !rule.roles.includes(user.role)) return false;
  if (rule.object === 'own-organisation' && object && !ANY_ORGANISATION.includes(user.role)) {
    return user.organisationId !== null && user.organisationId === object.organisationId;
  }
  return true;
}
