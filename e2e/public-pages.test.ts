// Journeys a member of the public makes through the published strategy, in a real browser
// against the hub started by scripts/run-e2e.ts with its demo data (24 items: attract and
// retain 12, train 8, transform 4).
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectNoAxeViolations, launchBrowser, newContext, watchForProblems } from './support/browser.ts';
import { ErrorPage, HomePage, ProgressPage, PublicPage, RecommendationPage, RecommendationsPage, StrategyPage } from './support/pages.ts';

const ALL_ITEMS = 24;
const TRAINING_THEME = ['AR-10', 'AR-11', 'TR-01', 'TR-02', 'TR-03', 'TR-04', 'TR-05A', 'TR-05B', 'TR-06', 'TR-07'];

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A page in a context of its own, closed with the context when the test is done. */
async function freshPage(t: TestContext, javaScript = true): Promise<Page> {
  const context: BrowserContext = await newContext(browser, { javaScript });
  t.after(() => context.close());
  return context.newPage();
}

const sorted = (codes: string[]) => [...codes].sort();

describe('every public page loads, says what it is and passes an accessibility scan', () => {
  const pages = [
    { path: '/', status: 200, heading: 'Workforce Strategy for Adult Social Care in England', title: 'Workforce Strategy for Adult Social Care in England' },
    { path: '/strategy', status: 200, heading: 'How the strategy is organised', title: 'How the strategy is organised' },
    { path: '/recommendations', status: 200, heading: 'Recommendations and commitments', title: 'Recommendations and commitments' },
    {
      path: '/recommendations/TR-02',
      status: 200,
      heading: 'Roll out the Care Workforce Pathway and dementia training for all workers',
      title: 'TR-02: Roll out the Care Workforce Pathway and dementia training for all workers',
    },
    { path: '/reviews', status: 200, heading: 'Annual reviews', title: 'Annual reviews' },
    { path: '/progress', status: 200, heading: 'Progress on the strategy', title: 'Progress on the strategy' },
    { path: '/progress/organisations', status: 200, heading: 'Progress by organisation', title: 'Progress by organisation' },
    { path: '/recommendations/ZZ-99', status: 404, heading: 'Page not found', title: 'Page not found' },
    { path: '/recommendations?area=nowhere', status: 400, heading: 'The web address cannot be used', title: 'The web address cannot be used' },
  ];
  for (const expected of pages) {
    it(`${expected.path} answers ${expected.status} with the heading "${expected.heading}"`, async (t) => {
      const page = await freshPage(t);
      const problems = watchForProblems(page);
      const view = new PublicPage(page);
      assert.equal(await view.open(expected.path), expected.status);
      assert.equal(await view.heading(), expected.heading);
      assert.equal(await page.title(), expected.title ? `${expected.title} – Workforce Strategy Hub` : 'Workforce Strategy Hub');
      assert.deepEqual(await view.navigationLinks(), ['Home', 'The strategy', 'Recommendations', 'Progress', 'Annual reviews', 'Workforce model', 'Governance', 'Champions', 'Bulletins', 'Get involved', 'Sign in']);
      await expectNoAxeViolations(page);
      assert.deepEqual(problems, [], 'the page loads its assets and runs its scripts without errors');
      assert.equal(await view.enhancedByJavaScript(), true, 'GOV.UK Frontend started under the CSP');
    });
  }

  it('the home page shows the headline figures, the data notice and the three areas with their counts', async (t) => {
    const home = new HomePage(await freshPage(t));
    await home.open('/');
    assert.match(await home.headlineFigures(), /24 recommendations and commitments/);
    assert.match(await home.dataNotice(), /^Demonstration data/);
    const areas = await home.areas();
    assert.equal(areas.length, 3);
    assert.match(areas[0]!, /^Attract and retain .* 12 items\.$/);
    assert.match(areas[1]!, /^Train .* 8 items\.$/);
    assert.match(areas[2]!, /^Transform .* 4 items\.$/);
  });

  it('the progress page shows its figures, six charts each with its table, and works without JavaScript', async (t) => {
    for (const javaScript of [true, false]) {
      const progress = new ProgressPage(await freshPage(t, javaScript));
      assert.equal(await progress.open('/progress'), 200);
      assert.match(await progress.figure('figure-moving'), /^\d+% in progress or complete \(\d+ of 24\)$/);
      assert.deepEqual(await progress.chartNames(), ['Items by status', 'Status over time', 'Items by area', 'Items by kind of lead organisation', 'Items by theme', 'Items by government shift']);
      for (const name of await progress.chartNames()) assert.equal(await progress.page.getByRole('img', { name, exact: true }).count(), 1, `the chart "${name}" is an image with that name`);
      const areas = await progress.table('table-area');
      assert.deepEqual(areas.map((r) => [r[0], r.at(-1)]), [['Attract and retain', '12'], ['Train', '8'], ['Transform', '4']]);
      assert.equal((await progress.statusCounts()).at(-1), ALL_ITEMS);
    }
  });

  it('the strategy page lists its areas, themes, priorities, shifts and phases', async (t) => {
    const strategy = new StrategyPage(await freshPage(t));
    await strategy.open('/strategy');
    assert.deepEqual(await strategy.listed('areas'), ['Attract and retain', 'Train', 'Transform']);
    assert.ok((await strategy.listed('themes')).includes('Training (10)'), 'the Training theme counts its 10 items');
    assert.equal((await strategy.listed('priorities')).length, 3);
    assert.equal((await strategy.listed('shifts')).length, 3);
    assert.equal((await strategy.phases()).length, 4);
  });

  it('a bad filter in the address names the problem instead of failing', async (t) => {
    const error = new ErrorPage(await freshPage(t));
    assert.equal(await error.open('/recommendations?area=nowhere'), 400);
    const problems = await error.problems();
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /area/i);
  });
});

