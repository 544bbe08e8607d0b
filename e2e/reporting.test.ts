// After the accounts journey (same hub, files run in name order): the strategy team sets a
// reporting cycle and reads who has reported; a member of the public follows an item by email
// and confirms it from the emailed link. axe-core on every page on the way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, launchBrowser, newContext } from './support/browser.ts';

/** The first administrator made by e2e/accounts.test.ts. */
const ADMIN = { email: 'ada@example.org', password: 'four random words together' };
const setupPath = process.env.E2E_SETUP_PATH;

const day = (offset: number) => {
  const d = new Date(Date.now() + offset * 86_400_000);
  return { day: String(d.getUTCDate()), month: String(d.getUTCMonth() + 1), year: String(d.getUTCFullYear()) };
};

async function fillDate(page: Page, legend: string, value: { day: string; month: string; year: string }): Promise<void> {
  const group = page.getByRole('group', { name: legend });
  await group.getByLabel('Day').fill(value.day);
  await group.getByLabel('Month').fill(value.month);
  await group.getByLabel('Year').fill(value.year);
}

describe('reporting cycles, compliance and following an item', { skip: !setupPath && 'the accounts journey did not run (no set-up link)' }, () => {
  let browser: Browser;
  let admin: BrowserContext;
  let visitor: BrowserContext;
  let page: Page;
  let public_: Page;

  before(async () => {
    browser = await launchBrowser();
    admin = await newContext(browser, { javaScript: true });
    visitor = await newContext(browser, { javaScript: true });
    page = await admin.newPage();
    public_ = await visitor.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Email address').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.locator('[data-qa="sign-in"]').click();
    await page.waitForURL(/\/admin$/);
  });
  after(async () => {
    await admin?.close();
    await visitor?.close();
    await browser?.close();
  });

  it('adds a reporting cycle, after putting a mistake right', async () => {
    await page.getByRole('link', { name: 'Reporting cycles' }).click();
    assert.match(await page.locator('[data-qa="no-cycles"]').innerText(), /no reporting cycles yet/);
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="add-cycle"]').click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Name').fill('Winter round');
    await fillDate(page, 'Opens', day(-3));
    await fillDate(page, 'Reports due', day(-10));
    await fillDate(page, 'Closes', day(20));
    await page.locator('[data-qa="save-cycle"]').click();
    assert.match(await page.locator('[data-qa="error-summary"]').innerText(), /The due date must be on or after the date the cycle opens/);
    assert.match(await page.title(), /^Error: /);
    await expectNoAxeViolations(page);
    await fillDate(page, 'Reports due', day(4));
    await page.locator('[data-qa="save-cycle"]').click();
    await page.waitForURL(/\/admin\/cycles$/);
    assert.match(await page.locator('[data-qa="saved"]').innerText(), /Winter round is set/);
    assert.match(await page.locator('[data-qa="cycles"]').innerText(), /Winter round[\s\S]*Open/);
    await expectNoAxeViolations(page);
  });

  it('shows who has reported in the cycle', async () => {
    await page.goto(`${baseUrl}/admin/compliance`);
    assert.match(await page.locator('[data-qa="cycle-summary"]').innerText(), /Winter round/);
    assert.match(await page.locator('[data-qa="compliance"]').innerText(), /Care Quality Commission/);
    await expectNoAxeViolations(page);
  });

  it('lets anyone follow an item by email, confirmed from the emailed link', async () => {
    await public_.goto(`${baseUrl}/recommendations/AR-06`);
    await public_.locator('[data-qa="follow-link"]').getByRole('link').click();
    assert.equal(await public_.getByRole('heading', { level: 1 }).innerText(), 'Get emails about this item');
    await expectNoAxeViolations(public_);
    await public_.locator('[data-qa="follow"]').click();
    assert.match(await public_.locator('[data-qa="error-summary"]').innerText(), /Enter an email address/);
    await expectNoAxeViolations(public_);
    await public_.getByLabel('Email address').fill('follower@example.org');
    await public_.locator('[data-qa="follow"]').click();
    assert.equal(await public_.getByRole('heading', { level: 1 }).innerText(), 'Check your email');
    await expectNoAxeViolations(public_);

    // The hub has no SMTP server here: the administrator reads the email in the outbox.
    let link: string | undefined;
    for (let attempt = 0; attempt < 20 && !link; attempt++) {
      await page.goto(`${baseUrl}/admin/outbox`);
      const row = page.locator('[data-qa="outbox"] tbody tr', { hasText: 'follower@example.org' }).first();
      if (await row.count()) {
        await row.getByRole('link').click();
        link = /\/follow\/confirm\/[A-Za-z0-9_-]+/.exec(await page.locator('[data-qa="email-text"]').innerText())?.[0];
      } else {
        await page.waitForTimeout(250);
      }
    }
    assert.ok(link, 'a confirmation link in the outbox');
    await public_.goto(`${baseUrl}${link}`);
    assert.match(await public_.getByRole('heading', { level: 1 }).innerText(), /Confirm emails about AR-06/);
    await expectNoAxeViolations(public_);
    await public_.locator('[data-qa="confirm"]').click();
    assert.match(await public_.locator('[data-qa="follow-confirmed"]').innerText(), /You are following AR-06/);
    await expectNoAxeViolations(public_);
  });
});
