import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useI18n } from '../i18n';
import type { CategoryPublic, OperatorPublic } from '../types';
import type { ConsoleApi } from '../useConsole';
import { Conversation, mayAct } from './Conversation';
import { neighbour, shortcutFor } from '../shortcuts';
import { HintsPanel } from './HintsPanel';
import { ShortcutsHelp } from './ShortcutsHelp';
import { TicketDetails } from './TicketDetails';
import { TicketQueue } from './TicketQueue';

export interface ConsoleViewProps {
  me: OperatorPublic;
  console: ConsoleApi;
  operators: OperatorPublic[];
  categories: readonly CategoryPublic[];
  nameOf: (operatorId: string | null) => string;
  /** Open a ticket by its address (the console follows the address). */
  onOpenTicket: (id: string | null) => void;
}

/**
 * The tickets page: queue | conversation | hints and details. On a phone, one column at a time: the queue,
 * or the open ticket's conversation followed by its hints and details.
 */
export function ConsoleView({ me, console: desk, operators, categories, nameOf, onOpenTicket }: ConsoleViewProps) {
  const { t } = useI18n();
  const { state } = desk;
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const ticket = state.openTicket;
  const isAdmin = me.role === 'admin';

  const setDraft = useCallback(
    (text: string) => {
      const id = state.selectedId;
      if (id) setDrafts((all) => ({ ...all, [id]: text }));
    },
    [state.selectedId],
  );
  const draft = state.selectedId ? (drafts[state.selectedId] ?? '') : '';

  const [helpOpen, setHelpOpen] = useState(false);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  const shortcutState = useRef({ ids: [] as string[], selectedId: state.selectedId });
  shortcutState.current = { ids: state.tickets.map((item) => item.id), selectedId: state.selectedId };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = shortcutFor(event);
      if (!action) return;
      const { ids, selectedId } = shortcutState.current;
      if (action === 'next' || action === 'previous') {
        const id = neighbour(ids, selectedId, action === 'next' ? 1 : -1);
        if (!id) return;
        onOpenTicket(id);
        requestAnimationFrame(() => document.querySelector('.ticket-item[aria-current]')?.scrollIntoView?.({ block: 'nearest' }));
      } else if (action === 'search') {
        document.querySelector<HTMLInputElement>('[data-shortcut="search"]')?.focus();
      } else if (action === 'take') {
        const take = document.querySelector<HTMLButtonElement>('[data-shortcut="take"]');
        if (!take || take.disabled) return;
        take.click();
      } else if (action === 'reply') {
        if (!replyRef.current) return;
        replyRef.current.focus();
      } else {
        setHelpOpen(true);
      }
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onOpenTicket]);

  const useHint = (answer: string) => {
    setDraft(draft.trim() ? `${draft.trimEnd()}\n\n${answer}` : answer);
    replyRef.current?.focus();
  };

  return (
    <div className={`console${state.selectedId ? ' console--ticket-open' : ''}`}>
      <TicketQueue
        state={state}
        isAdmin={isAdmin}
        categories={categories}
        nameOf={nameOf}
        onFilter={desk.setFilter}
        onLoadMore={desk.loadMore}
        onSelect={onOpenTicket}
        onRetry={desk.reloadList}
      />

      <main className="console__main" id="main">
        <Link to="/" className="console__back">
          ← {t('nav.backToQueue')}
        </Link>
        {state.hiddenNotice && (
          <div className="alert alert--info" role="status">
            {t('conversation.hidden')}{' '}
            <button type="button" className="btn btn--small btn--ghost" onClick={() => desk.dispatch({ type: 'notice/clear' })}>
              {t('common.dismiss')}
            </button>
          </div>
        )}
        {ticket ? (
          <Conversation
            ticket={ticket}
            messages={state.messages}
            messagesStatus={state.messagesStatus}
            messagesError={state.messagesError}
            me={me}
            operators={operators}
            nameOf={nameOf}
            draft={draft}
            onDraftChange={setDraft}
            textareaRef={replyRef}
            onTicketChanged={desk.ticketChanged}
            onMessageAdded={desk.messageAdded}
            onReload={desk.reloadMessages}
          />
        ) : state.selectedId && state.messagesStatus === 'error' ? (
          <div className="empty">
            <p className="alert alert--error" role="alert">
              {state.messagesError}
            </p>
          </div>
        ) : state.selectedId ? (
          <div className="empty">
            <p className="placeholder">{t('common.loading')}</p>
          </div>
        ) : (
          <div className="empty">
            <p className="empty__title">{t('conversation.none')}</p>
            <p className="muted">{t('conversation.noneHint')}</p>
          </div>
        )}
      </main>

      <aside className="console__side" aria-label={t('details.label')}>
        {ticket && (
          <>
            {/* Hints first: with the conversation and the reply box they fit one laptop screen. */}
            {ticket.status !== 'closed' && <HintsPanel ticketId={ticket.id} refreshKey={state.hintsVersion} onUse={useHint} isAdmin={isAdmin} />}
            <TicketDetails
              ticket={ticket}
              canEdit={mayAct(ticket, me)}
              categories={categories}
              nameOf={nameOf}
              onTicketChanged={desk.ticketChanged}
            />
          </>
        )}
      </aside>
      {helpOpen && <ShortcutsHelp onClose={closeHelp} />}
    </div>
  );
}
