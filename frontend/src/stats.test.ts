import { describe, expect, it } from 'vitest';
import {
  ariaSort,
  chartDays,
  checkRange,
  compareValues,
  distributionShares,
  durationUnit,
  isoDay,
  makeStatsFormat,
  nextSort,
  parseDay,
  presetOf,
  presetRange,
  rangeDays,
  shiftDay,
  sortRows,
} from './stats';
import type { DailyStatsPublic } from './types';

const NBSP = '\u00a0';

describe('stats day ranges', () => {
  it('writes local days as YYYY-MM-DD and reads back only real days', () => {
    expect(isoDay(new Date(2025, 0, 5, 23, 59))).toBe('2025-01-05');
    expect(parseDay('2025-03-01')?.getDate()).toBe(1);
    expect(parseDay('2025-02-29')).toBeNull();
    expect(parseDay('2024-02-29')?.getMonth()).toBe(1);
    expect(parseDay('01.03.2025')).toBeNull();
    expect(parseDay('')).toBeNull();
  });

  it('shifts days across months, years and DST changes', () => {
    expect(shiftDay('2025-03-01', -1)).toBe('2025-02-28');
    expect(shiftDay('2024-12-31', 1)).toBe('2025-01-01');
    expect(shiftDay('2025-03-30', 1)).toBe('2025-03-31');
    expect(shiftDay('2025-10-26', -1)).toBe('2025-10-25');
  });

  it('builds presets ending today, both ends included', () => {
    const today = new Date(2025, 2, 30, 15, 0);
    expect(presetRange(30, today)).toEqual({ from: '2025-03-01', to: '2025-03-30' });
    expect(presetRange(7, today)).toEqual({ from: '2025-03-24', to: '2025-03-30' });
    expect(rangeDays('2025-03-01', '2025-03-30')).toBe(30);
    expect(presetOf({ from: '2025-03-24', to: '2025-03-30' }, today)).toBe(7);
    expect(presetOf({ from: '2025-03-23', to: '2025-03-30' }, today)).toBeNull();
  });

  it("counts today in the desk's time zone, not the browser's", () => {
    const lateEvening = new Date(Date.UTC(2026, 11, 7, 22, 30)); // 01:30 on 8 December in Minsk (UTC+3)
    expect(isoDay(lateEvening, 'Europe/Minsk')).toBe('2026-12-08');
    expect(isoDay(lateEvening, 'America/New_York')).toBe('2026-12-07');
    expect(presetRange(7, lateEvening, 'Europe/Minsk')).toEqual({ from: '2026-12-02', to: '2026-12-08' });
    expect(presetOf({ from: '2026-12-02', to: '2026-12-08' }, lateEvening, 'Europe/Minsk')).toBe(7);
    expect(isoDay(new Date(2025, 0, 5, 12, 0), 'No/Such_Zone')).toBe('2025-01-05');
  });

  it('refuses ranges the gateway would refuse: missing days, reversed, longer than 366 days', () => {
    expect(checkRange({ from: '2025-03-01', to: '2025-03-01' })).toBeNull();
    expect(checkRange({ from: '', to: '2025-03-01' })).toEqual({ kind: 'missing' });
    expect(checkRange({ from: '2025-03-02', to: '2025-03-01' })).toEqual({ kind: 'order' });
    expect(checkRange({ from: '2024-01-01', to: '2024-12-31' })).toBeNull(); // 366 days (leap year)
    expect(checkRange({ from: '2024-01-01', to: '2025-01-01' })).toEqual({ kind: 'tooLong', days: 367 });
  });
});

describe('stats formatting', () => {
  const ru = makeStatsFormat('ru');
  const en = makeStatsFormat('en');

  it('writes durations in the UI language', () => {
    expect(ru.duration(45)).toBe('45 с');
    expect(en.duration(45)).toBe('45 s');
    expect(ru.duration(125)).toBe('2 мин 5 с');
    expect(en.duration(125)).toBe('2 min 5 s');
    expect(ru.duration(120)).toBe('2 мин');
    expect(ru.duration(4320)).toBe('1 ч 12 мин');
    expect(en.duration(3600)).toBe('1 h');
    expect(ru.duration(2 * 86400 + 3 * 3600 + 50)).toBe('2 д 3 ч');
    expect(ru.duration(0.4)).toBe('0,4 с');
    expect(ru.duration(59.7)).toBe('1 мин');
    expect(ru.duration(0)).toBe('0 с');
  });

  it('shows «—» for figures without data', () => {
    for (const format of [ru.count, ru.decimal, ru.csat, ru.percent, ru.duration]) {
      expect(format(null)).toBe('—');
      expect(format(undefined)).toBe('—');
      expect(format(Number.NaN)).toBe('—');
    }
  });

  it('formats numbers with Intl in the UI language', () => {
    expect(ru.count(1234)).toBe(`1${NBSP}234`);
    expect(en.count(1234)).toBe('1,234');
    expect(ru.csat(4.25)).toBe('4,25');
    expect(en.csat(4)).toBe('4.0');
    expect(ru.csat(4.333)).toBe('4,33');
    expect(ru.percent(0.75)).toBe(`75${NBSP}%`);
    expect(en.percent(0.5)).toBe('50%');
    expect(ru.decimal(3.46)).toBe('3,5');
    expect(ru.shortDay('2025-03-05')).toBe('5 мар.');
    expect(en.shortDay('2025-03-05')).toBe('5 Mar');
    expect(ru.fullDay('2025-03-05')).toMatch(/^5 марта 2025/);
  });

  it('picks a readable unit for duration charts', () => {
    expect(durationUnit(0)).toBe('s');
    expect(durationUnit(90)).toBe('s');
    expect(durationUnit(600)).toBe('min');
    expect(durationUnit(3 * 3600)).toBe('h');
  });
});

