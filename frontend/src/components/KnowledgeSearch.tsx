import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { api, errorText, KB_QUERY_MAX } from '../api';
import { useI18n } from '../i18n';
import type { KnowledgeEntryPublic } from '../types';

export interface KnowledgeSearchProps {
  /** Puts an entry's answer into the reply box. */
  onInsert: (answer: string) => void;
  /** Entries per page. */
  limit?: number;
  /** Quiet period after the last keystroke before the server is asked (Enter asks at once). */
  delayMs?: number;
}

export const KB_SEARCH_LIMIT = 5;
export const KB_SEARCH_INPUT_DELAY_MS = 300;

type SearchState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; items: KnowledgeEntryPublic[]; nextCursor: string | null; total: number | null; loadingMore: boolean }
  | { status: 'error'; message: string };

const INSERT = 'button[data-insert]';

function snippet(text: string, limit = 200): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length > limit ? `${chars.slice(0, limit - 1).join('')}…` : chars.join('');
}

/**
 * "Поиск по базе знаний" beside the conversation: the server searches the whole knowledge base as the
 * operator types; each result shows its question and the start of its answer, and "Вставить" puts the
 * whole answer into the reply. Keyboard: Enter searches at once, ↓/↑ move between the results' buttons
 * (↑ from the first one returns to the box), Esc clears the box.
 */
export function KnowledgeSearch({ onInsert, limit = KB_SEARCH_LIMIT, delayMs = KB_SEARCH_INPUT_DELAY_MS }: KnowledgeSearchProps) {
  const { t } = useI18n();
  const ids = useId();
  const [text, setText] = useState('');
  /** What was last asked for. */
  const [query, setQuery] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<SearchState>({ status: 'idle' });
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const inFlight = useRef<AbortController | null>(null);
  const tRef = useRef(t);
  tRef.current = t;

  useEffect(() => {
    const next = text.trim();
    if (next === query) return;
    if (!next) {
      setQuery('');
      return;
    }
    const timer = setTimeout(() => setQuery(next), delayMs);
    return () => clearTimeout(timer);
  }, [text, query, delayMs]);

  // Each new query cancels the request of the previous one.
  useEffect(() => {
    if (!query) {
      setState({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    inFlight.current = controller;
    setState({ status: 'loading' });
    api
      .listKnowledge({ q: query, limit }, controller.signal)
      .then((page) => {
        if (controller.signal.aborted) return;
        setState({
          status: 'ready',
          items: Array.isArray(page.items) ? page.items : [],
          nextCursor: page.next_cursor ?? null,
          total: typeof page.total === 'number' ? page.total : null,
          loadingMore: false,
        });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ status: 'error', message: errorText(error, tRef.current) });
      });
    return () => controller.abort();
  }, [query, limit, attempt]);

  const more = () => {
    if (state.status !== 'ready' || !state.nextCursor || state.loadingMore) return;
    const controller = inFlight.current;
    setState({ ...state, loadingMore: true });
    api
      .listKnowledge({ q: query, limit, cursor: state.nextCursor }, controller?.signal)
      .then((page) => {
        if (controller?.signal.aborted) return;
        setState((previous) => {
          if (previous.status !== 'ready') return previous;
          const known = new Set(previous.items.map((entry) => entry.id));
          const items = (Array.isArray(page.items) ? page.items : []).filter((entry) => !known.has(entry.id));
          return { ...previous, items: [...previous.items, ...items], nextCursor: page.next_cursor ?? null, loadingMore: false };
        });
      })
      .catch((error: unknown) => {
        if (controller?.signal.aborted) return;
        setState({ status: 'error', message: errorText(error, tRef.current) });
      });
  };

  const buttons = () => Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>(INSERT) ?? []);

  const onInputKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      const first = buttons()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === 'Escape' && text) {
      event.preventDefault();
      event.stopPropagation();
      setText('');
    }
  };

  const onListKey = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const all = buttons();
    const index = all.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    event.preventDefault();
    if (event.key === 'ArrowDown') all[Math.min(index + 1, all.length - 1)]?.focus();
    else if (index === 0) inputRef.current?.focus();
    else all[index - 1]?.focus();
  };

  let status = '';
  if (state.status === 'loading') status = t('common.loading');
  else if (state.status === 'ready') {
    status = state.items.length ? t('kbSearch.found', { count: state.total ?? state.items.length }) : t('kbSearch.none');
  }

  return (
    <section className="kb-search" aria-labelledby={`${ids}-title`}>
      <h4 id={`${ids}-title`} className="kb-search__title">
        {t('kbSearch.title')}
      </h4>
      <form
        className="kb-search__form"
        role="search"
        aria-labelledby={`${ids}-title`}
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(text.trim());
        }}
      >
        <div className="field">
          <label htmlFor={`${ids}-q`} className="visually-hidden">
            {t('kbSearch.title')}
          </label>
          <input
            ref={inputRef}
            id={`${ids}-q`}
            type="search"
            value={text}
            placeholder={t('kbSearch.placeholder')}
            maxLength={KB_QUERY_MAX}
            autoComplete="off"
            aria-describedby={`${ids}-keys`}
            aria-controls={`${ids}-results`}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onInputKey}
          />
          <span className="field__hint kb-search__keys" id={`${ids}-keys`}>
            {t('kbSearch.keys')}
          </span>
        </div>
      </form>
      <p className="muted kb-search__status" role="status" aria-busy={state.status === 'loading'}>
        {status}
      </p>
      {state.status === 'error' && (
        <p className="alert alert--error" role="alert">
          {state.message}{' '}
          <button type="button" className="btn btn--small" onClick={() => setAttempt((value) => value + 1)}>
            {t('common.retry')}
          </button>
        </p>
      )}
      <ul id={`${ids}-results`} ref={listRef} className="kb-search__list" aria-labelledby={`${ids}-title`} onKeyDown={onListKey}>
        {state.status === 'ready' &&
          state.items.map((entry) => (
            <li key={entry.id} className="kb-search__item">
              <span className="kb-search__question">{entry.question}</span>
              <p className="kb-search__answer">{snippet(entry.answer)}</p>
              <span className="kb-search__meta">
                <span className="chip chip--category chip--small">{[entry.category, entry.subcategory].filter(Boolean).join(' › ')}</span>
                <button
                  type="button"
                  className="btn btn--small btn--primary"
                  data-insert=""
                  aria-label={t('kbSearch.insertAria', { question: snippet(entry.question, 80) })}
                  onClick={() => onInsert(entry.answer)}
                >
                  {t('kbSearch.insert')}
                </button>
              </span>
            </li>
          ))}
      </ul>
      {state.status === 'ready' && state.nextCursor && (
        <button type="button" className="btn btn--small btn--ghost kb-search__more" onClick={more} disabled={state.loadingMore}>
          {state.loadingMore ? t('common.loading') : t('kbSearch.more')}
        </button>
      )}
    </section>
  );
}