for (const javaScript of [true, false]) {
  describe(`filtering the recommendations with the form (JavaScript ${javaScript ? 'on' : 'off'})`, () => {
    it('ticking an area and a status shows only those items, at an address that can be shared', async (t) => {
      const page = await freshPage(t, javaScript);
      const list = new RecommendationsPage(page);
      assert.equal(await list.open('/recommendations'), 200);
      assert.equal(await list.enhancedByJavaScript(), javaScript, `JavaScript is ${javaScript ? 'on' : 'off'} in this browser`);
      assert.equal(await list.resultCount(), ALL_ITEMS);

      await list.tick('Area', 'Attract and retain');
      await list.tick('Status', 'In progress');
      assert.equal(await list.applyFilters(), 200);

      assert.equal(new URL(page.url()).pathname, '/recommendations');
      assert.deepEqual(list.query().getAll('area'), ['attract-and-retain']);
      assert.deepEqual(list.query().getAll('status'), ['in_progress']);
      const rows = await list.rows();
      assert.equal(await list.resultCount(), rows.length);
      assert.deepEqual(sorted(rows.map((r) => r.code)), ['AR-01', 'AR-11', 'AR-12']);
      for (const row of rows) assert.equal(row.status, 'In progress', `${row.code} shows its status`);
      assert.equal(await list.checkbox('Area', 'Attract and retain').isChecked(), true, 'the form keeps the chosen area');
      assert.equal(await list.checkbox('Status', 'In progress').isChecked(), true, 'the form keeps the chosen status');
      assert.deepEqual(await list.selectedFilters(), ['Remove filter Status: In progress', 'Remove filter Area: Attract and retain']);

      // Someone else opening the same address sees the same list.
      const shared = new RecommendationsPage(await freshPage(t, javaScript));
      assert.equal(await shared.open(page.url()), 200);
      assert.deepEqual(await shared.codes(), rows.map((r) => r.code));
    });

    it('"Remove filter" drops one filter and "Clear all filters" drops the rest', async (t) => {
      const list = new RecommendationsPage(await freshPage(t, javaScript));
      await list.open('/recommendations?status=in_progress&area=attract-and-retain');
      assert.equal(await list.resultCount(), 3);

      assert.equal(await list.removeFilter('Status', 'In progress'), 200);
      assert.deepEqual(list.query().getAll('status'), []);
      assert.deepEqual(list.query().getAll('area'), ['attract-and-retain']);
      assert.equal(await list.resultCount(), 12);
      assert.equal(await list.checkbox('Status', 'In progress').isChecked(), false);
      assert.ok((await list.codes()).every((code) => code.startsWith('AR-')), 'only attract and retain items are left');

      assert.equal(await list.clearAllFilters(), 200);
      assert.equal(list.query().size, 0, 'the address has no filters left');
      assert.equal(await list.resultCount(), ALL_ITEMS);
      assert.equal(await list.qa('selected-filters').count(), 0, 'no selected filters are shown');
    });

    it('searching for a word finds the items that mention it', async (t) => {
      const list = new RecommendationsPage(await freshPage(t, javaScript));
      await list.open('/recommendations');
      await list.search('dementia');
      await list.applyFilters();
      assert.equal(list.query().get('q'), 'dementia');
      assert.equal(await list.resultCount(), 1);
      assert.deepEqual(await list.codes(), ['TR-02']);
      assert.equal(await list.filters.getByLabel('Search', { exact: true }).inputValue(), 'dementia', 'the search box keeps the words');
      assert.deepEqual(await list.selectedFilters(), ['Remove filter Search: “dementia”']);
    });

    it('choosing a lead organisation shows the items it leads', async (t) => {
      const list = new RecommendationsPage(await freshPage(t, javaScript));
      await list.open('/recommendations');
      await list.chooseLead('Skills for Care');
      await list.applyFilters();
      assert.deepEqual(list.query().getAll('lead'), ['skills-for-care']);
      const rows = await list.rows();
      assert.equal(await list.resultCount(), rows.length);
      assert.deepEqual(sorted(rows.map((r) => r.code)), ['TR-02', 'TR-04', 'TR-05A', 'TR-06', 'TR-07', 'TX-03']);
      for (const row of rows) assert.match(row.item, /Lead: .*Skills for Care/, `${row.code} is led by Skills for Care`);
      assert.equal(await list.chosenLead(), 'Skills for Care');
    });

    it('a search that matches nothing says so and suggests what to do', async (t) => {
      const list = new RecommendationsPage(await freshPage(t, javaScript));
      await list.open('/recommendations');
      await list.search('xylophone quasar');
      await list.applyFilters();
      assert.equal(await list.resultCount(), 0);
      assert.equal(await list.qa('results').count(), 0, 'no results table');
      assert.equal(await list.qa('no-results').isVisible(), true);
      assert.match(await list.qa('no-results').innerText(), /No recommendations or commitments match/);
    });
  });
}

