import { describe, expect, it } from 'vitest';
import {
  applyLiveEvent,
  compareTickets,
  compareWaitingFirst,
  consoleReducer,
  initialState,
  needsFileUrls,
  refreshesHints,
  ticketQuery,
  type ConsoleState,
  type ListFilter,
} from './state';
import type { AttachmentPublic } from './types';
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
    const state = loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');
    const created = event('message.created', 'ev-1', ticket('t-1', { updated_at: '2025-03-01T11:00:00Z' }), message('m-2', 't-1'));

    const once = applyLiveEvent(state, created);
    const twice = applyLiveEvent(once, created);

    expect(once.messages.map((item) => item.id)).toEqual(['m-1', 'm-2']);
    expect(twice).toBe(once);
    expect(once.seenEventIds).toEqual(['ev-1']);
  });

  it('appends message.created to the open ticket only', () => {
    const state = loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');

    const other = applyLiveEvent(state, event('message.created', 'ev-1', ticket('t-2'), message('m-9', 't-2')));
    expect(other.messages.map((item) => item.id)).toEqual(['m-1']);

    const mine = applyLiveEvent(other, event('message.created', 'ev-2', ticket('t-1'), message('m-2', 't-1', { text: 'ещё вопрос' })));
    expect(mine.messages.map((item) => item.text)).toEqual(['message m-1', 'ещё вопрос']);
  });

  it('does not duplicate a message already added from the POST response', () => {
    let state = loaded({ tab: 'mine', q: '', category: '' }, [ticket('t-1', { status: 'assigned', assignee: ME })], 't-1');
    const reply = message('m-2', 't-1', { direction: 'operator', operator_id: ME });
    state = consoleReducer(state, { type: 'message/added', message: reply });
    state = applyLiveEvent(state, event('message.created', 'ev-1', ticket('t-1', { status: 'assigned', assignee: ME }), reply));
    expect(state.messages.map((item) => item.id)).toEqual(['m-1', 'm-2']);
  });

  it('replaces an edited message and keeps the file link it had', () => {
    const photo = { id: 'a-1', kind: 'photo' as const, url: 'https://s3/photo?sig', mime_type: 'image/jpeg', file_name: '', size: 10, ocr_text: '' };
    let state = loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');
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
    const state = loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');

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
    const state = loaded({ tab: 'queue', q: '', category: '' });
    const fresh = ticket('t-3', { last_message_at: '2025-03-01T11:00:00Z' });

    const next = applyLiveEvent(state, event('ticket.created', 'ev-1', fresh));

    expect(ids(next)).toEqual(['t-2', 't-3', 't-1']);
    expect(next.marks['t-3']).toEqual({ unread: true, updated: true });
  });

  it('moves a ticket out of the queue when it is taken, and keeps it open', () => {
    const state = loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');
    const taken = ticket('t-1', { status: 'assigned', assignee: ME, updated_at: '2025-03-01T10:05:00Z' });

    const next = applyLiveEvent(state, event('ticket.updated', 'ev-1', taken));

    expect(ids(next)).toEqual(['t-2']);
    expect(next.openTicket).toEqual(taken);
  });

  it('adds my newly taken ticket to "Мои" and re-sorts on new messages', () => {
    const state = loaded({ tab: 'mine', q: '', category: '' }, [ticket('t-5', { status: 'assigned', assignee: ME })]);
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
    const state = loaded({ tab: 'all', q: '', category: '' }, [ticket('t-1', { status: 'closed', updated_at: '2025-03-01T12:00:00Z' })]);
    const stale = ticket('t-1', { status: 'open', updated_at: '2025-03-01T11:00:00Z' });
    expect(applyLiveEvent(state, event('ticket.updated', 'ev-1', stale)).tickets[0]!.status).toBe('closed');
  });

  it('does not insert tickets while searching, nor beyond the loaded pages', () => {
    const searching = loaded({ tab: 'queue', q: 'оплата', category: '' });
    expect(ids(applyLiveEvent(searching, event('ticket.created', 'ev-1', ticket('t-3'))))).toEqual(['t-2', 't-1']);

    let paged = loaded({ tab: 'queue', q: '', category: '' });
    paged = { ...paged, nextCursor: 'next' };
    const old = ticket('t-0', { last_message_at: '2025-02-01T00:00:00Z' });
    expect(ids(applyLiveEvent(paged, event('ticket.created', 'ev-2', old)))).toEqual(['t-2', 't-1']);
  });

  it('clears marks when the ticket is opened, and does not mark my own replies', () => {
    let state = loaded({ tab: 'queue', q: '', category: '' });
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
    let state = consoleReducer(initialState(ME), { type: 'filter/set', filter: { tab: 'queue', q: '', category: '' } });
    const stale = state.listVersion;
    state = consoleReducer(state, { type: 'filter/set', filter: { tab: 'closed', q: '', category: '' } });
    state = consoleReducer(state, { type: 'list/loaded', version: stale, page: { items: [ticket('t-1')], next_cursor: null }, append: false });
    expect(state.tickets).toEqual([]);
    expect(state.listStatus).toBe('loading');
  });

  it('appends the next page without duplicates', () => {
    let state = loaded({ tab: 'all', q: '', category: '' });
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
    let state = loaded({ tab: 'queue', q: '', category: '' });
    state = consoleReducer(state, { type: 'ticket/select', id: 't-1' });
    state = applyLiveEvent(state, event('message.created', 'ev-1', ticket('t-1'), message('m-3', 't-1')));
    state = consoleReducer(state, { type: 'messages/loaded', ticketId: 't-1', items: [message('m-1', 't-1'), message('m-2', 't-1')] });
    expect(state.messages.map((item) => item.id)).toEqual(['m-1', 'm-2', 'm-3']);
  });

  it('maps tabs to REST queries', () => {
    expect(ticketQuery({ tab: 'queue', q: '', category: '' })).toStrictEqual({ status: 'open', order: 'waiting' });
    expect(ticketQuery({ tab: 'mine', q: '', category: '' })).toStrictEqual({ status: 'assigned', assignee: 'me', order: 'waiting' });
    // A text query is not served in the waiting order (the gateway refuses the two together).
    expect(ticketQuery({ tab: 'mine', q: ' счёт ', category: '' })).toStrictEqual({ status: 'assigned', assignee: 'me', q: 'счёт' });
    expect(ticketQuery({ tab: 'closed', q: '', category: '' })).toStrictEqual({ status: 'closed' });
    expect(ticketQuery({ tab: 'all', q: '', category: '' })).toStrictEqual({});
  });

  it('adds the category filter to the REST query, combined with the tab and the search', () => {
    expect(ticketQuery({ tab: 'queue', q: '', category: 'Оплата' })).toStrictEqual({ status: 'open', order: 'waiting', category: 'Оплата' });
    expect(ticketQuery({ tab: 'mine', q: 'счёт', category: ' Оплата ' })).toStrictEqual({
      status: 'assigned',
      assignee: 'me',
      q: 'счёт',
      category: 'Оплата',
    });
    expect(ticketQuery({ tab: 'all', q: '', category: '   ' })).toStrictEqual({});
  });

  it('sorts like the server: newest last message first, then id descending', () => {
    const list = [ticket('a', { last_message_at: null }), ticket('b'), ticket('c'), ticket('d', { last_message_at: '2025-03-02T00:00:00Z' })];
    expect([...list].sort(compareTickets).map((item) => item.id)).toEqual(['d', 'c', 'b', 'a']);
  });
});

