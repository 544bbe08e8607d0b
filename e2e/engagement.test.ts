// Engagement as the strategy team and the public meet it: the administrator (set up by
// accounts.test.ts) records a workshop, is shown what is wrong with a half-filled form, adds
// what was heard, and the public "what we heard" page counts it. Every page passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, openPage, type OpenPage } from './support/browser.ts';

const setupPath = process.env.E2E_SETUP_PATH;

describe('engagement: what we heard', { skip: !setupPath && 'no first administrator was set up (the database already had people)' }, () => {
  let opened: OpenPage | undefined;
  let page: Page;
  const qa = (hook: string) => page.locator(`[data-qa="${hook}"]`);
  /** The feedback count in the theme table's row for `name`. */
  const themeCount = async (name: string) => {
    const row = qa('table-themes').locator('tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
    return Number((await row.locator('td').first().innerText()).trim());
  };

  before(async () => {
    opened = await openPage({ asFirstAdmin: true });
    page = opened.page;
  });
  after(async () => opened?.close());

  let before_: number;

  it('shows the public counts by theme, with a chart and its table', async () => {
    await page.goto(`${baseUrl}/what-we-heard`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'What we heard');
    assert.equal(await qa('chart-themes').locator('svg[role="img"]').count(), 1);
    before_ = await themeCount('Leadership and management');
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Regional engagement event' }).click();
    await page.waitForURL(/\/what-we-heard\/\d+$/);
    assert.match(await qa('feedback').innerText(), /legal duty to plan the workforce/);
    await expectNoAxeViolations(page);
  });

  it('records a workshop, after the form says what is missing', async () => {
    await page.goto(`${baseUrl}/admin`);
    await qa('manage-links').getByRole('link', { name: 'Engagement activities and what we heard' }).click();
    await page.waitForURL(/\/admin\/engagement$/);
    await expectNoAxeViolations(page);
    await qa('add-activity').click();
    await page.waitForURL(/\/admin\/engagement\/new$/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Title').fill('Workshop with new managers');
    await qa('save-activity').click();
    assert.match(await qa('error-summary').innerText(), /Select the kind of activity[\s\S]*Enter the date the activity was held[\s\S]*Select the region, or national/);
    assert.match(await page.title(), /^Error: /);
    await expectNoAxeViolations(page);
    await page.getByLabel('Workshop').check();
    await page.getByLabel('Day').fill('12');
    await page.getByLabel('Month').fill('9');
    await page.getByLabel('Year').fill('2025');
    await page.getByLabel('Region').selectOption({ label: 'East of England' });
    await page.getByLabel('Organiser').fill('Expert working group: Leadership');
    await page.getByLabel('Number of participants').fill('16');
    await page.getByLabel('Leadership and management').check();
    await qa('save-activity').click();
    await page.waitForURL(/\/admin\/engagement\/\d+$/);
    assert.match(await qa('saved').innerText(), /Workshop with new managers is added/);
    await expectNoAxeViolations(page);
  });

  it('adds what was heard, and the public page counts it', async () => {
    await page.getByLabel('What you heard').fill('New managers want a mentor in their first year.');
    await qa('feedback-form').getByLabel('Leadership and management').check();
    await qa('add-feedback').click();
    await page.waitForURL(/\/admin\/engagement\/\d+#feedback$/);
    assert.match(await qa('feedback').innerText(), /New managers want a mentor/);
    await expectNoAxeViolations(page);
    await page.goto(`${baseUrl}/what-we-heard`);
    assert.equal(await themeCount('Leadership and management'), before_ + 1);
  });
});
