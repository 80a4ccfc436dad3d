import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { LOCALES, useI18n, type Locale, type MessageKey } from '../i18n';
import type { LiveStatus } from '../live';
import { viewPath, type View } from '../routes';
import type { OperatorPublic } from '../types';

export type { View } from '../routes';

export interface TopBarProps {
  me: OperatorPublic;
  view: View;
  /** The ticket open on the tickets page: its link goes back to it. */
  openTicketId?: string | null;
  liveStatus: LiveStatus;
  onLogout: () => void;
  /** The alerts' switch (sound, desktop notifications). */
  alerts?: ReactNode;
}

const SECTIONS: readonly { view: View; label: MessageKey; adminOnly?: boolean }[] = [
  { view: 'tickets', label: 'nav.tickets' },
  { view: 'knowledge', label: 'nav.knowledge' },
  { view: 'stats', label: 'nav.stats' },
  { view: 'templates', label: 'nav.templates', adminOnly: true },
  { view: 'operators', label: 'nav.operators', adminOnly: true },
];

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

export function TopBar({ me, view, openTicketId, liveStatus, onLogout, alerts }: TopBarProps) {
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
        {SECTIONS.filter((section) => !section.adminOnly || me.role === 'admin').map((section) => (
          <Link
            key={section.view}
            to={viewPath(section.view, openTicketId ?? null)}
            className={`topbar__link${view === section.view ? ' is-active' : ''}`}
            aria-current={view === section.view ? 'page' : undefined}
          >
            {t(section.label)}
          </Link>
        ))}
      </nav>
      <div className="topbar__right">
        <span className={`live live--${liveStatus}`} role="status" title={t(`live.${liveStatus}Hint`)}>
          <span className="live__dot" aria-hidden="true" />
          {t(`live.${liveStatus}`)}
        </span>
        {alerts}
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
