/** History search for the queue: the first page whenever the filter changes, then more on request. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorText } from './api';
import type { Translate } from './i18n';
import { searchQuery } from './search';
import { matchesFilter, type ListFilter, type LoadStatus } from './state';
import type { SearchHitPublic } from './types';

export const SEARCH_PAGE_SIZE = 20;

export interface SearchState {
  status: LoadStatus;
  hits: SearchHitPublic[];
  nextCursor: string | null;
  loadingMore: boolean;
  error: string | null;
}

export interface SearchApi extends SearchState {
  loadMore: () => void;
  retry: () => void;
}

const IDLE: SearchState = { status: 'idle', hits: [], nextCursor: null, loadingMore: false, error: null };

export function useSearch(filter: ListFilter, meId: string, t: Translate): SearchApi {
  const [state, setState] = useState<SearchState>(IDLE);
  const [attempt, setAttempt] = useState(0);
  const stateRef = useRef(state);
  stateRef.current = state;
  const tRef = useRef(t);
  tRef.current = t;
  // Every new search gets a new generation; answers of older ones are dropped.
  const generation = useRef(0);
  const { q, tab, category } = filter;

  // Hits outside the tab or category (the server filters by status only) are left out.
  const keep = useCallback(
    (hits: SearchHitPublic[], known: SearchHitPublic[] = []) => {
      const seen = new Set(known.map((hit) => hit.ticket.id));
      return hits.filter((hit) => !seen.has(hit.ticket.id) && matchesFilter(hit.ticket, { tab, q, category }, meId));
    },
    [tab, q, category, meId],
  );

  useEffect(() => {
    const current = (generation.current += 1);
    const query = searchQuery({ tab, q, category });
    if (!query.q) {
      setState(IDLE);
      return;
    }
    const controller = new AbortController();
    setState({ ...IDLE, status: 'loading' });
    api
      .searchTickets({ ...query, limit: SEARCH_PAGE_SIZE }, controller.signal)
      .then((page) => {
        if (generation.current !== current) return;
        setState({ ...IDLE, status: 'ready', hits: keep(page.items), nextCursor: page.next_cursor });
      })
      .catch((error: unknown) => {
        if (generation.current !== current || controller.signal.aborted) return;
        setState({ ...IDLE, status: 'error', error: errorText(error, tRef.current) });
      });
    return () => controller.abort();
  }, [tab, q, category, keep, attempt]);

  const loadMore = useCallback(() => {
    const { nextCursor, loadingMore, status } = stateRef.current;
    if (!nextCursor || loadingMore || status !== 'ready') return;
    const current = generation.current;
    setState((before) => ({ ...before, loadingMore: true }));
    api
      .searchTickets({ ...searchQuery({ tab, q, category }), cursor: nextCursor, limit: SEARCH_PAGE_SIZE })
      .then((page) => {
        if (generation.current !== current) return;
        setState((before) => ({
          ...before,
          hits: [...before.hits, ...keep(page.items, before.hits)],
          nextCursor: page.next_cursor,
          loadingMore: false,
        }));
      })
      .catch((error: unknown) => {
        if (generation.current !== current) return;
        setState((before) => ({ ...before, loadingMore: false, error: errorText(error, tRef.current) }));
      });
  }, [tab, q, category, keep]);

  const retry = useCallback(() => setAttempt((value) => value + 1), []);

  return { ...state, loadMore, retry };
}
