import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorText } from '../api';
import { useI18n, type Translate } from '../i18n';
import type { ReplyDraftPublic, ReplySource } from '../types';

/** How many hints a ready reply may draw on (the gateway's default). */
export const DRAFT_HINTS = 3;

const SOURCES: readonly ReplySource[] = ['llm', 'template', 'none'];

export type DraftState =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'ready'; draft: ReplyDraftPublic }
  | { status: 'error'; message: string };

const IDLE: DraftState = { status: 'idle' };

/** The response with a known source, and "none" whenever there is no text to offer. */
function cleanDraft(draft: ReplyDraftPublic): ReplyDraftPublic {
  const text = typeof draft?.text === 'string' ? draft.text.trim() : '';
  const source = SOURCES.includes(draft?.source) ? draft.source : 'template';
  return {
    text,
    source: text ? source : 'none',
    model: typeof draft?.model === 'string' ? draft.model : '',
    fallback_reason: typeof draft?.fallback_reason === 'string' ? draft.fallback_reason : '',
    hints: Array.isArray(draft?.hints) ? draft.hints : [],
    query: typeof draft?.query === 'string' ? draft.query : '',
  };
}

/**
 * Asks for a ready reply for `ticketId`, one request at a time. Another ticket starts from nothing: the
 * request in flight is aborted and its answer, should it still arrive, is dropped.
 */
export function useReplyDraft(ticketId: string, category: string | null, t: Translate) {
  const [state, setState] = useState<{ ticketId: string; value: DraftState }>({ ticketId, value: IDLE });
  const current = useRef(ticketId);
  current.current = ticketId;
  const inFlight = useRef<AbortController | null>(null);
  const tRef = useRef(t);
  tRef.current = t;

  useEffect(
    () => () => {
      inFlight.current?.abort();
      inFlight.current = null;
    },
    [ticketId],
  );

  const compose = useCallback(() => {
    if (inFlight.current) return;
    const id = ticketId;
    const controller = new AbortController();
    inFlight.current = controller;
    const stale = () => controller.signal.aborted || current.current !== id;
    setState({ ticketId: id, value: { status: 'busy' } });
    api
      .replyDraft(id, { category: category || null, language: null, hints: DRAFT_HINTS }, controller.signal)
      .then((draft) => {
        if (!stale()) setState({ ticketId: id, value: { status: 'ready', draft: cleanDraft(draft) } });
      })
      .catch((error: unknown) => {
        if (stale()) return;
        const message = errorText(error, tRef.current, {
          403: 'error.forbiddenTicket',
          404: 'error.ticketNotFound',
          502: 'draft.unavailable',
          503: 'draft.unavailable',
          504: 'draft.unavailable',
        });
        setState({ ticketId: id, value: { status: 'error', message } });
      })
      .finally(() => {
        if (inFlight.current === controller) inFlight.current = null;
      });
  }, [ticketId, category]);

  // A state left from another ticket is not shown.
  return { state: state.ticketId === ticketId ? state.value : IDLE, compose };
}

export interface ReplyDraftProps {
  ticketId: string;
  /** The hints panel's category filter, when it has one; null: any category. */
  category?: string | null;
  /** Puts the text into the reply box (as a hint's answer is): the operator reviews it and sends. */
  onUse: (text: string) => void;
}

/** "Готовый ответ": a reply composed from the knowledge base, to insert into the reply box and edit. */
export function ReplyDraft({ ticketId, category = null, onUse }: ReplyDraftProps) {
  const { t } = useI18n();
  const { state, compose } = useReplyDraft(ticketId, category, t);
  const busy = state.status === 'busy';

  return (
    <div className="draft" aria-busy={busy}>
      <div className="draft__head">
        <span className="draft__title">{t('draft.title')}</span>
        <button type="button" className="btn btn--small" onClick={compose} disabled={busy}>
          {busy ? t('draft.composing') : t('draft.compose')}
        </button>
      </div>
      {state.status === 'error' && (
        <p className="alert alert--error" role="alert">
          {state.message}
        </p>
      )}
      <div aria-live="polite">
        {state.status === 'ready' && <DraftResult draft={state.draft} onUse={onUse} />}
      </div>
    </div>
  );
}

function DraftResult({ draft, onUse }: { draft: ReplyDraftPublic; onUse: (text: string) => void }) {
  const { t } = useI18n();
  if (draft.source === 'none') return <p className="muted draft__none">{t('draft.none')}</p>;
  return (
    <div className="draft__body">
      <SourceBadge draft={draft} />
      <p className="draft__text">{draft.text}</p>
      <p className="muted draft__review">{t('draft.review')}</p>
      <button type="button" className="btn btn--small btn--primary" onClick={() => onUse(draft.text)}>
        {t('draft.insert')}
      </button>
    </div>
  );
}

function SourceBadge({ draft }: { draft: ReplyDraftPublic }) {
  const { t } = useI18n();
  const llm = draft.source === 'llm';
  const title = llm
    ? draft.model && t('draft.model', { model: draft.model })
    : draft.fallback_reason && t('draft.fallback', { reason: draft.fallback_reason });
  return (
    <p className="draft__source">
      <span className="visually-hidden">{t('draft.source')}: </span>
      <span className={`badge badge--draft-${draft.source}`} title={title || undefined}>
        {llm ? t('draft.llm') : t('draft.template')}
      </span>
    </p>
  );
}
