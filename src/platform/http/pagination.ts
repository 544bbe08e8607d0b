// The one pagination helper: page numbers and links in the shape govukPagination takes, and
// query strings that keep the other parameters, so every page of a filtered list can be shared.

export type QueryValues = Record<string, string | number | readonly string[] | null | undefined>;

/** A query string with keys in the given order, empty values left out; '' when nothing is left. */
export function queryString(values: QueryValues): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'object') for (const v of value) params.append(key, v);
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

interface PaginationItem {
  number?: string;
  href?: string;
  current?: boolean;
  ellipsis?: boolean;
  visuallyHiddenText?: string;
}

export interface GovukPagination {
  items: PaginationItem[];
  previous?: { href: string };
  next?: { href: string };
  landmarkLabel: string;
}

/** govukPagination parameters; undefined when everything fits on one page. */
export function pagination(page: number, pages: number, hrefFor: (page: number) => string, label = 'results'): GovukPagination | undefined {
  if (pages <= 1) return undefined;
  const shown = new Set([1, pages, page - 1, page, page + 1].filter((n) => n >= 1 && n <= pages));
  const items: PaginationItem[] = [];
  let last = 0;
  for (const n of [...shown].sort((a, b) => a - b)) {
    if (n - last > 1) items.push({ ellipsis: true });
    items.push({ number: String(n), href: hrefFor(n), current: n === page, visuallyHiddenText: `Page ${n} of ${label}` });
    last = n;
  }
  return {
    items,
    ...(page > 1 ? { previous: { href: hrefFor(page - 1) } } : {}),
    ...(page < pages ? { next: { href: hrefFor(page + 1) } } : {}),
    landmarkLabel: `Pages of ${label}`,
  };
}
