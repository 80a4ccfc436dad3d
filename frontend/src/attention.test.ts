import { describe, expect, it } from 'vitest';
import { alertFor, storeAttention, storedAttention, titleWithCount, type Watching } from './attention';
import type { LiveEvent, MessagePublic, TicketPublic } from './types';
import { message as makeMessageWithId, ticket as makeTicketWithId } from './test/fixtures';

function makeTicket(changes: Partial<TicketPublic> & { id: string }): TicketPublic {
  return makeTicketWithId(changes.id, changes);
}

function makeMessage(changes: Partial<MessagePublic> & { ticket_id: string }): MessagePublic {
  return makeMessageWithId(`m-${Math.random()}`, changes.ticket_id, changes);
}

const ME = 'op-me';
const away: Watching = { meId: ME, openTicketId: null, looking: false };

function event(type: 'ticket.created' | 'message.created' | 'ticket.updated', ticket: TicketPublic, message: MessagePublic | null = null): LiveEvent {
  return { type, event_id: `e-${Math.random()}`, ticket_id: ticket.id, ticket, message };
}

describe('attention', () => {
  it('counts in the title', () => {
    expect(titleWithCount(0, 'T1 Support')).toBe('T1 Support');
    expect(titleWithCount(3, 'T1 Support')).toBe('(3) T1 Support');
    expect(titleWithCount(120, 'T1 Support')).toBe('(99+) T1 Support');
  });

  it('alerts for a new ticket in the queue and a customer message on my ticket only', () => {
    const queued = makeTicket({ id: 't-new', assignee: null });
    expect(alertFor(event('ticket.created', queued), away)).toMatchObject({ kind: 'new-ticket', ticketId: 't-new' });

    const mine = makeTicket({ id: 't-mine', assignee: ME });
    const customer = makeMessage({ ticket_id: 't-mine', direction: 'customer', text: 'Карта заблокирована' });
    expect(alertFor(event('message.created', mine, customer), away)).toMatchObject({
      kind: 'customer-message',
      text: 'Карта заблокирована',
    });

    const theirs = makeTicket({ id: 't-theirs', assignee: 'op-other' });
    expect(alertFor(event('message.created', theirs, { ...customer, ticket_id: 't-theirs' }), away)).toBeNull();
    const myReply = makeMessage({ ticket_id: 't-mine', direction: 'operator', operator_id: ME });
    expect(alertFor(event('message.created', mine, myReply), away)).toBeNull();
    expect(alertFor(event('ticket.updated', mine), away)).toBeNull();
  });

  it('stays quiet about the ticket the operator is looking at, not when the tab is in the background', () => {
    const mine = makeTicket({ id: 't-mine', assignee: ME });
    const customer = makeMessage({ ticket_id: 't-mine', direction: 'customer', text: 'Алло' });
    const looking: Watching = { meId: ME, openTicketId: 't-mine', looking: true };
    expect(alertFor(event('message.created', mine, customer), looking)).toBeNull();
    expect(alertFor(event('message.created', mine, customer), { ...looking, looking: false })).not.toBeNull();
  });

  it('keeps the choice per operator, off by default', () => {
    const storage = new Map<string, string>();
    const store = {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value),
      removeItem: (key: string) => void storage.delete(key),
    };
    expect(storedAttention(ME, store)).toEqual({ sound: false, desktop: false });
    storeAttention(ME, { sound: true, desktop: false }, store);
    expect(storedAttention(ME, store)).toEqual({ sound: true, desktop: false });
    expect(storedAttention('op-other', store)).toEqual({ sound: false, desktop: false });
  });
});
