import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type Ref } from 'react';
import { api, errorText, newClientId } from '../api';
import { useI18n } from '../i18n';
import type { LoadStatus } from '../state';
import { templateValues } from '../templates';
import { TypingNotifier } from '../typing';
import type { MessagePublic, OperatorPublic, TicketPublic } from '../types';
import { useTemplates } from '../useTemplates';
import { useSla } from '../useUrgency';
import { Icon } from './Icon';
import { MessageBubble } from './MessageBubble';
import { ReplyBox, type ReplyInput } from './ReplyBox';
import { CategoryChip, StatusBadge } from './Badges';
import { TicketActions } from './TicketActions';

interface Pending {
  clientId: string;
  input: ReplyInput;
  error: string | null;
}

export interface ConversationProps {
  ticket: TicketPublic;
  messages: MessagePublic[];
  messagesStatus: LoadStatus;
  messagesError: string | null;
  me: OperatorPublic;
  operators: OperatorPublic[];
  nameOf: (operatorId: string | null) => string;
  draft: string;
  onDraftChange: (text: string) => void;
  textareaRef: Ref<HTMLTextAreaElement>;
  onTicketChanged: (ticket: TicketPublic) => void;
  onMessageAdded: (message: MessagePublic) => void;
  onReload: () => void;
}

/** May this operator reply, close, annotate or edit the ticket (gateway/domain/access.py). */
export function mayAct(ticket: TicketPublic, me: OperatorPublic): boolean {
  return me.role === 'admin' || ticket.status === 'open' || ticket.assignee === me.id;
}

const NEAR_BOTTOM_PX = 160;

/** «Печатает…» for the customer: the gateway is told at most every few seconds per ticket. */
const typingNotifier = new TypingNotifier((ticketId) => api.typing(ticketId));

