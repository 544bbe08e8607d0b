// How the drafting pipeline's values read to a person, and how their tags look.
import type { DecisionOutcome, DraftState, EvidenceStrength, ReviewRecommendation } from './schema.ts';

export const DRAFT_STATE_LABELS: Record<DraftState | 'sent_back', { text: string; tagClass: string }> = {
  draft: { text: 'Draft', tagClass: 'govuk-tag--grey' },
  sent_back: { text: 'Sent back', tagClass: 'govuk-tag--orange' },
  submitted: { text: 'Submitted', tagClass: 'govuk-tag--blue' },
  under_review: { text: 'Under review', tagClass: 'govuk-tag--light-blue' },
  reviewed: { text: 'Reviewed', tagClass: 'govuk-tag--purple' },
  decided: { text: 'Decided', tagClass: 'govuk-tag--green' },
};

export const OUTCOME_LABELS: Record<DecisionOutcome, { text: string; hint: string; tagClass: string }> = {
  accept: { text: 'Accept', hint: 'It becomes a recommendation of the strategy, not started', tagClass: 'govuk-tag--green' },
  send_back: { text: 'Send back', hint: 'The working group revises it and submits it again', tagClass: 'govuk-tag--orange' },
  reject: { text: 'Reject', hint: 'It goes no further', tagClass: 'govuk-tag--red' },
};

export const STRENGTH_LABELS: Record<EvidenceStrength, { text: string; hint: string }> = {
  strong: { text: 'Strong', hint: 'Consistent, good-quality evidence that it works' },
  moderate: { text: 'Moderate', hint: 'Some good evidence, or consistent weaker evidence' },
  limited: { text: 'Limited', hint: 'Little or mixed evidence' },
  none: { text: 'None', hint: 'No evidence found either way' },
};

export const RECOMMENDATION_LABELS: Record<ReviewRecommendation, { text: string; hint: string }> = {
  proceed: { text: 'Proceed', hint: 'Put it to the steering group as it is' },
  revise: { text: 'Revise', hint: 'The working group should change it first' },
  reject: { text: 'Reject', hint: 'It should go no further' },
};

/** The fields of a version, as the version differences page names them. */
export const FIELD_LABELS = {
  title: 'Title',
  rationale: 'Rationale',
  leads: 'Proposed lead organisations',
  area: 'Area',
  themes: 'Themes',
  targetText: 'Proposed target',
} as const;