describe('stats sorting', () => {
  const rows = [
    { name: 'Борис', csat: 4.5 },
    { name: 'анна', csat: null },
    { name: 'Вера', csat: 3 },
    { name: 'Глеб', csat: 5 },
  ];

  it('sorts numbers both ways with nulls last', () => {
    expect(sortRows(rows, (row) => row.csat, 'asc').map((row) => row.name)).toEqual(['Вера', 'Борис', 'Глеб', 'анна']);
    expect(sortRows(rows, (row) => row.csat, 'desc').map((row) => row.name)).toEqual(['Глеб', 'Борис', 'Вера', 'анна']);
  });

  it('sorts texts alphabetically, ignoring case', () => {
    expect(sortRows(rows, (row) => row.name, 'asc').map((row) => row.name)).toEqual(['анна', 'Борис', 'Вера', 'Глеб']);
    expect(sortRows(rows, (row) => row.name, 'desc').map((row) => row.name)).toEqual(['Глеб', 'Вера', 'Борис', 'анна']);
    expect(compareValues('a', 'A', 'asc', 'en')).toBe(0);
    expect(compareValues(null, null, 'desc')).toBe(0);
    expect(compareValues(Number.NaN, 1, 'asc')).toBeGreaterThan(0);
  });

  it('toggles the direction of the same column and starts a new one at its first direction', () => {
    expect(nextSort({ key: 'closed', direction: 'desc' }, 'closed', 'asc')).toEqual({ key: 'closed', direction: 'asc' });
    expect(nextSort({ key: 'closed', direction: 'asc' }, 'closed', 'asc')).toEqual({ key: 'closed', direction: 'desc' });
    expect(nextSort({ key: 'closed', direction: 'asc' }, 'name', 'asc')).toEqual({ key: 'name', direction: 'asc' });
    expect(ariaSort({ key: 'name', direction: 'asc' }, 'name')).toBe('ascending');
    expect(ariaSort({ key: 'name', direction: 'desc' }, 'name')).toBe('descending');
    expect(ariaSort({ key: 'name', direction: 'desc' }, 'closed')).toBeUndefined();
  });
});

describe('stats chart data', () => {
  it('takes the daily series, keeping days without data as gaps', () => {
    const day = (changes: Partial<DailyStatsPublic>): DailyStatsPublic => ({
      time_zone: 'Europe/Minsk',
      day: '2025-03-01',
      tickets_created: 0,
      tickets_closed: 0,
      backlog: 0,
      ratings_count: 0,
      csat_average: null,
      csat_distribution: {},
      rating_response_rate: null,
      first_response_p50_s: null,
      first_response_p90_s: null,
      resolution_p50_s: null,
      resolution_p90_s: null,
      messages_per_ticket: null,
      ...changes,
    });
    expect(
      chartDays([day({ tickets_created: 3, tickets_closed: 1, backlog: 2, csat_average: 4.5, first_response_p50_s: 60 }), day({ day: '2025-03-02', backlog: 2 })]),
    ).toEqual([
      { day: '2025-03-01', created: 3, closed: 1, backlog: 2, csat: 4.5, firstResponse: 60 },
      { day: '2025-03-02', created: 0, closed: 0, backlog: 2, csat: null, firstResponse: null },
    ]);
  });

  it('turns the rating distribution into shares', () => {
    const shares = distributionShares({ '1': 1, '4': 1, '5': 2 });
    expect(shares['5']).toEqual({ count: 2, share: 0.5 });
    expect(shares['2']).toEqual({ count: 0, share: 0 });
    expect(distributionShares({})['3']).toEqual({ count: 0, share: 0 });
  });
});
