// The annual review, as the strategy team and the public meet it: the first administrator
// (set up by accounts.test.ts) opens the 2025 review, writes its introduction, records a
// decision on every item through the form, is stopped from publishing while any is missing,
// publishes after confirming, and then the public reads "One year on", downloads it as CSV and
// XLSX, and prints it. Every new page, admin and public, passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, newContext, watchForProblems, openPage, type OpenPage } from './support/browser.ts';

const setupPath = process.env.E2E_SETUP_PATH;

describe('the annual review', { skip: !setupPath && 'no first administrator was set up (the database already had people)' }, () => {
  let opened: OpenPage | undefined;
  let page: Page;
  let codes: string[] = [];

  before(async () => {
    opened = await openPage({ asFirstAdmin: true });
    page = opened.page;
  });
  after(async () => opened?.close());

  const qa = (hook: string) => page.locator(`[data-qa="${hook}"]`);

  it('opens the 2025 review from the list, after a year outside the strategy is refused', async () => {
    await qa('manage-links').getByRole('link', { name: 'Run the annual review' }).click();
    await page.waitForURL(/\/admin\/reviews$/);
    assert.match(await qa('no-reviews').innerText(), /No review has been opened yet/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Year of the review').fill('2024');
    await qa('open-review').click();
    assert.match(await qa('error-summary').innerText(), /Enter a year from 2025 to 2039/);
    assert.match(await page.title(), /^Error: /);
    await expectNoAxeViolations(page);
    await page.getByLabel('Year of the review').fill('2025');
    await qa('open-review').click();
    await page.waitForURL(/\/admin\/reviews\/2025$/);
    assert.match(await qa('saved').innerText(), /The 2025 review is open/);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'One year on');
    await expectNoAxeViolations(page);
    codes = (await qa('decisions').locator('tbody tr td:first-child a').allInnerTexts()).map((t) => t.split(':')[0]!.trim());
    assert.ok(codes.length >= 20, `${codes.length} items to decide`);
  });

  it('writes the review’s introduction', async () => {
    await qa('edit-intro').click();
    await expectNoAxeViolations(page);
    await page.getByLabel('Introduction').fill('A year of delivery.\n\nMore than half of the items are moving.');
    await qa('save-intro').click();
    await page.waitForURL(/\/admin\/reviews\/2025$/);
    assert.match(await qa('review-state').innerText(), /A year of delivery/);
  });

  it('is stopped from publishing while items have no decision', async () => {
    await qa('publish-review').click();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'The 2025 review cannot be published yet');
    assert.match(await qa('undecided').innerText(), new RegExp(codes[0]!));
    assert.equal(await qa('confirm-publish').count(), 0);
    await expectNoAxeViolations(page);
  });

  it('records a decision on every item through the form', async () => {
    // The first, with the form's errors first.
    await page.goto(`${baseUrl}/admin/reviews/2025/items/${codes[0]}`);
    await expectNoAxeViolations(page);
    await qa('save-decision').click();
    assert.match(await qa('error-summary').innerText(), /Select the decision[\s\S]*Enter the reason for the decision/);
    await expectNoAxeViolations(page);
    const outcomes: Record<number, string> = { 1: 'Amend', 2: 'Retire' };
    for (const [i, code] of codes.entries()) {
      if (i > 0) await page.goto(`${baseUrl}/admin/reviews/2025/items/${code}`);
      await page.getByLabel(outcomes[i] ?? 'Keep', { exact: true }).check();
      await page.getByLabel('Reason for the decision').fill(`Checked by the Oversight Executive: ${code} still matters.`);
      await qa('save-decision').click();
      await page.waitForURL(/\/admin\/reviews\/2025$/);
      assert.match(await qa('saved').innerText(), new RegExp(`Your decision on ${code} is saved`));
    }
    assert.match(await qa('review-state').innerText(), new RegExp(`${codes.length} of ${codes.length} active items have a decision`));
    await page.getByRole('link', { name: /^Retire \(1\)$/ }).click();
    assert.match(await qa('decisions').innerText(), new RegExp(codes[2]!));
    await expectNoAxeViolations(page);
    // A "retire" decision points to the item admin; it does not retire the item itself.
    await page.goto(`${baseUrl}/admin/reviews/2025/items/${codes[2]}`);
    assert.match(await qa('follow-up').innerText(), /does not retire the item/);
    await expectNoAxeViolations(page);
  });

  it('publishes after confirming, and sees the confirmation panel', async () => {
    await page.goto(`${baseUrl}/admin/reviews/2025/publish`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Are you sure you want to publish the 2025 review?');
    assert.match(await page.locator('main').innerText(), /This cannot be undone/);
    await expectNoAxeViolations(page);
    await qa('confirm-publish').click();
    await page.waitForURL(/\/admin\/reviews\/2025$/);
    assert.match(await qa('published-panel').innerText(), /Review published[\s\S]*The 2025 review is published/);
    await expectNoAxeViolations(page);
    await page.goto(`${baseUrl}/admin/reviews`);
    assert.match(await qa('reviews').innerText(), /2025[\s\S]*Published/);
    await expectNoAxeViolations(page);
  });

  describe('the public', () => {
    let publicContext: BrowserContext;
    let reader: Page;

    before(async () => {
      publicContext = await newContext(opened!.browser, { javaScript: true });
      reader = await publicContext.newPage();
    });
    after(async () => publicContext?.close());

    it('finds the review from the list and reads "One year on", with no problems on the page', async () => {
      await reader.goto(`${baseUrl}/reviews`);
      await expectNoAxeViolations(reader);
      const problems = watchForProblems(reader);
      await reader.getByRole('link', { name: 'One year on: the 2025 review' }).click();
      await reader.waitForURL(/\/reviews\/2025$/);
      assert.equal(await reader.getByRole('heading', { level: 1 }).innerText(), 'One year on');
      assert.match(await reader.locator('[data-qa="years-on"]').innerText(), /One year on from the launch/);
      assert.match(await reader.locator('main').innerText(), /A year of delivery\./);
      assert.match(await reader.locator('[data-qa="moved"]').innerText(), /first annual review/);
      assert.match(await reader.locator('[data-qa="outcome-retire"]').innerText(), new RegExp(codes[2]!));
      await expectNoAxeViolations(reader);
      assert.deepEqual(problems, [], 'the page loads its stylesheets and scripts without errors');
    });

    it('downloads the review as CSV and XLSX with sensible file names', async () => {
      const [download] = await Promise.all([reader.waitForEvent('download'), reader.locator('[data-qa="downloads"]').getByRole('link', { name: 'CSV' }).click()]);
      assert.equal(download.suggestedFilename(), 'workforce-strategy-review-2025.csv');
      const csv = await fetch(`${baseUrl}/reviews/2025.csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
      const lines = (await csv.text()).trim().split('\n');
      assert.match(lines[0]!, /^code,title,type,area/);
      assert.equal(lines.length, codes.length + 1, 'a header and a row per item');
      const xlsx = await fetch(`${baseUrl}/reviews/2025.xlsx`);
      assert.equal(xlsx.status, 200);
      assert.equal(xlsx.headers.get('content-disposition'), 'attachment; filename="workforce-strategy-review-2025.xlsx"');
      assert.equal(xlsx.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.equal(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString(), 'PK', 'a zipped workbook');
    });

    it('prints only the report: no navigation or footer, every item shown, link addresses written out', async () => {
      await reader.goto(`${baseUrl}/reviews/2025`);
      assert.equal(await reader.locator('[data-qa="all-items"]').isVisible(), false, 'the full list is folded away on screen');
      await reader.emulateMedia({ media: 'print' });
      assert.equal(await reader.locator('[data-qa="service-navigation"]').isVisible(), false);
      assert.equal(await reader.locator('footer').isVisible(), false);
      assert.equal(await reader.locator('[data-qa="all-items"]').isVisible(), true, 'details are open in print');
      assert.match(await reader.locator('main').innerText(), /online at http/);
      await reader.emulateMedia({ media: 'screen' });
    });

    it('cannot see a review that is not published', async () => {
      assert.equal((await reader.goto(`${baseUrl}/reviews/2026`))?.status(), 404);
    });
  });
});
