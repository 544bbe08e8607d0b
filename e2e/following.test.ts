// Following a theme as a member of the public meets it: from the recommendations filtered by one
// theme to the form (after it says what is missing), the emailed confirmation link with the
// choice of a weekly digest, the preferences page (changing how often, the page to stop one
// follow) and unsubscribing from everything. The hub has no SMTP server here: the
// administrator (set up by accounts.test.ts) reads the email in the outbox. Every page passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, launchBrowser, newContext, signInAsFirstAdmin, watchForProblems } from './support/browser.ts';

const setupPath = process.env.E2E_SETUP_PATH;
const EMAIL = 'theo.follower@e2e-follow.example';
const THEME = { slug: 'regulation-and-registration', name: 'Regulation and registration' };

describe('following a theme by email, and managing the emails', { skip: !setupPath && 'no first administrator was set up (the database already had people)' }, () => {
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  let visitorContext: BrowserContext;
  let visitor: Page;
  let problems: string[];
  let preferencesPath = '';

  const qa = (page: Page, hook: string) => page.locator(`[data-qa="${hook}"]`);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

  /** The path of a link in the newest outbox email to `to` with this subject. */
  async function linkFromOutbox(subject: string, pattern: RegExp): Promise<string> {
    for (let attempt = 0; attempt < 40; attempt++) {
      await admin.goto(`${baseUrl}/admin/outbox`);
      const row = admin.locator('[data-qa="outbox"] tbody tr', { hasText: EMAIL }).filter({ hasText: subject }).first();
      if (await row.count()) {
        await row.getByRole('link').click();
        const link = pattern.exec(await qa(admin, 'email-text').innerText())?.[0];
        assert.ok(link, `a link in the email "${subject}"`);
        return link;
      }
      await admin.waitForTimeout(250);
    }
    assert.fail(`no email "${subject}" to ${EMAIL} in the outbox`);
  }

  before(async () => {
    browser = await launchBrowser();
    adminContext = await newContext(browser);
    admin = await adminContext.newPage();
    await signInAsFirstAdmin(admin);
    visitorContext = await newContext(browser);
    visitor = await visitorContext.newPage();
    problems = watchForProblems(visitor);
  });
  after(async () => {
    await adminContext?.close();
    await visitorContext?.close();
    await browser?.close();
  });

  it('asks for an address on the theme’s form, reached from the recommendations filtered by the theme', async () => {
    await visitor.goto(`${baseUrl}/recommendations?theme=${THEME.slug}`);
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'follow-theme').getByRole('link').click();
    assert.equal(await h1(visitor), 'Get emails about this theme');
    assert.match(await visitor.locator('.govuk-caption-l').innerText(), new RegExp(`Theme: ${THEME.name}`));
    await expectNoAxeViolations(visitor);

    await qa(visitor, 'follow').click();
    assert.match(await qa(visitor, 'error-summary').innerText(), /Enter an email address/);
    assert.match(await visitor.title(), /^Error: /);
    await expectNoAxeViolations(visitor);

    await visitor.getByLabel('Email address').fill(EMAIL);
    await qa(visitor, 'follow').click();
    assert.equal(await h1(visitor), 'Check your email');
    await expectNoAxeViolations(visitor);
  });

  it('confirms from the emailed link, choosing the weekly digest', async () => {
    const link = await linkFromOutbox(`Confirm you want emails about the theme “${THEME.name}”`, /\/follow\/confirm\/[A-Za-z0-9_-]+/);
    await visitor.goto(`${baseUrl}${link}`);
    assert.match(await h1(visitor), new RegExp(`Confirm emails about the theme “${THEME.name}”`));
    assert.ok(await visitor.getByLabel('An email for each update').isChecked(), 'each update is chosen unless changed');
    await expectNoAxeViolations(visitor);
    await visitor.getByLabel('A weekly digest').check();
    await qa(visitor, 'confirm').click();
    assert.match(await qa(visitor, 'follow-confirmed').innerText(), /weekly digest/);
    await expectNoAxeViolations(visitor);
    preferencesPath = new URL((await qa(visitor, 'preferences-link').getAttribute('href'))!, baseUrl).pathname;
    assert.match(preferencesPath, /^\/follow\/preferences\/[A-Za-z0-9_-]+$/);
  });

  it('changes how often on the preferences page, and shows the page that stops one follow', async () => {
    await visitor.goto(`${baseUrl}${preferencesPath}`);
    assert.equal(await h1(visitor), 'Your emails about the strategy');
    const group = visitor.getByRole('group', { name: `Theme: ${THEME.name}` });
    assert.ok(await group.getByLabel('A weekly digest').isChecked());
    await expectNoAxeViolations(visitor);

    await group.getByLabel('An email for each update').check();
    await qa(visitor, 'save-preferences').click();
    assert.match(await qa(visitor, 'saved').innerText(), /Your choices are saved/);
    assert.ok(await visitor.getByRole('group', { name: `Theme: ${THEME.name}` }).getByLabel('An email for each update').isChecked());
    await expectNoAxeViolations(visitor);

    await qa(visitor, 'stop-one').first().click();
    assert.equal(await h1(visitor), `Stop emails about the theme “${THEME.name}”?`);
    await expectNoAxeViolations(visitor);
  });

  it('unsubscribes from everything, after which the links no longer work', async () => {
    await visitor.goto(`${baseUrl}${preferencesPath.replace('/preferences/', '/unsubscribe/')}`);
    assert.equal(await h1(visitor), 'Unsubscribe from all these emails?');
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'unsubscribe').click();
    assert.match(await qa(visitor, 'follow-unsubscribed').innerText(), /You are unsubscribed/);
    await expectNoAxeViolations(visitor);

    const gone = await visitor.goto(`${baseUrl}${preferencesPath}`);
    assert.equal(gone?.status(), 404);
    assert.equal(await h1(visitor), 'This address is not following anything');
    await expectNoAxeViolations(visitor);
    assert.deepEqual(problems, []);
  });
});
