import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { useI18n } from '../i18n';
import type { MessagePublic } from '../types';

/**
 * Whether the conversation ends with the customer's message that no operator reply answered. Notes never
 * answer (the customer does not see them), and messages of the system neither ask nor answer.
 */
export function lastMessageUnanswered(messages: readonly MessagePublic[]): boolean {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.internal) continue;
    if (message.direction === 'customer') return true;
    if (message.direction === 'operator') return false;
  }
  return false;
}

export interface CloseDialogProps {
  /** Warn that the customer's last message is unanswered (else a plain confirmation). */
  unanswered: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Confirms closing a ticket, in the page (replaces window.confirm): a modal dialog that takes the focus when
 * it opens and gives it back when it closes; Esc or a click outside cancels, Tab stays inside.
 */
export function CloseDialog({ unanswered, onConfirm, onCancel }: CloseDialogProps) {
  const { t } = useI18n();
  const ids = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const onCancelRef = useRef(onCancel);
  onCancelRef.current = onCancel;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // With a warning the safe choice has the focus; a plain confirmation is one Enter away, as confirm() was.
    (unanswered ? cancel : confirm).current?.focus();
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        onCancelRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  const trapTab = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'Tab' || !dialog.current) return;
    const focusable = Array.from(dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div
      className="close-dialog__backdrop"
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onCancel();
      }}
    >
      <div
        ref={dialog}
        className={`close-dialog${unanswered ? ' close-dialog--warning' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${ids}-title`}
        aria-describedby={`${ids}-text`}
        onKeyDown={trapTab}
      >
        <h2 id={`${ids}-title`} className="close-dialog__title">
          {t('close.title')}
        </h2>
        <p id={`${ids}-text`} className="close-dialog__text" data-testid="close-dialog-text">
          {unanswered ? t('close.unanswered') : t('actions.closeConfirm')}
        </p>
        <div className="close-dialog__buttons">
          <button ref={cancel} type="button" className="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button ref={confirm} type="button" className="btn btn--danger" onClick={onConfirm}>
            {unanswered ? t('close.closeAnyway') : t('close.submit')}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
