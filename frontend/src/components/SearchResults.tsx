import { Fragment } from 'react';
import { useI18n } from '../i18n';
import { matchedFieldKey, snippetParts } from '../search';
import type { ListFilter } from '../state';
import type { SearchHitPublic } from '../types';
import { useSearch } from '../useSearch';
import { StatusBadge } from './Badges';

export interface SearchResultsProps {
  filter: ListFilter;
  meId: string;
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/** Tickets whose history matches the queue's search words, best first, each with the matching snippet. */
export function SearchResults({ filter, meId, selectedId, onSelect }: SearchResultsProps) {
  const { t } = useI18n();
  const search = useSearch(filter, meId, t);
  return (
    <div className="search-results" aria-busy={search.status === 'loading'}>
      <p className="search-results__caption">{t('search.results')}</p>
      {search.status === 'loading' && <p className="placeholder">{t('common.loading')}</p>}
      {search.status === 'ready' && search.hits.length === 0 && <p className="placeholder">{t('queue.nothingFound')}</p>}
      <ul>
        {search.hits.map((hit) => (
          <li key={hit.ticket.id}>
            <SearchHitItem hit={hit} selected={hit.ticket.id === selectedId} onSelect={onSelect} />
          </li>
        ))}
      </ul>
      {search.error && (
        <div className="alert alert--error" role="alert">
          {search.error}{' '}
          <button type="button" className="btn btn--small" onClick={search.status === 'error' ? search.retry : search.loadMore}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {search.nextCursor && search.status === 'ready' && (
        <button type="button" className="btn btn--ghost queue__more" onClick={search.loadMore} disabled={search.loadingMore}>
          {search.loadingMore ? t('common.loading') : t('search.more')}
        </button>
      )}
    </div>
  );
}

function SearchHitItem({ hit, selected, onSelect }: { hit: SearchHitPublic; selected: boolean; onSelect: (id: string) => void }) {
  const { t } = useI18n();
  const { ticket } = hit;
  const customer = ticket.customer.name || (ticket.customer.username ? `@${ticket.customer.username}` : t('customer.anonymous'));
  return (
    <button
      type="button"
      className={`ticket-item search-hit${selected ? ' is-selected' : ''}`}
      aria-current={selected ? 'true' : undefined}
      onClick={() => onSelect(ticket.id)}
    >
      <span className="ticket-item__top">
        <span className="ticket-item__customer">{customer}</span>
        <StatusBadge status={ticket.status} />
      </span>
      <span className="ticket-item__title">{ticket.title || t('ticket.untitled')}</span>
      <span className="search-hit__snippet">
        <span className="search-hit__field">{t(matchedFieldKey(hit.matched_field))}: </span>
        {snippetParts(hit.snippet, hit.highlights).map((part, index) =>
          part.marked ? <mark key={index}>{part.text}</mark> : <Fragment key={index}>{part.text}</Fragment>,
        )}
      </span>
    </button>
  );
}
