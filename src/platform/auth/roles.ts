// The roles a person can hold. Organisation reporters are bound to one organisation.
export const ROLES = ['administrator', 'strategy_team', 'organisation_reporter', 'evidence_reviewer', 'body_member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { text: string; hint: string }> = {
  administrator: { text: 'Administrator', hint: 'Manages people, roles and the service' },
  strategy_team: { text: 'Strategy team', hint: 'Runs the strategy: items, people, reports' },
  organisation_reporter: { text: 'Organisation reporter', hint: 'Reports on the items one organisation leads or supports' },
  evidence_reviewer: { text: 'Evidence reviewer', hint: 'Reviews draft recommendations' },
  body_member: { text: 'Body member', hint: 'Member of a governance body' },
  viewer: { text: 'Viewer', hint: 'Reads what is behind sign-in' },
};

/** Who is signed in (or acting through an API token), as guards and services see them. */
export interface CurrentUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  organisationId: number | null;
  /** Set when an organisation's API token is acting (as a reporter of that organisation). */
  token?: { id: number; name: string; scopes: readonly string[] } | undefined;
}
