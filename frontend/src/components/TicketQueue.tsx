import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n';
import { withCurrent } from '../knowledge';
import { QUEUE_TABS, type ConsoleState, type ListFilter, type QueueTab } from '../state';
import type { CategoryPublic, ConsoleSettingsPublic, TicketCountsPublic, TicketPublic } from '../types';
import { slaLevel, waitedSeconds, waitingLabel } from '../urgency';
import { useNow, useSla, useTicketCounts } from '../useUrgency';
import { CategoryChip, PriorityBadge, RatingBadge, StatusBadge } from './Badges';
import { SearchResults } from './SearchResults';

export interface TicketQueueProps {
  state: ConsoleState;
  isAdmin: boolean;
  /** Knowledge-base categories for the category filter. */
  categories: readonly CategoryPublic[];
  nameOf: (operatorId: string | null) => string;
  onFilter: (filter: ListFilter) => void;
  onLoadMore: () => void;
  onSelect: (id: string) => void;
  onRetry: () => void;
}

const SEARCH_DELAY_MS = 350;

/**
 * The left column: tabs, search, category filter and the ticket list with infinite scroll and live highlighting.
 * With search words, the list gives way to the tickets whose history matches them.
 */
export function TicketQueue({ state, isAdmin, categories, nameOf, onFilter, onLoadMore, onSelect, onRetry }: TicketQueueProps) {
  const { t, fmt } = useI18n();
  const ids = useId();
  const tabs = QUEUE_TABS.filter((tab) => tab !== 'all' || isAdmin);
  const [query, setQuery] = useState(state.filter.q);
  const tabRefs = useRef<Partial<Record<QueueTab, HTMLButtonElement | null>>>({});
  const listRef = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const now = useNow();
  const sla = useSla();
  // Counted again after live events (the newest one applied) and reloads of the list.
  const counts = useTicketCounts(`${state.listVersion}:${state.seenEventIds[state.seenEventIds.length - 1] ?? ''}`);

  // Search as the operator types (debounced).
  useEffect(() => {
    if (query === state.filter.q) return;
    const timer = setTimeout(() => onFilter({ ...state.filter, q: query }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [query, state.filter, onFilter]);

  // Infinite scroll: load the next page when the end of the list comes into view.
  const searching = state.filter.q.trim() !== '';
  const canLoadMore = !searching && state.nextCursor !== null && state.listStatus === 'ready' && !state.loadingMore;
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !canLoadMore || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) onLoadMore();
      },
      { root: listRef.current, rootMargin: '200px' },
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [canLoadMore, onLoadMore, state.tickets.length]);

  const chooseTab = (tab: QueueTab) => {
    if (tab !== state.filter.tab) onFilter({ ...state.filter, tab, q: query });
  };

  const chooseCategory = (category: string) => {
    if (category !== state.filter.category) onFilter({ ...state.filter, q: query, category });
  };
  const categoryOptions = withCurrent(
    categories.map((category) => category.name),
    state.filter.category,
  );

  const onTabKey = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    let next = -1;
    if (event.key === 'ArrowRight') next = (index + 1) % tabs.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    const tab = tabs[next];
    if (!tab) return;
    chooseTab(tab);
    tabRefs.current[tab]?.focus();
  };

  const onListKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>('.ticket-item') ?? []);
    const index = buttons.findIndex((button) => button === document.activeElement);
    const next = buttons[event.key === 'ArrowDown' ? Math.min(index + 1, buttons.length - 1) : Math.max(index - 1, 0)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };

  return (
    <nav className="queue" aria-label={t('queue.label')}>
      <div className="queue__tabs" role="tablist" aria-label={t('queue.tabs')}>
        {tabs.map((tab, index) => {
          const selected = tab === state.filter.tab;
          return (
            <button
              key={tab}
              ref={(element) => {
                tabRefs.current[tab] = element;
              }}
              type="button"
              role="tab"
              id={`${ids}-tab-${tab}`}
              aria-selected={selected}
              aria-controls={`${ids}-panel`}
              tabIndex={selected ? 0 : -1}
              className={`queue__tab${selected ? ' is-active' : ''}`}
              onClick={() => chooseTab(tab)}
              onKeyDown={(event) => onTabKey(event, index)}
            >
              {t(`queue.tab.${tab}`)}
              <TabCount tab={tab} counts={counts} t={t} />
            </button>
          );
        })}
      </div>

      <form className="queue__search" role="search" onSubmit={(event) => {
        event.preventDefault();
        onFilter({ ...state.filter, q: query });
      }}>
        <label htmlFor={`${ids}-search`} className="visually-hidden">
          {t('queue.search')}
        </label>
        <input
          id={`${ids}-search`}
          type="search"
          data-shortcut="search"
          value={query}
          placeholder={t('queue.searchPlaceholder')}
          onChange={(event) => setQuery(event.target.value)}
          maxLength={200}
        />
        <label htmlFor={`${ids}-category`} className="visually-hidden">
          {t('queue.category')}
        </label>
        <select
          id={`${ids}-category`}
          className={`queue__category${state.filter.category ? ' is-active' : ''}`}
          value={state.filter.category}
          onChange={(event) => chooseCategory(event.target.value)}
        >
          <option value="">{t('common.allCategories')}</option>
          {categoryOptions.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </form>

      <div
        className="queue__list"
        id={`${ids}-panel`}
        role="tabpanel"
        aria-labelledby={`${ids}-tab-${state.filter.tab}`}
        aria-busy={state.listStatus === 'loading'}
        ref={listRef}
        onKeyDown={onListKey}
      >
        {searching ? (
          <SearchResults filter={state.filter} meId={state.meId} selectedId={state.selectedId} onSelect={onSelect} />
        ) : (
          <>
            {state.listStatus === 'loading' && state.tickets.length === 0 && <p className="placeholder">{t('common.loading')}</p>}
            {state.listStatus !== 'loading' && state.listStatus !== 'error' && state.tickets.length === 0 && (
              <p className="placeholder">{state.filter.category ? t('queue.nothingFound') : t('queue.empty')}</p>
            )}
            <ul>
              {state.tickets.map((ticket) => (
                <li key={ticket.id}>
                  <TicketItem
                    ticket={ticket}
                    selected={ticket.id === state.selectedId}
                    unread={state.marks[ticket.id]?.unread ?? false}
                    updated={state.marks[ticket.id]?.updated ?? false}
                    showStatus={state.filter.tab === 'all'}
                    assigneeName={ticket.assignee && state.filter.tab !== 'mine' ? nameOf(ticket.assignee) : null}
                    time={ticket.last_message_at ?? ticket.updated_at ?? ticket.created_at}
                    formatTime={fmt.listTime}
                    formatDateTime={fmt.dateTime}
                    now={now}
                    sla={sla}
                    onSelect={onSelect}
                    t={t}
                  />
                </li>
              ))}
            </ul>
            {state.listStatus === 'error' && (
              <div className="alert alert--error" role="alert">
                {state.listError}{' '}
                <button type="button" className="btn btn--small" onClick={onRetry}>
                  {t('common.retry')}
                </button>
              </div>
            )}
            <div ref={sentinel} className="queue__sentinel" />
            {state.nextCursor && state.listStatus === 'ready' && (
              <button type="button" className="btn btn--ghost queue__more" onClick={onLoadMore} disabled={state.loadingMore}>
                {state.loadingMore ? t('common.loading') : t('queue.loadMore')}
              </button>
            )}
          </>
        )}
      </div>
    </nav>
  );
}

