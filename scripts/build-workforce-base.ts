// Builds data/datasets/workforce-base-2023/workforce.csv: the model's 2023/24 base by region and
// role group, from the Skills for Care figures in sfc-published-figures.csv (beside it) and the ONS
// population in ../population-snpp2022. Every row names its source or says it is an assumption;
// the folder's README explains each step. Run again after changing a figure or an assumption:
//
//   node --import tsx scripts/build-workforce-base.ts
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCsv, toCsv } from '../src/platform/files/spreadsheet.ts';
import { datasetsDir } from '../src/platform/paths.ts';
import { REGIONS, ROLE_GROUPS, type RoleGroup } from '../src/model/types.ts';

const folder = path.join(datasetsDir, 'workforce-base-2023');
const sfc = parseCsv(readFileSync(path.join(folder, 'sfc-published-figures.csv'))).rows.map((r) => r.values);
const population = parseCsv(readFileSync(path.join(datasetsDir, 'population-snpp2022', 'population.csv'))).rows.map((r) => r.values);

/** A published figure: fails loudly if the file does not hold exactly one. */
function figure(period: string, breakdown: string, measure: string): number {
  const found = sfc.filter((r) => r.period === period && r.breakdown === breakdown && r.measure === measure && r.geography === 'England');
  if (found.length !== 1) throw new Error(`Expected one SfC figure ${period} ${breakdown} ${measure}, found ${found.length}`);
  return Number(found[0]!.value);
}
const regionalVacancy = (region: string) =>
  sfc.find((r) => r.period === '2023/24' && r.breakdown_type === 'region' && r.breakdown === region && r.measure === 'vacancy_rate');

const SFC = 'Skills for Care, The state of the adult social care sector and workforce in England (2024)';
const SFC_22 = 'Skills for Care, The state of the adult social care sector and workforce in England (2023)';
const ASSUMED = 'Assumption of the hub team (see data/datasets/workforce-base-2023/README.md)';
const VINTAGE = '2023/24';

// England, 2023/24.
const filledTotal = figure('2023/24', 'all', 'filled_posts'); // 1,705,000
const vacantTotal = figure('2023/24', 'all', 'vacant_posts'); // 131,000
const turnoverAll = figure('2023/24', 'all', 'turnover_rate') / 100; // 24.2% of filled posts, all leavers
const aged55 = figure('2023/24', 'all', 'share_aged_55_plus') / 100; // 29%
const international = figure('2023/24', 'all', 'international_recruits_direct_care'); // 105,000
const filledPrior = figure('2022/23', 'all', 'filled_posts'); // 1,635,000
const YEARS_TO_RETIRE = 12; // 55+ workers retire over about twelve years (as retirementRateFromAgeProfile)
const retirementRate = aged55 / YEARS_TO_RETIRE;
const SECTOR_EXIT_SHARE = 1 / 3; // DOMAIN.md §3: about a third of leavers leave the sector
const growthRate = (filledTotal - filledPrior) / filledPrior;

// Filled posts by role group (see README "Role groups").
const share = (group: string) => figure('2023/24', group, 'share_of_filled_posts') / 100;
const nurses = 34_000; // March 2024
const socialWorkers = figure('2022/23', 'social_worker', 'filled_posts');
const occupationalTherapists = figure('2022/23', 'occupational_therapist', 'filled_posts');
const registeredManagers = 23_500; // DOMAIN.md §3
const SENIOR_SHARE_OF_DIRECT_CARE = 0.07;
const directCare = filledTotal * share('direct_care');
const filled: Record<RoleGroup, { value: number; source: string }> = {
  care_worker: { value: directCare * (1 - SENIOR_SHARE_OF_DIRECT_CARE), source: `${SFC}: direct care 76% of filled posts, less senior care workers (assumed 7% of direct care)` },
  senior_care_worker: { value: directCare * SENIOR_SHARE_OF_DIRECT_CARE, source: `${ASSUMED}: 7% of direct care posts (${SFC}: direct care 76%)` },
  registered_manager: { value: registeredManagers, source: 'Skills for Care via DOMAIN.md §3: registered managers ~23,500' },
  registered_nurse: { value: nurses, source: 'Skills for Care: registered nurses 34,000 filled posts (March 2024)' },
  social_worker: { value: socialWorkers, source: `${SFC_22}: social workers 23,500 filled posts (2022/23, latest found)` },
  occupational_therapist: { value: occupationalTherapists, source: `${SFC_22}: occupational therapists 3,800 (2022/23, latest found)` },
  other_regulated: {
    value: filledTotal * share('regulated_professions') - nurses - socialWorkers - occupationalTherapists,
    source: `${SFC}: regulated professions 5% of filled posts, less nurses, social workers and occupational therapists`,
  },
  other: {
    value: filledTotal * (share('other') + share('managerial_supervisory')) - registeredManagers,
    source: `${SFC}: other 12% and managerial/supervisory 7% of filled posts, less registered managers`,
  },
};