describe('live titles and categories', () => {
  it('shows a title and category from ticket.updated in the queue and the open ticket header', () => {
    const state = loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');
    expect(state.openTicket?.title).toBe('Ticket t-1');

    const named = ticket('t-1', { title: 'Не работает оплата картой', category: 'Оплата', subcategory: 'Карты', updated_at: '2025-03-01T10:05:00Z' });
    const next = applyLiveEvent(state, event('ticket.updated', 'ev-1', named));

    const inList = next.tickets.find((item) => item.id === 't-1');
    expect(inList).toMatchObject({ title: 'Не работает оплата картой', category: 'Оплата', subcategory: 'Карты' });
    expect(next.openTicket).toMatchObject({ title: 'Не работает оплата картой', category: 'Оплата', subcategory: 'Карты' });
    expect(next.selectedId).toBe('t-1');
    expect(next.messages.map((item) => item.id)).toEqual(['m-1']);
    // The order of the list is unchanged (no new message), and nothing is marked: the operator has it open.
    expect(ids(next)).toEqual(['t-2', 't-1']);
    expect(next.marks['t-1']).toBeUndefined();
  });

  it('updates a ticket that is not open in place and marks it updated, not unread', () => {
    const state = loaded({ tab: 'queue', q: '', category: '' });
    const next = applyLiveEvent(state, event('ticket.updated', 'ev-1', ticket('t-2', { title: 'Сброс пароля', last_message_at: '2025-03-01T12:00:00Z', updated_at: '2025-03-01T12:01:00Z' })));
    expect(next.tickets[0]).toMatchObject({ id: 't-2', title: 'Сброс пароля' });
    expect(next.marks['t-2']).toEqual({ unread: false, updated: true });
  });

  it('with a category filter, drops a ticket that leaves the category and adds one that joins it', () => {
    const filter = { tab: 'queue' as const, q: '', category: 'Оплата' };
    const state = loaded(filter, [ticket('t-2', { category: 'Оплата', last_message_at: '2025-03-01T12:00:00Z' }), ticket('t-1', { category: 'Оплата' })], 't-1');

    // A new ticket is created without a category: not in this list yet...
    let next = applyLiveEvent(state, event('ticket.created', 'ev-1', ticket('t-3', { last_message_at: '2025-03-01T13:00:00Z' })));
    expect(ids(next)).toEqual(['t-2', 't-1']);
    // ...until the classifier's ticket.updated gives it this category.
    next = applyLiveEvent(next, event('ticket.updated', 'ev-2', ticket('t-3', { category: 'Оплата', title: 'Двойное списание', last_message_at: '2025-03-01T13:00:00Z', updated_at: '2025-03-01T13:00:01Z' })));
    expect(ids(next)).toEqual(['t-3', 't-2', 't-1']);

    // The open ticket moves to another category: out of the list, still open with its new category.
    next = applyLiveEvent(next, event('ticket.updated', 'ev-3', ticket('t-1', { category: 'Сеть', updated_at: '2025-03-01T14:00:00Z' })));
    expect(ids(next)).toEqual(['t-3', 't-2']);
    expect(next.openTicket).toMatchObject({ id: 't-1', category: 'Сеть' });
  });
});

