import { ValidationError } from '../errors.js';

/**
 * The time ranges and time zones of the analytics queries: checked before
 * any SQL runs, so a bad one is 400 with a code of its own and a range never
 * costs more than its interval's documented maximum span.
 */

export type CountInterval = 'minute' | 'hour' | 'day';
export type ActiveUsersInterval = 'day' | 'month';
/** The rollup tables' grains: one row per (tenant, event, minute | hour | UTC day). */
export type RollupGrain = 'minute' | 'hour' | 'day';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31);

/** `tz` is not an IANA time zone name (`Europe/Paris`, `UTC`): 400 `invalid_time_zone`. */
export class InvalidTimeZoneError extends ValidationError {
  constructor(timeZone: string) {
    super('tz must be an IANA time zone name, such as Europe/Paris or UTC', {
      status: 400,
      code: 'invalid_time_zone',
      details: [{ path: 'tz', value: timeZone.slice(0, 64) }],
    });
  }
}

/** `from` is not before `to`, or either lies outside the years 1970 to 9999: 400 `invalid_range`. */
export class InvalidRangeError extends ValidationError {
  constructor(from: Date, to: Date, problem = 'from must be before to') {
    super(problem, { status: 400, code: 'invalid_range', details: [{ from: from.toISOString(), to: to.toISOString() }] });
  }
}

/** The range is longer than its interval allows: 400 `range_too_long`, naming the limit and its variable. */
export class RangeTooLongError extends ValidationError {
  constructor(interval: string, limit: string, variable: string) {
    super(`a range of interval ${interval} may cover at most ${limit} (${variable})`, {
      status: 400,
      code: 'range_too_long',
      details: [{ interval, maxSpan: limit, variable }],
    });
  }
}

/** The longest ranges, from the environment (infra/config/config.ts, ANALYTICS_MAX_SPAN_*). */
export interface SpanLimits {
  minuteHours: number;
  hourDays: number;
  dayDays: number;
  monthMonths: number;
  exportDays: number;
}

export interface TimeRange {
  from: Date;
  to: Date;
}

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The canonical IANA name of `name` (`asia/kolkata` → `Asia/Calcutta`, as ICU
 * spells it; PostgreSQL knows both), UTC when absent. Offsets (`+05:30`) and
 * POSIX strings are refused: PostgreSQL reads `UTC+5` as five hours WEST.
 */
