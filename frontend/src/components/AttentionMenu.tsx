import { useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import type { AttentionApi } from '../useAttention';
import { Icon } from './Icon';

/** The top bar's bell: opt in to a sound and desktop notifications for new tickets and my customers' messages. */
export function AttentionMenu({ attention }: { attention: AttentionApi }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const { prefs, permission } = attention;
  const on = prefs.sound || prefs.desktop;

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  return (
    <div className="attention" ref={root}>
      <button
        type="button"
        className={`btn btn--ghost btn--small attention__toggle${on ? ' is-on' : ''}`}
        aria-expanded={open}
        aria-controls={panelId}
        title={t('attention.title')}
        onClick={() => setOpen((value) => !value)}
      >
        <Icon name={on ? 'bell' : 'bell-off'} size={17} />
        <span className="visually-hidden">{t('attention.title')}</span>
      </button>
      {open && (
        <div id={panelId} className="attention__panel card" role="group" aria-label={t('attention.title')}>
          <label className="attention__option">
            <input type="checkbox" checked={prefs.sound} onChange={(event) => attention.setSound(event.target.checked)} />
            {t('attention.sound')}
          </label>
          <label className="attention__option">
            <input
              type="checkbox"
              checked={prefs.desktop && permission === 'granted'}
              disabled={permission === 'unsupported' || permission === 'denied'}
              onChange={(event) => void attention.setDesktop(event.target.checked)}
            />
            {t('attention.desktop')}
          </label>
          {permission === 'denied' && <p className="muted small">{t('attention.denied')}</p>}
          {permission === 'unsupported' && <p className="muted small">{t('attention.unsupported')}</p>}
          <p className="muted small">{t('attention.hint')}</p>
        </div>
      )}
    </div>
  );
}
