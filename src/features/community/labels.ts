// How the community feature's coded values read on pages, in emails and in CSV files.
import type { ActionKind, ChampionRegion, ChampionSetting, ChampionStatus, EnquiryKind, EnquiryStatus } from './schema.ts';

export const SETTING_LABELS: Record<ChampionSetting, string> = {
  care_home: 'Care home',
  home_care: 'Home care',
  supported_living: 'Supported living',
  day_services: 'Day services',
  council: 'Council',
  nhs: 'NHS',
  education: 'Education',
  other: 'Other',
};

export const REGION_LABELS: Record<ChampionRegion, string> = {
  north_east: 'North East',
  north_west: 'North West',
  yorkshire_and_the_humber: 'Yorkshire and the Humber',
  east_midlands: 'East Midlands',
  west_midlands: 'West Midlands',
  east_of_england: 'East of England',
  london: 'London',
  south_east: 'South East',
  south_west: 'South West',
  national: 'National (England-wide)',
};

export const CHAMPION_STATUS_LABELS: Record<ChampionStatus, { text: string; colour: string }> = {
  pending: { text: 'Waiting for approval', colour: 'yellow' },
  active: { text: 'Active', colour: 'green' },
  rejected: { text: 'Not approved', colour: 'red' },
  withdrawn: { text: 'Withdrawn', colour: 'grey' },
};

export const ACTION_LABELS: Record<ActionKind, string> = {
  event: 'Event',
  talk: 'Talk',
  training: 'Training session',
  local_plan: 'Local plan mapped to the strategy',
};

export const ENQUIRY_KIND_LABELS: Record<EnquiryKind, string> = {
  working_group: 'Join a working group',
  consultation: 'Take part in consultation',
  champion: 'Become a champion',
  evidence: 'Share evidence',
  other: 'Something else',
};

export const ENQUIRY_STATUS_LABELS: Record<EnquiryStatus, { text: string; colour: string }> = {
  new: { text: 'New', colour: 'blue' },
  in_progress: { text: 'In progress', colour: 'yellow' },
  closed: { text: 'Closed', colour: 'grey' },
};

/** Radio or select options from a label table, in its order. */
export function optionsOf<K extends string>(labels: Record<K, string | { text: string }>, selected?: string): { value: K; text: string; checked: boolean; selected: boolean }[] {
  return (Object.entries(labels) as [K, string | { text: string }][]).map(([value, label]) => ({
    value,
    text: typeof label === 'string' ? label : label.text,
    checked: value === selected,
    selected: value === selected,
  }));
}
