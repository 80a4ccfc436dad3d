import { describe, expect, it } from 'vitest';
import { applyLiveEvent, compareTickets, consoleReducer, initialState, ticketQuery, type ConsoleState, type ListFilter } from './state';
import { event, message, ticket } from './test/fixtures';

const ME = 'op-me';

/** A state showing `filter` with the given tickets loaded, and `selected` open with `messages`. */
function loaded(filter: ListFilter, tickets = [ticket('t-2', { last_message_at: '2025-03-01T12:00:00Z' }), ticket('t-1')], selected?: string) {
  let state = consoleReducer(initialState(ME), { type: 'filter/set', filter });
  state = consoleReducer(state, { type: 'list/loaded', version: state.listVersion, page: { items: tickets, next_cursor: null }, append: false });
  if (selected) {
    state = consoleReducer(state, { type: 'ticket/select', id: selected });
    state = consoleReducer(state, { type: 'messages/loaded', ticketId: selected, items: [message('m-1', selected)] });
  }
  return state;
}

const ids = (state: ConsoleState) => state.tickets.map((item) => item.id);

describe('live events', () => {
  it('ignores an event whose event_id was applied already', () => {
    const state = loaded({ tab: 'queue', q: '' }, undefined, 't-1');
    const created = event('message.created', 'ev-1', ticket('t-1', { updated_at: '2025-03-01T11:00:00Z' }), message('m-2', 't-1'));

    const once = applyLiveEvent(state, created);
    const twice = applyLiveEvent(once, created);

    expect(once.messages.map((item) => item.id)).toEqual(['m-1', 'm-2']);
    expect(twice).toBe(once);
    expect(once.seenEventIds).toEqual(['ev-1']);
  });

  it('appends message.created to the open ticket only', () => {
    const state = loaded({ tab: 'queue', q: '' }, undefined, 't-1');

    const other = applyLiveEvent(state, event('message.created', 'ev-1', ticket('t-2'), message('m-9', 't-2')));
    expect(other.messages.map((item) => item.id)).toEqual(['m-1']);

    const mine = applyLiveEvent(other, event('message.created', 'ev-2', ticket('t-1'), message('m-2', 't-1', { text: 'ещё вопрос' })));
    expect(mine.messages.map((item) => item.text)).toEqual(['message m-1', 'ещё вопрос']);
  });

  it('does not duplicate a message already added from the POST response', () => {
    let state = loaded({ tab: 'mine', q: '' }, [ticket('t-1', { status: 'assigned', assignee: ME })], 't-1');
    const reply = message('m-2', 't-1', { direction: 'operator', operator_id: ME });
    state = consoleReducer(state, { type: 'message/added', message: reply });
    state = applyLiveEvent(state, event('message.created', 'ev-1', ticket('t-1', { status: 'assigned', assignee: ME }), reply));
    expect(state.messages.map((item) => item.id)).toEqual(['m-1', 'm-2']);
  });

  it('replaces an edited message and keeps the presigned URL it had', () => {
    const photo = { id: 'a-1', kind: 'photo' as const, url: 'https://s3/photo?sig', mime_type: 'image/jpeg', file_name: '', size: 10, ocr_text: '' };
    let state = loaded({ tab: 'queue', q: '' }, undefined, 't-1');
    state = consoleReducer(state, { type: 'messages/loaded', ticketId: 't-1', items: [message('m-1', 't-1', { attachments: [photo] })] });

    state = applyLiveEvent(
      state,
      event('message.updated', 'ev-1', ticket('t-1'), message('m-1', 't-1', { text: 'исправлено', edited: true, attachments: [{ ...photo, url: null }] })),
    );

    expect(state.messages).toHaveLength(1);
    expect(state.messages[0]).toMatchObject({ text: 'исправлено', edited: true });
    expect(state.messages[0]!.attachments[0]!.url).toBe('https://s3/photo?sig');
  });

  it('removes a ticket.hidden ticket from the list, and closes it when it is open', () => {
    const state = loaded({ tab: 'queue', q: '' }, undefined, 't-1');

    const hidden = applyLiveEvent(state, { type: 'ticket.hidden', event_id: 'ev-1', ticket_id: 't-1' });

    expect(ids(hidden)).toEqual(['t-2']);
    expect(hidden.selectedId).toBeNull();
    expect(hidden.openTicket).toBeNull();
    expect(hidden.messages).toEqual([]);
    expect(hidden.hiddenNotice).toBe(true);

    const again = applyLiveEvent(hidden, { type: 'ticket.hidden', event_id: 'ev-2', ticket_id: 't-2' });
    expect(ids(again)).toEqual([]);
  });

  it('inserts a new ticket in order and marks it unread', () => {
    const state = loaded({ tab: 'queue', q: '' });
    const fresh = ticket('t-3', { last_message_at: '2025-03-01T11:00:00Z' });

    const next = applyLiveEvent(state, event('ticket.created', 'ev-1', fresh));

    expect(ids(next)).toEqual(['t-2', 't-3', 't-1']);
    expect(next.marks['t-3']).toEqual({ unread: true, updated: true });
  });

  it('moves a ticket out of the queue when it is taken, and keeps it open', () => {
    const state = loaded({ tab: 'queue', q: '' }, undefined, 't-1');
    const taken = ticket('t-1', { status: 'assigned', assignee: ME, updated_at: '2025-03-01T10:05:00Z' });

    const next = applyLiveEvent(state, event('ticket.updated', 'ev-1', taken));

    expect(ids(next)).toEqual(['t-2']);
    expect(next.openTicket).toEqual(taken);
  });

  it('adds my newly taken ticket to "Мои" and re-sorts on new messages', () => {
    const state = loaded({ tab: 'mine', q: '' }, [ticket('t-5', { status: 'assigned', assignee: ME })]);
    const taken = ticket('t-6', { status: 'assigned', assignee: ME, last_message_at: '2025-03-01T09:00:00Z' });
    let next = applyLiveEvent(state, event('ticket.updated', 'ev-1', taken));
    expect(ids(next)).toEqual(['t-5', 't-6']);

    const newer = { ...taken, last_message_at: '2025-03-01T13:00:00Z', updated_at: '2025-03-01T13:00:00Z' };
    next = applyLiveEvent(next, event('message.created', 'ev-2', newer, message('m-1', 't-6')));
    expect(ids(next)).toEqual(['t-6', 't-5']);
    expect(next.marks['t-6']?.unread).toBe(true);

    // Someone else's ticket does not belong in "Мои".
    next = applyLiveEvent(next, event('ticket.updated', 'ev-3', ticket('t-7', { status: 'assigned', assignee: 'op-other' })));
    expect(ids(next)).toEqual(['t-6', 't-5']);
  });

  it('ignores an older copy of a ticket that arrives late', () => {
    const state = loaded({ tab: 'all', q: '' }, [ticket('t-1', { status: 'closed', updated_at: '2025-03-01T12:00:00Z' })]);
    const stale = ticket('t-1', { status: 'open', updated_at: '2025-03-01T11:00:00Z' });
    expect(applyLiveEvent(state, event('ticket.updated', 'ev-1', stale)).tickets[0]!.status).toBe('closed');
  });

  it('does not insert tickets while searching, nor beyond the loaded pages', () => {
    const searching = loaded({ tab: 'queue', q: 'оплата' });
    expect(ids(applyLiveEvent(searching, event('ticket.created', 'ev-1', ticket('t-3'))))).toEqual(['t-2', 't-1']);

    let paged = loaded({ tab: 'queue', q: '' });
    paged = { ...paged, nextCursor: 'next' };
    const old = ticket('t-0', { last_message_at: '2025-02-01T00:00:00Z' });
    expect(ids(applyLiveEvent(paged, event('ticket.created', 'ev-2', old)))).toEqual(['t-2', 't-1']);
  });

  it('clears marks when the ticket is opened, and does not mark my own replies', () => {
    let state = loaded({ tab: 'queue', q: '' });
    state = applyLiveEvent(state, event('message.created', 'ev-1', ticket('t-2'), message('m-1', 't-2')));
    expect(state.marks['t-2']?.unread).toBe(true);
    state = consoleReducer(state, { type: 'ticket/select', id: 't-2' });
    expect(state.marks['t-2']).toBeUndefined();

    state = applyLiveEvent(state, event('message.created', 'ev-2', ticket('t-1'), message('m-2', 't-1', { direction: 'operator', operator_id: ME })));
    expect(state.marks['t-1']).toBeUndefined();
  });
});

