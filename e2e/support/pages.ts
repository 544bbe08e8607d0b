// Page objects for the public pages. They find things the way a person does (headings,
// labels, link and button names) or by the views' data-qa hooks, never by CSS paths.
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

/** Text as a person reads it: whitespace collapsed. */
async function readText(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/** Runs an action that loads a new page (link, form), and waits until that page is parsed. */
export async function loadedBy(page: Page, action: () => Promise<void>): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame()),
    page.waitForEvent('domcontentloaded'),
    action(),
  ]);
  return response.status();
}

export class PublicPage {
  constructor(readonly page: Page) {}

  /** Opens a path on the hub and returns the HTTP status it answered with. */
  async open(path: string): Promise<number> {
    const response = await this.page.goto(path);
    assert.ok(response, `no response for ${path}`);
    return response.status();
  }

  qa(hook: string): Locator {
    return this.page.locator(`[data-qa="${hook}"]`);
  }

  async heading(): Promise<string> {
    return readText(this.page.getByRole('heading', { level: 1 }));
  }

  async navigationLinks(): Promise<string[]> {
    return (await this.qa('service-navigation').getByRole('link').allInnerTexts()).map((t) => t.trim());
  }

  /**
   * Whether GOV.UK Frontend's scripts ran: the template's inline script (which needs the CSP
   * nonce) marks the body, and initAll marks each component it starts.
   */
  async enhancedByJavaScript(): Promise<boolean> {
    const bodyClasses = (await this.page.locator('body').getAttribute('class')) ?? '';
    const navigationStarted = await this.qa('service-navigation').getAttribute('data-govuk-service-navigation-init');
    return bodyClasses.split(/\s+/).includes('govuk-frontend-supported') && navigationStarted !== null;
  }

  /** The search parameters of the address the browser shows now. */
  query(): URLSearchParams {
    return new URL(this.page.url()).searchParams;
  }

  /** Follows a link by its accessible name. */
  async follow(name: string | RegExp, within: Locator | Page = this.page): Promise<number> {
    return loadedBy(this.page, () => within.getByRole('link', { name, exact: true }).click());
  }
}

export class HomePage extends PublicPage {
  async headlineFigures(): Promise<string> {
    return readText(this.qa('headline-figures'));
  }

  async dataNotice(): Promise<string> {
    return readText(this.qa('data-notice'));
  }

