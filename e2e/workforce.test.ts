// The workforce model, as the public and the strategy team meet it: /workforce shows the
// default scenario, a lever changed in the form (no JavaScript needed) moves the figures and
// the address keeps it; a training cut of 100% is refused with the field named; the
// methodology page reproduces the published +540,000; the first administrator (set up by
// accounts.test.ts) saves the adjusted view as a scenario. Every page passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, watchForProblems, signInAsFirstAdmin, openPage, type OpenPage } from './support/browser.ts';

const setupPath = process.env.E2E_SETUP_PATH;
// Until Monte Carlo runs in a worker pool, 1,000 runs in process take seconds on a busy machine.
const SLOW = 180_000;

describe('the workforce model', () => {
  let opened: OpenPage | undefined;
  let page: Page;
  let problems: string[];
  let adjustedUrl = '';

  before(async () => {
    opened = await openPage();
    page = opened.page;
    page.setDefaultNavigationTimeout(SLOW);
    page.setDefaultTimeout(SLOW);
    problems = watchForProblems(page);
  });
  after(async () => opened?.close());

  const qa = (hook: string) => page.locator(`[data-qa="${hook}"]`);
  const figure = async (hook: string) => Number((await qa(hook).locator('.app-headline__figure').innerText()).replaceAll(',', ''));

  it('shows the default scenario, and a lever changed in the form moves the figures', async () => {
    const res = await page.goto(`${baseUrl}/workforce`);
    assert.equal(res?.status(), 200);
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Workforce model/);
    const gap = await figure('figure-gap');
    const filled = await figure('figure-filled');
    assert.ok(gap > 0, `a gap of ${gap}`);
    assert.equal(await qa('chart-demand-supply').locator('svg[role="img"]').count(), 1);
    await expectNoAxeViolations(page);

    await page.locator('#training-size').fill('10');
    await page.locator('#training-start').fill('2026');
    await page.locator('#training-ramp').fill('2');
    await qa('show-results').click();
    await page.waitForURL(/training-size=10/);
    adjustedUrl = page.url();
    assert.ok((await figure('figure-gap')) < gap, 'fewer leavers close the gap');
    assert.ok((await figure('figure-filled')) > filled, 'and fill more posts');
    assert.match(await qa('scenario-description').innerText(), /visas/);
    await expectNoAxeViolations(page);
    assert.deepEqual(problems, []);
  });

  it('refuses a training cut of 100%, naming the field', async () => {
    await page.locator('#training-size').fill('100');
    await qa('show-results').click();
    await page.waitForURL(/training-size=100/);
    assert.match(await qa('error-summary').innerText(), /Training and retention: the size must be less than 100%/);
    assert.match(await page.title(), /^Error: /);
    await expectNoAxeViolations(page);
    await qa('error-summary').getByRole('link').first().click();
    assert.equal(await page.locator('#training-size:focus').count(), 1, 'the summary takes you to the field');
  });

  it('explains the model and the published +540,000', async () => {
    await page.goto(`${baseUrl}/workforce/methodology`);
    assert.match(await qa('published-method').innerText(), /540,000/);
    assert.match(await qa('extra-posts').innerText(), /^[\d,]+$/);
    assert.match(await qa('published-explanation').innerText(), /vintage/);
    await expectNoAxeViolations(page);
  });

  it('lets the strategy team save the adjusted view as a scenario', { skip: !setupPath && 'no first administrator was set up (the database already had people)' }, async () => {
    await signInAsFirstAdmin(page);
    await qa('manage-links').getByRole('link', { name: /Workforce model/ }).click();
    await page.waitForURL(/\/admin\/workforce$/);
    assert.match(await qa('datasets').innerText(), /2022-based/);
    await expectNoAxeViolations(page);

    // The adjusted view from the first test (its result is kept by hash, so it is quick now).
    await page.goto(adjustedUrl);
    await qa('save-as-scenario').click();
    await page.waitForURL(/\/admin\/workforce\/scenarios\/new\?/);
    assert.equal(await page.locator('#training-size').inputValue(), '10');
    await qa('save-scenario').click();
    assert.match(await qa('error-summary').innerText(), /Enter a name for the scenario/);
    await expectNoAxeViolations(page);
    await page.locator('#name').fill('Ten per cent fewer leavers');
    await page.getByLabel('Publish it on /workforce').check();
    await qa('save-scenario').click();
    await page.waitForURL(/\/admin\/workforce$/);
    assert.match(await qa('saved').innerText(), /“Ten per cent fewer leavers” is saved and published/);
    assert.match(await qa('scenarios').innerText(), /Ten per cent fewer leavers\s+Published\s+Ada/);

    await page.goto(`${baseUrl}/workforce`);
    assert.match(await page.locator('#scenario').innerText(), /Ten per cent fewer leavers/);
  });
});
