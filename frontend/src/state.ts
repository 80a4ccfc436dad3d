/**
 * The console's state (ticket list, open ticket, its messages) and the reducer that applies REST results
 * and live events to it. Pure: no I/O, so it is tested directly.
 */
import type { LiveEvent, MessagePublic, Page, TicketOrder, TicketPublic, TicketQuery } from './types';

export type QueueTab = 'queue' | 'mine' | 'closed' | 'all';
export const QUEUE_TABS: readonly QueueTab[] = ['queue', 'mine', 'closed', 'all'];

export interface ListFilter {
  tab: QueueTab;
  q: string;
  /** A knowledge-base category ('' = all categories). */
  category: string;
}

export const DEFAULT_FILTER: ListFilter = { tab: 'queue', q: '', category: '' };

export interface TicketMark {
  /** Something new from the customer (or a new ticket) since the operator last opened it. */
  unread: boolean;
  /** Changed since the operator last opened it. */
  updated: boolean;
}

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ConsoleState {
  meId: string;
  filter: ListFilter;
  /** Bumped whenever the list is (re)loaded from its first page; late pages of older loads are dropped. */
  listVersion: number;
  tickets: TicketPublic[];
  nextCursor: string | null;
  listStatus: LoadStatus;
  loadingMore: boolean;
  listError: string | null;
  selectedId: string | null;
  openTicket: TicketPublic | null;
  messages: MessagePublic[];
  messagesStatus: LoadStatus;
  messagesError: string | null;
  marks: Record<string, TicketMark>;
  /** The latest event ids applied, to drop duplicates (bounded). */
  seenEventIds: string[];
  /** The open ticket was closed from view because it became invisible to this operator. */
  hiddenNotice: boolean;
  /** Bumped when a live event may change the open ticket's hints (the customer wrote, OCR text came). */
  hintsVersion: number;
}

export const SEEN_EVENTS_LIMIT = 1000;

export function initialState(meId: string, filter: ListFilter = DEFAULT_FILTER): ConsoleState {
  return {
    meId,
    filter,
    listVersion: 0,
    tickets: [],
    nextCursor: null,
    listStatus: 'idle',
    loadingMore: false,
    listError: null,
    selectedId: null,
    openTicket: null,
    messages: [],
    messagesStatus: 'idle',
    messagesError: null,
    marks: {},
    seenEventIds: [],
    hiddenNotice: false,
    hintsVersion: 0,
  };
}

/** The order of a tab's list: the queue and one's own tickets put the longest-waiting customers first. */
export function listOrder(filter: ListFilter): TicketOrder {
  return filter.tab === 'queue' || filter.tab === 'mine' ? 'waiting' : 'activity';
}

/** The REST query of a list filter (empty search and category are left out). */
export function ticketQuery(filter: ListFilter): TicketQuery {
  const query: TicketQuery = {};
  switch (filter.tab) {
    case 'queue':
      query.status = 'open';
      break;
    case 'mine':
      query.status = 'assigned';
      query.assignee = 'me';
      break;
    case 'closed':
      query.status = 'closed';
      break;
    case 'all':
      break;
  }
  const q = filter.q.trim();
  if (q) query.q = q;
  // The waiting order comes from the lists' read model, which a text query does not use.
  else if (listOrder(filter) === 'waiting') query.order = 'waiting';
  const category = filter.category.trim();
  if (category) query.category = category;
  return query;
}

/** Whether a ticket belongs in the list of `filter` (the text query is left to the server). */
export function matchesTab(ticket: TicketPublic, tab: QueueTab, meId: string): boolean {
  switch (tab) {
    case 'queue':
      return ticket.status === 'open';
    case 'mine':
      return ticket.status === 'assigned' && ticket.assignee === meId;
    case 'closed':
      return ticket.status === 'closed';
    case 'all':
      return true;
  }
}

/** Whether a ticket belongs in the list of `filter`: its tab and category (the text query is the server's). */
export function matchesFilter(ticket: TicketPublic, filter: ListFilter, meId: string): boolean {
  if (!matchesTab(ticket, filter.tab, meId)) return false;
  const category = filter.category.trim();
  return !category || ticket.category === category;
}

