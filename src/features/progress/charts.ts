// The dashboard's charts as vega-lite specs, rendered to SVG on the server. Every chart here
// has a table with the same numbers on the page (built in dashboard-routes.ts).
import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from '../../platform/charts/svg-chart.ts';
import { STATUS_LABELS } from '../strategy/labels.ts';
import { DASHBOARD_STATUSES, type DashboardStatus, type GroupRow, type PeriodRow, type ProgressFigures, type StatusCounts } from './figures.ts';

/** GOV.UK colours, each at least 3:1 against white (WCAG 1.4.11), told apart by the legend and white gaps too. */
export const STATUS_COLOURS: Record<DashboardStatus, string> = {
  not_started: '#6f72af',
  in_progress: '#1d70b8',
  complete: '#00703c',
  not_reported: '#505a5f',
};

const statusNames = DASHBOARD_STATUSES.map((s) => STATUS_LABELS[s].text);
const colour = {
  field: 'status',
  type: 'nominal',
  title: 'Status',
  scale: { domain: statusNames, range: DASHBOARD_STATUSES.map((s) => STATUS_COLOURS[s]) },
  sort: statusNames,
} as const;
const order = { field: 'position', type: 'quantitative' } as const;
const WIDTH = 560;

function statusRows(label: string, counts: StatusCounts) {
  return DASHBOARD_STATUSES.map((s, position) => ({ label, status: STATUS_LABELS[s].text, position, items: counts[s] }));
}

function statusSpec(counts: StatusCounts): TopLevelSpec {
  return {
    width: WIDTH,
    height: { step: 36 },
    data: { values: DASHBOARD_STATUSES.map((s) => ({ status: STATUS_LABELS[s].text, items: counts[s] })) },
    encoding: {
      y: { field: 'status', type: 'nominal', title: null, sort: statusNames },
      x: { field: 'items', type: 'quantitative', title: 'Items', axis: { tickMinStep: 1, format: 'd' } },
    },
    layer: [
      { mark: { type: 'bar' }, encoding: { color: { ...colour, legend: null } } },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 14, color: '#0b0c0c' }, encoding: { text: { field: 'items', type: 'quantitative' } } },
    ],
  };
}

function stackedSpec(rows: { label: string; status: string; position: number; items: number }[], order_: string[], horizontal: boolean, axisTitle: string): TopLevelSpec {
  const group = { field: 'label', type: 'nominal', title: null, sort: order_, axis: { labelLimit: 260 } } as const;
  const value = { field: 'items', type: 'quantitative', title: axisTitle, stack: 'zero', axis: { tickMinStep: 1, format: 'd' } } as const;
  // Up to ten columns fit side by side with their labels level; more share the width, labels turned.
  const few = order_.length <= 10;
  return {
    width: horizontal ? WIDTH : few ? { step: 72 } : WIDTH,
    height: horizontal ? { step: 30 } : 260,
    data: { values: rows },
    mark: { type: 'bar', stroke: '#ffffff', strokeWidth: 1 },
    encoding: horizontal ? { y: group, x: value, color: colour, order } : { x: { ...group, axis: { labelAngle: few ? 0 : -90 } }, y: value, color: colour, order },
  };
}

function groupSpec(rows: GroupRow[]): TopLevelSpec {
  return stackedSpec(rows.flatMap((r) => statusRows(r.name, r.counts)), rows.map((r) => r.name), true, 'Items');
}

function overTimeSpec(rows: PeriodRow[]): TopLevelSpec {
  const label = (r: PeriodRow) => r.period.replace('-', ' ');
  return stackedSpec(rows.flatMap((r) => statusRows(label(r), r.counts)), rows.map(label), false, 'Items at the end of the quarter');
}

export interface DashboardCharts {
  status: string;
  overTime: string;
  area: string;
  leadKind: string;
  theme: string;
  shift: string;
}

const STACKED = 'Each bar is split by status: not started, in progress, complete and not reported.';

/** Every chart on /progress, as SVG markup (about 25 ms each: cache the result). */
export async function dashboardCharts(figures: ProgressFigures): Promise<DashboardCharts> {
  return {
    status: await renderChart(statusSpec(figures.byStatus), {
      id: 'chart-status',
      title: 'Items by status',
      description: `A bar for each status, as long as the number of items with it, out of ${figures.active} items.`,
    }),
    overTime: await renderChart(overTimeSpec(figures.overTime), {
      id: 'chart-over-time',
      title: 'Status over time',
      description: `A bar for each quarter from ${figures.overTime[0]?.label ?? ''} to ${figures.overTime.at(-1)?.label ?? ''}, showing how many items had each status at its end. ${STACKED}`,
    }),
    area: await renderChart(groupSpec(figures.byArea), { id: 'chart-area', title: 'Items by area', description: `A bar for each area of the strategy. ${STACKED}` }),
    leadKind: await renderChart(groupSpec(figures.byLeadKind), {
      id: 'chart-lead-kind',
      title: 'Items by kind of lead organisation',
      description: `A bar for each kind of organisation that leads items. ${STACKED}`,
    }),
    theme: await renderChart(groupSpec(figures.byTheme), { id: 'chart-theme', title: 'Items by theme', description: `A bar for each key theme. ${STACKED}` }),
    shift: await renderChart(groupSpec(figures.byShift), { id: 'chart-shift', title: 'Items by government shift', description: `A bar for each of the Government’s shifts. ${STACKED}` }),
  };
}
