// Governance as the public and the strategy team meet it: the bodies, one body with its members
// and calendar link, the meetings list and a meeting with public minutes and a decision linked
// to its item; then the first administrator (set up by accounts.test.ts) adds a body with a
// mistake corrected, a member, and a meeting, records its minutes and a decision, and cancels
// it. Every page passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, openPage, type OpenPage } from './support/browser.ts';

const setupPath = process.env.E2E_SETUP_PATH;

describe('governance pages', () => {
  let opened: OpenPage | undefined;
  let page: Page;
  before(async () => {
    opened = await openPage({ asFirstAdmin: false });
    page = opened.page;
  });
  after(async () => opened?.close());
  const qa = (hook: string) => page.locator(`[data-qa="${hook}"]`);

  it('lists the bodies and shows one with its members and meetings', async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator('[data-qa="service-navigation"]').getByRole('link', { name: 'Governance' }).click();
    await page.waitForURL(/\/governance$/);
    assert.match(await qa('body-steering-group').innerText(), /\d+ people from \d+ organisations/);
    await expectNoAxeViolations(page);
    await qa('body-steering-group').getByRole('link', { name: 'Workforce strategy steering group' }).click();
    await page.waitForURL(/\/governance\/steering-group$/);
    assert.match(await qa('members').innerText(), /Independent members[\s\S]*Sir David Pearson/);
    assert.ok(await qa('calendar-link').isVisible());
    await expectNoAxeViolations(page);
  });

  it('lists meetings and shows a past meeting with its minutes and a decision linked to its item', async () => {
    await page.goto(`${baseUrl}/meetings`);
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="when"]').getByRole('link', { name: /Past/ }).click();
    await page.waitForURL(/when=past/);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Steering group: progress review' }).click();
    assert.match(await qa('minutes').innerText(), /employer guide/);
    assert.ok(!(await page.content()).includes('Draft budget options'), 'no members-only paper for the public');
    await expectNoAxeViolations(page);
    await qa('decisions').getByRole('link', { name: /TR-04/ }).click();
    await page.waitForURL(/\/recommendations\/TR-04$/);
    assert.match(await qa('discussed-at').innerText(), /Steering group: progress review/);
  });
});

describe('governance admin', { skip: !setupPath && 'no first administrator was set up (the database already had people)' }, () => {
  let opened: OpenPage | undefined;
  let page: Page;
  before(async () => {
    opened = await openPage({ asFirstAdmin: true });
    page = opened.page;
  });
  after(async () => opened?.close());
  const qa = (hook: string) => page.locator(`[data-qa="${hook}"]`);

  it('adds a body after correcting a mistake', async () => {
    await qa('manage-links').getByRole('link', { name: /Governance bodies/ }).click();
    await page.waitForURL(/\/admin\/governance$/);
    await expectNoAxeViolations(page);
    await qa('add-body').click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Name', { exact: true }).fill('Delivery board: retention');
    await qa('save-body').click();
    assert.match(await qa('error-summary').innerText(), /Enter a web address name[\s\S]*Select the kind of body/);
    assert.match(await page.title(), /^Error: /);
    await expectNoAxeViolations(page);
    await page.getByLabel('Web address name').fill('delivery-board-retention');
    await page.getByLabel('Delivery board').check();
    await page.getByLabel('Reports to').selectOption({ label: 'Workforce strategy steering group' });
    await qa('save-body').click();
    await page.waitForURL(/\/admin\/governance\/delivery-board-retention$/);
    assert.match(await qa('saved').innerText(), /is added/);
    await expectNoAxeViolations(page);
  });

  it('adds a member and a meeting, records minutes and a decision, and cancels the meeting', async () => {
    await qa('add-member').click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Name', { exact: true }).fill('Retention lead');
    await page.getByLabel('Chair', { exact: true }).check();
    await qa('save-member').click();
    await page.waitForURL(/\/admin\/governance\/delivery-board-retention$/);
    assert.match(await qa('current-members').innerText(), /Retention lead/);
    await qa('current-members').getByRole('link', { name: /Change/ }).click();
    await expectNoAxeViolations(page);
    await page.goBack();

    await qa('add-meeting').click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Title').fill('Retention board: first meeting');
    await page.getByLabel('Day').fill('3');
    await page.getByLabel('Month').fill('3');
    await page.getByLabel('Year').fill('2031');
    await page.getByLabel('Start time').fill('10am');
    await page.getByLabel('End time').fill('9am');
    await qa('save-meeting').click();
    assert.match(await qa('error-summary').innerText(), /End time must be after the start time[\s\S]*Enter a place or an online link/);
    await expectNoAxeViolations(page);
    await page.getByLabel('End time').fill('12pm');
    await page.getByLabel('Place').fill('Leeds');
    await qa('save-meeting').click();
    await page.waitForURL(/\/meetings\/\d+$/);
    assert.match(await qa('meeting-details').innerText(), /3 March 2031, 10am to midday/);
    await expectNoAxeViolations(page);

    await qa('manage-meeting').getByRole('link', { name: 'Record the minutes and decisions' }).click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Minutes', { exact: true }).fill('The board agreed its terms of reference.');
    await page.getByLabel('Anyone: publish them on the meeting’s page').check();
    await qa('save-minutes').click();
    await page.waitForURL(/\/meetings\/\d+$/);
    assert.match(await qa('minutes').innerText(), /terms of reference/);
    await qa('manage-meeting').getByRole('link', { name: 'Record the minutes and decisions' }).click();
    await page.getByLabel('What the meeting decided').fill('Retention data to be reviewed quarterly.');
    await page.getByLabel('Item it concerns (optional)').fill('AR-01');
    await qa('record-decision').click();
    assert.match(await qa('decisions').innerText(), /Retention data to be reviewed quarterly\. \(AR-01\)/);
    await expectNoAxeViolations(page);

    await page.goto(page.url().replace('/record', '/cancel'));
    await expectNoAxeViolations(page);
    await qa('cancel-meeting').click();
    await page.waitForURL(/\/meetings\/\d+$/);
    assert.ok(await qa('cancelled').isVisible());
  });
});