describe('message.updated', () => {
  const photo: AttachmentPublic = { id: 'a-1', kind: 'photo', url: 'https://s3/photo?sig', mime_type: 'image/jpeg', file_name: '', size: 10, ocr_text: '' };

  function withPhoto() {
    let state = loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');
    state = consoleReducer(state, {
      type: 'messages/loaded',
      ticketId: 't-1',
      items: [message('m-1', 't-1', { text: '', attachments: [photo] }), message('m-2', 't-1', { text: 'вот скриншот' })],
    });
    return state;
  }

  it('replaces the message in the open conversation when its OCR text arrives', () => {
    const state = withPhoto();
    const ocr = message('m-1', 't-1', { text: '', attachments: [{ ...photo, url: null, ocr_text: 'Ошибка 0x80070005' }] });

    const next = applyLiveEvent(state, event('message.updated', 'ev-1', ticket('t-1'), ocr));

    expect(next.messages.map((item) => item.id)).toEqual(['m-1', 'm-2']);
    expect(next.messages[0]!.attachments[0]).toMatchObject({ ocr_text: 'Ошибка 0x80070005', url: 'https://s3/photo?sig' });
    expect(next.messages[1]).toBe(state.messages[1]);
    expect(needsFileUrls(ocr, state.messages)).toBe(false);
  });

  it('leaves the open conversation alone for a message of another ticket', () => {
    const state = withPhoto();
    const other = message('m-1', 't-2', { text: 'другое' });
    const next = applyLiveEvent(state, event('message.updated', 'ev-1', ticket('t-2'), other));
    expect(next.messages).toBe(state.messages);
  });

  it('shows the delivery of a reply as it changes; a late copy from before the delivery never undoes "sent"', () => {
    let state = loaded({ tab: 'mine', q: '', category: '' }, undefined, 't-1');
    const reply = message('m-9', 't-1', { direction: 'operator', operator_id: ME, text: 'Ответ' });
    state = consoleReducer(state, { type: 'message/added', message: { ...reply, delivery_status: 'sending' } });
    const failed = { ...reply, delivery_status: 'failed' as const, delivery_error: 'Forbidden: bot was blocked by the user' };
    state = applyLiveEvent(state, event('message.updated', 'ev-f', ticket('t-1'), failed));
    expect(state.messages.find((item) => item.id === 'm-9')).toMatchObject({ delivery_status: 'failed' });

    // The retry's live "sent" arrives before the retry's own answer, which still says "sending".
    state = applyLiveEvent(state, event('message.updated', 'ev-s', ticket('t-1'), { ...reply, delivery_status: 'sent' }));
    state = consoleReducer(state, { type: 'message/added', message: { ...reply, delivery_status: 'sending' } });
    expect(state.messages.find((item) => item.id === 'm-9')).toMatchObject({ delivery_status: 'sent', delivery_error: null });
  });

  it('needs the conversation fetched again only for files it has no URL for', () => {
    const state = withPhoto();
    const fresh = message('m-3', 't-1', { attachments: [{ ...photo, id: 'a-2', url: null }] });
    expect(needsFileUrls(fresh, state.messages)).toBe(true);
    expect(needsFileUrls(message('m-4', 't-1'), state.messages)).toBe(false);
  });
});