describe('reading one item', () => {
  it('opening an item from the list shows its lead organisations, target, status and government role', async (t) => {
    const page = await freshPage(t);
    const list = new RecommendationsPage(page);
    await list.open('/recommendations?area=train');
    assert.equal(await list.openItem('TR-02'), 200);
    assert.equal(new URL(page.url()).pathname, '/recommendations/TR-02');

    const item = new RecommendationPage(page);
    assert.equal(await item.heading(), 'Roll out the Care Workforce Pathway and dementia training for all workers');
    assert.equal(await item.statusTag(), 'In progress');
    const details = await item.details();
    assert.equal(details.get('Lead organisations'), 'Department of Health and Social Care, Skills for Care');
    assert.equal(details.get('Target'), 'From 2024');
    assert.match(details.get('Status') ?? '', /^In progress as at \d{1,2} \w+ \d{4}$/);
    assert.match(details.get('Government role') ?? '', /^Shared/);
    assert.equal(details.get('Area'), 'Train');
  });

  for (const [code, status] of [
    ['TR-02', 'In progress'],
    ['TR-04', 'Complete'],
    ['AR-07', 'Not started'],
  ] as const) {
    it(`${code} shows the status tag "${status}"`, async (t) => {
      const item = new RecommendationPage(await freshPage(t));
      assert.equal(await item.open(`/recommendations/${code}`), 200);
      assert.equal(await item.statusTag(), status);
      assert.match((await item.details()).get('Status') ?? '', new RegExp(`^${status}`));
    });
  }
});

describe('sharing and downloading a filtered list', () => {
  it('a shared filter address opens on the same results, with the filter shown as chosen', async (t) => {
    const list = new RecommendationsPage(await freshPage(t));
    assert.equal(await list.open('/recommendations?theme=training'), 200);
    assert.equal(await list.resultCount(), TRAINING_THEME.length);
    assert.deepEqual(sorted(await list.codes()), TRAINING_THEME);
    assert.equal(await list.checkbox('Theme', 'Training').isChecked(), true);
    assert.deepEqual(await list.selectedFilters(), ['Remove filter Theme: Training']);
  });

  it('the CSV link downloads the same items as a spreadsheet', async (t) => {
    const page = await freshPage(t);
    const list = new RecommendationsPage(page);
    await list.open('/recommendations?theme=training');
    const href = await list.csvHref();
    assert.equal(new URL(href, page.url()).searchParams.get('theme'), 'training', 'the download keeps the filter');

    const response = await page.request.get(href);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'] ?? '', /^text\/csv/);
    assert.match(response.headers()['content-disposition'] ?? '', /^attachment/);
    const text = await response.text();
    assert.match(text.replace(/^\uFEFF/, ''), /^code,type,title/);
    const records = parse<Record<string, string>>(text, { columns: true, bom: true });
    assert.deepEqual(sorted(records.map((r) => r.code ?? '')), TRAINING_THEME);
  });
});
