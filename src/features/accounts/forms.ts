// The accounts feature's forms: what each accepts and the messages a person sees.
import { z } from 'zod';
import { ROLES } from '../../platform/auth/roles.ts';
import { API_SCOPE_NAMES } from '../../platform/auth/permissions.ts';
import { repeatable, singleLine } from '../../platform/http/validation.ts';

export const emailField = z
  .string()
  .trim()
  .min(1, 'Enter an email address')
  .max(254, 'Email address must be 254 characters or fewer')
  .pipe(z.email('Enter an email address in the correct format, like name@example.com'))
  .transform((v) => v.toLowerCase());

export const nameField = singleLine(100)
  .min(1, 'Enter a name')
  .refine((v) => !/[<>]/.test(v), 'Name must not contain < or >');

export const newPasswordField = z
  .string()
  .min(12, 'Password must be 12 characters or more')
  .max(200, 'Password must be 200 characters or fewer');

export const signInForm = z.object({
  email: emailField,
  password: z.string().min(1, 'Enter your password').max(200, 'Password must be 200 characters or fewer'),
  next: z.string().max(500).optional(),
});

export const setupForm = z
  .object({
    name: nameField,
    email: emailField,
    password: newPasswordField,
    confirm: z.string().max(200),
  })
  .refine((v) => v.password === v.confirm, { message: 'Passwords do not match', path: ['confirm'] });

/** A new password, typed twice. */
export const newPasswordForm = z
  .object({ password: newPasswordField, confirm: z.string().max(200) })
  .refine((v) => v.password === v.confirm, { message: 'Passwords do not match', path: ['confirm'] });

export const acceptInviteForm = z
  .object({ name: nameField, password: newPasswordField, confirm: z.string().max(200) })
  .refine((v) => v.password === v.confirm, { message: 'Passwords do not match', path: ['confirm'] });

export const resetRequestForm = z.object({ email: emailField });

export const inviteForm = z.object({
  name: nameField,
  email: emailField,
  role: z.enum(ROLES, { error: 'Select a role' }),
  organisation: z.string().max(100).optional(),
});

export const TOKEN_LIFETIMES = { '90': 90, '365': 365, never: null } as const;

export const apiTokenForm = z.object({
  name: nameField.refine((v) => v.length <= 60, 'Name must be 60 characters or fewer'),
  scopes: repeatable(z.enum(API_SCOPE_NAMES, { error: 'Select what the token may do from the list' }), 10).refine((v) => v.length > 0, 'Select what the token may do'),
  expires: z.enum(['90', '365', 'never'], { error: 'Select when the token expires' }),
});

export const userFiltersQuery = z.strictObject({
  role: z.union([z.literal(''), z.enum(ROLES)]).optional(),
  organisation: z.string().max(100).optional(),
  status: z.union([z.literal(''), z.enum(['active', 'deactivated'])]).optional(),
  q: singleLine(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const userUpdateForm = z.object({
  role: z.enum(ROLES, { error: 'Select a role' }),
  organisation: z.string().max(100).optional(),
  version: z.coerce.number().int().min(1),
});

export const userStatusForm = z.object({
  status: z.enum(['active', 'deactivated']),
  version: z.coerce.number().int().min(1),
});

/** Only paths on this site, so a sign-in link cannot send people elsewhere. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/admin';
}
