// What the follow form accepts.
import { z } from 'zod';
import { emailField } from '../accounts/forms.ts';

export const followForm = z.object({ email: emailField });

/** Tokens in links are base64url, 43 characters; anything else is not one of ours. */
export const linkParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
