// The Nunjucks environment: our layout and partials, each feature's views, and GOV.UK
// Frontend's template and component macros. `reply.page()` renders a page with the request's
// CSP nonce and the values every page's layout needs.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { featuresDir, viewsDir } from '../paths.ts';

const require = createRequire(import.meta.url);
export const govukFrontendDir = path.dirname(require.resolve('govuk-frontend/package.json'));

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "2024-07-18" or a Date as "18 July 2024", the GOV.UK way. */
export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  const d = typeof value === 'string' ? new Date(`${value.slice(0, 10)}T00:00:00Z`) : value;
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "2023-10-01" as "October 2023". */
export function formatMonth(value: string | null | undefined): string {
  if (!value) return '';
  const d = new Date(`${value.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? '' : `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h12',
});

/**
 * A moment's UK day ("2 March 2026") and time of day the GOV.UK way: midday and midnight by
 * name, otherwise "3:15pm", or "10am" on the hour when `shortHours` is set.
 */
export function londonDayAndTime(moment: Date, { shortHours = false } = {}): { day: string; time: string } {
  const parts = Object.fromEntries(LONDON.formatToParts(moment).map((p) => [p.type, p.value]));
  const period = (parts.dayPeriod ?? '').toLowerCase();
  const time =
    parts.hour === '12' && parts.minute === '00'
      ? period === 'am' ? 'midnight' : 'midday'
      : `${parts.hour}${shortHours && parts.minute === '00' ? '' : `:${parts.minute}`}${period}`;
  return { day: `${parts.day} ${parts.month} ${parts.year}`, time };
}

/** A moment as UK time, the GOV.UK way: "3:15pm on 18 July 2024" (midday and midnight by name). */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '';
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return '';
  const { day, time } = londonDayAndTime(d);
  return `${time} on ${day}`;
}

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : value.toLocaleString('en-GB');
}

export function createViewEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([viewsDir, featuresDir, path.join(govukFrontendDir, 'dist')], {
      noCache: false,
    }),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  env.addFilter('date', formatDate);
  env.addFilter('month', formatMonth);
  env.addFilter('dateTime', formatDateTime);
  env.addFilter('number', formatNumber);
  env.addFilter('problemList', (problems: { field: string; message: string }[]) =>
    problems.map((p) => ({ text: `${p.field}: ${p.message}` })),
  );
  env.addFilter('pluralise', (n: number, one: string, many: string) => (n === 1 ? one : many));
  return env;
}

/**
 * A stand-in for the CSP nonce in cached pages. Each response swaps in its own nonce, so a
 * cached page never reuses one. Random per process, so no content can predict it.
 */
export const NONCE_PLACEHOLDER = `nonce-${randomBytes(12).toString('hex')}`;

export interface PageOptions {
  status?: number;
  /** Render with the placeholder nonce, for pages that are cached and served many times. */
  forCache?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    views: nunjucks.Environment;
    /** Values the layout reads on every page (service name, navigation). */
    pageGlobals: (request: FastifyRequest) => Record<string, unknown>;
  }
  interface FastifyReply {
    /** Renders a page to HTML; sends it unless `forCache` is set, then returns it. */
    render(template: string, context?: Record<string, unknown>, options?: PageOptions): string;
    page(template: string, context?: Record<string, unknown>, options?: PageOptions): FastifyReply;
    /** A confirmation for the next page this browser opens (after a redirect), shown once. */
    flash(message: string): FastifyReply;
  }
}

export const viewsPlugin = fp(async (app: FastifyInstance, options: { navigation: { href: string; text: string }[] }) => {
  const env = createViewEnvironment();
  app.decorate('views', env);
  app.decorate('pageGlobals', (request: FastifyRequest) => {
    const current = request.url.split('?')[0] ?? '/';
    // Signed-in pages say so; nothing more about the person, so cached pages can be shared
    // by everyone who is signed in.
    const account = request.user
      ? [
          { href: '/admin', text: 'Your account' },
          { href: '/sign-out', text: 'Sign out' },
        ]
      : [{ href: '/login', text: 'Sign in' }];
    return {
      navigation: [...options.navigation, ...account].map((n) => ({
        ...n,
        active: n.href === '/' ? current === '/' : current === n.href || current.startsWith(`${n.href}/`),
      })),
      currentPath: current,
      signedIn: request.user !== null,
    };
  });
  // Confirmations travel in a signed cookie, not the address: a link cannot make the site
  // show words of someone else's choosing, and a reload does not show them again.
  const FLASH_COOKIE = 'hub_flash';
  app.decorateReply('flash', function (this: FastifyReply, message: string) {
    return this.setCookie(FLASH_COOKIE, message.slice(0, 300), { path: '/', httpOnly: true, sameSite: 'lax', signed: true, maxAge: 120 });
  });
  const takeFlash = (reply: FastifyReply): string | undefined => {
    const raw = reply.request.cookies[FLASH_COOKIE];
    if (raw === undefined) return undefined;
    reply.clearCookie(FLASH_COOKIE, { path: '/' });
    const unsigned = reply.request.unsignCookie(raw);
    return unsigned.valid && unsigned.value ? unsigned.value : undefined;
  };

  app.decorateReply('render', function (this: FastifyReply, template: string, context = {}, options: PageOptions = {}) {
    const nonce = options.forCache ? NONCE_PLACEHOLDER : this.cspNonce.script;
    // Cached pages hold no forms that change anything, so only fresh pages get a CSRF token
    // (and only they show a confirmation).
    const csrfToken = options.forCache ? undefined : this.generateCsrf();
    const flash = options.forCache ? undefined : takeFlash(this);
    return env.render(template, { ...app.pageGlobals(this.request), ...context, cspNonce: nonce, csrfToken, flash });
  });
  app.decorateReply('page', function (this: FastifyReply, template: string, context = {}, options: PageOptions = {}) {
    const html = this.render(template, context, options);
    return this.code(options.status ?? 200).type('text/html; charset=utf-8').send(html);
  });
});
