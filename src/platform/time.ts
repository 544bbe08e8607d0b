// Calendar days as people in the UK see them: a reporting cycle "due on 30 November" means
// until the end of that day in London, whatever the server's time zone.
const LONDON_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The London calendar day of a moment, as YYYY-MM-DD. */
export function londonDay(moment: Date): string {
  return LONDON_DAY.format(moment);
}

/** `day` (YYYY-MM-DD) moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD); negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const LONDON_OFFSET = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'shortOffset' });

/**
 * The moment a London calendar day (YYYY-MM-DD) begins: midnight BST is 23:00 UTC the day
 * before. The clocks change at 01:00 UTC, never between 23:00 and midnight UTC, so London's
 * offset at midnight UTC is its offset at its own midnight.
 */
export function londonMidnight(day: string): Date {
  const utc = Date.parse(`${day}T00:00:00Z`);
  const name = LONDON_OFFSET.formatToParts(new Date(utc)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const hours = Number(/GMT([+-]\d+)?/.exec(name)?.[1] ?? 0);
  return new Date(utc - hours * 3_600_000);
}

const LONDON_LONG_OFFSET = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'longOffset' });

function offsetMinutes(moment: Date): number {
  const name = LONDON_LONG_OFFSET.formatToParts(moment).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The moment a London wall-clock time happens: `day` YYYY-MM-DD, `minutes` since midnight. */
export function londonMoment(day: string, minutes: number): Date {
  const guess = Date.parse(`${day}T00:00:00Z`) + minutes * 60_000;
  // The offset at the guess, then at the corrected moment (they differ only across a clock change).
  const first = guess - offsetMinutes(new Date(guess)) * 60_000;
  return new Date(guess - offsetMinutes(new Date(first)) * 60_000);
}

/** The Monday (YYYY-MM-DD) that begins the week, Monday to Sunday, holding `day`. */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 is Sunday
  return addDays(day, -((weekday + 6) % 7));
}
