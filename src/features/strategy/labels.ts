// How the strategy's coded values read to a person, and how their status tags look. Pages,
// filters and exports all use these, so a label is changed in one place.
import type { GovernmentRole, ItemKind, ItemStatus, OrganisationKind } from './schema.ts';
import type { StatusFilter } from './forms.ts';

export const STATUS_LABELS: Record<StatusFilter, { text: string; tagClass: string }> = {
  not_started: { text: 'Not started', tagClass: 'govuk-tag--yellow' },
  in_progress: { text: 'In progress', tagClass: 'govuk-tag--turquoise' },
  complete: { text: 'Complete', tagClass: 'govuk-tag--green' },
  retired: { text: 'Retired', tagClass: 'govuk-tag--purple' },
  not_reported: { text: 'Not reported', tagClass: 'govuk-tag--grey' },
};

export function statusLabel(status: ItemStatus | null): { text: string; tagClass: string } {
  return STATUS_LABELS[status ?? 'not_reported'];
}

export const KIND_LABELS: Record<ItemKind, string> = {
  recommendation: 'Recommendation',
  commitment: 'Commitment',
};

export const GOVERNMENT_ROLE_LABELS: Record<GovernmentRole, { text: string; hint: string }> = {
  none: { text: 'None', hint: 'Organisations outside government can deliver it' },
  shared: { text: 'Shared', hint: 'Needs some government action, with others' },
  government_only: { text: 'Government only', hint: 'Only government can do it' },
};

export const ORGANISATION_KIND_LABELS: Record<OrganisationKind, string> = {
  central_government: 'Central government',
  regulator: 'Regulator',
  local_government: 'Local government',
  nhs: 'NHS and health systems',
  workforce_body: 'Workforce development body',
  professional_body: 'Professional body',
  provider_body: 'Care provider body',
  trade_union: 'Trade union',
  education_training: 'Education and training',
  partnership: 'Partnership',
  sector: 'The sector',
  other: 'Other',
};

export const labels = {
  status: STATUS_LABELS,
  kind: KIND_LABELS,
  governmentRole: GOVERNMENT_ROLE_LABELS,
  organisationKind: ORGANISATION_KIND_LABELS,
};
