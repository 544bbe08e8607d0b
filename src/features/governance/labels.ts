// How governance reads to a person: the kinds of body, members' positions, and meeting times
// in UK time, the GOV.UK way ("2 March 2026, 10am to midday").
import { londonDayAndTime } from '../../platform/http/views.ts';
import type { BodyKind, MemberPosition } from './schema.ts';

export const KIND_LABELS: Record<BodyKind, { one: string; many: string }> = {
  steering_group: { one: 'Steering group', many: 'Steering group' },
  oversight_executive: { one: 'Oversight Executive', many: 'Oversight Executive' },
  delivery_board: { one: 'Delivery board', many: 'Delivery boards' },
  working_group: { one: 'Expert working group', many: 'Expert working groups' },
  workstream: { one: 'Workstream', many: 'Workstreams' },
  sub_group: { one: 'Sub-group', many: 'Sub-groups' },
};

export const POSITION_LABELS: Record<MemberPosition, string> = {
  chair: 'Chair',
  co_chair: 'Co-chair',
  member: 'Member',
  secretariat: 'Secretariat',
};

/** "2 March 2026, 10am to midday"; a meeting over two days names both. */
export function meetingTimes(startsAt: Date, endsAt: Date): string {
  const start = londonDayAndTime(startsAt, { shortHours: true });
  const end = londonDayAndTime(endsAt, { shortHours: true });
  return start.day === end.day ? `${start.day}, ${start.time} to ${end.time}` : `${start.day}, ${start.time} to ${end.day}, ${end.time}`;
}

const LONDON_HM = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A moment as London's 24-hour clock ("14:30"), for filling in a form's time box. */
export function londonTime(moment: Date): string {
  return LONDON_HM.format(moment);
}