describe('hints refresh trigger', () => {
  const open = () => loaded({ tab: 'queue', q: '', category: '' }, undefined, 't-1');

  it('fires for a customer message, new or updated (OCR), in the open ticket only', () => {
    const customer = message('m-2', 't-1');
    expect(refreshesHints(event('message.created', 'e1', ticket('t-1'), customer), 't-1')).toBe(true);
    expect(refreshesHints(event('message.updated', 'e2', ticket('t-1'), customer), 't-1')).toBe(true);

    expect(refreshesHints(event('message.created', 'e3', ticket('t-2'), message('m-9', 't-2')), 't-1')).toBe(false);
    expect(refreshesHints(event('message.created', 'e4', ticket('t-1'), customer), null)).toBe(false);
    expect(refreshesHints(event('message.created', 'e5', ticket('t-1'), message('m-3', 't-1', { direction: 'operator', operator_id: ME })), 't-1')).toBe(false);
    expect(refreshesHints(event('message.created', 'e6', ticket('t-1'), message('m-4', 't-1', { direction: 'system' })), 't-1')).toBe(false);
    expect(refreshesHints(event('ticket.updated', 'e7', ticket('t-1', { title: 'Новая тема' })), 't-1')).toBe(false);
    expect(refreshesHints({ type: 'ticket.hidden', event_id: 'e8', ticket_id: 't-1' }, 't-1')).toBe(false);
  });

  it('bumps hintsVersion once per event, never for a repeated event_id', () => {
    let state = open();
    expect(state.hintsVersion).toBe(0);
    const created = event('message.created', 'ev-1', ticket('t-1'), message('m-2', 't-1'));
    state = applyLiveEvent(state, created);
    state = applyLiveEvent(state, created);
    expect(state.hintsVersion).toBe(1);

    state = applyLiveEvent(state, event('message.updated', 'ev-2', ticket('t-1'), message('m-2', 't-1', { text: 'исправлено', edited: true })));
    expect(state.hintsVersion).toBe(2);

    state = applyLiveEvent(state, event('message.created', 'ev-3', ticket('t-2'), message('m-9', 't-2')));
    state = applyLiveEvent(state, event('ticket.updated', 'ev-4', ticket('t-1', { title: 'Тема', updated_at: '2025-03-01T11:00:00Z' })));
    expect(state.hintsVersion).toBe(2);

    state = consoleReducer(state, { type: 'hints/refresh' });
    expect(state.hintsVersion).toBe(3);
  });
});