/** «Очередь 12», «Мои 3», an admin's «Все» (not closed): the tab's count, when known (closed tickets are not counted). */
function TabCount({ tab, counts, t }: { tab: QueueTab; counts: TicketCountsPublic | null; t: TicketItemProps['t'] }) {
  if (!counts || tab === 'closed') return null;
  if (tab === 'all') {
    if (counts.all_active === null) return null;
    return (
      <span className="queue__count" title={t('queue.countActive', { count: counts.all_active })} data-testid="count-all">
        {' '}
        {counts.all_active}
      </span>
    );
  }
  const count = tab === 'queue' ? counts.queue : counts.mine;
  const waiting = tab === 'queue' ? counts.queue_waiting : counts.mine_waiting;
  return (
    <span className="queue__count" title={t('queue.countTitle', { count, waiting })} data-testid={`count-${tab}`}>
      {' '}
      {count}
    </span>
  );
}

/** «ждёт 12 мин», coloured by the SLA, with the level in words too (not by colour alone). */
function WaitingTime({ seconds, since, sla, formatDateTime, t }: {
  seconds: number;
  since: string;
  sla: ConsoleSettingsPublic;
  formatDateTime: (value: string) => string;
  t: TicketItemProps['t'];
}) {
  const level = slaLevel(seconds, sla);
  return (
    <span className={`ticket-item__wait ticket-item__wait--${level}`} title={t('wait.since', { time: formatDateTime(since) })} data-level={level}>
      {level !== 'ok' && (
        <span className="ticket-item__wait-icon" aria-hidden="true">
          {level === 'breach' ? '‼' : '!'}
        </span>
      )}
      {waitingLabel(seconds, t)}
      {level !== 'ok' && <span className="visually-hidden">, {t(`wait.${level}`)}</span>}
    </span>
  );
}