export function resolveTimeZone(name: string | undefined): string {
  if (name === undefined) return 'UTC';
  if (!IANA_NAME.test(name)) throw new InvalidTimeZoneError(name);
  try {
    return offsetFormatter(new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone).resolvedOptions().timeZone;
  } catch {
    throw new InvalidTimeZoneError(name);
  }
}

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    // Canonical names only (a few hundred), so the cache stays small.
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC at `at`, in minutes (`GMT+05:30` → 330). */
export function offsetMinutes(timeZone: string, at: Date): number {
  const name = offsetFormatter(timeZone).formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * The range asked for, with defaults: `to` the end of the minute in
 * progress (so that what just came in counts; floored, `now` left out the
 * last minute's events until it was over), `from` `defaultSpanMs` before
 * `to`; floored to whole minutes (the finest rollup) unless told (the export
 * reads facts, to the millisecond, and defaults to now). Refused when empty
 * or longer than `maxSpanMs`.
 */
export function checkedRange(
  asked: { from?: string | undefined; to?: string | undefined },
  defaultSpanMs: number,
  maxSpan: { ms: number; interval: string; limit: string; variable: string },
  now: Date,
  precision: 'minute' | 'exact' = 'minute',
): TimeRange {
  const floor = precision === 'minute' ? floorMinute : (at: Date) => at;
  const to = asked.to !== undefined ? floor(new Date(asked.to)) : precision === 'minute' ? new Date(floorMinute(now).getTime() + MINUTE_MS) : now;
  const from = floor(asked.from === undefined ? new Date(to.getTime() - defaultSpanMs) : new Date(asked.from));
  // PostgreSQL has no year 0, and the warehouse nothing before 1970: refused here rather than failing in SQL.
  for (const end of [from, to]) if (end.getTime() < EARLIEST || end.getTime() > LATEST) throw new InvalidRangeError(from, to, 'from and to must lie between 1970 and 9999');
  if (from.getTime() >= to.getTime()) throw new InvalidRangeError(from, to);
  if (to.getTime() - from.getTime() > maxSpan.ms) throw new RangeTooLongError(maxSpan.interval, maxSpan.limit, maxSpan.variable);
  return { from, to };
}

/** The maximum span of each interval, for checkedRange. */
export function maxSpanOf(interval: CountInterval | ActiveUsersInterval | 'export', limits: SpanLimits): { ms: number; interval: string; limit: string; variable: string } {
  switch (interval) {
    case 'minute':
      return { ms: limits.minuteHours * HOUR_MS, interval, limit: `${limits.minuteHours} hours`, variable: 'ANALYTICS_MAX_SPAN_MINUTE_HOURS' };
    case 'hour':
      return { ms: limits.hourDays * DAY_MS, interval, limit: `${limits.hourDays} days`, variable: 'ANALYTICS_MAX_SPAN_HOUR_DAYS' };
    case 'day':
      return { ms: limits.dayDays * DAY_MS, interval, limit: `${limits.dayDays} days`, variable: 'ANALYTICS_MAX_SPAN_DAY_DAYS' };
    case 'month':
      // 31-day months: the check is about cost, never off by a short month against the user.
      return { ms: limits.monthMonths * 31 * DAY_MS, interval, limit: `${limits.monthMonths} months`, variable: 'ANALYTICS_MAX_SPAN_MONTH_MONTHS' };
    case 'export':
      return { ms: limits.exportDays * DAY_MS, interval, limit: `${limits.exportDays} days`, variable: 'ANALYTICS_EXPORT_MAX_SPAN_DAYS' };
  }
}

/** The range when none is given: one day of minutes, a week of hours, thirty days of days, a year of months. */
export const DEFAULT_SPAN_MS: Readonly<Record<CountInterval | ActiveUsersInterval, number>> = {
  minute: HOUR_MS,
  hour: 7 * DAY_MS,
  day: 30 * DAY_MS,
  month: 365 * DAY_MS,
};

/**
 * The coarsest rollup that answers exactly: a coarser table serves only when
 * both ends of the range fall on its bucket edges and each of the interval's
 * buckets in `timeZone` is made of whole buckets of it. So a day in
 * Asia/Kolkata (+05:30) is summed from minutes, a day in Europe/Paris from
 * hours (DST moves by whole hours), a UTC day from the day table.
 */
export function rollupGrain(range: TimeRange, interval: CountInterval | 'total', timeZone: string): RollupGrain {
  const aligned = (unitMs: number) => range.from.getTime() % unitMs === 0 && range.to.getTime() % unitMs === 0;
  if (interval === 'minute' || !aligned(HOUR_MS)) return 'minute';
  const offsets = sampledOffsets(range, timeZone);
  const wholeHours = offsets.every((offset) => offset % 60 === 0);
  if (interval === 'hour' || !aligned(DAY_MS)) return wholeHours || interval === 'total' ? 'hour' : 'minute';
  if (interval === 'total' || offsets.every((offset) => offset === 0)) return 'day';
  return wholeHours ? 'hour' : 'minute';
}

/** Whether the zone is UTC all through the range (the daily active users rollup is by UTC day). */
export function isUtcThroughout(range: TimeRange, timeZone: string): boolean {
  return sampledOffsets(range, timeZone).every((offset) => offset === 0);
}

/**
 * The zone's offsets at both ends and every six hours between: zones keep an
 * offset for months, so no period of another offset hides between samples.
 */
function sampledOffsets(range: TimeRange, timeZone: string): number[] {
  const offsets: number[] = [];
  const step = 6 * HOUR_MS;
  for (let at = range.from.getTime(); at < range.to.getTime(); at += step) offsets.push(offsetMinutes(timeZone, new Date(at)));
  offsets.push(offsetMinutes(timeZone, new Date(range.to.getTime() - 1)));
  return offsets;
}

function floorMinute(at: Date): Date {
  return new Date(Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS);
}