describe('list loading', () => {
  it('drops a page of an older list version', () => {
    let state = consoleReducer(initialState(ME), { type: 'filter/set', filter: { tab: 'queue', q: '' } });
    const stale = state.listVersion;
    state = consoleReducer(state, { type: 'filter/set', filter: { tab: 'closed', q: '' } });
    state = consoleReducer(state, { type: 'list/loaded', version: stale, page: { items: [ticket('t-1')], next_cursor: null }, append: false });
    expect(state.tickets).toEqual([]);
    expect(state.listStatus).toBe('loading');
  });

  it('appends the next page without duplicates', () => {
    let state = loaded({ tab: 'all', q: '' });
    state = { ...state, nextCursor: 'c1' };
    state = consoleReducer(state, { type: 'list/loadMore' });
    expect(state.loadingMore).toBe(true);
    state = consoleReducer(state, {
      type: 'list/loaded',
      version: state.listVersion,
      page: { items: [ticket('t-1'), ticket('t-0', { last_message_at: '2025-02-01T00:00:00Z' })], next_cursor: null },
      append: true,
    });
    expect(ids(state)).toEqual(['t-2', 't-1', 't-0']);
    expect(state.nextCursor).toBeNull();
  });

  it('keeps live messages that arrived while the conversation was loading', () => {
    let state = loaded({ tab: 'queue', q: '' });
    state = consoleReducer(state, { type: 'ticket/select', id: 't-1' });
    state = applyLiveEvent(state, event('message.created', 'ev-1', ticket('t-1'), message('m-3', 't-1')));
    state = consoleReducer(state, { type: 'messages/loaded', ticketId: 't-1', items: [message('m-1', 't-1'), message('m-2', 't-1')] });
    expect(state.messages.map((item) => item.id)).toEqual(['m-1', 'm-2', 'm-3']);
  });

  it('maps tabs to REST queries', () => {
    expect(ticketQuery({ tab: 'queue', q: '' })).toEqual({ status: 'open', q: undefined });
    expect(ticketQuery({ tab: 'mine', q: ' счёт ' })).toEqual({ status: 'assigned', assignee: 'me', q: 'счёт' });
    expect(ticketQuery({ tab: 'closed', q: '' })).toEqual({ status: 'closed', q: undefined });
    expect(ticketQuery({ tab: 'all', q: '' })).toEqual({ q: undefined });
  });

  it('sorts like the server: newest last message first, then id descending', () => {
    const list = [ticket('a', { last_message_at: null }), ticket('b'), ticket('c'), ticket('d', { last_message_at: '2025-03-02T00:00:00Z' })];
    expect([...list].sort(compareTickets).map((item) => item.id)).toEqual(['d', 'c', 'b', 'a']);
  });
});
