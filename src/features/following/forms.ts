// What the following pages accept: an address to follow with, how often, and link tokens.
import { z } from 'zod';
import { emailField } from '../accounts/forms.ts';
import { FOLLOW_FREQUENCIES } from './schema.ts';

export const followForm = z.object({ email: emailField });

export const frequencyField = (message: string) => z.enum(FOLLOW_FREQUENCIES, { error: message });

/** Confirming a follow: how often to hear about it. */
export const confirmForm = z.object({ frequency: frequencyField('Choose how often you want emails') });

/** The preferences form: a `frequency-<id>` choice for each follow listed on it. */
export function preferencesForm(follows: { id: number; label: string }[]) {
  return z.object(Object.fromEntries(follows.map((f) => [`frequency-${f.id}`, frequencyField(`Choose how often you want emails about ${f.label}`)])));
}

/** Tokens in links are base64url, 43 characters; anything else is not one of ours. */
export const linkParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });

/** A theme's slug in `/follow/theme/{slug}`. */
export const themeParams = z.strictObject({ slug: z.string().max(100).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/) });
