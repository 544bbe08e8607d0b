// Champions and "get involved" as people meet them: someone joins at /champions/join (after the
// form says what is missing), confirms through the emailed link, the administrator (set up by
// accounts.test.ts) approves them, and the champion signs in by the emailed link, pledges to an
// item and logs an action, without JavaScript; the pledge shows on the item's page. Someone
// else sends a "get involved" enquiry, which the administrator handles. The hub has no SMTP
// server here: the administrator reads the emails in the outbox. Every page passes axe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { baseUrl, expectNoAxeViolations, launchBrowser, newContext, readLinkFromOutbox, watchForProblems } from './support/browser.ts';

const setupPath = process.env.E2E_SETUP_PATH;
// The first administrator's password, from accounts.test.ts.
const ADMIN_PASSWORD = 'four random words together';
const EMAIL = 'jo.kowalski@e2e-care.example';
const NAME = 'Jo Kowalski';
const ITEM = 'AR-03';

describe('champions and get involved', { skip: !setupPath && 'no first administrator was set up (the database already had people)' }, () => {
  let browser: Browser;
  let adminContext: BrowserContext;
  let admin: Page;
  let publicContext: BrowserContext;
  let visitor: Page;
  let visitorProblems: string[];
  /** The champion's own browser, without JavaScript, and the same session with it for axe. */
  let noScriptContext: BrowserContext;
  let champion: Page;
  let checkContext: BrowserContext;
  let checker: Page;
  let championId = '';

  const qa = (page: Page, hook: string) => page.locator(`[data-qa="${hook}"]`);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).innerText();

  const linkFromOutbox = (to: string, subject: string, pattern: RegExp) => readLinkFromOutbox(admin, to, subject, pattern);

  /** Opens a page in the champion's session with JavaScript on, so axe can check it. */
  async function checkAsChampion(path: string): Promise<void> {
    await checkContext.addCookies(await noScriptContext.cookies());
    const response = await checker.goto(`${baseUrl}${path}`);
    assert.equal(response?.status(), 200, `${path} answered ${response?.status()}`);
    assert.ok(!checker.url().includes('/champions/sign-in'), `${path}: still signed in`);
    await expectNoAxeViolations(checker);
  }

  before(async () => {
    browser = await launchBrowser();
    adminContext = await newContext(browser, { javaScript: true });
    admin = await adminContext.newPage();
    await admin.goto(`${baseUrl}/login`);
    await admin.getByLabel('Email address').fill('ada@example.org');
    await admin.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await qa(admin, 'sign-in').click();
    await admin.waitForURL(/\/admin$/);
    publicContext = await newContext(browser, { javaScript: true });
    visitor = await publicContext.newPage();
    visitorProblems = watchForProblems(visitor);
    noScriptContext = await newContext(browser, { javaScript: false });
    champion = await noScriptContext.newPage();
    checkContext = await newContext(browser, { javaScript: true });
    checker = await checkContext.newPage();
  });
  after(async () => {
    for (const context of [adminContext, publicContext, noScriptContext, checkContext]) await context?.close();
    await browser?.close();
  });

  it('shows the public champions page, with the demo champions who agreed to be listed', async () => {
    await visitor.goto(`${baseUrl}/champions`);
    assert.equal(await h1(visitor), 'Champions of the strategy');
    assert.match(await qa(visitor, 'active-count').innerText(), /\d+ active champions?/);
    assert.equal(await qa(visitor, 'chart-growth').locator('svg[role="img"]').count(), 1);
    assert.ok((await qa(visitor, 'directory').locator('tbody tr').count()) > 0, 'the directory lists someone');
    await expectNoAxeViolations(visitor);
    await visitor.goto(`${baseUrl}/champions/sign-in`);
    assert.equal(await h1(visitor), 'Sign in as a champion');
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'send-sign-in').click();
    assert.match(await qa(visitor, 'error-summary').innerText(), /Enter an email address/);
    assert.match(await visitor.title(), /^Error: /);
    await expectNoAxeViolations(visitor);    // An address that is no champion's gets the same answer as one that is.
    await visitor.getByLabel('Email address').fill('nobody@e2e-care.example');
    await qa(visitor, 'send-sign-in').click();
    assert.equal(await h1(visitor), 'Check your email');
    assert.match(await qa(visitor, 'community-sign-in-sent').innerText(), /If this address belongs to a champion/);
    await expectNoAxeViolations(visitor);
  });

  it('joins, after a half-filled form says what is missing, and confirms through the emailed link', async () => {
    await visitor.goto(`${baseUrl}/champions`);
    await visitor.getByRole('button', { name: 'Become a champion' }).click();
    await visitor.waitForURL(/\/champions\/join$/);
    assert.equal(await h1(visitor), 'Become a champion');
    await expectNoAxeViolations(visitor);

    await visitor.getByLabel('Email address').fill(EMAIL);
    await visitor.getByLabel('Full name').fill(NAME);
    await qa(visitor, 'join').click();
    const problems = await qa(visitor, 'error-summary').innerText();
    assert.match(problems, /There is a problem/);
    assert.match(problems, /Select the setting you work in/);
    assert.match(problems, /Tell us why you want to be a champion/);
    assert.match(await visitor.title(), /^Error: /);
    assert.equal(await visitor.getByLabel('Full name').inputValue(), NAME, 'what was typed is kept');
    await expectNoAxeViolations(visitor);

    await visitor.getByLabel('Job role').fill('Activities coordinator');
    await visitor.getByLabel('Employer or organisation').fill('Larkspur House');
    await visitor.getByRole('group', { name: 'Which setting do you work in?' }).getByLabel('Care home', { exact: true }).check();
    await visitor.getByLabel('Region').selectOption({ label: 'East Midlands' });
    await visitor.getByLabel('Why do you want to be a champion?').fill('To bring the strategy into our activities team.');
    await visitor.getByRole('group', { name: /May the strategy team email you/ }).getByLabel('Yes', { exact: true }).check();
    await visitor.getByRole('group', { name: /public directory of champions/ }).getByLabel('Yes', { exact: true }).check();
    await qa(visitor, 'join').click();
    assert.equal(await h1(visitor), 'Check your email');
    await expectNoAxeViolations(visitor);

    const confirm = await linkFromOutbox(EMAIL, 'Confirm your email address', /\/champions\/join\/confirm\?token=[A-Za-z0-9_-]+/);
    await visitor.goto(`${baseUrl}${confirm}`);
    assert.equal(await h1(visitor), 'Confirm your sign-up');
    assert.match(await visitor.locator('main').innerText(), /Larkspur House/);
    await expectNoAxeViolations(visitor);
    await qa(visitor, 'confirm').click();
    assert.match(await qa(visitor, 'community-confirmed-pending').innerText(), /The strategy team will check your sign-up/);
    await expectNoAxeViolations(visitor);
    // The link works once.
    await visitor.goto(`${baseUrl}${confirm}`);
    assert.equal(await h1(visitor), 'This link has expired or has been used');
    await expectNoAxeViolations(visitor);
    assert.deepEqual(visitorProblems, []);
  });

  it('the administrator finds the new champion, approves them, and sees the settings', async () => {
    await admin.goto(`${baseUrl}/admin`);
    await qa(admin, 'manage-links').getByRole('link', { name: 'Champions: approve, search, export' }).click();
    await admin.waitForURL(/\/admin\/champions$/);
    assert.equal(await h1(admin), 'Champions');
    await expectNoAxeViolations(admin);
    await admin.getByLabel('Status').selectOption({ label: 'Waiting for approval' });
    await admin.getByRole('button', { name: 'Filter' }).click();
    await admin.waitForURL(/status=pending/);
    assert.match(await qa(admin, 'champions').innerText(), new RegExp(NAME));
    await expectNoAxeViolations(admin);

    await qa(admin, 'champions').getByRole('link', { name: NAME }).click();
    await admin.waitForURL(/\/admin\/champions\/\d+$/);
    championId = /\/admin\/champions\/(\d+)$/.exec(admin.url())![1]!;
    assert.equal(await h1(admin), NAME);
    assert.equal((await qa(admin, 'champion-status').innerText()).trim(), 'Waiting for approval');
    await expectNoAxeViolations(admin);
    await qa(admin, 'approve').click();
    await admin.waitForURL(new RegExp(`/admin/champions/${championId}$`));
    assert.match(await qa(admin, 'saved').innerText(), new RegExp(`${NAME} is approved: a welcome email is on its way`));
    assert.equal((await qa(admin, 'champion-status').innerText()).trim(), 'Active');
    await expectNoAxeViolations(admin);

    await admin.goto(`${baseUrl}/admin/champions`);
    await admin.getByRole('link', { name: 'Settings approved automatically' }).click();
    await admin.waitForURL(/\/admin\/champions\/settings$/);
    assert.equal(await h1(admin), 'Settings approved automatically');
    await expectNoAxeViolations(admin);
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.waitForURL(/\/admin\/champions\/settings$/);
    assert.match(await qa(admin, 'saved').innerText(), /have been saved/);
    await expectNoAxeViolations(admin);
  });

  it('a setting approved automatically: someone from education joins and is a champion at once', async () => {
    await admin.goto(`${baseUrl}/admin/champions/settings`);
    await admin.getByLabel('Education', { exact: true }).check();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.waitForURL(/\/admin\/champions\/settings$/);
    assert.ok(await admin.getByLabel('Education', { exact: true }).isChecked());
    await visitor.goto(`${baseUrl}/champions/join`);
    await visitor.getByLabel('Email address').fill('lee.tutor@e2e-college.example');
    await visitor.getByLabel('Full name').fill('Lee Tutor');
    await visitor.getByLabel('Job role').fill('Lecturer');
    await visitor.getByLabel('Employer or organisation').fill('Northgate College');
    await visitor.getByLabel('Education', { exact: true }).check();
    await visitor.getByLabel('Region').selectOption({ label: 'North East' });
    await visitor.getByLabel('Why do you want to be a champion?').fill('My students are the workforce of the future.');
    await visitor.getByRole('group', { name: /May the strategy team email you/ }).getByLabel('No', { exact: true }).check();
    await visitor.getByRole('group', { name: /public directory of champions/ }).getByLabel('No', { exact: true }).check();
    await qa(visitor, 'join').click();
    assert.equal(await h1(visitor), 'Check your email');
    await visitor.goto(`${baseUrl}${await linkFromOutbox('lee.tutor@e2e-college.example', 'Confirm your email address', /\/champions\/join\/confirm\?token=[A-Za-z0-9_-]+/)}`);
    await qa(visitor, 'confirm').click();
    assert.match(await qa(visitor, 'community-confirmed-active').innerText(), /You are now a champion/);
    await expectNoAxeViolations(visitor);
    // Back as it was.
    await admin.goto(`${baseUrl}/admin/champions/settings`);
    await admin.getByLabel('Education', { exact: true }).uncheck();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.waitForURL(/\/admin\/champions\/settings$/);
    assert.equal(await admin.getByLabel('Education', { exact: true }).isChecked(), false);
  });

  it('the champion signs in by the emailed link, pledges and logs an action without JavaScript', async () => {
    const signIn = await linkFromOutbox(EMAIL, 'Welcome: you are now a strategy champion', /\/champions\/sign-in\/[A-Za-z0-9_-]+/);
    // Opening the link uses nothing (a button signs in): checked with JavaScript first, for axe.
    await checker.goto(`${baseUrl}${signIn}`);
    assert.equal(await h1(checker), 'Sign in as a champion');
    await expectNoAxeViolations(checker);
    await champion.goto(`${baseUrl}${signIn}`);
    assert.equal(await h1(champion), 'Sign in as a champion');
    await qa(champion, 'sign-in').click();
    await champion.waitForURL(/\/champions\/me$/);
    assert.equal(await h1(champion), 'Your champion record');
    await checker.goto(`${baseUrl}${signIn}`);
    assert.equal(await h1(checker), 'This sign-in link has expired or has been used', 'the link works once');
    await expectNoAxeViolations(checker);
    assert.equal((await qa(champion, 'champion-status').innerText()).trim(), 'Active');
    assert.equal(await qa(champion, 'no-pledges').count(), 1);

    // Pledging with nothing chosen says so; then a pledge.
    await qa(champion, 'pledge').click();
    assert.match(await qa(champion, 'error-summary').innerText(), /Select an item from the list/);
    assert.match(await champion.title(), /^Error: /);
    await checkAsChampion('/champions/me');
    await champion.getByLabel('Pledge to champion an item').selectOption({ value: ITEM });
    await qa(champion, 'pledge').click();
    await champion.waitForURL(/\/champions\/me$/);
    assert.match(await qa(champion, 'saved').innerText(), new RegExp(`You have pledged to champion ${ITEM}`));
    assert.match(await qa(champion, 'my-pledges').innerText(), new RegExp(ITEM));

    await qa(champion, 'log-action').click();
    await champion.waitForURL(/\/champions\/me\/actions\/new$/);
    await qa(champion, 'save-action').click();
    assert.match(await qa(champion, 'error-summary').innerText(), /Enter the date of the action/);
    assert.match(await champion.title(), /^Error: /);
    await champion.getByLabel('Talk', { exact: true }).check();
    await champion.getByLabel('Title').fill('Briefing for the activities team');
    await champion.getByLabel('Strategy item it maps to (optional)').selectOption({ value: ITEM });
    await champion.getByLabel('Day').fill('2');
    await champion.getByLabel('Month').fill('3');
    await champion.getByLabel('Year').fill('2026');
    await champion.getByLabel('How many people did it reach?').fill('14');
    await qa(champion, 'save-action').click();
    await champion.waitForURL(/\/champions\/me$/);
    assert.match(await qa(champion, 'saved').innerText(), /Your action has been logged/);
    assert.match(await qa(champion, 'my-actions').innerText(), /Talk: Briefing for the activities team \(AR-03\)/);
  });

  it('every page of the champion’s own record passes axe (with JavaScript, in the same session)', async () => {
    await checkAsChampion('/champions/me');
    assert.match(await qa(checker, 'my-pledges').innerText(), new RegExp(ITEM));
    await checkAsChampion('/champions/me/details');
    assert.equal(await h1(checker), 'Change your details');
    await qa(checker, 'save-details').click();
    await checker.waitForURL(/\/champions\/me$/);
    assert.match(await qa(checker, 'saved').innerText(), /Your details have been updated/);
    await expectNoAxeViolations(checker);
    await checkAsChampion('/champions/me/actions/new');
    await qa(checker, 'save-action').click();
    assert.match(await qa(checker, 'error-summary').innerText(), /Select what kind of action it was[\s\S]*Enter a short title for the action/);
    await expectNoAxeViolations(checker);
    await checkAsChampion('/champions/me/withdraw');
    assert.equal(await h1(checker), 'Stop being a champion');
    await checkAsChampion('/champions/me/erase');
    assert.equal(await h1(checker), 'Delete your data');

    // The data download: the link, and what it gives.
    await checkAsChampion('/champions/me');
    const href = await checker.getByRole('link', { name: /Download everything we hold about you/ }).getAttribute('href');
    assert.equal(href, '/champions/me/data.json');
    const download = await checkContext.request.get(`${baseUrl}${href}`);
    assert.equal(download.status(), 200);
    assert.match(download.headers()['content-disposition'] ?? '', /attachment/);
    const data = (await download.json()) as { champion: { email: string }; pledges: { item: string }[]; actions: { title: string }[] };
    assert.equal(data.champion.email, EMAIL);
    assert.deepEqual(data.pledges.map((p) => p.item), [ITEM]);
    assert.deepEqual(data.actions.map((a) => a.title), ['Briefing for the activities team']);
  });

  it('the pledge and the action show on the item’s page and on /champions', async () => {
    await visitor.goto(`${baseUrl}/recommendations/${ITEM}`);
    const section = await qa(visitor, 'item-champions').innerText();
    assert.match(section, /1 champion has pledged to champion this item/);
    assert.match(section, new RegExp(`${NAME}, Activities coordinator, Larkspur House \\(East Midlands\\)`));
    assert.match(section, /Talk: Briefing for the activities team/);
    await expectNoAxeViolations(visitor);
    await visitor.goto(`${baseUrl}/champions`);
    assert.match(await qa(visitor, 'recent-actions').innerText(), /Briefing for the activities team/);
    assert.match(await qa(visitor, 'directory').innerText(), new RegExp(NAME));
    await expectNoAxeViolations(visitor);
  });

  it('someone sends a "get involved" enquiry, and the administrator handles it', async () => {
    await visitor.goto(`${baseUrl}/get-involved`);
    assert.equal(await h1(visitor), 'Get involved');
    await expectNoAxeViolations(visitor);
    await visitor.getByLabel('Full name').fill('Omar Ali');
    await qa(visitor, 'send-enquiry').click();
    assert.match(await qa(visitor, 'error-summary').innerText(), /Enter an email address[\s\S]*Enter your message/);
    assert.match(await visitor.title(), /^Error: /);
    await expectNoAxeViolations(visitor);
    await visitor.getByLabel('Take part in consultation').check();
    await visitor.getByLabel('Email address', { exact: true }).fill('omar.ali@e2e-carers.example');
    await visitor.getByLabel('Your message').fill('I would like to respond to the consultation.');
    await visitor.getByLabel(/The strategy team may use my name and email address/).check();
    await qa(visitor, 'send-enquiry').click();
    assert.equal(await h1(visitor), 'Thank you: we have your enquiry');
    await expectNoAxeViolations(visitor);

    await admin.goto(`${baseUrl}/admin`);
    await qa(admin, 'manage-links').getByRole('link', { name: '“Get involved” enquiries' }).click();
    await admin.waitForURL(/\/admin\/enquiries$/);
    assert.match(await qa(admin, 'enquiries').innerText(), /Omar Ali[\s\S]*Take part in consultation/);
    await expectNoAxeViolations(admin);
    await qa(admin, 'enquiries').getByRole('link', { name: 'Omar Ali' }).click();
    await admin.waitForURL(/\/admin\/enquiries\/\d+$/);
    assert.equal(await h1(admin), 'Enquiry from Omar Ali');
    await expectNoAxeViolations(admin);
    await qa(admin, 'send-reply').click();
    assert.match(await qa(admin, 'error-summary').innerText(), /Enter/);
    assert.match(await admin.title(), /^Error: /);
    await expectNoAxeViolations(admin);
    await admin.getByLabel('Status').selectOption({ label: 'In progress' });
    await admin.getByLabel('Assigned to').selectOption({ label: 'Ada Lovelace' });
    await qa(admin, 'save-enquiry').click();
    assert.match(await qa(admin, 'saved').innerText(), /The enquiry has been updated/);
    await expectNoAxeViolations(admin);
    await admin.getByLabel(/Reply by email to/).fill('Thank you: the consultation opens in May.');
    await qa(admin, 'send-reply').click();
    assert.match(await qa(admin, 'saved').innerText(), /Your reply has been sent/);
    assert.match(await qa(admin, 'reply').innerText(), /the consultation opens in May/);
    await expectNoAxeViolations(admin);
    await admin.goto(`${baseUrl}/admin/enquiries?status=in_progress`);
    assert.match(await qa(admin, 'enquiries').innerText(), /Omar Ali/);
    await expectNoAxeViolations(admin);
  });

  it('the administrator sees the champion’s pledge and action; the champion then withdraws and erases their data', async () => {
    await admin.goto(`${baseUrl}/admin/champions/${championId}`);
    assert.match(await admin.locator('main').innerText(), new RegExp(`${ITEM}[\\s\\S]*Talk: Briefing for the activities team`));
    await expectNoAxeViolations(admin);

    await champion.goto(`${baseUrl}/champions/me/withdraw`);
    await qa(champion, 'withdraw').click();
    await champion.waitForURL(/\/champions\/me$/);
    assert.match(await qa(champion, 'saved').innerText(), /You are no longer a champion/);
    assert.equal((await qa(champion, 'champion-status').innerText()).trim(), 'Withdrawn');
    await checkAsChampion('/champions/me');

    // Erasing, in the same session with JavaScript on, so the page after it is checked too.
    await checkAsChampion('/champions/me/erase');
    await qa(checker, 'erase').click();
    assert.match(await qa(checker, 'community-erased').innerText(), /Your data has been deleted/);
    await expectNoAxeViolations(checker);
    await champion.goto(`${baseUrl}/champions/me`);
    assert.match(champion.url(), /\/champions\/sign-in$/, 'the session went with the record');
    assert.equal((await admin.goto(`${baseUrl}/admin/champions/${championId}`))?.status(), 404);
  });
});
