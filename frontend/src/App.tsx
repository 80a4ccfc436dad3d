import { useCallback, useEffect, useState } from 'react';
import { BrowserRouter } from 'react-router';
import { ApiError, api, errorText } from './api';
import { I18nProvider, useI18n } from './i18n';
import { LoginScreen } from './components/LoginScreen';
import { Workspace } from './components/Workspace';
import type { OperatorPublic } from './types';

type Session =
  | { status: 'checking' }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'unreachable'; message: string }
  | { status: 'ready'; me: OperatorPublic };

function Root() {
  const { t } = useI18n();
  const [session, setSession] = useState<Session>(() =>
    api.hasSession() ? { status: 'checking' } : { status: 'anonymous', expired: false },
  );

  const loadMe = useCallback(async () => {
    try {
      const me = await api.me();
      setSession({ status: 'ready', me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setSession({ status: 'anonymous', expired: true });
      } else {
        setSession({ status: 'unreachable', message: errorText(error, t) });
      }
    }
  }, [t]);

  useEffect(() => {
    api.onAuthLost = () => setSession({ status: 'anonymous', expired: true });
    if (api.hasSession()) void loadMe();
    return () => {
      api.onAuthLost = null;
    };
  }, []);

  const logout = useCallback(() => {
    setSession({ status: 'anonymous', expired: false });
    void api.logout();
  }, []);

  switch (session.status) {
    case 'checking':
      return (
        <main className="splash" id="main">
          <p className="muted">{t('common.loading')}</p>
        </main>
      );
    case 'unreachable':
      return (
        <main className="splash" id="main">
          <p className="alert alert--error" role="alert">
            {session.message}
          </p>
          <button type="button" className="btn btn--primary" onClick={() => void loadMe()}>
            {t('common.retry')}
          </button>
        </main>
      );
    case 'anonymous':
      return <LoginScreen onLoggedIn={loadMe} notice={session.expired ? t('login.expired') : null} />;
    case 'ready':
      return <Workspace key={session.me.id} me={session.me} onLogout={logout} />;
  }
}

export function App() {
  return (
    <BrowserRouter>
      <I18nProvider>
        <Root />
      </I18nProvider>
    </BrowserRouter>
  );
}
