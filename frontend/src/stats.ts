/**
 * The statistics page on the client: date ranges and their rules (GET /stats/*), number and duration
 * formatting in the UI language, sorting of the tables (nulls last), the rows of the daily charts.
 * Pure: no I/O, tested directly.
 */
import { INTL_LOCALE, translate, type Locale } from './i18n';
import type { DailyStatsPublic } from './types';

/** The longest range the gateway accepts, in days (both ends included). */
export const STATS_MAX_DAYS = 366;
/** The quick ranges, in days ending today. */
export const STATS_PRESETS = [7, 30, 90] as const;
export const STATS_DEFAULT_DAYS = 30;
/** What the page shows for a figure without data. */
export const NO_VALUE = '—';

// --- days ----------------------------------------------------------------------------------------

export interface DayRange {
  /** YYYY-MM-DD, included */
  from: string;
  /** YYYY-MM-DD, included */
  to: string;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function pad(value: number, length = 2): string {
  return String(value).padStart(length, '0');
}

/** The desk's time zone until the server reports its own (the stats service's default). */
export const DESK_TIME_ZONE = 'Europe/Minsk';

/** The calendar day of `date` as YYYY-MM-DD in `timeZone` (the browser's own when absent or unknown). */
export function isoDay(date: Date, timeZone?: string): string {
  if (timeZone) {
    try {
      const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
      const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((item) => item.type === type)?.value ?? '';
      return `${pad(Number(part('year')), 4)}-${part('month')}-${part('day')}`;
    } catch {
      // an unknown zone: the browser's calendar day
    }
  }
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A day YYYY-MM-DD as UTC midnight in milliseconds; null when it is not a real day (2025-02-30). */
function dayStamp(day: string): number | null {
  const match = DAY_PATTERN.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const stamp = Date.UTC(year, month - 1, date);
  const check = new Date(stamp);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return null;
  return stamp;
}

/** A day YYYY-MM-DD as a local Date at midnight (for formatting); null when it is not a real day. */
export function parseDay(day: string): Date | null {
  const stamp = dayStamp(day);
  if (stamp === null) return null;
  const utc = new Date(stamp);
  const local = new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate());
  local.setFullYear(utc.getUTCFullYear()); // years 0..99
  return local;
}

/** The day `days` after (or before, when negative) `day`. */
export function shiftDay(day: string, days: number): string {
  const stamp = dayStamp(day);
  if (stamp === null) return day;
  const date = new Date(stamp + days * DAY_MS);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The `days` days ending with `today` (in `timeZone`, the desk's), both ends included. */
export function presetRange(days: number, today: Date, timeZone?: string): DayRange {
  const to = isoDay(today, timeZone);
  return { from: shiftDay(to, -(Math.max(1, days) - 1)), to };
}

/** How many days `from`..`to` covers, both included (0 or less when `to` is before `from`); null for bad days. */
export function rangeDays(from: string, to: string): number | null {
  const first = dayStamp(from);
  const last = dayStamp(to);
  if (first === null || last === null) return null;
  return Math.round((last - first) / DAY_MS) + 1;
}

export type RangeProblem = { kind: 'missing' } | { kind: 'order' } | { kind: 'tooLong'; days: number };

/** Why the gateway would refuse the range (so the page asks nothing); null when it is fine. */
export function checkRange(range: DayRange): RangeProblem | null {
  const days = rangeDays(range.from, range.to);
  if (days === null) return { kind: 'missing' };
  if (days < 1) return { kind: 'order' };
  if (days > STATS_MAX_DAYS) return { kind: 'tooLong', days };
  return null;
}

/** The preset (7, 30, 90) the range is, when it ends `today`; null otherwise. */
export function presetOf(range: DayRange, today: Date, timeZone?: string): number | null {
  for (const days of STATS_PRESETS) {
    const preset = presetRange(days, today, timeZone);
    if (preset.from === range.from && preset.to === range.to) return days;
  }
  return null;
}

// --- formatting ----------------------------------------------------------------------------------

export type DurationUnit = 's' | 'min' | 'h';

/** Numbers, shares, durations and days in the UI language; null (no data) is «—». */
export interface StatsFormat {
  /** 1 234 */
  count: (value: number | null | undefined) => string;
  /** 3,5 (one decimal at most) */
  decimal: (value: number | null | undefined) => string;
  /** An average rating 1..5: 4,0 · 4,25 */
  csat: (value: number | null | undefined) => string;
  /** A share 0..1 as a percentage: 75 % */
  percent: (value: number | null | undefined) => string;
  /** Seconds, human-readable: «45 с», «2 мин 5 с», «1 ч 12 мин», «2 д 3 ч» */
  duration: (seconds: number | null | undefined) => string;
  /** A day YYYY-MM-DD, short: «12 мар.» */
  shortDay: (day: string) => string;
  /** A day YYYY-MM-DD, in full: «12 марта 2025 г.» */
  fullDay: (day: string) => string;
}

function known(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function makeStatsFormat(locale: Locale): StatsFormat {
  const tag = INTL_LOCALE[locale];
  const integer = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
  const csat = new Intl.NumberFormat(tag, { minimumFractionDigits: 1, maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 0 });
  const shortDay = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'short' });
  const fullDay = new Intl.DateTimeFormat(tag, { day: 'numeric', month: 'long', year: 'numeric' });
  const unit = (key: 'duration.d' | 'duration.h' | 'duration.min' | 'duration.s') => translate(locale, key);
  const part = (value: number, key: Parameters<typeof unit>[0]) => `${integer.format(value)} ${unit(key)}`;
  const day = (format: Intl.DateTimeFormat) => (value: string) => {
    const date = parseDay(value);
    return date ? format.format(date) : value;
  };

  const duration = (seconds: number | null | undefined): string => {
    if (!known(seconds)) return NO_VALUE;
    const value = Math.max(0, seconds);
    // Under 10 s a tenth still means something (0,4 с); above, whole seconds.
    if (value < 9.95 && !Number.isInteger(value)) return `${decimal.format(value)} ${unit('duration.s')}`;
    const total = Math.round(value);
    if (total < 60) return part(total, 'duration.s');
    if (total < 3600) {
      const rest = total % 60;
      return rest ? `${part(Math.floor(total / 60), 'duration.min')} ${part(rest, 'duration.s')}` : part(total / 60, 'duration.min');
    }
    const minutes = Math.round(total / 60);
    if (minutes < 24 * 60) {
      const rest = minutes % 60;
      return rest ? `${part(Math.floor(minutes / 60), 'duration.h')} ${part(rest, 'duration.min')}` : part(minutes / 60, 'duration.h');
    }
    const hours = Math.round(total / 3600);
    const rest = hours % 24;
    return rest ? `${part(Math.floor(hours / 24), 'duration.d')} ${part(rest, 'duration.h')}` : part(hours / 24, 'duration.d');
  };

  return {
    count: (value) => (known(value) ? integer.format(value) : NO_VALUE),
    decimal: (value) => (known(value) ? decimal.format(value) : NO_VALUE),
    csat: (value) => (known(value) ? csat.format(value) : NO_VALUE),
    percent: (value) => (known(value) ? percent.format(value) : NO_VALUE),
    duration,
    shortDay: day(shortDay),
    fullDay: day(fullDay),
  };
}

/** The unit a chart of durations up to `maxSeconds` reads best in (its axis ticks are round numbers of it). */
export function durationUnit(maxSeconds: number): DurationUnit {
  if (!(maxSeconds >= 120)) return 's';
  if (maxSeconds < 2 * 3600) return 'min';
  return 'h';
}

export const DURATION_UNIT_SECONDS: Record<DurationUnit, number> = { s: 1, min: 60, h: 3600 };

// --- sorting -------------------------------------------------------------------------------------

export type SortDirection = 'asc' | 'desc';
export type SortValue = number | string | null | undefined;

export interface SortState<K extends string = string> {
  key: K;
  direction: SortDirection;
}

/**
 * Compare two cells for `direction`: numbers by value, texts alphabetically in `locale`; a missing value
 * (null, NaN) sorts after every other in both directions.
 */
export function compareValues(a: SortValue, b: SortValue, direction: SortDirection, locale: Locale = 'ru'): number {
  const missingA = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
  const missingB = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  let order: number;
  if (typeof a === 'number' && typeof b === 'number') order = a - b;
  else order = String(a).localeCompare(String(b), INTL_LOCALE[locale], { sensitivity: 'base', numeric: true });
  return direction === 'asc' ? order : -order;
}

/** A sorted copy of `rows` (stable: equal rows keep their order). */
export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, direction: SortDirection, locale: Locale = 'ru'): T[] {
  return [...rows].sort((a, b) => compareValues(value(a), value(b), direction, locale));
}

/** A click on the header of `key`: the other direction of the same column, else the column's first direction. */
export function nextSort<K extends string>(current: SortState<K>, key: K, firstDirection: SortDirection): SortState<K> {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: firstDirection };
}

