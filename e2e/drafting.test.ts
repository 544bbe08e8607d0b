// The drafting pipeline from draft to published item, in a browser: a working-group member
// drafts, saves a second version and submits; an evidence reviewer takes it into review, tests
// the levers against the workforce model and records the review; the strategy team accepts it
// at a steering-group meeting; the new item is public with "Where this came from". axe-core on
// every drafting page. The people and their memberships, and the meeting, are set up through
// the services on an in-process hub of this file's own (the governance admin pages that add
// members are another feature's), then everything else happens in the browser.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { systemActor } from '../src/platform/audit/audit.ts';
import { users } from '../src/features/accounts/schema.ts';
import { addPeople, createTestApp, TEST_PASSWORD, type TestApp } from '../src/testing.ts';
import { expectNoAxeViolations, launchBrowser, watchForProblems } from './support/browser.ts';

describe('the drafting pipeline, from draft to published item', () => {
  let t: TestApp;
  let base = '';
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let draftPath = '';
  let code = '';

  const signedIn = async (email: string): Promise<Page> => {
    const context = await browser.newContext({ baseURL: base });
    await context.route((url) => url.host !== new URL(base).host, (route) => route.abort('blockedbyclient'));
    contexts.push(context);
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.locator('[data-qa="sign-in"]').click();
    await page.waitForURL(/\/admin$/);
    return page;
  };

  before(async () => {
    t = await createTestApp('demo', { workforcePageRuns: 0 });
    await addPeople(t, [
      { email: 'mina@example.org', name: 'Mina Member', role: 'body_member' },
      { email: 'rae@example.org', name: 'Rae Reviewer', role: 'evidence_reviewer' },
      { email: 'tess@example.org', name: 'Tess Team', role: 'strategy_team' },
    ]);
    const [mina] = await t.database.db.select({ id: users.id }).from(users).where(eq(users.email, 'mina@example.org'));
    const group = (await t.services.governance.body('working-group-recruit-and-retain'))!;
    await t.services.governance.addMember(systemActor, group.id, { person: { name: 'Mina Member', userId: mina!.id }, organisationId: null, position: 'member', roleTitle: '', startsOn: null, endsOn: null });
    const steering = (await t.services.governance.body('steering-group'))!;
    await t.services.governance.createMeeting(systemActor, steering.id, { title: 'Steering group, spring', startsAt: new Date(Date.now() - 7_200_000), endsAt: new Date(Date.now() - 3_600_000), place: 'London', onlineUrl: null, agenda: '', minutes: null, minutesPublic: false, cancelled: false, papers: [] });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await t?.close();
  });

  it('a member drafts, saves a second version and submits', async () => {
    const page = await signedIn('mina@example.org');
    const problems = watchForProblems(page);
    await page.getByRole('link', { name: /Drafting pipeline/ }).click();
    await expectNoAxeViolations(page);
    await page.goto('/drafting/mine');
    await expectNoAxeViolations(page);
    await page.goto('/drafting/new');
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="save-draft"]').click();
    assert.match(await page.locator('[data-qa="error-summary"]').innerText(), /Enter a title/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Title').fill('A career pathway');
    await page.locator('[data-qa="save-draft"]').click();
    await page.waitForURL(/\/drafting\/\d+$/);
    draftPath = new URL(page.url()).pathname;
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="edit"]').click();
    await page.getByLabel('Title').fill('A national career pathway for care workers');
    await page.getByLabel('Rationale').fill('Care workers leave because they see no way up.\n\nA pathway with pay steps keeps them.');
    await page.getByLabel('Area').selectOption({ label: 'Attract and retain' });
    await page.getByText('Proposed lead organisations').first().click();
    await page.getByLabel('Skills for Care', { exact: true }).check();
    await page.getByLabel('Proposed target').fill('By March 2027');
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="save-draft"]').click();
    await page.waitForURL(new RegExp(`${draftPath}$`));
    await page.locator('[data-qa="changes"]').click();
    assert.match(await page.locator('[data-qa="differences"]').innerText(), /national/);
    await expectNoAxeViolations(page);
    await page.goto(draftPath);
    await page.locator('[data-qa="submit"]').click();
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="confirm-submit"]').click();
    await page.waitForURL(new RegExp(`${draftPath}$`));
    assert.match(await page.locator('[data-qa="state"]').innerText(), /Submitted/);
    assert.deepEqual(problems, []);
  });

  it('a reviewer reviews it with levers tested against the workforce model', async () => {
    const page = await signedIn('rae@example.org');
    await page.goto(draftPath);
    await expectNoAxeViolations(page);
    await page.locator('[data-qa="start-review"]').click();
    await page.waitForURL(/\/review$/);
    await expectNoAxeViolations(page);
    await page.locator('#training-size').fill('5');
    await page.locator('#training-start').fill('2027');
    await page.locator('#training-ramp').fill('3');
    await page.locator('[data-qa="test-levers"]').click();
    assert.match(await page.locator('[data-qa="tested"]').innerText(), /Difference\s+−[\d,]+ posts/);
    await expectNoAxeViolations(page);
    await page.getByLabel('Moderate').check();
    await page.getByLabel('Analysis').fill('Pathways cut leaving in two pilots.');
    await page.getByLabel('Proceed').check();
    await page.locator('[data-qa="save-review"]').click();
    await page.waitForURL(new RegExp(`${draftPath}$`));
    assert.match(await page.locator('[data-qa="review-worth"]').innerText(), /difference of −[\d,]+ posts/);
  });

  it('the strategy team accepts it at a steering-group meeting, and the item is public with where it came from', async () => {
    const page = await signedIn('tess@example.org');
    await page.goto(draftPath);
    await page.locator('[data-qa="record-decision"]').click();
    await expectNoAxeViolations(page);
    const meeting = await page.locator('#meeting option', { hasText: 'Steering group, spring' }).getAttribute('value');
    assert.ok(meeting, 'the steering-group meeting is offered');
    await page.getByLabel('Meeting').selectOption(meeting);
    await page.getByLabel('Accept').check();
    code = await page.getByLabel('Code of the new recommendation').inputValue();
    assert.match(code, /^AR-\d+$/);
    await page.getByLabel('Reasons').fill('Strong case, modelled and tested.');
    await page.locator('[data-qa="save-decision"]').click();
    await page.waitForURL(new RegExp(`${draftPath}$`));
    assert.match(await page.locator('[data-qa="saved"]').innerText(), new RegExp(`recommendation ${code}`));
    await expectNoAxeViolations(page);
    await page.goto('/drafting');
    await expectNoAxeViolations(page);

    const visitor = await browser.newContext({ baseURL: base });
    contexts.push(visitor);
    const item = await visitor.newPage();
    const res = await item.goto(`/recommendations/${code}`);
    assert.equal(res?.status(), 200);
    const provenance = await item.locator('[data-qa="provenance"]').innerText();
    assert.match(provenance, /Recruit and retain/);
    assert.match(provenance, /Steering group, spring/);
    await expectNoAxeViolations(item);
  });
});