interface TicketItemProps {
  ticket: TicketPublic;
  selected: boolean;
  unread: boolean;
  updated: boolean;
  showStatus: boolean;
  assigneeName: string | null;
  time: string | null;
  formatTime: (value: string) => string;
  formatDateTime: (value: string) => string;
  /** Epoch ms the waiting time is counted to. */
  now: number;
  sla: ConsoleSettingsPublic;
  onSelect: (id: string) => void;
  t: ReturnType<typeof useI18n>['t'];
}

function TicketItem({ ticket, selected, unread, updated, showStatus, assigneeName, time, formatTime, formatDateTime, now, sla, onSelect, t }: TicketItemProps) {
  const waited = waitedSeconds(ticket, now);
  const classes = ['ticket-item'];
  if (selected) classes.push('is-selected');
  if (unread) classes.push('is-unread');
  else if (updated) classes.push('is-updated');
  return (
    <button type="button" className={classes.join(' ')} aria-current={selected ? 'true' : undefined} onClick={() => onSelect(ticket.id)}>
      <span className="ticket-item__top">
        <span className="ticket-item__customer">
          {unread && <span className="dot" aria-hidden="true" />}
          {ticket.customer.name || (ticket.customer.username ? `@${ticket.customer.username}` : t('customer.anonymous'))}
        </span>
        {waited !== null && ticket.waiting_since ? (
          <WaitingTime seconds={waited} since={ticket.waiting_since} sla={sla} formatDateTime={formatDateTime} t={t} />
        ) : (
          time && (
            <time className="ticket-item__time" dateTime={time}>
              {formatTime(time)}
            </time>
          )
        )}
      </span>
      <span className="ticket-item__title">{ticket.title || t('ticket.untitled')}</span>
      <span className="ticket-item__preview">{ticket.last_message_preview}</span>
      <span className="ticket-item__meta">
        {unread && <span className="visually-hidden">{t('queue.unread')}</span>}
        {showStatus && <StatusBadge status={ticket.status} />}
        {ticket.rating && <RatingBadge rating={ticket.rating} />}
        <PriorityBadge priority={ticket.priority} />
        <CategoryChip category={ticket.category} subcategory={ticket.subcategory} small />
        {ticket.tags.slice(0, 3).map((tag) => (
          <span key={tag} className="tag tag--small">
            {tag}
          </span>
        ))}
        {assigneeName && <span className="ticket-item__assignee">→ {assigneeName}</span>}
      </span>
    </button>
  );
}
