// The workforce page's chart as a vega-lite spec, rendered to SVG on the server: posts needed
// against filled posts each year, with the Monte Carlo P10–P90 band around each. The page puts
// the same numbers in a table beside it (docs/decisions/0013).
import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from '../../platform/charts/svg-chart.ts';

export interface ChartYear {
  year: number;
  demand: number;
  demandP10: number | null;
  demandP90: number | null;
  filled: number;
  filledP10: number | null;
  filledP90: number | null;
  filledBaseline: number;
}

const SERIES = ['Posts needed', 'Filled posts with the items', 'Filled posts without the items'];
/** GOV.UK blue, green and dark grey: each at least 3:1 against white, and told apart by dashes and the legend too. */
const COLOURS = ['#1d70b8', '#00703c', '#505a5f'];

function spec(years: readonly ChartYear[]): TopLevelSpec {
  const lines = years.flatMap((y) => [
    { year: y.year, series: SERIES[0], value: y.demand, p10: y.demandP10, p90: y.demandP90 },
    { year: y.year, series: SERIES[1], value: y.filled, p10: y.filledP10, p90: y.filledP90 },
    { year: y.year, series: SERIES[2], value: y.filledBaseline, p10: null, p90: null },
  ]);
  const colour = { field: 'series', type: 'nominal', title: null, scale: { domain: SERIES, range: COLOURS }, sort: SERIES } as const;
  const x = { field: 'year', type: 'quantitative', title: 'Year', axis: { format: 'd', tickMinStep: 1 }, scale: { nice: false } } as const;
  return {
    width: 560,
    height: 300,
    data: { values: lines },
    layer: [
      {
        transform: [{ filter: 'datum.p10 != null' }],
        mark: { type: 'area', opacity: 0.2 },
        encoding: { x, y: { field: 'p10', type: 'quantitative' }, y2: { field: 'p90' }, color: { ...colour, legend: null } },
      },
      {
        mark: { type: 'line', strokeWidth: 3 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: 'Posts', axis: { format: '~s' }, scale: { zero: false } },
          color: colour,
          strokeDash: { field: 'series', type: 'nominal', scale: { domain: SERIES, range: [[1, 0], [1, 0], [6, 4]] }, legend: null },
        },
      },
    ],
  };
}

/** The chart as SVG markup, with a title and a description of what it shows. */
export async function demandSupplyChart(years: readonly ChartYear[], bands: boolean): Promise<string> {
  const first = years[0]!;
  const last = years.at(-1)!;
  return renderChart(spec(years), {
    id: 'chart-demand-supply',
    title: `Posts needed and filled posts in England, ${first.year} to ${last.year}`,
    description:
      `Three lines by year: posts needed, filled posts with the strategy's items weighted by their status, and filled posts without them (dashed). ` +
      `In ${last.year}: ${Math.round(last.demand).toLocaleString('en-GB')} posts needed, ${Math.round(last.filled).toLocaleString('en-GB')} filled with the items, ${Math.round(last.filledBaseline).toLocaleString('en-GB')} without.` +
      (bands ? ' Shaded bands show the range from the 10th to the 90th percentile of the Monte Carlo runs.' : '') +
      ' The table below gives every figure.',
  });
}
