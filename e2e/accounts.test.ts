// The first administrator sets up their account from the link the hub prints at its first
// start, finds their way around, signs out and back in, and invites a reporter, who accepts,
// sees only their organisation's work, makes an API token and resets their password. Every
// page passes axe. Email goes to the outbox (no SMTP here), which the administrator reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectNoAxeViolations, launchBrowser, newContext } from './support/browser.ts';
import { ProgressPage } from './support/pages.ts';

const baseUrl = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';
const setupPath = process.env.E2E_SETUP_PATH;
const PASSWORD = 'four random words together';
const REPORTER_PASSWORD = 'reporting is easy now';
const NEW_PASSWORD = 'a brand new passphrase';

/** The path of the link in the newest outbox email to `to`, read the way an administrator would. */
async function linkFromOutbox(admin: Page, to: string, subject: RegExp): Promise<string> {
  await admin.goto(`${baseUrl}/admin/outbox`);
  const row = admin.locator('[data-qa="outbox"] tbody tr', { hasText: to }).filter({ hasText: subject }).first();
  await row.getByRole('link').click();
  await expectNoAxeViolations(admin);
  const text = await admin.locator('[data-qa="email-text"]').innerText();
  const link = /https?:\/\/\S+?(\/(invite|password-reset)\/[A-Za-z0-9_-]+)/.exec(text);
  assert.ok(link, `a link in the email to ${to}`);
  return link[1]!;
}

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

  it('invites a reporter for the Care Quality Commission', async () => {
    await page.goto(`${baseUrl}/admin/users`);
    await page.locator('[data-qa="invite-someone"]').click();
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="send-invite"]').click();
    assert.match(await page.locator('[data-qa="error-summary"]').innerText(), /Enter a name[\s\S]*Enter an email address/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Full name').fill('Rita Reporter');
    await page.getByLabel('Email address').fill('rita@cqc.example');
    await page.getByLabel('Organisation reporter').check();
    await page.getByLabel('Organisation', { exact: true }).selectOption({ label: 'Care Quality Commission' });
    await page.locator('[data-qa="send-invite"]').click();
    await page.waitForURL(/\/admin\/users$/);
    assert.match(await page.locator('[data-qa="saved"]').innerText(), /Invitation sent to rita@cqc\.example/);
    assert.match(await page.locator('[data-qa="users"]').innerText(), /Rita Reporter[\s\S]*Invited/);
    await expectNoAxeViolations(page);
    // Their page offers a new invitation while they have not accepted.
    await page.getByRole('link', { name: 'Rita Reporter' }).click();
    assert.match(await page.locator('main').innerText(), /Invited: has not set a password yet/);
    assert.equal(await page.locator('[data-qa="resend-invite"]').count(), 1);
    await expectNoAxeViolations(page);
  });

  it('reads the outbox, the organisations and the audit trail', async () => {
    await page.goto(`${baseUrl}/admin/outbox`);
    assert.match(await page.locator('[data-qa="outbox"]').innerText(), /rita@cqc\.example[\s\S]*invited/);
    await expectNoAxeViolations(page);
    await page.goto(`${baseUrl}/admin/organisations`);
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Care Quality Commission' }).click();
    assert.match(await page.locator('[data-qa="people"]').innerText(), /Rita Reporter[\s\S]*Invited/);
    await expectNoAxeViolations(page);
    await page.goto(`${baseUrl}/admin/items`);
    await expectNoAxeViolations(page);
    await page.goto(`${baseUrl}/admin/items/AR-06/edit`);
    await expectNoAxeViolations(page);
    await page.goto(`${baseUrl}/admin/audit?person=ada%40example.org`);
    assert.match(await page.locator('main').innerText(), /user\.invited/);
    await expectNoAxeViolations(page);
  });

  describe('the invited reporter', () => {
    let reporterContext: BrowserContext;
    let reporter: Page;

    before(async () => {
      // A browser of their own (axe needs JavaScript to scan; the forms work without it).
      reporterContext = await newContext(browser, { javaScript: true });
      reporter = await reporterContext.newPage();
    });
    after(async () => reporterContext?.close());

    it('accepts the invitation and sees only their organisation’s work', async () => {
      const link = await linkFromOutbox(page, 'rita@cqc.example', /invited/);
      await reporter.goto(`${baseUrl}${link}`);
      assert.equal(await reporter.getByRole('heading', { level: 1 }).innerText(), 'Accept your invitation');
      await expectNoAxeViolations(reporter);
      await reporter.getByLabel('Create a password').fill(REPORTER_PASSWORD);
      await reporter.getByLabel('Confirm password').fill(REPORTER_PASSWORD);
      await reporter.locator('[data-qa="accept-invite"]').click();
      await reporter.waitForURL(/\/admin\?welcome=1$/);
      assert.match(await reporter.locator('[data-qa="account"]').innerText(), /Rita Reporter[\s\S]*Organisation reporter[\s\S]*Care Quality Commission/);
      const work = await reporter.locator('[data-qa="organisation-work"]').innerText();
      assert.match(work, /AR-06/);
      assert.doesNotMatch(work, /AR-04/, 'a Department of Health and Social Care item is not theirs');
      await expectNoAxeViolations(reporter);
      // The link worked once.
      await reporter.goto(`${baseUrl}${link}`);
      assert.equal(await reporter.getByRole('heading', { level: 1 }).innerText(), 'This link has expired');
      await expectNoAxeViolations(reporter);
      // Other organisations and the people pages are closed to them.
      assert.equal((await reporter.goto(`${baseUrl}/admin/organisations/skills-for-care`))?.status(), 403);
      assert.equal((await reporter.goto(`${baseUrl}/admin/users`))?.status(), 403);
      assert.equal((await reporter.goto(`${baseUrl}/api/v1/organisations/skills-for-care/work`))?.status(), 403);
    });

    it('makes an API token that reads their organisation’s work and nothing else', async () => {
      await reporter.goto(`${baseUrl}/admin`);
      await reporter.locator('[data-qa="organisation-page"]').click();
      await expectNoAxeViolations(reporter);
      await reporter.locator('[data-qa="new-token"]').click();
      await expectNoAxeViolations(reporter);
      await reporter.getByLabel('Name').fill('Quarterly return');
      await reporter.getByLabel('organisation:read').check();
      await reporter.locator('[data-qa="create-token"]').click();
      const token = (await reporter.locator('[data-qa="token"]').innerText()).trim();
      assert.match(token, /^wsh_/);
      await expectNoAxeViolations(reporter);
      const own = await fetch(`${baseUrl}/api/v1/organisations/care-quality-commission/work`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(own.status, 200);
      const other = await fetch(`${baseUrl}/api/v1/organisations/skills-for-care/work`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(other.status, 403);
    });

    it('resets a forgotten password', async () => {
      await reporterContext.clearCookies();
      await reporter.goto(`${baseUrl}/login`);
      await reporter.locator('[data-qa="forgotten-password"]').click();
      await expectNoAxeViolations(reporter);
      await reporter.getByLabel('Email address').fill('rita@cqc.example');
      await reporter.locator('[data-qa="send-reset"]').click();
      assert.match(await reporter.locator('[data-qa="reset-sent"]').innerText(), /If rita@cqc\.example has an account/);
      await expectNoAxeViolations(reporter);
      let link = '';
      for (let tries = 0; tries < 20 && !link; tries++) {
        // The email is written just after the answer, so it may take a moment to appear.
        link = await linkFromOutbox(page, 'rita@cqc.example', /password/i).catch(() => '');
        if (!link) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(link, 'the reset email arrived');
      await reporter.goto(`${baseUrl}${link}`);
      await expectNoAxeViolations(reporter);
      await reporter.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await reporter.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      await reporter.locator('[data-qa="save-password"]').click();
      await reporter.waitForURL(/\/admin\?password-changed=1$/);
      assert.match(await reporter.locator('main').innerText(), /Your password has been changed/);
    });

    it('reports progress: submitted, returned, resubmitted, published, and then public', async () => {
      await reporter.goto(`${baseUrl}/admin`);
      await reporter.locator('[data-qa="report-progress"]').click();
      assert.match(await reporter.locator('[data-qa="tasks-done"]').innerText(), /0 of 3 items/);
      await expectNoAxeViolations(reporter);
      await reporter.getByRole('link', { name: /AR-06/ }).click();
      await expectNoAxeViolations(reporter);
      await reporter.locator('[data-qa="submit-update"]').click();
      assert.match(await reporter.locator('[data-qa="error-summary"]').innerText(), /Select the item’s status[\s\S]*Select how confident you are[\s\S]*Enter a summary/);
      await expectNoAxeViolations(reporter);
      // "Not started": the public-page journeys share this hub and filter on "In progress".
      await reporter.getByLabel('Not started').check();
      await reporter.getByLabel('Some risk').check();
      await reporter.getByLabel('Summary').fill('Guidance drafted with providers.');
      await reporter.getByLabel('What has happened (optional)').fill('We met **12 providers** in October.');
      await reporter.locator('[data-qa="submit-update"]').click();
      assert.match(await reporter.locator('[data-qa="saved"]').innerText(), /submitted/);

      // The team returns it with a comment.
      await page.goto(`${baseUrl}/admin/updates`);
      await expectNoAxeViolations(page);
      await page.getByRole('link', { name: /AR-06/ }).click();
      assert.match(await page.locator('[data-qa="narrative"]').innerText(), /We met 12 providers/);
      await expectNoAxeViolations(page);
      await page.getByLabel('Or return it with comments').fill('Please add a link to the draft guidance.');
      await page.locator('[data-qa="return"]').click();
      assert.match(await page.locator('[data-qa="saved"]').innerText(), /returned/);

      // The reporter sees why, puts it right and submits again.
      await reporter.goto(`${baseUrl}/report/care-quality-commission/items/AR-06`);
      assert.match(await reporter.locator('[data-qa="review-comment"]').innerText(), /Please add a link to the draft guidance\./);
      await expectNoAxeViolations(reporter);
      await reporter.getByLabel('Links to evidence (optional)').fill('Draft guidance https://example.org/guidance.pdf');
      await reporter.getByLabel('Evidence files (optional)').setInputFiles({ name: 'provider-survey.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
      await reporter.locator('[data-qa="submit-update"]').click();

      // Nothing is public until the team publishes it.
      await page.goto(`${baseUrl}/recommendations/AR-06`);
      assert.equal(await page.locator('[data-qa="no-timeline"]').count(), 1);
      const progress = new ProgressPage(page);
      await progress.open(`${baseUrl}/progress`);
      const countsBefore = await progress.statusCounts();
      const overTimeBefore = (await progress.table('table-over-time')).at(-1);
      assert.doesNotMatch(await progress.latestUpdates(), /AR-06/);
      await page.goto(`${baseUrl}/admin/updates`);
      await page.getByRole('link', { name: /AR-06/ }).click();
      await page.locator('[data-qa="publish"]').click();
      assert.match(await page.locator('[data-qa="saved"]').innerText(), /published/);

      await page.goto(`${baseUrl}/recommendations/AR-06`);
      assert.match(await page.locator('[data-qa="status"]').innerText(), /Not started/);
      assert.match(await page.locator('[data-qa="timeline"]').innerText(), /Care Quality Commission[\s\S]*Guidance drafted with providers\.[\s\S]*We met 12 providers[\s\S]*Draft guidance/);
      assert.match(await page.locator('[data-qa="evidence-files"]').innerText(), /provider-survey\.pdf \(PDF, 15 bytes\)/);
      await expectNoAxeViolations(page);

      // /progress counts AR-06 as not started now (it was not reported), this quarter too,
      // and lists the update first among the latest verified ones.
      await progress.open(`${baseUrl}/progress`);
      const [notStarted, inProgress, complete, notReported, total] = countsBefore;
      assert.deepEqual(await progress.statusCounts(), [notStarted! + 1, inProgress, complete, notReported! - 1, total]);
      const overTimeNow = (await progress.table('table-over-time')).at(-1)!;
      assert.equal(overTimeNow[0], overTimeBefore![0], 'the same (current) quarter');
      assert.deepEqual(overTimeNow.slice(1, 2).map(Number), [Number(overTimeBefore![1]) + 1]);
      assert.match(await progress.latestUpdates(), /^AR-06: Regulator encourages providers .* Not started Care Quality Commission, published .*Guidance drafted with providers\./);
      await expectNoAxeViolations(page);
    });
  });
});
