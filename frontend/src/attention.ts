/**
 * What calls for an operator's attention: the tab title's count, and (opt-in) a sound and a desktop
 * notification for a new ticket in the queue or a customer's new message on one of my tickets.
 */
import type { KeyValueStorage } from './api';
import { localStore } from './prefs';
import type { LiveEvent } from './types';

export interface AttentionPrefs {
  sound: boolean;
  desktop: boolean;
}

export const NO_ALERTS: AttentionPrefs = { sound: false, desktop: false };
const PREFS_KEY = 't1.attention';

/** One choice per operator and browser: sound and desktop notifications are off until chosen. */
export function storedAttention(operatorId: string, storage: KeyValueStorage | null = localStore()): AttentionPrefs {
  try {
    const raw = storage?.getItem(`${PREFS_KEY}.${operatorId}`);
    if (!raw) return NO_ALERTS;
    const parsed = JSON.parse(raw) as Partial<AttentionPrefs>;
    return { sound: parsed.sound === true, desktop: parsed.desktop === true };
  } catch {
    return NO_ALERTS;
  }
}

export function storeAttention(operatorId: string, prefs: AttentionPrefs, storage: KeyValueStorage | null = localStore()): void {
  try {
    storage?.setItem(`${PREFS_KEY}.${operatorId}`, JSON.stringify(prefs));
  } catch {
    // storage blocked: the choice lasts until the page is reloaded
  }
}

/** "(3) T1 Support": the count of tickets with unread customer messages leads the tab's title. */
export function titleWithCount(count: number, base: string): string {
  return count > 0 ? `(${count > 99 ? '99+' : count}) ${base}` : base;
}

export type AlertKind = 'new-ticket' | 'customer-message';

export interface Alert {
  kind: AlertKind;
  ticketId: string;
  /** Who wrote or what the ticket is about. */
  who: string;
  /** The customer's words, shortened. */
  text: string;
}

export interface Watching {
  meId: string;
  /** The ticket open on screen. */
  openTicketId: string | null;
  /** Whether the operator is looking at the console (the tab is visible and focused). */
  looking: boolean;
}

const PREVIEW_CHARS = 140;

/**
 * The alert an event deserves: a new ticket in the queue, or a customer's message on a ticket assigned to
 * me; nothing for what the operator is looking at already (the open ticket in a watched tab).
 */
export function alertFor(event: LiveEvent, watching: Watching): Alert | null {
  if (event.type !== 'ticket.created' && event.type !== 'message.created') return null;
  const { ticket, message } = event;
  if (!ticket) return null;
  if (watching.looking && ticket.id === watching.openTicketId) return null;
  const who = ticket.customer.name || ticket.customer.username || '';
  const text = (message?.text || ticket.last_message_preview || '').trim();
  const short = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
  if (event.type === 'ticket.created') {
    if (ticket.assignee && ticket.assignee !== watching.meId) return null;
    return { kind: 'new-ticket', ticketId: ticket.id, who, text: short };
  }
  if (message?.direction !== 'customer' || ticket.assignee !== watching.meId) return null;
  return { kind: 'customer-message', ticketId: ticket.id, who, text: short };
}
