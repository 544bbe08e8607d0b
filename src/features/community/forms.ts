// What the community feature's forms and queries accept, and the messages a person sees.
import { z } from 'zod';
import { emailField, nameField } from '../accounts/forms.ts';
import { isoDate, multiLine, repeatable, singleLine } from '../../platform/http/validation.ts';
import { CODE_PATTERN } from '../strategy/forms.ts';
import { ACTION_KINDS, CHAMPION_REGIONS, CHAMPION_SETTINGS, CHAMPION_STATUSES, ENQUIRY_KINDS, ENQUIRY_STATUSES } from './schema.ts';

// Any code the strategy allows (TR-05A as well as AR-06); the service checks the item exists.
const itemCode = z.string().trim().toUpperCase().max(20, 'Select an item from the list').regex(CODE_PATTERN, 'Select an item from the list');

/**
 * A field people never see (hidden from sight and from screen readers, skipped by tab). A
 * person leaves it empty; a bot filling every field does not.
 */
export const HONEYPOT = 'website';
export const honeypotFilled = (body: Record<string, unknown>) => typeof body[HONEYPOT] === 'string' && body[HONEYPOT] !== '';

const yesNo = (message: string) => z.enum(['yes', 'no'], { error: message }).transform((v) => v === 'yes');

/** The details a champion gives at sign-up and can change later. */
export const championDetailsForm = z.object({
  name: nameField,
  jobRole: singleLine(100).min(1, 'Enter your job role'),
  employer: singleLine(150).min(1, 'Enter your employer or organisation'),
  setting: z.enum(CHAMPION_SETTINGS, { error: 'Select the setting you work in' }),
  region: z.enum(CHAMPION_REGIONS, { error: 'Select your region, or national' }),
  why: multiLine(600).min(1, 'Tell us why you want to be a champion'),
  contactConsent: yesNo('Select yes if we may contact you about the strategy'),
  directoryConsent: yesNo('Select yes if your name may appear in the public directory'),
});
export type ChampionDetails = z.output<typeof championDetailsForm>;

export const joinForm = championDetailsForm.extend({ email: emailField });
export type JoinDetails = z.output<typeof joinForm>;

export const DETAIL_LABELS: Record<string, string> = {
  name: 'Name',
  jobRole: 'Job role',
  employer: 'Employer',
  why: 'Why you want to join',
};

export const signInForm = z.object({ email: emailField });

export const pledgeForm = z.object({ item: itemCode });

export const actionForm = z.object({
  kind: z.enum(ACTION_KINDS, { error: 'Select what kind of action it was' }),
  title: singleLine(150).min(1, 'Enter a short title for the action'),
  description: multiLine(1000).default(''),
  item: z.union([z.literal(''), itemCode]).default(''),
  happenedOn: isoDate,
  peopleReached: z
    .string()
    .trim()
    .min(1, 'Enter how many people the action reached')
    .regex(/^\d{1,6}$/, 'People reached must be a whole number, like 25')
    .transform(Number),
});

export const ACTION_LABELS_FOR_ERRORS: Record<string, string> = { title: 'Title', description: 'Description' };

export const enquiryForm = z.object({
  kind: z.enum(ENQUIRY_KINDS, { error: 'Select what you would like to do' }),
  name: nameField,
  email: emailField,
  organisation: singleLine(150).default(''),
  message: multiLine(2000).min(1, 'Enter your message'),
  consent: z.literal('yes', { error: 'Confirm that we may use your details to reply to you' }),
});

export const ENQUIRY_LABELS: Record<string, string> = { organisation: 'Organisation', message: 'Message' };

const page = z.coerce.number().int().min(1).max(100_000).default(1);

export const directoryQuery = z.strictObject({ page });

export const championFiltersQuery = z.strictObject({
  q: singleLine(100).default(''),
  status: z.union([z.literal(''), z.enum(CHAMPION_STATUSES)]).default(''),
  region: z.union([z.literal(''), z.enum(CHAMPION_REGIONS)]).default(''),
  setting: z.union([z.literal(''), z.enum(CHAMPION_SETTINGS)]).default(''),
  item: z.union([z.literal(''), itemCode]).default(''),
  page,
});
export type ChampionFilters = Omit<z.output<typeof championFiltersQuery>, 'page'>;

export const enquiryFiltersQuery = z.strictObject({
  status: z.union([z.literal(''), z.enum(ENQUIRY_STATUSES)]).default(''),
  page,
});

export const decisionForm = z.object({ decision: z.enum(['approve', 'reject'], { error: 'Choose approve or reject' }) });

export const autoApproveForm = z.object({ settings: repeatable(z.enum(CHAMPION_SETTINGS), CHAMPION_SETTINGS.length) });

export const enquiryUpdateForm = z.object({
  status: z.enum(ENQUIRY_STATUSES, { error: 'Select a status' }),
  assignee: z.union([z.literal(''), z.string().regex(/^\d{1,9}$/)]).transform((v) => (v === '' ? null : Number(v))),
});

export const replyForm = z.object({ body: multiLine(5000).min(1, 'Enter your reply') });

export const statsQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

export const idParams = z.strictObject({ id: z.coerce.number().int().min(1).max(2_147_483_647) });

/** Sealed confirmation links are long: they carry the sign-up itself (see ADR 23). */
export const sealedLinkQuery = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{40,3000}$/) });
export const tokenParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