export function Conversation(props: ConversationProps) {
  const { ticket, messages, messagesStatus, messagesError, me, nameOf, onTicketChanged, onMessageAdded } = props;
  const { t, fmt } = useI18n();
  const [pending, setPending] = useState<Pending[]>([]);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const mediaReloaded = useRef(false);

  // A new ticket: start at the bottom, forget what was pending for the previous one.
  useEffect(() => {
    stickToBottom.current = true;
    mediaReloaded.current = false;
    setPending([]);
  }, [ticket.id]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && stickToBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages, pending, ticket.id]);

  // Photos load after the first layout: keep the view pinned to the bottom while they do.
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const onLoad = () => {
      if (stickToBottom.current) element.scrollTop = element.scrollHeight;
    };
    element.addEventListener('load', onLoad, true);
    return () => element.removeEventListener('load', onLoad, true);
  }, []);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
  };

  const deliver = useCallback(
    async (item: Pending) => {
      const ticketId = ticket.id;
      const wasOpen = ticket.status === 'open';
      try {
        const message = item.input.note
          ? await api.addNote(ticketId, item.input.text)
          : await api.sendMessage(ticketId, {
              text: item.input.text,
              file: item.input.file,
              clientMessageId: item.clientId,
            });
        setPending((list) => list.filter((entry) => entry.clientId !== item.clientId));
        onMessageAdded(message);
        // Replying to a ticket in the queue takes it: show the new status without waiting for the event.
        if (wasOpen && !item.input.note) {
          api.getTicket(ticketId).then(onTicketChanged).catch(() => undefined);
        }
      } catch (error) {
        const text = errorText(error, t, { 403: 'error.forbiddenTicket', 413: 'error.fileTooLarge' });
        setPending((list) =>
          list.map((entry) => (entry.clientId === item.clientId ? { ...entry, error: text } : entry)),
        );
      }
    },
    [ticket.id, ticket.status, onMessageAdded, onTicketChanged, t],
  );

  const send = (input: ReplyInput) => {
    const item: Pending = { clientId: newClientId(), input, error: null };
    stickToBottom.current = true;
    setPending((list) => [...list, item]);
    props.onDraftChange('');
    void deliver(item);
  };

  const retry = (item: Pending) => {
    setPending((list) => list.map((entry) => (entry.clientId === item.clientId ? { ...entry, error: null } : entry)));
    void deliver({ ...item, error: null });
  };

  const discard = (item: Pending) => {
    setPending((list) => list.filter((entry) => entry.clientId !== item.clientId));
    if (!props.draft.trim()) props.onDraftChange(item.input.text);
  };

  // A reply Telegram refused: message_saver sends it again; the answer (and then the live events) show
  // its new delivery state.
  const retryDelivery = async (message: MessagePublic) => {
    onMessageAdded(await api.retryDelivery(ticket.id, message.id));
  };

  const onMediaError = () => {
    // Presigned URLs are short-lived: fetch fresh ones once per open ticket.
    if (mediaReloaded.current) return;
    mediaReloaded.current = true;
    props.onReload();
  };

  const authorOf = (message: MessagePublic): string | null => {
    if (message.direction === 'customer') return ticket.customer.name || (ticket.customer.username ? `@${ticket.customer.username}` : t('customer.anonymous'));
    if (message.direction === 'operator' || message.internal) {
      return message.operator_id ? nameOf(message.operator_id) : t('message.operator');
    }
    return null;
  };

  const canAct = mayAct(ticket, me);
  const disabledReason =
    ticket.status === 'closed' ? t('reply.closed') : !canAct ? t('reply.notYours') : null;
  const templates = useTemplates();
  const traceUi = useSla().trace_ui_url;
  const values = useMemo(() => templateValues(ticket, me), [ticket.id, ticket.customer.name, me.display_name, me.username]);
  const onTyping = useCallback(() => typingNotifier.notify(ticket.id), [ticket.id]);

  let previousDay = '';
  // A reply the live stream brought before the POST answered is shown once: stored, not pending.
  const stored = new Set(messages.map((message) => message.client_message_id).filter(Boolean));
  return (
    <section className="conversation" aria-labelledby="conversation-title">
      <header className="conversation__header">
        <div className="conversation__heading">
          <h2 id="conversation-title" className="conversation__title">
            {ticket.title || t('ticket.untitled')}
          </h2>
          <div className="conversation__sub">
            <StatusBadge status={ticket.status} />
            <CategoryChip category={ticket.category} subcategory={ticket.subcategory} />
            <span>{ticket.customer.name || t('customer.anonymous')}</span>
            {ticket.assignee && (
              <span className="muted">
                {t('ticket.assignee')}: {nameOf(ticket.assignee)}
              </span>
            )}
          </div>
        </div>
        <TicketActions ticket={ticket} me={me} operators={props.operators} onTicketChanged={onTicketChanged} messages={messages} />
      </header>

      <div className="conversation__messages" ref={scroller} onScroll={onScroll} role="log" aria-live="polite" aria-label={t('conversation.messages')} tabIndex={0}>
        {messagesStatus === 'loading' && messages.length === 0 && <p className="placeholder">{t('common.loading')}</p>}
        {messagesStatus === 'error' && (
          <div className="alert alert--error" role="alert">
            {messagesError}{' '}
            <button type="button" className="btn btn--small" onClick={props.onReload}>
              {t('common.retry')}
            </button>
          </div>
        )}
        {messagesStatus === 'ready' && messages.length === 0 && pending.length === 0 && (
          <p className="placeholder">{t('conversation.empty')}</p>
        )}
        {messages.map((message) => {
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
              <MessageBubble
                message={message}
                author={authorOf(message)}
                onMediaError={onMediaError}
                traceUrl={traceUi && message.trace_id ? traceLink(traceUi, message.trace_id) : undefined}
                onRetryDelivery={
                  canAct && ticket.status !== 'closed' && message.delivery_status === 'failed'
                    ? () => retryDelivery(message)
                    : undefined
                }
              />
            </Fragment>
          );
        })}
        {pending.filter((item) => !stored.has(item.clientId)).map((item) => (
          <div key={item.clientId} className={`bubble bubble--operator bubble--pending${item.input.note ? ' bubble--note' : ''}`}>
            {item.input.file && (
              <div className="attachment__file">
                <Icon name="paperclip" size={14} /> {item.input.file.name}
              </div>
            )}
            {item.input.text && <div className="bubble__text">{item.input.text}</div>}
            <footer className="bubble__meta">
              {item.error ? (
                <span className="bubble__error" role="alert">
                  {t('reply.failed')}: {item.error}{' '}
                  <button type="button" className="btn btn--small" onClick={() => retry(item)}>
                    {t('common.retry')}
                  </button>{' '}
                  <button type="button" className="btn btn--small btn--ghost" onClick={() => discard(item)}>
                    {t('reply.discard')}
                  </button>
                </span>
              ) : (
                <span className="muted">{t('reply.sending')}</span>
              )}
            </footer>
          </div>
        ))}
      </div>

      <ReplyBox
        draft={props.draft}
        onDraftChange={props.onDraftChange}
        onSend={send}
        disabledReason={disabledReason}
        textareaRef={props.textareaRef}
        templates={templates.templates}
        templatesStatus={templates.status}
        onTemplatesWanted={templates.refresh}
        templateValues={values}
        category={ticket.category}
        onTyping={onTyping}
      />
    </section>
  );
}

/** A trace in the trace backend's UI (Jaeger: <ui>/trace/<id>). */
export function traceLink(ui: string, traceId: string): string {
  return `${ui.replace(/\/+$/, '')}/trace/${encodeURIComponent(traceId)}`;
}
