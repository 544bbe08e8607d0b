// Renders an email from `views/email/<name>/`: `subject.njk`, `text.njk` (plain text, the part
// every client can read) and `html.njk` (extends `views/email/layout.njk`, inline styles only).
import path from 'node:path';
import nunjucks from 'nunjucks';
import { viewsDir } from '../paths.ts';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** What each email needs. Dates and times arrive formatted, e.g. "3:15pm on 18 July 2024". */
export type EmailContexts = {
  invite: {
    name: string | null;
    inviterName: string;
    roleLabel: string;
    organisationName: string | null;
    link: string;
    expiresAt: string;
  };
  'password-reset': {
    name: string | null;
    link: string;
    expiresAt: string;
  };
  'reporting-reminder': {
    overdue: boolean;
    organisationName: string;
    cycleName: string;
    dueOn: string;
    closesOn: string;
    items: { code: string; title: string; state: string }[];
    link: string;
  };
  'follow-confirm': {
    /** The address already follows it: say so (with the preferences link) instead of asking again. */
    already: boolean;
    /** "AR-06", or "the theme “Training”". */
    targetLabel: string;
    /** "AR-06: its title", or "any item in the theme “Training”". */
    targetAbout: string;
    link: string;
    expiresAt: string;
    preferencesLink: string | null;
  };
  'follow-update': {
    itemCode: string;
    itemTitle: string;
    organisationName: string;
    statusLabel: string;
    confidenceLabel: string | null;
    summary: string;
    publishedOn: string;
    itemLink: string;
    /** What the address follows that this update is on: "AR-06", "the theme “Training”". */
    because: string[];
    preferencesLink: string;
    unsubscribeLink: string;
  };
  'follow-digest': {
    weekBeginning: string;
    weekEnding: string;
    /** How many updates are listed. */
    count: number;
    items: {
      code: string;
      title: string;
      link: string;
      updates: { organisationName: string; statusLabel: string; confidenceLabel: string | null; summary: string; publishedOn: string }[];
    }[];
    /** What the address gets the digest for. */
    follows: string[];
    preferencesLink: string;
    unsubscribeLink: string;
  };
  'champion-confirm': { name: string; link: string; expiresAt: string };
  'champion-sign-in': {
    name: string;
    /** Sent because someone signed up again with a champion's address. */
    already: boolean;
    link: string;
    minutes: number;
  };
  'champion-welcome': { name: string; link: string | null; minutes: number; championsLink: string };
  'bulletin-confirm': { already: boolean; link: string; expiresAt: string; preferencesLink: string | null };
  /** `bodyHtml` is sanitised, inline-styled HTML (markdown.ts renderEmailMarkdown). */
  bulletin: { subject: string; bodyHtml: string; bodyText: string; archiveLink: string | null; preferencesLink: string; unsubscribeLink: string };
  'enquiry-reply': { name: string; body: string; authorName: string; original: string };
};

export const emailViewsDir = path.join(viewsDir, 'email');

function environment(autoescape: boolean): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader(emailViewsDir, { noCache: false }), {
    autoescape,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
}

// Plain text and subjects are not HTML: escaping them would put "&amp;" in front of the reader.
const htmlViews = environment(true);
const textViews = environment(false);

const TEMPLATE_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Keeps paragraphs, drops the blank runs and trailing spaces that template tags leave. */
function tidyText(text: string): string {
  return `${text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

export function renderEmail<T extends keyof EmailContexts>(template: T, context: EmailContexts[T]): RenderedEmail;
export function renderEmail(template: string, context: Record<string, unknown>): RenderedEmail;
export function renderEmail(template: string, context: Record<string, unknown>): RenderedEmail {
  if (!TEMPLATE_NAME.test(template)) throw new Error(`Not an email template name: ${JSON.stringify(template)}`);
  // One line, whatever the context holds: a subject with a line break would be refused by the mailer.
  const subject = textViews.render(`${template}/subject.njk`, context).replace(/\s+/g, ' ').trim();
  const text = tidyText(textViews.render(`${template}/text.njk`, { ...context, subject }));
  const html = htmlViews.render(`${template}/html.njk`, { ...context, subject });
  return { subject, text, html };
}
