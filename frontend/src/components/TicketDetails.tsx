import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { api, errorText } from '../api';
import { useI18n } from '../i18n';
import { subcategoriesOf, withCurrent } from '../knowledge';
import { PRIORITIES, type CategoryPublic, type Priority, type TicketPublic, type TicketUpdate } from '../types';
import { RatingStars, StatusBadge } from './Badges';
import { CustomerHistory } from './CustomerHistory';
import { TicketTimeline } from './TicketTimeline';
import { Disclosure } from './Disclosure';

export interface TicketDetailsProps {
  ticket: TicketPublic;
  canEdit: boolean;
  /** Knowledge-base categories for the category and subcategory pickers. */
  categories: readonly CategoryPublic[];
  nameOf: (operatorId: string | null) => string;
  onTicketChanged: (ticket: TicketPublic) => void;
}

/** The right column: who the customer is, and the ticket's editable properties. */
export function TicketDetails({ ticket, canEdit, categories, nameOf, onTicketChanged }: TicketDetailsProps) {
  const { t, fmt } = useI18n();
  const ids = useId();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [category, setCategory] = useState(ticket.category);
  const [subcategory, setSubcategory] = useState(ticket.subcategory);
  const [tagInput, setTagInput] = useState('');

  // Follow the ticket (another ticket, or a live update) unless the operator is editing these fields.
  useEffect(() => {
    setCategory(ticket.category);
    setSubcategory(ticket.subcategory);
  }, [ticket.id, ticket.category, ticket.subcategory]);

  useEffect(() => {
    setError(null);
    setSaved(false);
    setTagInput('');
  }, [ticket.id]);

  const save = async (changes: TicketUpdate) => {
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      onTicketChanged(await api.updateTicket(ticket.id, changes));
      setSaved(true);
    } catch (caught) {
      setError(errorText(caught, t, { 403: 'error.forbiddenTicket' }));
    } finally {
      setSaving(false);
    }
  };

  const addTags = () => {
    const added = tagInput
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag && !ticket.tags.includes(tag));
    setTagInput('');
    if (added.length) void save({ tags: [...ticket.tags, ...added] });
  };

  const onTagKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault();
      addTags();
    }
  };

  const saveCategory = (event: FormEvent) => {
    event.preventDefault();
    void save({ category, subcategory });
  };

  // A new category keeps the subcategory only when that category has it too.
  const chooseCategory = (next: string) => {
    setCategory(next);
    if (!subcategoriesOf(categories, next).includes(subcategory)) setSubcategory('');
  };

  const customer = ticket.customer;
  const categoryChanged = category !== ticket.category || subcategory !== ticket.subcategory;
  // The ticket's own values stay choosable even when the knowledge base no longer has them.
  const categoryOptions = withCurrent(
    categories.map((item) => item.name),
    category,
    ticket.category,
  );
  const subcategoryOptions = withCurrent(
    subcategoriesOf(categories, category),
    subcategory,
    category === ticket.category ? ticket.subcategory : '',
  );

  return (
    <div className="details">
      <Disclosure
        name="customer"
        title={t('customer.title')}
        headingId={`${ids}-customer`}
        summary={<span className="disclosure__name">{customer.name || t('customer.anonymous')}</span>}
      >
        <dl className="facts">
          <dt>{t('customer.name')}</dt>
          <dd>{customer.name || t('customer.anonymous')}</dd>
          <dt>{t('customer.username')}</dt>
          <dd>
            {customer.username ? (
              <a href={`https://t.me/${encodeURIComponent(customer.username)}`} target="_blank" rel="noopener noreferrer">
                @{customer.username}
              </a>
            ) : (
              <span className="muted">—</span>
            )}
          </dd>
          <dt>{t('customer.telegramId')}</dt>
          <dd className="mono">{customer.telegram_id}</dd>
          {customer.chat_id !== customer.telegram_id && (
            <>
              <dt>{t('customer.chatId')}</dt>
              <dd className="mono">{customer.chat_id}</dd>
            </>
          )}
          {customer.language_code && (
            <>
              <dt>{t('customer.language')}</dt>
              <dd>{customer.language_code}</dd>
            </>
          )}
        </dl>
      </Disclosure>

      <Disclosure
        name="ticket"
        title={t('ticket.title')}
        headingId={`${ids}-ticket`}
        summary={<StatusBadge status={ticket.status} />}
      >
        <dl className="facts">
          <dt>{t('ticket.subject')}</dt>
          <dd>{ticket.title || <span className="muted">{t('ticket.untitled')}</span>}</dd>
          <dt>{t('ticket.status')}</dt>
          <dd>
            <StatusBadge status={ticket.status} />
          </dd>
          <dt>{t('ticket.assignee')}</dt>
          <dd>{ticket.assignee ? nameOf(ticket.assignee) : <span className="muted">{t('ticket.nobody')}</span>}</dd>
          {ticket.created_at && (
            <>
              <dt>{t('ticket.created')}</dt>
              <dd>{fmt.dateTime(ticket.created_at)}</dd>
            </>
          )}
          {ticket.closed_at && (
            <>
              <dt>{t('ticket.closedAt')}</dt>
              <dd>{fmt.dateTime(ticket.closed_at)}</dd>
            </>
          )}
          {(ticket.rating || ticket.status === 'closed') && (
            <>
              <dt>{t('rating.title')}</dt>
              <dd data-testid="ticket-rating">
                {ticket.rating ? (
                  <div className="rating">
                    <span className="rating__score">
                      <RatingStars score={ticket.rating.score} />
                      <span className="rating__value" aria-hidden="true">
                        {ticket.rating.score}/5
                      </span>
                    </span>
                    {ticket.rating.comment && (
                      <blockquote className="rating__comment">
                        <span className="visually-hidden">{t('rating.comment')}: </span>
                        {ticket.rating.comment}
                      </blockquote>
                    )}
                    {ticket.rating.rated_at && (
                      <time className="rating__time muted" dateTime={ticket.rating.rated_at}>
                        {t('rating.ratedAt', { time: fmt.dateTime(ticket.rating.rated_at) })}
                      </time>
                    )}
                  </div>
                ) : (
                  <span className="muted">{t('rating.none')}</span>
                )}
              </dd>
            </>
          )}
          <dt>{t('ticket.reference')}</dt>
          <dd>
            <TicketReference id={ticket.id} />
          </dd>
        </dl>

        <div className="field">
          <label htmlFor={`${ids}-priority`}>{t('ticket.priority')}</label>
          <select
            id={`${ids}-priority`}
            value={ticket.priority}
            disabled={!canEdit || saving}
            onChange={(event) => void save({ priority: event.target.value as Priority })}
          >
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {t(`priority.${priority}`)}
              </option>
            ))}
          </select>
        </div>

        <div className="field">
          <span className="field__label" id={`${ids}-tags-label`}>
            {t('ticket.tags')}
          </span>
          <ul className="tags" aria-labelledby={`${ids}-tags-label`}>
            {ticket.tags.length === 0 && <li className="muted">{t('ticket.noTags')}</li>}
            {ticket.tags.map((tag) => (
              <li key={tag} className="tag">
                {tag}
                {canEdit && (
                  <button
                    type="button"
                    className="tag__remove"
                    aria-label={t('ticket.removeTag', { tag })}
                    disabled={saving}
                    onClick={() => void save({ tags: ticket.tags.filter((item) => item !== tag) })}
                  >
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
          {canEdit && (
            <div className="inline-input">
              <label htmlFor={`${ids}-tag`} className="visually-hidden">
                {t('ticket.addTag')}
              </label>
              <input
                id={`${ids}-tag`}
                value={tagInput}
                placeholder={t('ticket.addTagPlaceholder')}
                onChange={(event) => setTagInput(event.target.value)}
                onKeyDown={onTagKey}
                maxLength={64}
                disabled={saving}
              />
              <button type="button" className="btn btn--small" onClick={addTags} disabled={!tagInput.trim() || saving}>
                {t('common.add')}
              </button>
            </div>
          )}
        </div>

        <form className="field-group" onSubmit={saveCategory}>
          <div className="field">
            <label htmlFor={`${ids}-category`}>{t('ticket.category')}</label>
            <select id={`${ids}-category`} value={category} onChange={(event) => chooseCategory(event.target.value)} disabled={!canEdit || saving}>
              <option value="">{t('ticket.noCategory')}</option>
              {categoryOptions.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-subcategory`}>{t('ticket.subcategory')}</label>
            <select
              id={`${ids}-subcategory`}
              value={subcategory}
              onChange={(event) => setSubcategory(event.target.value)}
              disabled={!canEdit || saving || (!category && !subcategory)}
            >
              <option value="">{t('ticket.noCategory')}</option>
              {subcategoryOptions.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          {canEdit && (
            <button type="submit" className="btn btn--small" disabled={!categoryChanged || saving}>
              {t('common.save')}
            </button>
          )}
        </form>

        <div aria-live="polite" className="details__status">
          {saving && <span className="muted">{t('common.saving')}</span>}
          {!saving && saved && <span className="muted">{t('common.saved')}</span>}
        </div>
        {error && (
          <p className="alert alert--error" role="alert">
            {error}
          </p>
        )}
      </Disclosure>

      <TicketTimeline ticket={ticket} nameOf={nameOf} />
      <CustomerHistory ticket={ticket} nameOf={nameOf} />
    </div>
  );
}

/** The ticket's number, short; the full id is copied for whoever needs it (logs, the API). */
function TicketReference({ id }: { id: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setCopied(true);
    } catch {
      // no clipboard here: the full id stays in the tooltip
    }
  };
  return (
    <span className="ticket-ref">
      <span className="mono small" title={id}>
        #{id.slice(0, 8)}
      </span>{' '}
      <button type="button" className="btn btn--ghost btn--small" onClick={() => void copy()} title={id}>
        {copied ? t('ticket.idCopied') : t('ticket.copyId')}
      </button>
    </span>
  );
}
