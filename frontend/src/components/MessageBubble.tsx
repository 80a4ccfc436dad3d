import { useState } from 'react';
import { errorText } from '../api';
import { useI18n, type Translate } from '../i18n';
import { Icon } from './Icon';
import type { AttachmentPublic, MessagePublic } from '../types';

export interface MessageBubbleProps {
  message: MessagePublic;
  /** Who wrote it, as shown above the text (customer's or operator's name); null: no label. */
  author: string | null;
  /** A file failed to load (its file link may have expired). */
  onMediaError?: () => void;
  /** Send a reply whose delivery failed again; absent when this operator may not. */
  onRetryDelivery?: () => Promise<void>;
  /** Admins: where the message's trace opens (the trace backend's UI); absent for operators. */
  traceUrl?: string;
}

/** Telegram's reason for a failed delivery, in the operator's words where we know it. */
export function deliveryReason(error: string | null, t: Translate): string {
  const reason = (error ?? '').trim();
  if (/blocked by the user/i.test(reason)) return t('delivery.blocked');
  return reason || t('delivery.unknownReason');
}

/** Where an operator's reply is on its way to the customer: sending, delivered, or failed with a retry. */
function DeliveryState({ message, onRetry }: { message: MessagePublic; onRetry?: () => Promise<void> }) {
  const { t } = useI18n();
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<string | null>(null);

  if (message.delivery_status === 'sent') {
    return (
      <span className="bubble__delivery bubble__delivery--sent" title={t('delivery.sent')}>
        <Icon name="check" size={12} /> {t('delivery.sent')}
      </span>
    );
  }
  if (message.delivery_status !== 'failed' || retrying) {
    return (
      <span className="bubble__delivery bubble__delivery--sending" role="status">
        {retrying ? t('delivery.retrying') : t('delivery.sending')}
      </span>
    );
  }
  const retry = async () => {
    if (!onRetry) return;
    setRetrying(true);
    setRetryError(null);
    try {
      await onRetry();
    } catch (error) {
      setRetryError(errorText(error, t));
    } finally {
      setRetrying(false);
    }
  };
  return (
    <span className="bubble__delivery bubble__delivery--failed" role="alert" title={message.delivery_error ?? undefined}>
      {t('delivery.failed', { reason: deliveryReason(message.delivery_error, t) })}
      {retryError && <span className="bubble__error"> ({retryError})</span>}
      {onRetry && (
        <>
          {' '}
          <button type="button" className="btn btn--small" onClick={() => void retry()}>
            {t('common.retry')}
          </button>
        </>
      )}
    </span>
  );
}

function Attachment({ attachment, onMediaError }: { attachment: AttachmentPublic; onMediaError?: () => void }) {
  const { t, fmt } = useI18n();
  const name = attachment.file_name || t(`attachment.kind.${attachment.kind}`);
  const size = attachment.size > 0 ? fmt.size(attachment.size) : '';
  const ocr = attachment.ocr_text.trim();

  if (attachment.kind === 'photo') {
    return (
      <figure className="attachment attachment--photo">
        {attachment.url ? (
          <a href={attachment.url} target="_blank" rel="noopener noreferrer" title={t('attachment.openFull')}>
            <img src={attachment.url} alt={attachment.file_name || t('attachment.kind.photo')} loading="lazy" onError={onMediaError} />
          </a>
        ) : (
          <div className="attachment__missing">{t('attachment.unavailable', { name })}</div>
        )}
        {ocr && (
          <figcaption className="attachment__ocr">
            <span className="attachment__ocr-label">{t('attachment.ocr')}</span>
            <span className="attachment__ocr-text">{ocr}</span>
          </figcaption>
        )}
      </figure>
    );
  }

  const link = attachment.url ? (
    <a className="attachment__link" href={attachment.url} download={attachment.file_name || undefined} target="_blank" rel="noopener noreferrer">
      <Icon name={attachment.kind === 'document' ? 'file' : 'media'} />
      <span className="attachment__name">{name}</span>
    </a>
  ) : (
    <span className="attachment__link attachment__link--missing">
      <span className="attachment__name">{name}</span> <span className="muted">({t('attachment.notStored')})</span>
    </span>
  );

  return (
    <div className={`attachment attachment--${attachment.kind}`}>
      {attachment.url && (attachment.kind === 'voice' || attachment.kind === 'audio') && (
        <audio controls preload="none" src={attachment.url} onError={onMediaError} aria-label={name} />
      )}
      {attachment.url && attachment.kind === 'video' && (
        <video controls preload="metadata" src={attachment.url} onError={onMediaError} aria-label={name} />
      )}
      <div className="attachment__file">
        {link}
        {size && <span className="attachment__size">{size}</span>}
      </div>
      {ocr && (
        <div className="attachment__ocr">
          <span className="attachment__ocr-label">{t('attachment.ocr')}</span>
          <span className="attachment__ocr-text">{ocr}</span>
        </div>
      )}
    </div>
  );
}

/** One message of the conversation: customer on the left, operator on the right, system centered, notes yellow. */
export function MessageBubble({ message, author, onMediaError, onRetryDelivery, traceUrl }: MessageBubbleProps) {
  const { t, fmt } = useI18n();
  const kind = message.internal ? 'note' : message.direction;
  const time = message.created_at ? fmt.time(message.created_at) : '';
  const label = message.internal ? `${t('message.note')}${author ? ` · ${author}` : ''}` : author;
  const tracked = message.direction === 'operator' && !message.internal && message.delivery_status !== null;

  return (
    <article
      className={`bubble bubble--${message.direction}${message.internal ? ' bubble--note' : ''}`}
      data-kind={kind}
      aria-label={message.internal ? t('message.noteAria') : undefined}
    >
      {label && (
        <header className="bubble__author">
          {message.internal && <Icon name="lock" size={13} />}
          {label}
        </header>
      )}
      {message.attachments.map((attachment) => (
        <Attachment key={attachment.id} attachment={attachment} onMediaError={onMediaError} />
      ))}
      {message.text && <div className="bubble__text">{message.text}</div>}
      <footer className="bubble__meta">
        {message.edited && (
          <span
            className="bubble__edited"
            title={message.edited_at ? t('message.editedAt', { time: fmt.dateTime(message.edited_at) }) : undefined}
          >
            {t('message.edited')}
          </span>
        )}
        {time && (
          <time dateTime={message.created_at ?? undefined} title={message.created_at ? fmt.dateTime(message.created_at) : undefined}>
            {time}
          </time>
        )}
        {tracked && <DeliveryState message={message} onRetry={onRetryDelivery} />}
        {traceUrl && (
          <a className="bubble__trace" href={traceUrl} target="_blank" rel="noopener noreferrer" title={t('message.traceTitle')}>
            {t('message.trace')}
          </a>
        )}
      </footer>
    </article>
  );
}
