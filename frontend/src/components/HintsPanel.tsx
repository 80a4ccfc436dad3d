import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { Hint } from '../types';
import { ReplyDraft } from './ReplyDraft';

export interface HintsPanelProps {
  ticketId: string;
  /**
   * Changes when the hints may have changed (the customer wrote, a photo's OCR text arrived): the panel
   * asks again after `refreshDelayMs`, once for a burst of changes. A new `ticketId` asks at once.
   */
  refreshKey: string | number;
  onUse: (answer: string) => void;
  refreshDelayMs?: number;
}

/** Quiet period after the last change before hints are asked for again. */
export const HINTS_REFRESH_DELAY_MS = 800;

type HintsState =
  | { status: 'loading' }
  | { status: 'ready'; items: Hint[] }
  | { status: 'error'; message: string }
  /** The hints service is down (502/503/504): a quiet note, asked again on the next change. */
  | { status: 'down' }
  /** The gateway has no hints endpoint (404/405/501): the panel hides itself. */
  | { status: 'absent' };

const ABSENT = new Set([404, 405, 501]);
const DOWN = new Set([502, 503, 504]);

/**
 * "Подсказки": suggested answers from the knowledge base for what the customer asked, and a ready reply
 * composed from them on request.
 */
export function HintsPanel({ ticketId, refreshKey, onUse, refreshDelayMs = HINTS_REFRESH_DELAY_MS }: HintsPanelProps) {
  const { t } = useI18n();
  const titleId = useId();
  const [state, setState] = useState<HintsState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const asked = useRef<{ ticketId: string; attempt: number; refreshKey: string | number } | null>(null);
  const tRef = useRef(t);
  tRef.current = t;

  useEffect(() => {
    const previous = asked.current;
    const sameTicket = previous !== null && previous.ticketId === ticketId;
    // Only a refresh of the same ticket waits for a quiet moment; another ticket or "retry" asks at once.
    const delayed = sameTicket && previous.attempt === attempt && previous.refreshKey !== refreshKey;
    const immediate = !delayed;
    if (!sameTicket) setState({ status: 'loading' });
    asked.current = { ticketId, attempt, refreshKey };

    const controller = new AbortController();
    const ask = () => {
      api
        .hints(ticketId, controller.signal)
        .then((result) => {
          if (!controller.signal.aborted) setState({ status: 'ready', items: Array.isArray(result?.items) ? result.items : [] });
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          if (error instanceof ApiError && ABSENT.has(error.status)) setState({ status: 'absent' });
          else if (error instanceof ApiError && DOWN.has(error.status)) setState({ status: 'down' });
          else setState({ status: 'error', message: errorText(error, tRef.current) });
        });
    };
    const timer = immediate ? null : setTimeout(ask, refreshDelayMs);
    if (immediate) ask();
    return () => {
      if (timer) clearTimeout(timer);
      controller.abort();
    };
  }, [ticketId, refreshKey, attempt, refreshDelayMs]);

  if (state.status === 'absent') return null;

  return (
    <section className="card hints" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('hints.title')}
      </h3>
      <ReplyDraft ticketId={ticketId} onUse={onUse} />
      <div className="hints__items" aria-busy={state.status === 'loading'}>
        {state.status === 'loading' && <p className="muted">{t('common.loading')}</p>}
        {state.status === 'down' && (
          <p className="muted hints__note" role="status">
            {t('hints.unavailable')}{' '}
            <button type="button" className="btn btn--small btn--ghost" onClick={() => setAttempt((value) => value + 1)}>
              {t('common.retry')}
            </button>
          </p>
        )}
        {state.status === 'error' && (
          <p className="alert alert--error" role="alert">
            {state.message}{' '}
            <button type="button" className="btn btn--small" onClick={() => setAttempt((value) => value + 1)}>
              {t('common.retry')}
            </button>
          </p>
        )}
        {state.status === 'ready' && state.items.length === 0 && <p className="muted">{t('hints.none')}</p>}
        {state.status === 'ready' && state.items.length > 0 && (
          <ul className="hints__list">
            {state.items.map((hint, index) => (
              <li key={`${index}-${hint.question}`}>
                <button type="button" className="hint" onClick={() => onUse(hint.answer)} title={t('hints.use')}>
                  {hint.question && (
                    <span className="hint__question">
                      <span className="visually-hidden">{t('hints.question')}: </span>
                      {hint.question}
                    </span>
                  )}
                  <span className="hint__answer">{hint.answer}</span>
                  <span className="hint__meta">
                    {hint.category && (
                      <span className="chip chip--category chip--small" title={[hint.category, hint.subcategory].filter(Boolean).join(' › ')}>
                        {[hint.category, hint.subcategory].filter(Boolean).join(' › ')}
                      </span>
                    )}
                    {Number.isFinite(hint.score) && (
                      <span className="hint__score">{Math.round(Math.max(0, Math.min(1, hint.score)) * 100)}%</span>
                    )}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