/** The `aria-sort` of a column header. */
export function ariaSort(current: SortState, key: string): 'ascending' | 'descending' | undefined {
  if (current.key !== key) return undefined;
  return current.direction === 'asc' ? 'ascending' : 'descending';
}

// --- charts --------------------------------------------------------------------------------------

/** One day of the charts; null is a gap in a line (no data that day). */
export interface ChartDay {
  day: string;
  created: number;
  closed: number;
  backlog: number;
  csat: number | null;
  /** seconds */
  firstResponse: number | null;
}

export function chartDays(items: readonly DailyStatsPublic[]): ChartDay[] {
  return items.map((item) => ({
    day: item.day,
    created: item.tickets_created,
    closed: item.tickets_closed,
    backlog: item.backlog,
    csat: known(item.csat_average) ? item.csat_average : null,
    firstResponse: known(item.first_response_p50_s) ? item.first_response_p50_s : null,
  }));
}

/** The share of each rating 1..5 among all (0..1), for the distribution bars. */
export function distributionShares(distribution: Partial<Record<string, number>>): Record<'1' | '2' | '3' | '4' | '5', { count: number; share: number }> {
  const scores = ['1', '2', '3', '4', '5'] as const;
  const counts = scores.map((score) => Math.max(0, distribution[score] ?? 0));
  const total = counts.reduce((sum, count) => sum + count, 0);
  const entries = scores.map((score, index) => {
    const count = counts[index] ?? 0;
    return [score, { count, share: total ? count / total : 0 }] as const;
  });
  return Object.fromEntries(entries) as Record<(typeof scores)[number], { count: number; share: number }>;
}
