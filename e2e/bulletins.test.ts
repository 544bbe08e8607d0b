// Bulletins as people meet them: someone subscribes (after the form says what is missing) and
// confirms through the emailed link; the administrator (set up by accounts.test.ts) writes a
// bulletin, previews it, sees how many it will reach and sends it; the subscriber's copy links
// to their preferences and to unsubscribe, and the bulletin is in the public archive. The hub
// has no SMTP server here: the administrator reads the emails in the outbox. Every page,
// including the email preview in its frame, passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, launchBrowser, newContext, readLinkFromOutbox, signInAsFirstAdmin } from './support/browser.ts';

const setupPath = process.env.E2E_SETUP_PATH;
const EMAIL = 'sam.reader@e2e-bulletins.example';
const SUBJECT = 'E2E bulletin: what changed this month';

describe('bulletins', { skip: !setupPath && 'no first administrator was set up (the database already had people)' }, () => {
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  let visitorContext: BrowserContext;
  let visitor: Page;
  const qa = (page: Page, hook: string) => page.locator(`[data-qa="${hook}"]`);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

  before(async () => {
    browser = await launchBrowser();
    adminContext = await newContext(browser);
    admin = await adminContext.newPage();
    admin.setDefaultTimeout(15_000);
    await signInAsFirstAdmin(admin);
    visitorContext = await newContext(browser);
    visitor = await visitorContext.newPage();
  });
  after(async () => browser?.close());

  it('subscribes, after the form says what is missing, and confirms by the emailed link', async () => {
    await visitor.goto(`${baseUrl}/bulletins`);
    assert.equal(await h1(visitor), 'Bulletins');
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'subscribe-button').click();
    await visitor.waitForURL(/\/bulletins\/subscribe$/);
    await expectNoAxeViolations(visitor);
    await visitor.getByLabel('The strategy bulletin').uncheck();
    await qa(visitor, 'subscribe').click();
    assert.match(await qa(visitor, 'error-summary').innerText(), /Enter an email address[\s\S]*Select at least one bulletin to get/);
    await expectNoAxeViolations(visitor);
    await visitor.getByLabel('Email address').fill(EMAIL);
    await visitor.getByLabel('The strategy bulletin').check();
    await visitor.getByLabel('Theme: Training').check();
    await qa(visitor, 'subscribe').click();
    assert.equal(await h1(visitor), 'Check your email');
    await expectNoAxeViolations(visitor);
    const confirm = await readLinkFromOutbox(admin, EMAIL, "Confirm you want the strategy's bulletins", /\/bulletins\/confirm\/[A-Za-z0-9_-]+/);
    await visitor.goto(`${baseUrl}${confirm}`);
    assert.match(await qa(visitor, 'chosen-lists').innerText(), /The strategy bulletin[\s\S]*Theme: Training/);
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'confirm').click();
    assert.equal(await h1(visitor), 'You are subscribed');
    await expectNoAxeViolations(visitor);
  });

  it('writes, previews and sends a bulletin, and it reaches the subscriber once', async () => {
    await admin.goto(`${baseUrl}/admin`);
    await qa(admin, 'manage-links').getByRole('link', { name: /^Bulletins/ }).click();
    await admin.waitForURL(/\/admin\/bulletins$/);
    await expectNoAxeViolations(admin);
    await qa(admin, 'new-bulletin').click();
    await qa(admin, 'save').click();
    assert.match(await qa(admin, 'error-summary').innerText(), /Enter a subject line[\s\S]*Write the bulletin[\s\S]*Select at least one list/);
    await expectNoAxeViolations(admin);
    await admin.getByLabel('Subject line').fill(SUBJECT);
    await admin.getByLabel('Summary').fill('Two things changed this month.');
    await admin.getByLabel('Bulletin', { exact: true }).fill('## Progress\n\nTwo items moved on. Read the [progress dashboard](/progress).\n\n- One\n- Two');
    await qa(admin, 'campaign-form').getByLabel('The strategy bulletin').check();
    await admin.getByLabel('Yes').check();
    await qa(admin, 'save').click();
    await admin.waitForURL(/\/admin\/bulletins\/\d+$/);
    assert.match(await qa(admin, 'audience').innerText(), /Will reach \d+ (person|people)/);
    await expectNoAxeViolations(admin);
    await qa(admin, 'preview').click();
    await admin.waitForURL(/\/preview$/);
    assert.match(await qa(admin, 'text-preview').innerText(), /PROGRESS[\s\S]*progress dashboard \(\/progress\)/);
    assert.equal(await admin.frameLocator('[data-qa="html-preview"]').locator('h2', { hasText: 'Progress' }).count(), 1);
    await expectNoAxeViolations(admin);
    await admin.goBack();
    await qa(admin, 'send').click();
    await admin.waitForURL(/\/send$/);
    await expectNoAxeViolations(admin);
    await admin.getByLabel('At a date and time').check();
    await qa(admin, 'confirm-send').click();
    assert.match(await qa(admin, 'error-summary').innerText(), /date to send/);
    await expectNoAxeViolations(admin);
    await admin.getByLabel('Now').check();
    await qa(admin, 'confirm-send').click();
    await admin.waitForURL(/\/admin\/bulletins\/\d+$/);
    assert.match(await qa(admin, 'saved').innerText(), /being sent/);
    for (let attempt = 0; attempt < 60 && !/Sent/.test(await qa(admin, 'campaign').innerText()); attempt++) {
      await admin.waitForTimeout(500);
      await admin.reload();
    }
    assert.match(await qa(admin, 'campaign').innerText(), /Status\s+Sent/);
    assert.equal(await qa(admin, 'remaining').innerText(), '0');
    await expectNoAxeViolations(admin);
  });

  it('links the copy to the subscriber’s preferences and to unsubscribing, and archives it', async () => {
    const preferences = await readLinkFromOutbox(admin, EMAIL, SUBJECT, /\/bulletins\/preferences\/\d+\.[A-Za-z0-9_-]+/);
    await visitor.goto(`${baseUrl}${preferences}`);
    assert.match(await qa(visitor, 'subscriber').innerText(), new RegExp(EMAIL));
    await expectNoAxeViolations(visitor);
    await visitor.getByLabel('Theme: Training').uncheck();
    await qa(visitor, 'save').click();
    assert.match(await qa(visitor, 'saved').innerText(), /Your choices have been saved/);
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'unsubscribe-link').click();
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'unsubscribe').click();
    assert.equal(await h1(visitor), 'You have unsubscribed');
    await expectNoAxeViolations(visitor);

    await visitor.goto(`${baseUrl}/bulletins`);
    await visitor.getByRole('link', { name: SUBJECT }).click();
    assert.equal(await h1(visitor), SUBJECT);
    assert.match(await qa(visitor, 'bulletin-body').innerText(), /Two items moved on/);
    await expectNoAxeViolations(visitor);
    const feed = await visitor.request.get(`${baseUrl}/bulletins/feed.xml`);
    assert.match(await feed.text(), new RegExp(`<title type="text">${SUBJECT}</title>`));
  });

  it('shows the subscribers, lists and import pages to the strategy team', async () => {
    for (const path of ['/admin/bulletins/subscribers', '/admin/bulletins/lists', '/admin/bulletins/subscribers/import']) {
      await admin.goto(`${baseUrl}${path}`);
      await expectNoAxeViolations(admin);
    }
    await admin.goto(`${baseUrl}/admin/bulletins/subscribers?q=e2e-bulletins`);
    assert.match(await qa(admin, 'subscribers').innerText(), /sam.reader@e2e-bulletins.example[\s\S]*Unsubscribed/);
  });
});