/**
 * Whether a live event may change the hints of the open ticket: a customer message in it, new or updated
 * (an edit, or the OCR text of a photo arriving in message.updated).
 */
export function refreshesHints(event: LiveEvent, openTicketId: string | null): boolean {
  if (!openTicketId || (event.type !== 'message.created' && event.type !== 'message.updated')) return false;
  const message = event.message;
  return message !== null && message.ticket_id === openTicketId && message.direction === 'customer' && !message.internal;
}

function stamp(value: string | null): number {
  if (!value) return Number.NEGATIVE_INFINITY;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

/** The server's order: newest last message first, then id descending. */
export function compareTickets(a: TicketPublic, b: TicketPublic): number {
  const byTime = stamp(b.last_message_at) - stamp(a.last_message_at);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime > 0 ? 1 : -1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

/** Since when the ticket's customer waits for an answer (epoch ms), or null: answered, or closed. */
export function waitingSince(ticket: TicketPublic): number | null {
  if (ticket.status === 'closed' || !ticket.waiting_since) return null;
  const parsed = Date.parse(ticket.waiting_since);
  return Number.isNaN(parsed) ? null : parsed;
}

/** The server's waiting order: waiting customers first, longest waiting first (then id); then the rest newest first. */
export function compareWaitingFirst(a: TicketPublic, b: TicketPublic): number {
  const waitingA = waitingSince(a);
  const waitingB = waitingSince(b);
  if (waitingA === null || waitingB === null) {
    if (waitingA !== null) return -1;
    if (waitingB !== null) return 1;
    return compareTickets(a, b);
  }
  if (waitingA !== waitingB) return waitingA < waitingB ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** How the list of `filter` is sorted (as the server sorts it). */
export function comparatorFor(filter: ListFilter): (a: TicketPublic, b: TicketPublic) => number {
  return listOrder(filter) === 'waiting' ? compareWaitingFirst : compareTickets;
}

/** True when `incoming` is an older version of the ticket than `known` (events may arrive late). */
function isStale(incoming: TicketPublic, known: TicketPublic): boolean {
  return stamp(incoming.updated_at) < stamp(known.updated_at);
}

/**
 * `incoming` with the customer's rating of `known` when it carries none: live events and PATCH answers do
 * not include ratings, and a rating is never taken back.
 */
function keepRating(incoming: TicketPublic, known: TicketPublic | null | undefined): TicketPublic {
  if (incoming.rating || !known?.rating) return incoming;
  return { ...incoming, rating: known.rating };
}

function upsertTicket(state: ConsoleState, incoming: TicketPublic): ConsoleState {
  const index = state.tickets.findIndex((item) => item.id === incoming.id);
  const listed = index >= 0 ? state.tickets[index] : null;
  const opened = state.openTicket?.id === incoming.id ? state.openTicket : null;
  const known = listed ?? opened;
  if (known && isStale(incoming, known)) return state;
  const ticket = keepRating(keepRating(incoming, opened), listed);

  let tickets = state.tickets;
  const compare = comparatorFor(state.filter);
  if (matchesFilter(ticket, state.filter, state.meId)) {
    if (index >= 0) {
      tickets = [...tickets];
      tickets[index] = ticket;
      tickets.sort(compare);
    } else if (!state.filter.q.trim() && fitsLoadedRange(state, ticket)) {
      tickets = [...tickets, ticket].sort(compare);
    }
  } else if (index >= 0) {
    tickets = tickets.filter((item) => item.id !== ticket.id);
  }
  const openTicket = state.openTicket?.id === ticket.id ? ticket : state.openTicket;
  return { ...state, tickets, openTicket };
}

/** A new ticket goes into the list only where it sorts among the pages loaded so far. */
function fitsLoadedRange(state: ConsoleState, ticket: TicketPublic): boolean {
  if (state.nextCursor === null) return true;
  const last = state.tickets[state.tickets.length - 1];
  return last === undefined || comparatorFor(state.filter)(ticket, last) <= 0;
}

/**
 * Keep file links we already have when a newer copy of a message comes without them, and a reply's
 * `sent` when a copy from before the delivery (a late REST answer) still says `sending` or `failed`:
 * a delivered reply stays delivered.
 */
function mergeMessage(incoming: MessagePublic, known: MessagePublic | undefined): MessagePublic {
  if (!known) return incoming;
  const attachments = incoming.attachments.map((attachment) => {
    if (attachment.url) return attachment;
    const url = known.attachments.find((old) => old.id === attachment.id)?.url ?? null;
    return url ? { ...attachment, url } : attachment;
  });
  const delivered = known.delivery_status === 'sent' && incoming.delivery_status !== 'sent';
  return delivered
    ? { ...incoming, attachments, delivery_status: 'sent', delivery_error: null }
    : { ...incoming, attachments };
}

function upsertMessage(messages: MessagePublic[], message: MessagePublic): MessagePublic[] {
  const index = messages.findIndex((item) => item.id === message.id);
  if (index < 0) return [...messages, message];
  const next = [...messages];
  next[index] = mergeMessage(message, messages[index]);
  return next;
}

/**
 * Whether showing `message` needs the conversation fetched again: live copies carry no file links, so
 * an attachment whose URL we do not have yet (a new file) does; an update of a message whose files we
 * already show (OCR text, an edit) does not, since the URLs we have are kept.
 */
export function needsFileUrls(message: MessagePublic, known: readonly MessagePublic[]): boolean {
  const old = known.find((item) => item.id === message.id);
  return message.attachments.some(
    (attachment) => !attachment.url && !old?.attachments.some((item) => item.id === attachment.id && item.url),
  );
}

/** Unread dots survive reloads: the server's read markers say which listed tickets have unseen messages. */
function withServerUnread(
  marks: Record<string, TicketMark>,
  items: readonly TicketPublic[],
  selectedId: string | null,
): Record<string, TicketMark> {
  const unread = items.filter((ticket) => ticket.unread && ticket.id !== selectedId && !marks[ticket.id]?.unread);
  if (unread.length === 0) return marks;
  const next = { ...marks };
  for (const ticket of unread) next[ticket.id] = { unread: true, updated: next[ticket.id]?.updated ?? false };
  return next;
}

function withoutMark(marks: Record<string, TicketMark>, id: string): Record<string, TicketMark> {
  if (!(id in marks)) return marks;
  const next = { ...marks };
  delete next[id];
  return next;
}

export type ConsoleAction =
  | { type: 'filter/set'; filter: ListFilter }
  | { type: 'list/reload' }
  | { type: 'list/loadMore' }
  | { type: 'list/loaded'; version: number; page: Page<TicketPublic>; append: boolean }
  | { type: 'list/failed'; version: number; error: string }
  | { type: 'ticket/select'; id: string | null }
  | { type: 'ticket/loaded'; ticket: TicketPublic }
  | { type: 'messages/loading'; ticketId: string }
  | { type: 'messages/loaded'; ticketId: string; items: MessagePublic[] }
  | { type: 'messages/failed'; ticketId: string; error: string }
  | { type: 'ticket/changed'; ticket: TicketPublic }
  | { type: 'message/added'; message: MessagePublic }
  | { type: 'notice/clear' }
  | { type: 'hints/refresh' }
  | { type: 'live'; event: LiveEvent };

export function consoleReducer(state: ConsoleState, action: ConsoleAction): ConsoleState {
  switch (action.type) {
    case 'filter/set':
      return {
        ...state,
        filter: action.filter,
        listVersion: state.listVersion + 1,
        tickets: [],
        nextCursor: null,
        listStatus: 'loading',
        loadingMore: false,
        listError: null,
      };
    case 'list/reload':
      return {
        ...state,
        listVersion: state.listVersion + 1,
        listStatus: 'loading',
        loadingMore: false,
        listError: null,
      };
    case 'list/loadMore':
      if (state.loadingMore || state.nextCursor === null) return state;
      return { ...state, loadingMore: true };
    case 'list/loaded': {
      if (action.version !== state.listVersion) return state;
      let tickets: TicketPublic[];
      if (action.append) {
        const known = new Set(state.tickets.map((ticket) => ticket.id));
        tickets = [...state.tickets, ...action.page.items.filter((ticket) => !known.has(ticket.id))];
      } else {
        tickets = action.page.items;
      }
      return {
        ...state,
        tickets,
        marks: withServerUnread(state.marks, action.page.items, state.selectedId),
        nextCursor: action.page.next_cursor,
        listStatus: 'ready',
        loadingMore: false,
        listError: null,
      };
    }
    case 'list/failed':
      if (action.version !== state.listVersion) return state;
      return { ...state, listStatus: 'error', loadingMore: false, listError: action.error };
    case 'ticket/select': {
      if (action.id === state.selectedId) return { ...state, hiddenNotice: false };
      const fromList = state.tickets.find((ticket) => ticket.id === action.id) ?? null;
      return {
        ...state,
        selectedId: action.id,
        openTicket: fromList,
        messages: [],
        messagesStatus: action.id ? 'loading' : 'idle',
        messagesError: null,
        marks: action.id ? withoutMark(state.marks, action.id) : state.marks,
        hiddenNotice: false,
      };
    }
    case 'ticket/loaded':
      if (action.ticket.id !== state.selectedId) return upsertTicket(state, action.ticket);
      return upsertTicket({ ...state, openTicket: action.ticket }, action.ticket);
    case 'messages/loading':
      if (action.ticketId !== state.selectedId) return state;
      return { ...state, messagesStatus: state.messages.length ? 'ready' : 'loading', messagesError: null };
    case 'messages/loaded': {
      if (action.ticketId !== state.selectedId) return state;
      const loaded = new Set(action.items.map((message) => message.id));
      const known = new Map(state.messages.map((message) => [message.id, message]));
      // Live messages that arrived while the page was loading, and are not in it yet.
      const later = state.messages.filter(
        (message) => !loaded.has(message.id) && message.ticket_id === action.ticketId,
      );
      const items = action.items.map((message) => mergeMessage(message, known.get(message.id)));
      return { ...state, messages: [...items, ...later], messagesStatus: 'ready', messagesError: null };
    }
    case 'messages/failed':
      if (action.ticketId !== state.selectedId) return state;
      return { ...state, messagesStatus: 'error', messagesError: action.error };
    case 'ticket/changed':
      return upsertTicket(state, action.ticket);
    case 'message/added':
      if (action.message.ticket_id !== state.selectedId) return state;
      return { ...state, messages: upsertMessage(state.messages, action.message) };
    case 'notice/clear':
      return { ...state, hiddenNotice: false };
    case 'hints/refresh':
      return { ...state, hintsVersion: state.hintsVersion + 1 };
    case 'live':
      return applyLiveEvent(state, action.event);
  }
}

/** Apply one WebSocket event; a repeated event_id changes nothing. */
export function applyLiveEvent(state: ConsoleState, event: LiveEvent): ConsoleState {
  if (event.type === 'hello') return state;
  if (!event.event_id || state.seenEventIds.includes(event.event_id)) return state;
  const seenEventIds = [...state.seenEventIds, event.event_id].slice(-SEEN_EVENTS_LIMIT);
  const seen: ConsoleState = { ...state, seenEventIds };

  if (event.type === 'ticket.hidden') {
    const tickets = seen.tickets.filter((ticket) => ticket.id !== event.ticket_id);
    const marks = withoutMark(seen.marks, event.ticket_id);
    if (seen.selectedId !== event.ticket_id) return { ...seen, tickets, marks };
    return {
      ...seen,
      tickets,
      marks,
      selectedId: null,
      openTicket: null,
      messages: [],
      messagesStatus: 'idle',
      hiddenNotice: true,
    };
  }

  let next = event.ticket ? upsertTicket(seen, event.ticket) : seen;
  if (refreshesHints(event, next.selectedId)) next = { ...next, hintsVersion: next.hintsVersion + 1 };
  const message = event.message;
  if (message && message.ticket_id === next.selectedId) {
    next = { ...next, messages: upsertMessage(next.messages, message) };
  }

  const ticketId = event.ticket?.id ?? event.ticket_id;
  if (ticketId && ticketId !== next.selectedId) {
    const mine = message?.direction === 'operator' && message.operator_id === next.meId;
    if (!mine) {
      const unread =
        event.type === 'ticket.created' ||
        (event.type === 'message.created' && message?.direction === 'customer');
      const previous = next.marks[ticketId] ?? { unread: false, updated: false };
      next = {
        ...next,
        marks: { ...next.marks, [ticketId]: { unread: previous.unread || unread, updated: true } },
      };
    }
  }
  return next;
}
