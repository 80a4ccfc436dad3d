/** How long a customer has waited for an answer, and how that compares with the desk's SLA. Pure. */
import type { Translate } from './i18n';
import { waitingSince } from './state';
import type { ConsoleSettingsPublic, TicketPublic } from './types';

export type SlaLevel = 'ok' | 'warning' | 'breach';

/** Until the gateway tells its own (GET /console/settings): its defaults. */
export const DEFAULT_SLA: ConsoleSettingsPublic = { sla_warning_s: 300, sla_breach_s: 900 };

/** Seconds the ticket's customer has waited at `now` (epoch ms); null when nobody waits. */
export function waitedSeconds(ticket: TicketPublic, now: number): number | null {
  const since = waitingSince(ticket);
  if (since === null) return null;
  return Math.max(0, Math.floor((now - since) / 1000));
}

export function slaLevel(seconds: number, sla: ConsoleSettingsPublic): SlaLevel {
  if (seconds >= sla.sla_breach_s) return 'breach';
  if (seconds >= sla.sla_warning_s) return 'warning';
  return 'ok';
}

/** «ждёт 12 мин», «ждёт 2 ч 5 мин», «ждёт 3 дн 4 ч» (whole units, rounded down). */
export function waitingLabel(seconds: number, t: Translate): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return t('wait.lessThanMinute');
  if (minutes < 60) return t('wait.minutes', { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('wait.hours', { hours, minutes: minutes % 60 });
  return t('wait.days', { days: Math.floor(hours / 24), hours: hours % 24 });
}