describe('customer ratings', () => {
  const rating = { score: 5, comment: 'Спасибо!', rated_at: '2025-03-02T09:30:00Z' };

  it('keeps the rating when a live event or a PATCH answer brings the ticket without one', () => {
    const closed = { status: 'closed' as const, closed_at: '2025-03-02T09:00:00Z' };
    let state = loaded({ tab: 'closed', q: '', category: '' }, [ticket('t-1', { ...closed, rating })], 't-1');
    expect(state.openTicket?.rating).toEqual(rating);

    // GET /tickets/{id} answered without the rating (stats too slow): the list's one stays
    state = consoleReducer(state, { type: 'ticket/loaded', ticket: ticket('t-1', { ...closed, rating: null }) });
    expect(state.openTicket?.rating).toEqual(rating);

    state = applyLiveEvent(state, event('ticket.updated', 'ev-1', ticket('t-1', { ...closed, tags: ['vip'], updated_at: '2025-03-02T10:00:00Z' })));
    expect(state.openTicket?.tags).toEqual(['vip']);
    expect(state.openTicket?.rating).toEqual(rating);
    expect(state.tickets[0]?.rating).toEqual(rating);

    state = consoleReducer(state, { type: 'ticket/changed', ticket: ticket('t-1', { ...closed, priority: 'high', updated_at: '2025-03-02T10:05:00Z' }) });
    expect(state.openTicket?.priority).toBe('high');
    expect(state.openTicket?.rating).toEqual(rating);
  });

  it('takes a rating that arrives later', () => {
    let state = loaded({ tab: 'closed', q: '', category: '' }, [ticket('t-1', { status: 'closed' })], 't-1');
    expect(state.openTicket?.rating).toBeUndefined();
    state = consoleReducer(state, { type: 'ticket/loaded', ticket: ticket('t-1', { status: 'closed', rating }) });
    expect(state.openTicket?.rating).toEqual(rating);
    expect(state.tickets[0]?.rating).toEqual(rating);
  });
});

