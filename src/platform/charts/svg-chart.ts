// Charts drawn on the server: a vega-lite spec compiled to vega and rendered to SVG text, so a
// page shows its chart without JavaScript. The SVG is made an accessible image (role="img",
// a <title> and <desc>); the data always goes in a table beside it as well.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** GOV.UK Frontend's typeface, with its fall-backs, so chart text matches the page. */
const FONT = '"GDS Transport", arial, sans-serif';

/** Settings every chart shares: the page's font and text colour, no border, no ARIA of its own. */
export const CHART_CONFIG = {
  font: FONT,
  // The chart as a whole is one image with a title and description; vega's own ARIA marks
  // inside it would be read out as noise (and some of its roles are not allowed inside an img).
  aria: false,
  background: '#ffffff',
  view: { stroke: null },
  axis: { labelColor: '#0b0c0c', titleColor: '#0b0c0c', labelFontSize: 14, titleFontSize: 14, titleFontWeight: 'normal', domainColor: '#505a5f', tickColor: '#505a5f', gridColor: '#b1b4b6' },
  legend: { labelColor: '#0b0c0c', titleColor: '#0b0c0c', labelFontSize: 14, titleFontSize: 14, titleFontWeight: 'bold', orient: 'bottom', direction: 'horizontal' },
} as const;

export interface ChartText {
  /** Used for the ids of the title and description; unique on the page. */
  id: string;
  title: string;
  description: string;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Renders a vega-lite spec to an SVG element for inline use in HTML. Text from the data is
 * escaped by vega; the title and description are escaped here. The fixed width and height
 * are dropped so the chart scales with the page (its viewBox keeps the proportions).
 */
export async function renderChart(spec: TopLevelSpec, text: ChartText): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CHART_CONFIG, ...(spec.config ?? {}) } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const id = escapeXml(text.id);
    const open = svg.indexOf('>');
    if (!svg.startsWith('<svg') || open < 0) throw new Error('vega did not return an SVG element');
    const attributes = svg
      .slice(4, open)
      .replace(/\s(width|height|class)="[^"]*"/g, '')
      .trim();
    return (
      `<svg ${attributes} class="app-chart__svg" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" focusable="false">` +
      `<title id="${id}-title">${escapeXml(text.title)}</title><desc id="${id}-desc">${escapeXml(text.description)}</desc>` +
      // The whole chart is one image: ARIA vega leaves on its parts would be noise inside it.
      svg.slice(open + 1).replace(/<[^>]+>/g, (tag) => tag.replace(/\s(role|aria-roledescription|aria-label|aria-hidden)="[^"]*"/g, ''))
    );
  } finally {
    view.finalize();
  }
}
