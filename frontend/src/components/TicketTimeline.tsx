import { useEffect, useId, useState } from 'react';
import { api, errorText } from '../api';
import { useI18n, type Translate } from '../i18n';
import type { TicketPublic, TimelineEventPublic } from '../types';
import { RatingStars } from './Badges';

export interface TicketTimelineProps {
  ticket: TicketPublic;
  nameOf: (operatorId: string | null) => string;
}

type Load = { status: 'idle' | 'loading' } | { status: 'ready'; items: TimelineEventPublic[] } | { status: 'error'; error: string };

/** What one timeline entry says, with operators by name. */
export function timelineText(
  event: TimelineEventPublic,
  t: Translate,
  nameOf: (operatorId: string | null) => string,
  time: (value: string) => string,
): string {
  const actor = (event.actor && nameOf(event.actor)) || t('timeline.someone');
  const target = (event.target && nameOf(event.target)) || t('timeline.someone');
  switch (event.kind) {
    case 'opened':
      return t('timeline.opened');
    case 'taken':
      return t('timeline.taken', { actor });
    case 'assigned':
      return event.actor ? t('timeline.assigned', { actor, target }) : t('timeline.assignedNoActor', { target });
    case 'replied':
      return event.count > 1
        ? t('timeline.repliedMany', { actor, count: event.count, last: time(event.last_at ?? event.at) })
        : t('timeline.replied', { actor });
    case 'closed':
      return event.actor ? t('timeline.closed', { actor }) : t('timeline.closedNoActor');
    case 'rated':
      return t('timeline.rated', { score: event.score ?? 0 });
  }
}

/** «Хронология»: who did what and when, from the owner's record and the customer's rating; loaded when opened. */
export function TicketTimeline({ ticket, nameOf }: TicketTimelineProps) {
  const { t, fmt } = useI18n();
  const ids = useId();
  const [expanded, setExpanded] = useState(false);
  const [state, setState] = useState<Load>({ status: 'idle' });

  // Loaded again whenever the ticket changes while it is shown (taken, assigned, replied, closed).
  useEffect(() => {
    if (!expanded) {
      setState({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    setState((current) => (current.status === 'ready' ? current : { status: 'loading' }));
    api
      .ticketTimeline(ticket.id, controller.signal)
      .then((timeline) => setState({ status: 'ready', items: timeline.items }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error: errorText(error, t) });
      });
    return () => controller.abort();
  }, [expanded, ticket.id, ticket.status, ticket.assignee, ticket.updated_at, ticket.last_message_at]);

  return (
    <section className="card ticket-timeline" aria-labelledby={`${ids}-title`}>
      <h3 id={`${ids}-title`} className="card__title">
        <button type="button" className="collapsible__toggle" aria-expanded={expanded} aria-controls={`${ids}-body`} onClick={() => setExpanded((value) => !value)}>
          <span className="collapsible__chevron" aria-hidden="true">
            {expanded ? '▾' : '▸'}
          </span>
          {t('timeline.title')}
        </button>
      </h3>
      {expanded && (
        <div id={`${ids}-body`}>
          {state.status === 'loading' && <p className="muted">{t('common.loading')}</p>}
          {state.status === 'error' && (
            <p className="alert alert--error" role="alert">
              {state.error}
            </p>
          )}
          {state.status === 'ready' && state.items.length === 0 && <p className="muted">{t('timeline.empty')}</p>}
          {state.status === 'ready' && state.items.length > 0 && (
            <ol className="ticket-timeline__list">
              {state.items.map((event, index) => (
                <li key={`${event.kind}-${event.at}-${index}`} className={`ticket-timeline__item ticket-timeline__item--${event.kind}`}>
                  <time className="ticket-timeline__time muted small" dateTime={event.at}>
                    {fmt.dateTime(event.at)}
                  </time>
                  <span className="ticket-timeline__text">
                    {timelineText(event, t, nameOf, fmt.time)}
                    {event.kind === 'rated' && event.score ? (
                      <>
                        {' '}
                        <RatingStars score={event.score} />
                      </>
                    ) : null}
                  </span>
                  {event.kind === 'rated' && event.comment && <blockquote className="ticket-timeline__comment small">{event.comment}</blockquote>}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