describe('the waiting order of the queue and my tickets', () => {
  const waiting = (id: string, since: string, changes: Parameters<typeof ticket>[1] = {}) =>
    ticket(id, { waiting_since: since, last_message_at: since, ...changes });

  it('sorts like the server: waiting customers longest first, then the rest newest first', () => {
    const list = [
      ticket('answered-old', { last_message_at: '2025-03-01T08:00:00Z' }),
      waiting('w-late', '2025-03-01T10:30:00Z'),
      ticket('answered-new', { last_message_at: '2025-03-01T11:00:00Z' }),
      waiting('w-early', '2025-03-01T09:00:00Z'),
      waiting('w-closed', '2025-03-01T07:00:00Z', { status: 'closed' }), // a closed ticket never waits
    ];
    expect([...list].sort(compareWaitingFirst).map((item) => item.id)).toEqual([
      'w-early',
      'w-late',
      'answered-new',
      'answered-old',
      'w-closed',
    ]);
  });

  it('keeps the queue in waiting order as live events arrive', () => {
    let state = loaded({ tab: 'queue', q: '', category: '' }, [
      waiting('t-1', '2025-03-01T09:00:00Z'),
      waiting('t-2', '2025-03-01T10:00:00Z'),
      ticket('t-3', { last_message_at: '2025-03-01T11:00:00Z' }),
    ]);
    // A new ticket: its customer has waited the shortest, after the other waiting ones.
    state = applyLiveEvent(state, event('ticket.created', 'ev-1', waiting('t-4', '2025-03-01T11:30:00Z')));
    expect(ids(state)).toEqual(['t-1', 't-2', 't-4', 't-3']);
    // The customer of t-1 writes again: still waiting since the first message, so it stays first
    // (a newest-activity order would have moved it).
    state = applyLiveEvent(
      state,
      event('message.created', 'ev-2', waiting('t-1', '2025-03-01T09:00:00Z', { last_message_at: '2025-03-01T12:00:00Z', updated_at: '2025-03-01T12:00:00Z' })),
    );
    expect(ids(state)).toEqual(['t-1', 't-2', 't-4', 't-3']);
    // An operator answers t-2: it waits no more and goes among the rest, by its last activity.
    state = applyLiveEvent(
      state,
      event('message.created', 'ev-3', ticket('t-2', { waiting_since: null, last_message_at: '2025-03-01T12:05:00Z', updated_at: '2025-03-01T12:05:00Z' })),
    );
    expect(ids(state)).toEqual(['t-1', 't-4', 't-2', 't-3']);
    // The customer of t-3 writes: waiting now, shorter than the others.
    state = applyLiveEvent(
      state,
      event('message.created', 'ev-4', waiting('t-3', '2025-03-01T12:10:00Z', { updated_at: '2025-03-01T12:10:00Z' })),
    );
    expect(ids(state)).toEqual(['t-1', 't-4', 't-3', 't-2']);
  });

  it('adds a live ticket beyond the loaded pages only when it sorts among them', () => {
    let state = consoleReducer(initialState(ME), { type: 'filter/set', filter: { tab: 'queue', q: '', category: '' } });
    state = consoleReducer(state, {
      type: 'list/loaded',
      version: state.listVersion,
      page: { items: [waiting('t-1', '2025-03-01T09:00:00Z'), waiting('t-2', '2025-03-01T10:00:00Z')], next_cursor: 'more' },
      append: false,
    });
    // Waiting since later than the last loaded one: it belongs to a page not loaded yet.
    const later = applyLiveEvent(state, event('ticket.created', 'ev-1', waiting('t-3', '2025-03-01T11:00:00Z')));
    expect(ids(later)).toEqual(['t-1', 't-2']);
    // Waiting longer than the last loaded one: shown in its place.
    const earlier = applyLiveEvent(state, event('ticket.created', 'ev-2', waiting('t-0', '2025-03-01T09:30:00Z')));
    expect(ids(earlier)).toEqual(['t-1', 't-0', 't-2']);
  });

  it('keeps newest-activity order on the closed and all tabs', () => {
    const state = loaded({ tab: 'all', q: '', category: '' }, [
      ticket('t-2', { last_message_at: '2025-03-01T12:00:00Z' }),
      waiting('t-1', '2025-03-01T09:00:00Z'),
    ]);
    const next = applyLiveEvent(state, event('ticket.created', 'ev-1', waiting('t-3', '2025-03-01T11:00:00Z')));
    expect(ids(next)).toEqual(['t-2', 't-3', 't-1']);
  });
});

describe('read markers', () => {
  it('shows the dots the server keeps: unread listed tickets are marked, the open one is not', () => {
    let state = consoleReducer(initialState(ME), { type: 'ticket/select', id: 't-open' });
    state = consoleReducer(state, {
      type: 'list/loaded',
      version: state.listVersion,
      page: { items: [ticket('t-new', { unread: true }), ticket('t-read', { unread: false }), ticket('t-open', { unread: true })], next_cursor: null },
      append: false,
    });
    expect(state.marks['t-new']?.unread).toBe(true);
    expect(state.marks['t-read']).toBeUndefined();
    expect(state.marks['t-open']).toBeUndefined();

    state = consoleReducer(state, { type: 'ticket/select', id: 't-new' });
    expect(state.marks['t-new']).toBeUndefined();
  });
});
