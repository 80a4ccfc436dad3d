import { useEffect, useId, useState } from 'react';
import { api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { MessagePublic, OperatorPublic, TicketPublic } from '../types';
import { CloseDialog, lastMessageUnanswered } from './CloseDialog';

export interface TicketActionsProps {
  ticket: TicketPublic;
  me: OperatorPublic;
  operators: OperatorPublic[];
  onTicketChanged: (ticket: TicketPublic) => void;
  /** The conversation, to warn before closing when the customer's last message is unanswered. */
  messages?: readonly MessagePublic[];
}

type Busy = 'take' | 'close' | 'assign' | null;

/** Take / Close / Assign (admins) for the open ticket. */
export function TicketActions({ ticket, me, operators, onTicketChanged, messages = [] }: TicketActionsProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [assigning, setAssigning] = useState(false);
  const [assignee, setAssignee] = useState('');
  const [confirmingClose, setConfirmingClose] = useState(false);
  const selectId = useId();
  const isAdmin = me.role === 'admin';
  const mayAct = isAdmin || ticket.status === 'open' || ticket.assignee === me.id;

  useEffect(() => {
    setError(null);
    setAssigning(false);
    setConfirmingClose(false);
  }, [ticket.id]);

  const run = async (kind: Exclude<Busy, null>, action: () => Promise<TicketPublic>) => {
    setBusy(kind);
    setError(null);
    try {
      onTicketChanged(await action());
      setAssigning(false);
    } catch (caught) {
      setError(
        errorText(caught, t, {
          403: 'error.forbiddenTicket',
          ...(kind === 'take' ? { 409: 'error.alreadyTaken' as const } : {}),
        }),
      );
    } finally {
      setBusy(null);
    }
  };

  const close = () => setConfirmingClose(true);

  const activeOperators = operators.filter((operator) => operator.active);

  return (
    <div className="ticket-actions">
      <div className="ticket-actions__buttons">
        {ticket.status === 'open' && (
          <button type="button" className="btn btn--primary" data-shortcut="take" disabled={busy !== null} onClick={() => void run('take', () => api.takeTicket(ticket.id))}>
            {busy === 'take' ? t('actions.taking') : t('actions.take')}
          </button>
        )}
        {isAdmin && ticket.status !== 'closed' && (
          <button type="button" className="btn" aria-expanded={assigning} disabled={busy !== null} onClick={() => setAssigning((value) => !value)}>
            {t('actions.assign')}
          </button>
        )}
        {ticket.status !== 'closed' && mayAct && (
          <button type="button" className="btn btn--danger" disabled={busy !== null} onClick={close}>
            {busy === 'close' ? t('actions.closing') : t('actions.close')}
          </button>
        )}
      </div>
      {assigning && (
        <form
          className="ticket-actions__assign"
          onSubmit={(event) => {
            event.preventDefault();
            if (assignee) void run('assign', () => api.assignTicket(ticket.id, assignee));
          }}
        >
          <label htmlFor={selectId}>{t('actions.assignTo')}</label>
          <select id={selectId} value={assignee} onChange={(event) => setAssignee(event.target.value)} autoFocus>
            <option value="">{t('actions.chooseOperator')}</option>
            {activeOperators.map((operator) => (
              <option key={operator.id} value={operator.id}>
                {operator.display_name || operator.username}
                {operator.id === me.id ? ` (${t('common.you')})` : ''}
              </option>
            ))}
          </select>
          <button type="submit" className="btn btn--primary btn--small" disabled={!assignee || busy !== null}>
            {busy === 'assign' ? t('actions.assigning') : t('actions.assignConfirm')}
          </button>
        </form>
      )}
      {confirmingClose && (
        <CloseDialog
          unanswered={lastMessageUnanswered(messages)}
          onCancel={() => setConfirmingClose(false)}
          onConfirm={() => {
            setConfirmingClose(false);
            void run('close', () => api.closeTicket(ticket.id));
          }}
        />
      )}
      {error && (
        <p className="alert alert--error ticket-actions__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
