// The first administrator sets up their account from the link the hub prints at its first
// start, finds their way around, signs out and back in; every page passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectNoAxeViolations, launchBrowser, newContext } from './support/browser.ts';

const baseUrl = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';
const setupPath = process.env.E2E_SETUP_PATH;
const PASSWORD = 'four random words together';

describe('the first administrator', { skip: !setupPath && 'no set-up link was printed (the database already had people)' }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
    context = await newContext(browser, { javaScript: true });
    page = await context.newPage();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
  });

  it('sets up their account from the printed link and is signed in', async () => {
    await page.goto(`${baseUrl}${setupPath}`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Set up the first administrator');
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Create account' }).click();
    assert.match(await page.locator('[data-qa="error-summary"]').innerText(), /Enter a name/);
    assert.match(await page.title(), /^Error: /);
    await expectNoAxeViolations(page);
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('Email address').fill('ada@example.org');
    await page.getByLabel('Create a password').fill(PASSWORD);
    await page.getByLabel('Confirm password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/admin\?welcome=1$/);
    assert.match(await page.locator('[data-qa="account"]').innerText(), /Ada Lovelace[\s\S]*ada@example\.org[\s\S]*Administrator/);
    await expectNoAxeViolations(page);
  });

  it('sees the people page and their own record', async () => {
    await page.getByRole('link', { name: 'People and roles' }).click();
    assert.match(await page.locator('[data-qa="user-count"]').innerText(), /1 person/);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Ada Lovelace');
    await expectNoAxeViolations(page);
  });

  it('signs out, is refused with a wrong password, and signs back in', async () => {
    await page.getByRole('link', { name: 'Sign out' }).click();
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="sign-out"]').click();
    await page.waitForURL(/\/login/);
    await page.goto(`${baseUrl}/admin/users`);
    await page.waitForURL(/\/login\?next=%2Fadmin%2Fusers/);
    await page.getByLabel('Email address').fill('ada@example.org');
    await page.getByLabel('Password', { exact: true }).fill('not my password');
    await page.locator('[data-qa="sign-in"]').click();
    assert.match(await page.locator('[data-qa="error-summary"]').innerText(), /Enter a correct email address and password/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.locator('[data-qa="sign-in"]').click();
    await page.waitForURL(/\/admin\/users$/);
    assert.match(await page.locator('[data-qa="user-count"]').innerText(), /1 person/);
  });
});
