// The audit trail's query string: the filters a person can share as a link, and the messages
// they see when one cannot be used. A GET form sends every field, so each accepts ''.
import { z } from 'zod';
import { isoDate, singleLine } from '../../platform/http/validation.ts';

const emptyOr = <T extends z.ZodType>(schema: T) => z.union([z.literal(''), schema]).optional();

const filterFields = {
  /** Part of who acted (their email, a token's name), or exactly their id. */
  person: singleLine(254).optional(),
  /** An organisation's slug; the route checks it names one. */
  organisation: z.string().max(100).optional(),
  objectType: emptyOr(
    z
      .string()
      .max(50, 'must be 50 characters or fewer')
      .regex(/^[a-z_]+$/, 'must be lower-case letters and underscores, like user or sign_in'),
  ),
  objectId: singleLine(200).optional(),
  /** The start of an action, so `sign_in` finds every kind of sign-in. */
  action: singleLine(100).optional(),
  from: emptyOr(isoDate),
  to: emptyOr(isoDate),
};

/** ISO dates compare correctly as strings. */
function datesInOrder(v: { from?: string | undefined; to?: string | undefined }): boolean {
  return !(v.from && v.to && v.from > v.to);
}
const datesOutOfOrder = {
  message: 'must be the same as or before the date in “to”',
  path: ['from'],
  // A date that is not real has its own message; comparing it too would only confuse.
  when: (payload: z.core.ParsePayload) => payload.issues.every((issue) => issue.path?.[0] !== 'from' && issue.path?.[0] !== 'to'),
};

export const auditFiltersQuery = z
  .strictObject({ ...filterFields, page: z.coerce.number().int().min(1).max(100_000).default(1) })
  .refine(datesInOrder, datesOutOfOrder);

/** The download takes the same filters, and no page: it holds every matching event. */
export const auditExportQuery = z.strictObject(filterFields).refine(datesInOrder, datesOutOfOrder);

export type AuditFiltersQuery = z.output<typeof auditExportQuery>;
