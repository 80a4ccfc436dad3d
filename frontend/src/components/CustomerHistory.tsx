import { Fragment, useEffect, useId, useState } from 'react';
import { api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { HistoryTicketPublic, MessagePublic, TicketPublic } from '../types';
import { RatingStars, StatusBadge } from './Badges';
import { MessageBubble } from './MessageBubble';

export interface CustomerHistoryProps {
  ticket: TicketPublic;
  nameOf: (operatorId: string | null) => string;
}

type Load<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: string };

/**
 * «Обращения клиента»: the customer's other tickets (title, dates, rating, status), collapsed until asked
 * for; a ticket's conversation opens inline, read-only.
 */
export function CustomerHistory({ ticket, nameOf }: CustomerHistoryProps) {
  const { t } = useI18n();
  const ids = useId();
  const [expanded, setExpanded] = useState(false);
  const [history, setHistory] = useState<Load<{ items: HistoryTicketPublic[]; hasMore: boolean }>>({ status: 'idle' });
  const [openId, setOpenId] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setHistory({ status: 'idle' });
    setOpenId(null);
  }, [ticket.id]);

  useEffect(() => {
    if (!expanded) return;
    const controller = new AbortController();
    setHistory({ status: 'loading' });
    api
      .customerHistory(ticket.id, controller.signal)
      .then((page) => setHistory({ status: 'ready', value: { items: page.items, hasMore: page.has_more } }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setHistory({ status: 'error', error: errorText(error, t) });
      });
    return () => controller.abort();
  }, [expanded, ticket.id, attempt]);

  return (
    <section className="card customer-history" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="card__title">
        <button type="button" className="collapsible__toggle" aria-expanded={expanded} aria-controls={`${ids}-body`} onClick={() => setExpanded((value) => !value)}>
          <span className="collapsible__chevron" aria-hidden="true">
            {expanded ? '▾' : '▸'}
          </span>
          {t('history.title')}
          {history.status === 'ready' && history.value.items.length > 0 && <span className="customer-history__count">{history.value.items.length}</span>}
        </button>
      </h3>
      {expanded && (
        <div id={`${ids}-body`}>
          {history.status === 'loading' && <p className="muted">{t('common.loading')}</p>}
          {history.status === 'error' && (
            <p className="alert alert--error" role="alert">
              {history.error}{' '}
              <button type="button" className="btn btn--small" onClick={() => setAttempt((value) => value + 1)}>
                {t('common.retry')}
              </button>
            </p>
          )}
          {history.status === 'ready' && history.value.items.length === 0 && <p className="muted">{t('history.none')}</p>}
          {history.status === 'ready' && history.value.items.length > 0 && (
            <ul className="customer-history__list">
              {history.value.items.map((item) => (
                <li key={item.id} className="customer-history__item">
                  <HistoryEntry item={item} open={openId === item.id} onToggle={() => setOpenId((current) => (current === item.id ? null : item.id))} />
                  {openId === item.id && <EarlierTranscript ticket={ticket} earlier={item} nameOf={nameOf} />}
                </li>
              ))}
            </ul>
          )}
          {history.status === 'ready' && history.value.hasMore && (
            <p className="muted small">{t('history.more', { count: history.value.items.length })}</p>
          )}
        </div>
      )}
    </section>
  );
}

function HistoryEntry({ item, open, onToggle }: { item: HistoryTicketPublic; open: boolean; onToggle: () => void }) {
  const { t, fmt } = useI18n();
  const title = item.title || t('ticket.untitled');
  const created = item.created_at ? fmt.dateTime(item.created_at) : '';
  const closed = item.closed_at ? fmt.dateTime(item.closed_at) : '';
  return (
    <button
      type="button"
      className="customer-history__entry"
      aria-expanded={open}
      title={open ? t('history.hide') : t('history.open', { title })}
      onClick={onToggle}
    >
      <span className="customer-history__title">{title}</span>
      <span className="customer-history__meta">
        <StatusBadge status={item.status} />
        {item.rating && <RatingStars score={item.rating.score} />}
      </span>
      <span className="customer-history__dates muted small">{closed ? t('history.dates', { from: created, to: closed }) : created}</span>
      {item.rating?.comment && <span className="customer-history__comment small">«{item.rating.comment}»</span>}
    </button>
  );
}

/** An earlier ticket's conversation, read-only: notes are marked as such, nothing can be sent or retried. */
function EarlierTranscript({ ticket, earlier, nameOf }: { ticket: TicketPublic; earlier: HistoryTicketPublic; nameOf: (id: string | null) => string }) {
  const { t, fmt } = useI18n();
  const [messages, setMessages] = useState<Load<{ items: MessagePublic[]; truncated: boolean }>>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setMessages({ status: 'loading' });
    api
      .earlierMessages(ticket.id, earlier.id, controller.signal)
      .then((page) => setMessages({ status: 'ready', value: { items: page.items, truncated: page.next_cursor !== null } }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) {
          setMessages({ status: 'error', error: errorText(error, t, { 403: 'error.forbiddenTicket', 404: 'error.ticketNotFound' }) });
        }
      });
    return () => controller.abort();
  }, [ticket.id, earlier.id]);

  const customerName = ticket.customer.name || (ticket.customer.username ? `@${ticket.customer.username}` : t('customer.anonymous'));
  const authorOf = (message: MessagePublic): string | null => {
    if (message.direction === 'customer') return customerName;
    if (message.direction === 'operator' || message.internal) return message.operator_id ? nameOf(message.operator_id) : t('message.operator');
    return null;
  };

  let previousDay = '';
  return (
    <div className="customer-history__transcript" role="log" aria-label={t('history.transcript', { title: earlier.title || t('ticket.untitled') })} tabIndex={0}>
      {messages.status === 'loading' && <p className="muted">{t('common.loading')}</p>}
      {messages.status === 'error' && (
        <p className="alert alert--error" role="alert">
          {messages.error}
        </p>
      )}
      {messages.status === 'ready' && messages.value.items.length === 0 && <p className="muted">{t('history.empty')}</p>}
      {messages.status === 'ready' &&
        messages.value.items.map((message) => {
          const day = message.created_at ? fmt.day(message.created_at) : '';
          const separator = day && day !== previousDay;
          if (day) previousDay = day;
          return (
            <Fragment key={message.id}>
              {separator && (
                <div className="day-separator" role="separator">
                  <span>{day}</span>
                </div>
              )}
              <MessageBubble message={message} author={authorOf(message)} />
            </Fragment>
          );
        })}
      {messages.status === 'ready' && messages.value.truncated && (
        <p className="muted small">{t('history.truncated', { count: messages.value.items.length })}</p>
      )}
    </div>
  );
}
