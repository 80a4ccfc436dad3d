import { useEffect, useId, useState } from 'react';
import { ApiError, api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { Hint } from '../types';

export interface HintsPanelProps {
  ticketId: string;
  /** Changes when the customer writes again, to ask for fresh hints. */
  refreshKey: string;
  onUse: (answer: string) => void;
}

type HintsState =
  | { status: 'loading' }
  | { status: 'ready'; items: Hint[] }
  | { status: 'error'; message: string }
  | { status: 'unavailable' };

/** "Подсказки": suggested answers from the knowledge base; hidden while the backend has none (404/501). */
export function HintsPanel({ ticketId, refreshKey, onUse }: HintsPanelProps) {
  const { t } = useI18n();
  const titleId = useId();
  const [state, setState] = useState<HintsState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => (previous.status === 'ready' ? previous : { status: 'loading' }));
    api
      .hints(ticketId, controller.signal)
      .then((result) => setState({ status: 'ready', items: Array.isArray(result?.items) ? result.items : [] }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && (error.status === 404 || error.status === 501 || error.status === 405)) {
          setState({ status: 'unavailable' });
        } else {
          setState({ status: 'error', message: errorText(error, t) });
        }
      });
    return () => controller.abort();
  }, [ticketId, refreshKey, attempt]);

  if (state.status === 'unavailable') return null;

  return (
    <section className="card hints" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('hints.title')}
      </h3>
      {state.status === 'loading' && <p className="muted">{t('common.loading')}</p>}
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
                {hint.question && <span className="hint__question">{hint.question}</span>}
                <span className="hint__answer">{hint.answer}</span>
                <span className="hint__meta">
                  {[hint.category, hint.subcategory].filter(Boolean).join(' › ')}
                  {Number.isFinite(hint.score) && (
                    <span className="hint__score">{Math.round(Math.max(0, Math.min(1, hint.score)) * 100)}%</span>
                  )}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
