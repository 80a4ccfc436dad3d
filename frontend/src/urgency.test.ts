import { describe, expect, it } from 'vitest';
import { translate, type MessageKey, type Params } from './i18n';
import { ticket } from './test/fixtures';
import { DEFAULT_SLA, slaLevel, waitedSeconds, waitingLabel } from './urgency';

const ru = (key: MessageKey, params?: Params) => translate('ru', key, params);
const en = (key: MessageKey, params?: Params) => translate('en', key, params);
const SINCE = '2025-03-01T10:00:00Z';
const at = (seconds: number) => Date.parse(SINCE) + seconds * 1000;

describe('how long the customer has waited', () => {
  it('counts from waiting_since, and not at all when answered or closed', () => {
    expect(waitedSeconds(ticket('t-1', { waiting_since: SINCE }), at(754.9))).toBe(754);
    expect(waitedSeconds(ticket('t-1', { waiting_since: null }), at(754))).toBeNull();
    expect(waitedSeconds(ticket('t-1'), at(754))).toBeNull(); // a ticket from before waiting was tracked
    expect(waitedSeconds(ticket('t-1', { waiting_since: SINCE, status: 'closed' }), at(754))).toBeNull();
    expect(waitedSeconds(ticket('t-1', { waiting_since: SINCE }), at(-5))).toBe(0); // a clock a little behind
  });

  it('says it in minutes, hours or days, in Russian and English', () => {
    expect(waitingLabel(30, ru)).toBe('ждёт < 1 мин');
    expect(waitingLabel(12 * 60 + 59, ru)).toBe('ждёт 12 мин');
    expect(waitingLabel(12 * 60, en)).toBe('waiting 12 min');
    expect(waitingLabel(2 * 3600 + 5 * 60, ru)).toBe('ждёт 2 ч 5 мин');
    expect(waitingLabel(2 * 3600 + 5 * 60, en)).toBe('waiting 2 h 5 min');
    expect(waitingLabel(3 * 86400 + 4 * 3600 + 59 * 60, ru)).toBe('ждёт 3 дн 4 ч');
    expect(waitingLabel(3 * 86400 + 4 * 3600, en)).toBe('waiting 3 d 4 h');
  });

  it('compares with the SLA thresholds: ok below the warning, warning from it, breach from the breach', () => {
    const sla = { sla_warning_s: 120, sla_breach_s: 600 };
    expect(slaLevel(119, sla)).toBe('ok');
    expect(slaLevel(120, sla)).toBe('warning');
    expect(slaLevel(599, sla)).toBe('warning');
    expect(slaLevel(600, sla)).toBe('breach');
    expect(slaLevel(299, DEFAULT_SLA)).toBe('ok');
    expect(slaLevel(300, DEFAULT_SLA)).toBe('warning');
    expect(slaLevel(900, DEFAULT_SLA)).toBe('breach');
  });
});