// Vacancy rates by role as published, then scaled together so the total is the published 131,000.
const vacancyRate: Record<RoleGroup, number> = {
  care_worker: figure('2023/24', 'care_worker', 'vacancy_rate') / 100,
  senior_care_worker: figure('2023/24', 'care_worker', 'vacancy_rate') / 100,
  registered_manager: figure('2023/24', 'managerial_supervisory', 'vacancy_rate') / 100,
  registered_nurse: figure('2023/24', 'registered_nurse', 'vacancy_rate') / 100,
  social_worker: figure('2023/24', 'regulated_professions', 'vacancy_rate') / 100,
  occupational_therapist: figure('2023/24', 'regulated_professions', 'vacancy_rate') / 100,
  other_regulated: figure('2023/24', 'regulated_professions', 'vacancy_rate') / 100,
  other: figure('2023/24', 'all', 'vacancy_rate') / 100,
};
// All leavers' turnover by role where published, else the sector's; retirements are taken out
// because the model counts them separately.
const turnover: Record<RoleGroup, { value: number; source: string }> = Object.fromEntries(
  ROLE_GROUPS.map((role) => {
    const published =
      role === 'registered_nurse' ? figure('2023/24', 'registered_nurse', 'turnover_rate') : role === 'social_worker' ? figure('2022/23', 'social_worker', 'turnover_rate') : undefined;
    const all = published !== undefined ? published / 100 : turnoverAll;
    return [role, { value: all - retirementRate, source: `${published !== undefined ? `${SFC}: ${role.replace('_', ' ')} turnover ${published}%` : `${SFC}: turnover 24.2%`}, less retirements (${(retirementRate * 100).toFixed(2)}%)` }];
  }),
) as Record<RoleGroup, { value: number; source: string }>;

// Regions: each role's England posts shared by the region's population aged 65+ in 2023.
const pop65 = (code: string) => Number(population.find((r) => r.area_code === code && r.year === '2023' && r.age_band === '65+')!.population);
const england65 = REGIONS.reduce((s, r) => s + pop65(r.code), 0);
const englandVacancyRate = figure('2023/24', 'all', 'vacancy_rate') / 100;

interface Cell {
  region: string;
  role: RoleGroup;
  filled: number;
  rawVacancies: number;
}
const cells: Cell[] = [];
for (const region of REGIONS) {
  const regional = regionalVacancy(region.name);
  const factor = regional ? Number(regional.value) / 100 / englandVacancyRate : 1;
  for (const role of ROLE_GROUPS) {
    const f = filled[role].value * (pop65(region.code) / england65);
    const rate = Math.min(0.5, vacancyRate[role] * factor);
    cells.push({ region: region.code, role, filled: f, rawVacancies: (f * rate) / (1 - rate) });
  }
}
const vacancyScale = vacantTotal / cells.reduce((s, c) => s + c.rawVacancies, 0);

const rows: Record<string, string>[] = [];
const add = (area: string, role: string, measure: string, value: number, source: string, vintage = VINTAGE) =>
  rows.push({ year: '2023', area_code: area, role, measure, value: String(Math.round(value * 1e6) / 1e6), source, vintage });
const regionShareNote = `shared among regions by population aged 65+ in 2023 (ONS 2022-based SNPP; ${ASSUMED})`;

for (const c of cells) {
  const vacancies = c.rawVacancies * vacancyScale;
  const sectorExits = c.filled * turnover[c.role].value * SECTOR_EXIT_SHARE + c.filled * retirementRate;
  const intl = c.role === 'care_worker' || c.role === 'senior_care_worker' ? international * (c.filled / directCare) : 0;
  const domestic = Math.max(0, sectorExits + c.filled * growthRate - intl);
  add(c.region, c.role, 'filled_posts', c.filled, `${filled[c.role].source}; ${regionShareNote}`);
  add(
    c.region,
    c.role,
    'vacancies',
    vacancies,
    `${SFC}: vacancy rates by role (care worker 9.9%, regulated 9.1%, nurses 9.0%, managerial 3.7%) and region (North East 6.3%, London 10.5%), scaled so England has the published 131,000`,
  );
  add(c.region, c.role, 'turnover_rate', turnover[c.role].value, turnover[c.role].source);
  add(c.region, c.role, 'sector_exit_share', SECTOR_EXIT_SHARE, 'Skills for Care via DOMAIN.md §3: about one third of leavers leave the sector');
  add(c.region, c.role, 'retirement_rate', retirementRate, `${SFC}: 29% aged 55 and over, retiring over ${YEARS_TO_RETIRE} years (${ASSUMED})`);
  add(
    c.region,
    c.role,
    'labour_pool',
    domestic,
    `Domestic recruits implied by 2023/24: sector leavers and retirements + growth of filled posts (1,635,000 → 1,705,000, ${SFC}) − international recruits (${ASSUMED})`,
  );
  add(
    c.region,
    c.role,
    'international_recruits',
    intl,
    intl > 0 ? `${SFC}: 105,000 international recruits into direct care, shared by filled posts` : `${ASSUMED}: international recruitment counted in direct care only`,
  );
}
add('E92000001', 'care_worker', 'progression_to_senior_care_worker', 0.02, `${ASSUMED}: 2% of care workers a year become senior care workers`, 'assumption 2026');
add('E92000001', 'senior_care_worker', 'progression_to_registered_manager', 0.01, `${ASSUMED}: 1% of senior care workers a year become registered managers`, 'assumption 2026');

writeFileSync(path.join(folder, 'workforce.csv'), toCsv(['year', 'area_code', 'role', 'measure', 'value', 'source', 'vintage'], rows));
const total = (measure: string) => rows.filter((r) => r.measure === measure).reduce((s, r) => s + Number(r.value), 0);
console.log(
  `Wrote ${rows.length} rows: filled ${Math.round(total('filled_posts'))}, vacancies ${Math.round(total('vacancies'))}, ` +
    `labour pool ${Math.round(total('labour_pool'))}, international ${Math.round(total('international_recruits'))}`,
);
