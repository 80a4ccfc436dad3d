import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../api';
import { useI18n } from '../i18n';
import { LanguageSwitch } from './TopBar';

export interface LoginScreenProps {
  onLoggedIn: () => Promise<void>;
  /** Why the operator is here again (session expired), or null. */
  notice: string | null;
}

export function LoginScreen({ onLoggedIn, notice }: LoginScreenProps) {
  const { t } = useI18n();
  const ids = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rateLimited, setRateLimited] = useState(false);
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const waitSeconds = Math.max(0, Math.ceil((waitUntil - now) / 1000));

  // Count down a 429's Retry-After.
  useEffect(() => {
    if (waitUntil <= Date.now()) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy || waitSeconds > 0) return;
    setBusy(true);
    setError(null);
    setRateLimited(false);
    try {
      await api.login(username.trim(), password);
      await onLoggedIn();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 429) {
        const seconds = caught.retryAfter ?? 60;
        setWaitUntil(Date.now() + seconds * 1000);
        setNow(Date.now());
        setRateLimited(true);
        setError(t('login.tooMany', { seconds }));
      } else {
        setError(errorText(caught, t, { 401: 'login.wrong', 422: 'login.wrong' }));
      }
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login" id="main">
      <div className="login__lang">
        <LanguageSwitch />
      </div>
      <form className="login__card" onSubmit={submit} aria-labelledby={`${ids}-title`}>
        <div className="login__brand">
          <span className="logo logo--large" aria-hidden="true">
            T1
          </span>
          <div>
            <h1 id={`${ids}-title`} className="login__title">
              {t('app.name')}
            </h1>
            <p className="muted">{t('login.subtitle')}</p>
          </div>
        </div>
        {notice && (
          <p className="alert alert--info" role="status">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor={`${ids}-username`}>{t('login.username')}</label>
          <input
            id={`${ids}-username`}
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            autoComplete="username"
            autoFocus
            required
            maxLength={64}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-password`}>{t('login.password')}</label>
          <input
            id={`${ids}-password`}
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            autoComplete="current-password"
            required
            maxLength={256}
          />
        </div>
        {error && !(rateLimited && waitSeconds === 0) && (
          <p className="alert alert--error" role="alert">
            {rateLimited ? t('login.tooMany', { seconds: waitSeconds }) : error}
          </p>
        )}
        <button type="submit" className="btn btn--primary btn--block" disabled={busy || waitSeconds > 0}>
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
