import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, errorText } from '../api';
import { useI18n, type Translate } from '../i18n';
import { customerWording, KB_VARIANTS, knowsWording, variantsOf, withVariant } from '../knowledge';
import type { Hint, HintsPublic } from '../types';
import { KnowledgeSearch } from './KnowledgeSearch';
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
  /** Admins may add the customer's wording to a hint's entry ("Запомнить формулировку"). */
  isAdmin?: boolean;
}

/** Quiet period after the last change before hints are asked for again. */
export const HINTS_REFRESH_DELAY_MS = 800;

type HintsState =
  | { status: 'loading' }
  /**
   * `query`: what the hints were found for (the conversation's intent, with OCR text of photos);
   * `intent`: the same, as the server names it: while it stays, the hints shown stay too.
   * `noGoodHint`: no hint is likely enough to answer the customer (the hints are still there to browse).
   */
  | { status: 'ready'; items: Hint[]; query: string; intent: string; noGoodHint: boolean }
  | { status: 'error'; message: string }
  /** The hints service is down (502/503/504): a quiet note, asked again on the next change. */
  | { status: 'down' }
  /** The gateway has no hints endpoint (404/405/501): the panel hides itself. */
  | { status: 'absent' };

const ABSENT = new Set([404, 405, 501]);
const DOWN = new Set([502, 503, 504]);

/**
 * "Подсказки": suggested answers from the knowledge base for what the customer asked, a ready reply
 * composed from them on request, and a search of the whole base ("Поиск по базе знаний").
 */
export function HintsPanel({
  ticketId,
  refreshKey,
  onUse,
  refreshDelayMs = HINTS_REFRESH_DELAY_MS,
  isAdmin = false,
}: HintsPanelProps) {
  const { t } = useI18n();
  const learning = useLearnWording(ticketId, t);
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
          if (controller.signal.aborted) return;
          const next = readyState(result);
          // The same intent as shown: keep what is on screen (no flicker when the customer writes «Алло?»).
          setState((shown) => (sameIntent(shown, next) ? shown : next));
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
        {state.status === 'ready' && state.items.length > 0 && state.noGoodHint && (
          <div className="hints__no-good" role="status">
            <p className="hints__no-good-title">{t('hints.noGood')}</p>
            <p className="muted">{t('hints.noGoodNote')}</p>
            {/* Collapsed, and collapsed again for another intent (the key). */}
            <details key={state.intent} className="hints__browse">
              <summary>{t('hints.browse', { count: state.items.length })}</summary>
              <HintList items={state.items} query={state.query} onUse={onUse} isAdmin={isAdmin} learning={learning} />
            </details>
          </div>
        )}
        {state.status === 'ready' && state.items.length > 0 && !state.noGoodHint && (
          <HintList items={state.items} query={state.query} onUse={onUse} isAdmin={isAdmin} learning={learning} />
        )}
      </div>
      {/* The operator's own search of the whole base; starts empty for every ticket. */}
      <KnowledgeSearch key={ticketId} onInsert={onUse} />
    </section>
  );
}

function readyState(result: HintsPublic | null | undefined): HintsState & { status: 'ready' } {
  const query = typeof result?.query === 'string' ? result.query : '';
  return {
    status: 'ready',
    items: Array.isArray(result?.items) ? result.items : [],
    query,
    intent: typeof result?.intent === 'string' ? result.intent : '',
    noGoodHint: result?.no_good_hint === true,
  };
}

/** Both answers name the same, non-empty intent: the hints shown still stand. */
function sameIntent(shown: HintsState, next: HintsState & { status: 'ready' }): boolean {
  return shown.status === 'ready' && next.intent !== '' && shown.intent === next.intent;
}

/** The hint's calibrated probability as a whole percentage, or null when the server sent none. */
export function hintPercent(hint: Hint): number | null {
  const probability = hint.probability;
  if (typeof probability !== 'number' || !Number.isFinite(probability)) return null;
  return Math.round(Math.max(0, Math.min(1, probability)) * 100);
}

interface HintListProps {
  items: Hint[];
  query: string;
  onUse: (answer: string) => void;
  isAdmin: boolean;
  learning: Learning;
}