  /** Each area's heading link and the sentence under it, as shown. */
  async areas(): Promise<string[]> {
    return (await this.qa('areas').getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }
}

export class StrategyPage extends PublicPage {
  async listed(hook: 'areas' | 'themes' | 'priorities' | 'shifts'): Promise<string[]> {
    const role = hook === 'areas' ? 'term' : 'listitem';
    return (await this.qa(hook).getByRole(role).allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** The phases table's rows, without its head row. */
  async phases(): Promise<string[]> {
    const rows = await this.qa('phases').getByRole('row').allInnerTexts();
    return rows.slice(1).map((t) => t.replace(/\s+/g, ' ').trim());
  }
}

export interface ResultRow {
  code: string;
  item: string;
  target: string;
  status: string;
}

export class RecommendationsPage extends PublicPage {
  get filters(): Locator {
    return this.qa('filters');
  }

  async search(text: string): Promise<void> {
    await this.filters.getByLabel('Search', { exact: true }).fill(text);
  }

  /** Ticks a checkbox in one of the filter groups ("Area", "Status", "Theme"...). */
  async tick(group: string, label: string): Promise<void> {
    await this.checkbox(group, label).check();
  }

  checkbox(group: string, label: string): Locator {
    return this.filters.getByRole('group', { name: group }).getByLabel(label, { exact: true });
  }

  async chooseLead(organisation: string): Promise<void> {
    await this.filters.getByLabel('Lead organisation').selectOption({ label: organisation });
  }

  async chosenLead(): Promise<string> {
    const select = this.filters.getByLabel('Lead organisation');
    return readText(select.locator('option:checked'));
  }

  async applyFilters(): Promise<number> {
    return loadedBy(this.page, () => this.page.getByRole('button', { name: 'Apply filters' }).click());
  }

  /** The number the page says it found ("3 results" is 3). */
  async resultCount(): Promise<number> {
    const text = await readText(this.qa('result-count'));
    const match = /^(\d[\d,]*) results?$/.exec(text);
    assert.ok(match, `result count reads "${text}"`);
    return Number(match[1]!.replace(/,/g, ''));
  }

  async rows(): Promise<ResultRow[]> {
    const results = this.qa('results');
    if ((await results.count()) === 0) return [];
    const rows = results.locator('tbody').getByRole('row');
    const shown: ResultRow[] = [];
    for (const row of await rows.all()) {
      const cells = (await row.getByRole('cell').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
      assert.equal(cells.length, 4, `a result row has 4 cells, not ${cells.length}: ${cells.join(' | ')}`);
      const [code, item, target, status] = cells as [string, string, string, string];
      shown.push({ code, item, target, status });
    }
    return shown;
  }

  async codes(): Promise<string[]> {
    return (await this.rows()).map((r) => r.code);
  }

  /** The "Remove filter" links, by their full accessible names ("Remove filter Status: In progress"). */
  async selectedFilters(): Promise<string[]> {
    // textContent, not innerText: the group name is visually hidden but part of the name.
    const links = this.qa('selected-filters').getByRole('link', { name: /^Remove filter/ });
    return (await links.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  async removeFilter(group: string, label: string): Promise<number> {
    return this.follow(`Remove filter ${group}: ${label}`, this.qa('selected-filters'));
  }

  async clearAllFilters(): Promise<number> {
    return loadedBy(this.page, () => this.qa('clear-filters').click());
  }

  async openItem(code: string): Promise<number> {
    return this.follow(code, this.qa('results'));
  }

  async csvHref(): Promise<string> {
    const href = await this.qa('download-csv').getAttribute('href');
    assert.ok(href, 'the CSV link has an address');
    return href;
  }
}

export class RecommendationPage extends PublicPage {
  async statusTag(): Promise<string> {
    return readText(this.qa('status'));
  }

  /** The summary list as key → value, as a person reads it. */
  async details(): Promise<Map<string, string>> {
    const list = this.qa('item-details');
    const keys = await list.locator('dt').allInnerTexts();
    const values = await list.locator('dd').allInnerTexts();
    assert.equal(keys.length, values.length, 'every detail has a value');
    const clean = (t: string) => t.replace(/\s+/g, ' ').trim();
    return new Map(keys.map((k, i) => [clean(k), clean(values[i]!)]));
  }
}

export class ErrorPage extends PublicPage {
  /** The error summary's list of problems (a 400 names what is wrong in the address). */
  async problems(): Promise<string[]> {
    return (await this.qa('problems').getByRole('listitem').allInnerTexts()).map((t) => t.trim());
  }
}

export class ProgressPage extends PublicPage {
  /** The headline figure with this data-qa hook, as shown ("21% in progress or complete (5 of 24)"). */
  async figure(hook: 'figure-moving' | 'figure-government-any' | 'figure-government-only'): Promise<string> {
    return readText(this.qa(hook));
  }

  /** A table's body rows, each as its cells' text. */
  async table(hook: string): Promise<string[][]> {
    const rows = this.qa(hook).locator('tbody tr');
    const out: string[][] = [];
    for (const row of await rows.all()) out.push((await row.locator('th, td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()));
    return out;
  }

  /** The status table's one row as numbers: not started, in progress, complete, not reported, total. */
  async statusCounts(): Promise<number[]> {
    const [row] = await this.table('table-status');
    assert.ok(row, 'a status table');
    return row.slice(1).map((n) => Number(n.replace(/,/g, '')));
  }

  async latestUpdates(): Promise<string> {
    return readText(this.qa('latest-updates'));
  }

  /** The accessible names of the charts (each an SVG image with a title). */
  async chartNames(): Promise<string[]> {
    const charts = this.page.locator('svg[role="img"]');
    const names: string[] = [];
    for (const chart of await charts.all()) names.push(await chart.locator('title').innerHTML());
    return names;
  }
}
