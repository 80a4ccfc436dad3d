/** The queue's sense of time: a clock that ticks, the desk's SLA thresholds, and the tabs' counters. */
import { useEffect, useRef, useState } from 'react';
import { api } from './api';
import type { ConsoleSettingsPublic, TicketCountsPublic } from './types';
import { DEFAULT_SLA } from './urgency';

/** How often waiting times are brought up to date. */
export const WAITING_REFRESH_MS = 30_000;
/** Counters are asked for at most this often while live events keep coming. */
export const COUNTS_DELAY_MS = 1_500;

/** The current time (epoch ms), renewed every `intervalMs`. */
export function useNow(intervalMs: number = WAITING_REFRESH_MS): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

let slaRequest: Promise<ConsoleSettingsPublic> | null = null;

/** The desk's SLA thresholds (asked once per page; the defaults until they come, or if they cannot). */
export function useSla(): ConsoleSettingsPublic {
  const [sla, setSla] = useState<ConsoleSettingsPublic>(DEFAULT_SLA);
  useEffect(() => {
    let current = true;
    slaRequest ??= api.consoleSettings().catch(() => {
      slaRequest = null; // asked again next time
      return DEFAULT_SLA;
    });
    void slaRequest.then((value) => {
      if (current) setSla(value);
    });
    return () => {
      current = false;
    };
  }, []);
  return sla;
}

/**
 * The tabs' counters: asked for at once, then again whenever `trigger` changes (a live event, a reload),
 * at most once per `delayMs` however many events come. null until the first answer.
 */
export function useTicketCounts(trigger: string, delayMs: number = COUNTS_DELAY_MS): TicketCountsPublic | null {
  const [counts, setCounts] = useState<TicketCountsPublic | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const first = useRef(true);
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, []);

  useEffect(() => {
    const load = () => {
      api
        .ticketCounts()
        .then((value) => {
          if (alive.current) setCounts(value);
        })
        .catch(() => undefined); // the tabs keep the counts they have
    };
    if (first.current) {
      first.current = false;
      load();
      return;
    }
    if (timer.current) return; // one request for a burst of events
    timer.current = setTimeout(() => {
      timer.current = null;
      load();
    }, delayMs);
  }, [trigger, delayMs]);

  return counts;
}