function HintList({ items, query, onUse, isAdmin, learning }: HintListProps) {
  const { t } = useI18n();
  return (
    <ul className="hints__list">
      {items.map((hint, index) => (
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
              <HintProbability hint={hint} />
            </span>
          </button>
          {isAdmin && <LearnWording hint={hint} wording={customerWording(query)} learning={learning} />}
        </li>
      ))}
    </ul>
  );
}

function HintProbability({ hint }: { hint: Hint }) {
  const { t } = useI18n();
  const percent = hintPercent(hint);
  if (percent === null) return null;
  return (
    <span className="hint__score" title={t('hints.probabilityTip')}>
      {t('hints.probability', { percent })}
    </span>
  );
}

/** Where adding a wording to an entry stands: `known` when the entry already had it (nothing was sent). */
export type LearnState =
  | { status: 'saving' }
  | { status: 'saved' }
  | { status: 'known' }
  | { status: 'error'; message: string };

type Learning = ReturnType<typeof useLearnWording>;

function learnKey(entryId: string, wording: string): string {
  return `${entryId}\n${wording}`;
}

/**
 * "Запомнить формулировку": adds the customer's wording to a hint's knowledge-base entry as one more
 * variant (the whole entry is read and PUT back, only `variants` changed). One state per entry and
 * wording; all of it is forgotten when another ticket is opened, and late answers for it are dropped.
 */
export function useLearnWording(ticketId: string, t: Translate) {
  const [states, setStates] = useState<Record<string, LearnState>>({});
  const [shownFor, setShownFor] = useState(ticketId);
  if (shownFor !== ticketId) {
    setShownFor(ticketId);
    setStates({});
  }
  const current = useRef(ticketId);
  current.current = ticketId;
  const busy = useRef(new Set<string>());
  const tRef = useRef(t);
  tRef.current = t;

  const learn = useCallback(
    async (entryId: string, wording: string) => {
      const id = ticketId;
      const key = learnKey(entryId, wording);
      const busyKey = `${id}\n${key}`;
      if (!entryId || !wording || busy.current.has(busyKey)) return;
      busy.current.add(busyKey);
      const set = (value: LearnState) => {
        if (current.current === id) setStates((all) => ({ ...all, [key]: value }));
      };
      set({ status: 'saving' });
      const fail = (message: string) => set({ status: 'error', message });
      try {
        const entry = await api.findKnowledge(entryId);
        if (!entry) return fail(tRef.current('hints.learnNotFound'));
        if (knowsWording(entry, wording)) return set({ status: 'known' });
        const { maxCount } = KB_VARIANTS;
        if (variantsOf(entry).length >= maxCount) return fail(tRef.current('hints.learnTooMany', { max: maxCount }));
        await api.updateKnowledge(entry.id, withVariant(entry, wording));
        set({ status: 'saved' });
      } catch (error) {
        fail(errorText(error, tRef.current, { 403: 'hints.learnForbidden', 404: 'hints.learnNotFound' }));
      } finally {
        busy.current.delete(busyKey);
      }
    },
    [ticketId],
  );

  const stateOf = (entryId: string, wording: string): LearnState | undefined =>
    shownFor === ticketId ? states[learnKey(entryId, wording)] : undefined;

  return { learn, stateOf };
}

function LearnWording({ hint, wording, learning }: { hint: Hint; wording: string; learning: Learning }) {
  const { t } = useI18n();
  const entryId = typeof hint.entry_id === 'string' ? hint.entry_id : '';
  // Nothing to remember without the entry (an older gateway) or without the customer's words.
  if (!entryId || !wording) return null;
  const state = learning.stateOf(entryId, wording);
  const saving = state?.status === 'saving';
  const done = state?.status === 'saved' || state?.status === 'known';
  return (
    <div className="hint__learn" aria-busy={saving}>
      <button
        type="button"
        className="btn btn--small btn--ghost hint__learn-button"
        title={t('hints.learnTip')}
        disabled={saving || done}
        onClick={() => void learning.learn(entryId, wording)}
      >
        {saving ? t('hints.learning') : t('hints.learn')}
      </button>
      <span className="hint__learn-status" aria-live="polite">
        {state?.status === 'saved' && <span className="hint__learned">{t('hints.learned')}</span>}
        {state?.status === 'known' && <span className="muted">{t('hints.learnKnown')}</span>}
      </span>
      {state?.status === 'error' && (
        <p className="alert alert--error hint__learn-error" role="alert">
          {state.message}
        </p>
      )}
    </div>
  );
}
