// How a review's decisions read to a person, and their tags.
import type { Outcome } from './schema.ts';

export const OUTCOME_LABELS: Record<Outcome, { text: string; hint: string; heading: string; tagClass: string }> = {
  keep: { text: 'Keep', hint: 'Still relevant as it is', heading: 'Kept as they are', tagClass: 'govuk-tag--green' },
  amend: { text: 'Amend', hint: 'Still relevant, but what it says or who does it needs to change', heading: 'To be amended', tagClass: 'govuk-tag--blue' },
  retire: { text: 'Retire', hint: 'No longer needed: done, overtaken or no longer right', heading: 'To be retired', tagClass: 'govuk-tag--purple' },
  new: { text: 'New', hint: 'Added to the strategy since the last review', heading: 'New since the last review', tagClass: 'govuk-tag--turquoise' },
};
