// The browser the journeys drive: Debian's Chromium through playwright-core (never a
// downloaded one), contexts with or without JavaScript, and the accessibility check.
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where run-e2e.ts started the hub (or `npm start`'s address when a file is run alone). */
export const baseUrl = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';
const baseHost = new URL(baseUrl).host;
if (new URL(baseUrl).hostname !== '127.0.0.1') {
  throw new Error(`E2E_BASE_URL must be a 127.0.0.1 address, not ${baseUrl}`);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh context (its own cookies and cache) pointed at the hub. Requests to any other host
 * are refused, so the suite only talks to the hub, and a page that reaches out to a third
 * party shows up as a failed request in watchForProblems.
 */
export async function newContext(browser: Browser, { javaScript = true }: { javaScript?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, javaScriptEnabled: javaScript });
  await context.route(
    (url) => url.host !== baseHost,
    (route) => route.abort('blockedbyclient'),
  );
  return context;
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Fails with every WCAG 2.2 AA violation axe finds on the page as it is now. The page must
 * come from newContext (axe cannot run in a page from browser.newPage()).
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const report = violations.map((v) => {
    const targets = v.nodes.map((n) => `    ${n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' ')}`);
    return `  ${v.id} (${v.impact ?? 'impact not stated'}): ${v.help}\n${targets.join('\n')}`;
  });
  assert.equal(violations.length, 0, `axe found ${violations.length} accessibility violation(s) on ${page.url()}:\n${report.join('\n')}`);
}

/**
 * Collects what would make a page broken for someone even when it looks right: script
 * errors (a CSP that blocks the page's own scripts shows here), failed requests, and
 * assets that answer with an error. Read the array after the page has loaded.
 */
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  page.on('console', (message) => {
    // Error statuses are reported below, with their address; the page's own is asserted.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('requestfailed', (request) => {
    // Cancelled by the browser itself: a navigation (a link followed, a form sent) stops the
    // last page's loads still in flight, such as its favicon. Not a broken page.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.request().isNavigationRequest()) {
      problems.push(`${response.status()} for ${response.url()}`);
    }
  });
  return problems;
}

/** The first administrator's password, chosen by e2e/accounts.test.ts when it sets them up. */
export const FIRST_ADMIN = { email: 'ada@example.org', password: 'four random words together' } as const;

/** Signs the page in as the first administrator, through the real form, and waits for /admin. */
export async function signInAsFirstAdmin(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email address').fill(FIRST_ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(FIRST_ADMIN.password);
  await page.locator('[data-qa="sign-in"]').click();
  await page.waitForURL(/\/admin$/);
}

export interface OpenPage {
  browser: Browser;
  page: Page;
  /** Closes the page's context and the browser. */
  close(): Promise<void>;
}

/** A browser with one page on the hub, signed in as the first administrator if asked. */
export async function openPage(options: { javaScript?: boolean; asFirstAdmin?: boolean } = {}): Promise<OpenPage> {
  const browser = await launchBrowser();
  const close = async () => browser.close();
  try {
    const context = await newContext(browser, { javaScript: options.javaScript ?? true });
    const page = await context.newPage();
    if (options.asFirstAdmin) await signInAsFirstAdmin(page);
    return { browser, page, close: async () => (await context.close(), await close()) };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The path of a link in the newest outbox email to `to` with this subject, read as the administrator would (axe-checked). */
export async function readLinkFromOutbox(admin: Page, to: string, subject: string, pattern: RegExp): Promise<string> {
  for (let attempt = 0; attempt < 60; attempt++) {
    await admin.goto(`${baseUrl}/admin/outbox`);
    const row = admin.locator('[data-qa="outbox"] tbody tr', { hasText: to }).filter({ hasText: subject }).first();
    if (await row.count()) {
      await row.getByRole('link').click();
      await expectNoAxeViolations(admin);
      const link = pattern.exec(await admin.locator('[data-qa="email-text"]').innerText())?.[0];
      assert.ok(link, `a link in the email "${subject}" to ${to}`);
      return link;
    }
    // The hub sends after it has answered (or from a job): wait a moment for the email to be written.
    await admin.waitForTimeout(250);
  }
  assert.fail(`no email "${subject}" to ${to} in the outbox`);
}
