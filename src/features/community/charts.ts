// The growth chart on /champions: champions at the end of each month, drawn on the server.
import type { TopLevelSpec } from 'vega-lite';
import { RevisionMemo } from '../../platform/cache.ts';
import { renderChart } from '../../platform/charts/svg-chart.ts';

/** The last chart drawn, by its figures: /champions asks on every request, and drawing takes tens of ms. */
const drawn = new RevisionMemo();

export function growthChart(growth: { month: string; total: number }[]): Promise<string | undefined> {
  return drawn.get('growth', JSON.stringify(growth), () => drawGrowthChart(growth));
}

async function drawGrowthChart(growth: { month: string; total: number }[]): Promise<string | undefined> {
  if (growth.length === 0) return undefined;
  const spec: TopLevelSpec = {
    width: 600,
    height: 240,
    data: { values: growth.map((g) => ({ month: g.month.slice(0, 7), total: g.total })) },
    mark: { type: 'line', point: true, color: '#1d70b8', strokeWidth: 3 },
    encoding: {
      x: { field: 'month', type: 'ordinal', title: 'Month', axis: { labelAngle: 0 } },
      y: { field: 'total', type: 'quantitative', title: 'Champions', axis: { tickMinStep: 1 } },
    },
  };
  return renderChart(spec, {
    id: 'chart-champion-growth',
    title: 'Champions over time',
    description: `A line showing how many approved champions there were at the end of each month, from ${growth[0]!.month.slice(0, 7)} to ${growth.at(-1)!.month.slice(0, 7)}. The same figures are in the table below.`,
  });
}
