import { LOCALES, useI18n, type Locale } from '../i18n';
import type { LiveStatus } from '../live';
import type { OperatorPublic } from '../types';

export type View = 'tickets' | 'knowledge' | 'stats' | 'operators' | 'templates';

export interface TopBarProps {
  me: OperatorPublic;
  view: View;
  onView: (view: View) => void;
  liveStatus: LiveStatus;
  onLogout: () => void;
}

export function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t('app.language')}>
      {LOCALES.map((code: Locale) => (
        <button
          key={code}
          type="button"
          className={`lang-switch__button${code === locale ? ' is-active' : ''}`}
          aria-pressed={code === locale}
          lang={code}
          onClick={() => setLocale(code)}
        >
          {code.toUpperCase()}
        </button>
      ))}
    </div>
  );
}

export function TopBar({ me, view, onView, liveStatus, onLogout }: TopBarProps) {
  const { t } = useI18n();
  return (
    <header className="topbar">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <div className="topbar__brand">
        <span className="logo" aria-hidden="true">
          T1
        </span>
        <span className="topbar__name">{t('app.name')}</span>
      </div>
      <nav className="topbar__nav" aria-label={t('app.sections')}>
        <button type="button" className={`topbar__link${view === 'tickets' ? ' is-active' : ''}`} aria-current={view === 'tickets' ? 'page' : undefined} onClick={() => onView('tickets')}>
          {t('nav.tickets')}
        </button>
        <button type="button" className={`topbar__link${view === 'knowledge' ? ' is-active' : ''}`} aria-current={view === 'knowledge' ? 'page' : undefined} onClick={() => onView('knowledge')}>
          {t('nav.knowledge')}
        </button>
        <button type="button" className={`topbar__link${view === 'stats' ? ' is-active' : ''}`} aria-current={view === 'stats' ? 'page' : undefined} onClick={() => onView('stats')}>
          {t('nav.stats')}
        </button>
        {me.role === 'admin' && (
          <button type="button" className={`topbar__link${view === 'templates' ? ' is-active' : ''}`} aria-current={view === 'templates' ? 'page' : undefined} onClick={() => onView('templates')}>
            {t('nav.templates')}
          </button>
        )}
        {me.role === 'admin' && (
          <button type="button" className={`topbar__link${view === 'operators' ? ' is-active' : ''}`} aria-current={view === 'operators' ? 'page' : undefined} onClick={() => onView('operators')}>
            {t('nav.operators')}
          </button>
        )}
      </nav>
      <div className="topbar__right">
        <span className={`live live--${liveStatus}`} role="status" title={t(`live.${liveStatus}Hint`)}>
          <span className="live__dot" aria-hidden="true" />
          {t(`live.${liveStatus}`)}
        </span>
        <LanguageSwitch />
        <span className="topbar__me">
          <span className="topbar__me-name">{me.display_name || me.username}</span>
          <span className="muted"> · {t(`role.${me.role}`)}</span>
        </span>
        <button type="button" className="btn btn--ghost btn--small" onClick={onLogout}>
          {t('app.logout')}
        </button>
      </div>
    </header>
  );
}
