/** The console's data: the reducer, REST loading of the list and the open ticket, and the live stream. */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { api, errorText } from './api';
import type { Translate } from './i18n';
import { LiveConnection, type LiveStatus } from './live';
import { storedQueueCategory, storeQueueCategory } from './prefs';
import { consoleReducer, DEFAULT_FILTER, initialState, needsFileUrls, ticketQuery, type ConsoleAction, type ConsoleState, type ListFilter } from './state';
import type { LiveEvent, MessagePublic, OperatorPublic, TicketPublic } from './types';

const PAGE_SIZE = 50;

/** Move the operator's read marker; a failure only leaves the dot for the next load. */
function markRead(id: string): void {
  api.markRead(id).catch(() => undefined);
}

export interface ConsoleApi {
  state: ConsoleState;
  liveStatus: LiveStatus;
  dispatch: (action: ConsoleAction) => void;
  setFilter: (filter: ListFilter) => void;
  reloadList: () => void;
  loadMore: () => void;
  select: (id: string | null) => void;
  reloadMessages: () => void;
  ticketChanged: (ticket: TicketPublic) => void;
  messageAdded: (message: MessagePublic) => void;
}

/** `onLiveEvent` hears every live event after the console applied it (alerts, counts). */
export function useConsole(me: OperatorPublic, t: Translate, onLiveEvent?: (event: LiveEvent) => void): ConsoleApi {
  const [state, dispatch] = useReducer(consoleReducer, me.id, (id) =>
    initialState(id, { ...DEFAULT_FILTER, category: storedQueueCategory(id) }),
  );
  const [liveStatus, setLiveStatus] = useState<LiveStatus>('connecting');
  const stateRef = useRef(state);
  stateRef.current = state;
  const tRef = useRef(t);
  tRef.current = t;
  const listener = useRef(onLiveEvent);
  listener.current = onLiveEvent;

  // --- the list ----------------------------------------------------------------------------------

  // The list is read without the search words: with words, the queue shows history search instead (useSearch).
  const loadFirstPage = useCallback((version: number, filter: ListFilter) => {
    api
      .listTickets({ ...ticketQuery({ ...filter, q: '' }), limit: PAGE_SIZE })
      .then((page) => dispatch({ type: 'list/loaded', version, page, append: false }))
      .catch((error: unknown) =>
        dispatch({ type: 'list/failed', version, error: errorText(error, tRef.current) }),
      );
  }, []);

  // Every bump of listVersion (filter change, reload) loads the first page again.
  useEffect(() => {
    if (state.listStatus === 'loading') loadFirstPage(state.listVersion, state.filter);
  }, [state.listVersion, loadFirstPage]);

  useEffect(() => {
    dispatch({ type: 'list/reload' });
  }, []);

  const setFilter = useCallback(
    (filter: ListFilter) => {
      storeQueueCategory(me.id, filter.category);
      dispatch({ type: 'filter/set', filter });
    },
    [me.id],
  );
  const reloadList = useCallback(() => dispatch({ type: 'list/reload' }), []);

  const loadMore = useCallback(() => {
    const current = stateRef.current;
    if (current.loadingMore || !current.nextCursor || current.listStatus !== 'ready') return;
    const { listVersion: version, filter, nextCursor } = current;
    dispatch({ type: 'list/loadMore' });
    api
      .listTickets({ ...ticketQuery({ ...filter, q: '' }), cursor: nextCursor, limit: PAGE_SIZE })
      .then((page) => dispatch({ type: 'list/loaded', version, page, append: true }))
      .catch((error: unknown) =>
        dispatch({ type: 'list/failed', version, error: errorText(error, tRef.current) }),
      );
  }, []);

  // --- the open ticket ---------------------------------------------------------------------------

  const loadOpenTicket = useCallback((id: string) => {
    dispatch({ type: 'messages/loading', ticketId: id });
    api
      .getTicket(id)
      .then((ticket) => dispatch({ type: 'ticket/loaded', ticket }))
      .catch(() => {
        // the messages request below reports the error
      });
    api
      .allMessages(id)
      .then((items) => dispatch({ type: 'messages/loaded', ticketId: id, items }))
      .catch((error: unknown) =>
        dispatch({
          type: 'messages/failed',
          ticketId: id,
          error: errorText(error, tRef.current, { 403: 'error.forbiddenTicket', 404: 'error.ticketNotFound' }),
        }),
      );
  }, []);

  const select = useCallback(
    (id: string | null) => {
      const previous = stateRef.current.selectedId;
      dispatch({ type: 'ticket/select', id });
      if (id && id !== previous) {
        loadOpenTicket(id);
        markRead(id);
      }
    },
    [loadOpenTicket],
  );

  // The open ticket is read again when the tab comes back into view.
  useEffect(() => {
    const onVisible = () => {
      const id = stateRef.current.selectedId;
      if (id && document.visibilityState === 'visible') markRead(id);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, []);

  const reloadMessages = useCallback(() => {
    const id = stateRef.current.selectedId;
    if (id) loadOpenTicket(id);
  }, [loadOpenTicket]);

  const ticketChanged = useCallback((ticket: TicketPublic) => dispatch({ type: 'ticket/changed', ticket }), []);
  const messageAdded = useCallback((message: MessagePublic) => dispatch({ type: 'message/added', message }), []);

  // --- live events -------------------------------------------------------------------------------

  useEffect(() => {
    let refetchTimer: ReturnType<typeof setTimeout> | null = null;
    const connection = new LiveConnection({
      getToken: async (suspect) => {
        // A refused connection may mean an expired token: a REST call refreshes it if so.
        if (suspect) await api.me();
        return api.freshAccessToken();
      },
      onStatus: setLiveStatus,
      onHello: (reconnected) => {
        if (!reconnected) return;
        // Events sent while we were away are not replayed: reload what is on screen.
        dispatch({ type: 'list/reload' });
        const id = stateRef.current.selectedId;
        if (id) {
          loadOpenTicket(id);
          dispatch({ type: 'hints/refresh' });
        }
      },
      onEvent: (event) => {
        const before = stateRef.current;
        dispatch({ type: 'live', event });
        listener.current?.(event);
        // A customer's message on the open ticket, in a tab in view, is read as it arrives.
        if (
          event.type === 'message.created' &&
          event.message?.direction === 'customer' &&
          event.ticket_id === before.selectedId &&
          document.visibilityState === 'visible'
        ) {
          markRead(event.ticket_id);
        }
        // Live messages carry no file links: fetch the open conversation again to show new files.
        if (
          (event.type === 'message.created' || event.type === 'message.updated') &&
          event.message &&
          event.message.ticket_id === before.selectedId &&
          needsFileUrls(event.message, before.messages)
        ) {
          if (refetchTimer) clearTimeout(refetchTimer);
          const id = event.message.ticket_id;
          refetchTimer = setTimeout(() => {
            refetchTimer = null;
            if (stateRef.current.selectedId !== id) return;
            api
              .allMessages(id)
              .then((items) => dispatch({ type: 'messages/loaded', ticketId: id, items }))
              .catch(() => undefined);
          }, 400);
        }
      },
    });
    connection.start();
    return () => {
      if (refetchTimer) clearTimeout(refetchTimer);
      connection.stop();
    };
  }, [loadOpenTicket]);

  return {
    state,
    liveStatus,
    dispatch,
    setFilter,
    reloadList,
    loadMore,
    select,
    reloadMessages,
    ticketChanged,
    messageAdded,
  };
}
