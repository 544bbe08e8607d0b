// Words for the workforce model's codes (role groups, lever kinds, uncertain inputs) and the
// one way its levers are described to people: "Training: 5% fewer leavers from 2026, full
// effect over 3 years".
import { ROLE_GROUPS, type LeverKind, type RoleGroup } from '../../model/types.ts';
import type { ScenarioParams } from './schema.ts';

export const ROLE_LABELS: Record<RoleGroup, string> = {
  care_worker: 'Care workers',
  senior_care_worker: 'Senior care workers',
  registered_manager: 'Registered managers',
  registered_nurse: 'Registered nurses',
  social_worker: 'Social workers',
  occupational_therapist: 'Occupational therapists',
  other_regulated: 'Other regulated professions',
  other: 'Other roles',
};

export const ROLE_OPTIONS = ROLE_GROUPS.map((r) => ({ value: r, text: ROLE_LABELS[r] }));

/** Each lever kind: its name, and the unit its form field takes (pounds an hour or percent). */
export const LEVER_LABELS: Record<LeverKind, { name: string; unit: 'pounds' | 'percent'; hint: string }> = {
  pay_premium: { name: 'Pay premium', unit: 'pounds', hint: 'Pounds an hour added to care workers’ pay above the wage floor, for example 0.60' },
  attraction: { name: 'Attraction', unit: 'percent', hint: 'Percentage rise in the domestic recruits the labour pool can give, for example 10' },
  international: { name: 'International recruitment', unit: 'percent', hint: 'Percentage change in international recruits: −50 halves them, 20 adds a fifth' },
  training: { name: 'Training and retention', unit: 'percent', hint: 'Percentage fewer leavers from training and qualifications, for example 5 (below 100)' },
  productivity: { name: 'Productivity and technology', unit: 'percent', hint: 'Percentage fewer posts needed from technology and new ways of working (below 100)' },
  prevention: { name: 'Prevention', unit: 'percent', hint: 'Percentage fewer posts needed from prevention (below 100)' },
};

/** A share (0.053) as a percentage for people: "5.3%" (up to one decimal, more when small). */
export function percent(share: number, digits = 1): string {
  const value = share * 100;
  const rounded = Number(value.toFixed(Math.abs(value) < 1 && value !== 0 ? digits + 1 : digits));
  return `${rounded.toLocaleString('en-GB')}%`;
}

export function signedNumber(value: number): string {
  const rounded = Math.round(value);
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded).toLocaleString('en-GB')}`;
}

interface LeverLike {
  kind: LeverKind;
  size: number;
  startYear: number;
  rampYears: number;
  roles?: readonly RoleGroup[] | undefined;
}

/** One lever in words. */
export function leverInWords(lever: LeverLike): string {
  const { size, kind } = lever;
  const magnitude = (s: number) => percent(Math.abs(s));
  const what: Record<LeverKind, string> = {
    pay_premium: `care workers paid £${Math.abs(size).toFixed(2)} an hour ${size >= 0 ? 'more' : 'less'} above the wage floor`,
    attraction: `${magnitude(size)} ${size >= 0 ? 'more' : 'fewer'} domestic recruits available`,
    international: `${magnitude(size)} ${size >= 0 ? 'more' : 'fewer'} international recruits`,
    training: `${magnitude(size)} ${size >= 0 ? 'fewer' : 'more'} leavers`,
    productivity: `${magnitude(size)} ${size >= 0 ? 'fewer' : 'more'} posts needed`,
    prevention: `${magnitude(size)} ${size >= 0 ? 'fewer' : 'more'} posts needed`,
  };
  const ramp = lever.rampYears > 1 ? `, full effect over ${lever.rampYears} years` : '';
  const roles = lever.roles?.length ? ` (${lever.roles.map((r) => ROLE_LABELS[r].toLowerCase()).join(', ')})` : '';
  return `${LEVER_LABELS[kind].name}: ${what[kind]}${roles} from ${lever.startYear}${ramp}`;
}

/** A scenario's parameters in words, for lists and confirmations. */
export function paramsInWords(params: ScenarioParams): string[] {
  const driver =
    params.driver.kind === 'age65'
      ? 'Posts needed grow with the population aged 65 and over'
      : `Posts needed grow with a mix of age groups: ${percent(params.driver.shares['18-64'])} aged 18 to 64, ${percent(params.driver.shares['65-84'])} aged 65 to 84, ${percent(params.driver.shares['85+'])} aged 85 and over`;
  return [
    driver,
    params.baselinePolicy ? 'The July 2025 closure of overseas care-worker visas applies' : 'The July 2025 visa closure is left out',
    ...params.levers.map(leverInWords),
    `In-progress items count at ${percent(params.inProgressWeight)}`,
    `Projected to ${params.to}`,
  ];
}
