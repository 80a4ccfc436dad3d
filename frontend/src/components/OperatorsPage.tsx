import { useId, useState, type FormEvent } from 'react';
import { api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { OperatorPublic, Role } from '../types';

export interface OperatorsPageProps {
  me: OperatorPublic;
  operators: OperatorPublic[];
  loading: boolean;
  error: string | null;
  onChanged: () => void;
}

/** Admins: the operator accounts (there is no sign-up). */
export function OperatorsPage({ me, operators, loading, error, onChanged }: OperatorsPageProps) {
  const { t, fmt } = useI18n();
  const [rowError, setRowError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [passwordFor, setPasswordFor] = useState<string | null>(null);

  const update = async (operator: OperatorPublic, changes: Parameters<typeof api.updateOperator>[1]) => {
    setBusyId(operator.id);
    setRowError(null);
    try {
      await api.updateOperator(operator.id, changes);
      onChanged();
      return true;
    } catch (caught) {
      setRowError(errorText(caught, t));
      return false;
    } finally {
      setBusyId(null);
    }
  };

  return (
    <main className="admin" id="main">
      <div className="admin__content">
        <h1 className="admin__title">{t('operators.title')}</h1>
        <CreateOperatorForm onCreated={onChanged} />

        <section className="card" aria-labelledby="operators-list-title">
          <h2 id="operators-list-title" className="card__title">
            {t('operators.list')}
          </h2>
          {error && (
            <p className="alert alert--error" role="alert">
              {error}
            </p>
          )}
          {rowError && (
            <p className="alert alert--error" role="alert">
              {rowError}
            </p>
          )}
          {loading && operators.length === 0 ? (
            <p className="muted">{t('common.loading')}</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('operators.username')}</th>
                    <th scope="col">{t('operators.displayName')}</th>
                    <th scope="col">{t('operators.role')}</th>
                    <th scope="col">{t('operators.state')}</th>
                    <th scope="col">{t('operators.created')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('operators.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {operators.map((operator) => {
                    const self = operator.id === me.id;
                    const busy = busyId === operator.id;
                    return (
                      <tr key={operator.id} className={operator.active ? undefined : 'is-inactive'}>
                        <td className="mono">
                          {operator.username}
                          {self && <span className="muted"> ({t('common.you')})</span>}
                        </td>
                        <td>{operator.display_name || <span className="muted">—</span>}</td>
                        <td>
                          <label className="visually-hidden" htmlFor={`role-${operator.id}`}>
                            {t('operators.roleOf', { name: operator.username })}
                          </label>
                          <select
                            id={`role-${operator.id}`}
                            value={operator.role}
                            disabled={self || busy}
                            onChange={(event) => void update(operator, { role: event.target.value as Role })}
                          >
                            <option value="operator">{t('role.operator')}</option>
                            <option value="admin">{t('role.admin')}</option>
                          </select>
                        </td>
                        <td>
                          <span className={`badge ${operator.active ? 'badge--ok' : 'badge--off'}`}>
                            {operator.active ? t('operators.active') : t('operators.inactive')}
                          </span>
                        </td>
                        <td>{fmt.dateTime(operator.created_at)}</td>
                        <td className="table__actions">
                          <button
                            type="button"
                            className="btn btn--small btn--ghost"
                            aria-expanded={passwordFor === operator.id}
                            onClick={() => setPasswordFor((current) => (current === operator.id ? null : operator.id))}
                          >
                            {t('operators.setPassword')}
                          </button>
                          {!self && (
                            <button
                              type="button"
                              className={`btn btn--small ${operator.active ? 'btn--danger' : ''}`}
                              disabled={busy}
                              onClick={() => void update(operator, { active: !operator.active })}
                            >
                              {operator.active ? t('operators.deactivate') : t('operators.reactivate')}
                            </button>
                          )}
                          {passwordFor === operator.id && (
                            <PasswordForm
                              name={operator.username}
                              busy={busy}
                              onSubmit={async (password) => {
                                if (await update(operator, { password })) setPasswordFor(null);
                              }}
                            />
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>
    </main>
  );
}

function PasswordForm({ name, busy, onSubmit }: { name: string; busy: boolean; onSubmit: (password: string) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [password, setPassword] = useState('');
  return (
    <form
      className="inline-input password-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(password);
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        {t('operators.newPasswordFor', { name })}
      </label>
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        minLength={8}
        maxLength={256}
        required
        value={password}
        placeholder={t('operators.newPassword')}
        onChange={(event) => setPassword(event.target.value)}
        autoFocus
      />
      <button type="submit" className="btn btn--small btn--primary" disabled={busy || password.length < 8}>
        {t('common.save')}
      </button>
    </form>
  );
}

function CreateOperatorForm({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const ids = useId();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const operator = await api.createOperator({ username: username.trim(), password, display_name: displayName.trim(), role });
      setCreated(operator.username);
      setUsername('');
      setDisplayName('');
      setPassword('');
      setRole('operator');
      onCreated();
    } catch (caught) {
      setError(errorText(caught, t, { 409: 'operators.exists' }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="card__title">
        {t('operators.create')}
      </h2>
      <form className="create-operator" onSubmit={submit}>
        <div className="field">
          <label htmlFor={`${ids}-username`}>{t('operators.username')}</label>
          <input
            id={`${ids}-username`}
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            required
            minLength={2}
            maxLength={64}
            pattern="[A-Za-z0-9_.\-]+"
            title={t('operators.usernameRule')}
            autoComplete="off"
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-display`}>{t('operators.displayName')}</label>
          <input id={`${ids}-display`} value={displayName} onChange={(event) => setDisplayName(event.target.value)} maxLength={128} />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-password`}>{t('operators.password')}</label>
          <input
            id={`${ids}-password`}
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            minLength={8}
            maxLength={256}
            autoComplete="new-password"
            aria-describedby={`${ids}-password-rule`}
          />
          <span id={`${ids}-password-rule`} className="field__hint">
            {t('operators.passwordRule')}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-role`}>{t('operators.role')}</label>
          <select id={`${ids}-role`} value={role} onChange={(event) => setRole(event.target.value as Role)}>
            <option value="operator">{t('role.operator')}</option>
            <option value="admin">{t('role.admin')}</option>
          </select>
        </div>
        <div className="create-operator__submit">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? t('common.saving') : t('operators.createButton')}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {created && <p className="alert alert--ok">{t('operators.createdOk', { name: created })}</p>}
      </div>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
