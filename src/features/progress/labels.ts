// How progress values read to a person, and how their tags look.
import type { TaskState } from './service.ts';
import type { Confidence, UpdateState } from './schema.ts';

export const CONFIDENCE_LABELS: Record<Confidence, { text: string; hint: string; tagClass: string }> = {
  on_track: { text: 'On track', hint: 'It will be delivered as planned', tagClass: 'govuk-tag--green' },
  some_risk: { text: 'Some risk', hint: 'It may slip unless something changes', tagClass: 'govuk-tag--yellow' },
  off_track: { text: 'Off track', hint: 'It will not be delivered as planned', tagClass: 'govuk-tag--red' },
};

export const STATE_LABELS: Record<UpdateState, { text: string; tagClass: string }> = {
  draft: { text: 'Draft', tagClass: 'govuk-tag--grey' },
  submitted: { text: 'Submitted', tagClass: 'govuk-tag--blue' },
  returned: { text: 'Returned', tagClass: 'govuk-tag--orange' },
  published: { text: 'Published', tagClass: 'govuk-tag--green' },
};

/** The task list's words (GOV.UK task list statuses). */
export const TASK_LABELS: Record<TaskState | 'overdue', { text: string; tagClass?: string }> = {
  to_do: { text: 'Not yet started', tagClass: 'govuk-tag--blue' },
  overdue: { text: 'Overdue', tagClass: 'govuk-tag--red' },
  draft: { text: 'In progress', tagClass: 'govuk-tag--light-blue' },
  returned: { text: 'Returned with comments', tagClass: 'govuk-tag--orange' },
  submitted: { text: 'Submitted' },
  published: { text: 'Published' },
};
