import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { LoadStatus } from '../state';
import {
  codePoints,
  normalizeTemplate,
  rankTemplates,
  TEMPLATE_FIELDS,
  TEMPLATE_LIMITS,
  TEMPLATE_VARIABLES,
  templateSaveErrors,
  upsertTemplate,
  validateTemplate,
  type TemplateErrors,
  type TemplateField,
} from '../templates';
import type { CategoryPublic, TemplateInput, TemplatePublic } from '../types';
import { invalidateTemplates } from '../useTemplates';

export interface TemplatesPageProps {
  categories: readonly CategoryPublic[];
}

const EMPTY: TemplateInput = { title: '', text: '', category: '' };

function shorten(text: string, limit = 60): string {
  const chars = Array.from(text);
  return chars.length > limit ? `${chars.slice(0, limit - 1).join('')}…` : text;
}

/** «Шаблоны ответов» (admins): the canned replies operators insert with `/` in the reply box. */
export function TemplatesPage({ categories }: TemplatesPageProps) {
  const { t, fmt } = useI18n();
  const ids = useId();
  const [templates, setTemplates] = useState<TemplatePublic[]>([]);
  const [status, setStatus] = useState<LoadStatus>('loading');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  /** null: no form; 'new': the create form; else the id of the template being edited. */
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [deletingId, setDeletingId] = useState<string | null>(null);

  const load = () => {
    setStatus('loading');
    api
      .listTemplates()
      .then((list) => {
        setTemplates(list);
        setStatus('ready');
        setLoadError(null);
      })
      .catch((error: unknown) => {
        setStatus('error');
        setLoadError(errorText(error, t));
      });
  };
  useEffect(load, []);

  const shown = useMemo(() => rankTemplates(templates, search), [templates, search]);

  const saved = (template: TemplatePublic, message: string) => {
    setTemplates((list) => upsertTemplate(list, template));
    setEditing(null);
    setNotice(message);
    invalidateTemplates();
  };
  const create = async (input: TemplateInput) => saved(await api.createTemplate(input), t('templates.created'));
  const update = async (id: string, input: TemplateInput) => saved(await api.updateTemplate(id, input), t('templates.saved'));

  const remove = async (template: TemplatePublic) => {
    if (!window.confirm(t('templates.deleteConfirm', { title: shorten(template.title) }))) return;
    setDeletingId(template.id);
    setRowError(null);
    setNotice(null);
    try {
      await api.deleteTemplate(template.id);
      setNotice(t('templates.deleted'));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        setRowError(errorText(error, t, { 403: 'templates.forbidden' }));
        return;
      }
      setRowError(t('templates.notFound'));
    } finally {
      setDeletingId(null);
    }
    setTemplates((list) => list.filter((item) => item.id !== template.id));
    if (editing === template.id) setEditing(null);
    invalidateTemplates();
  };

  const startEditing = (id: string) => {
    setEditing(id);
    setNotice(null);
    setRowError(null);
  };

  return (
    <main className="admin templates" id="main">
      <div className="admin__content">
        <div className="kb__head">
          <h1 className="admin__title">{t('templates.title')}</h1>
          {editing !== 'new' && (
            <button type="button" className="btn btn--primary" onClick={() => startEditing('new')}>
              {t('templates.new')}
            </button>
          )}
        </div>
        <p className="muted">{t('templates.intro')}</p>
        <VariablesHelp />

        {editing === 'new' && (
          <TemplateForm
            title={t('templates.newTitle')}
            submitLabel={t('templates.create')}
            initial={EMPTY}
            categories={categories}
            onSubmit={create}
            onCancel={() => setEditing(null)}
          />
        )}

        <div aria-live="polite">{notice && <p className="alert alert--ok">{notice}</p>}</div>

        <section className="card" aria-labelledby={`${ids}-list`}>
          <h2 id={`${ids}-list`} className="visually-hidden">
            {t('templates.list')}
          </h2>
          <form className="kb__filters" role="search" onSubmit={(event) => event.preventDefault()}>
            <div className="field kb__search">
              <label htmlFor={`${ids}-search`}>{t('templates.search')}</label>
              <input
                id={`${ids}-search`}
                type="search"
                value={search}
                placeholder={t('templates.searchPlaceholder')}
                onChange={(event) => setSearch(event.target.value)}
                maxLength={200}
              />
            </div>
          </form>
          {rowError && (
            <p className="alert alert--error" role="alert">
              {rowError}
            </p>
          )}
          <div aria-busy={status === 'loading'}>
            {status === 'loading' && <p className="placeholder">{t('common.loading')}</p>}
            {status === 'error' && (
              <div className="alert alert--error" role="alert">
                {loadError}{' '}
                <button type="button" className="btn btn--small" onClick={load}>
                  {t('common.retry')}
                </button>
              </div>
            )}
            {status === 'ready' && shown.length === 0 && (
              <p className="placeholder">{templates.length === 0 ? t('templates.empty') : t('templates.nothingFound')}</p>
            )}
            <ul className="kb__list">
              {shown.map((template) =>
                editing === template.id ? (
                  <li key={template.id}>
                    <TemplateForm
                      title={t('templates.editTitle')}
                      submitLabel={t('common.save')}
                      initial={template}
                      categories={categories}
                      onSubmit={(input) => update(template.id, input)}
                      onCancel={() => setEditing(null)}
                    />
                  </li>
                ) : (
                  <li key={template.id}>
                    <article className="kb-entry">
                      <h3 className="kb-entry__question">{template.title}</h3>
                      <p className="kb-entry__answer">{template.text}</p>
                      <div className="kb-entry__meta">
                        {template.category && <span className="chip chip--category">{template.category}</span>}
                        <span className="muted small">{t('templates.updated', { when: fmt.dateTime(template.updated_at) })}</span>
                        <span className="kb-entry__actions">
                          <button
                            type="button"
                            className="btn btn--small btn--ghost"
                            aria-label={t('templates.editAria', { title: shorten(template.title) })}
                            onClick={() => startEditing(template.id)}
                          >
                            {t('templates.edit')}
                          </button>
                          <button
                            type="button"
                            className="btn btn--small btn--danger"
                            aria-label={t('templates.deleteAria', { title: shorten(template.title) })}
                            disabled={deletingId === template.id}
                            onClick={() => void remove(template)}
                          >
                            {deletingId === template.id ? t('templates.deleting') : t('templates.delete')}
                          </button>
                        </span>
                      </div>
                    </article>
                  </li>
                ),
              )}
            </ul>
          </div>
        </section>
      </div>
    </main>
  );
}

/** The variables a template may hold, with what each becomes. */
export function VariablesHelp() {
  const { t } = useI18n();
  const ids = useId();
  return (
    <section className="card templates__vars" aria-labelledby={`${ids}-vars`}>
      <h2 id={`${ids}-vars`} className="card__title">
        {t('templates.vars')}
      </h2>
      <dl className="templates__vars-list">
        {TEMPLATE_VARIABLES.map((variable) => (
          <div key={variable.name}>
            <dt>
              {variable.spellings.map((spelling, index) => (
                <span key={spelling}>
                  {index > 0 && ' '}
                  <code>{`{${spelling}}`}</code>
                </span>
              ))}
            </dt>
            <dd>{t(variable.help)}</dd>
          </div>
        ))}
      </dl>
      <p className="field__hint">{t('templates.varsUnknown')}</p>
    </section>
  );
}

export interface TemplateFormProps {
  title: string;
  submitLabel: string;
  initial: TemplateInput;
  categories: readonly CategoryPublic[];
  /** Saves the (trimmed, checked) template; a thrown error is shown on the form. */
  onSubmit: (input: TemplateInput) => Promise<void>;
  onCancel: () => void;
}

/** Create or edit one template: the form's own checks first, then the server's 422 next to the fields. */
export function TemplateForm({ title, submitLabel, initial, categories, onSubmit, onCancel }: TemplateFormProps) {
  const { t } = useI18n();
  const ids = useId();
  const [values, setValues] = useState<TemplateInput>({ title: initial.title, text: initial.text, category: initial.category });
  const [errors, setErrors] = useState<TemplateErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const change = (field: TemplateField, value: string) => {
    setValues((previous) => ({ ...previous, [field]: value }));
    if (errors[field]) setErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  // The first field with an error gets the focus once the form is enabled again (after the render).
  const pendingFocus = useRef<TemplateField | null>(null);
  const focusFirst = (found: TemplateErrors) => {
    pendingFocus.current = TEMPLATE_FIELDS.find((name) => found[name]) ?? null;
  };
  useEffect(() => {
    const name = pendingFocus.current;
    if (busy || !name) return;
    pendingFocus.current = null;
    formRef.current?.querySelector<HTMLElement>(`[name="${name}"]`)?.focus();
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = validateTemplate(values, t);
    setGeneral(null);
    setErrors(found);
    if (Object.values(found).some(Boolean)) {
      focusFirst(found);
      return;
    }
    setBusy(true);
    try {
      await onSubmit(normalizeTemplate(values));
    } catch (error) {
      const result = templateSaveErrors(error, t);
      setErrors(result.fields);
      setGeneral(result.general);
      focusFirst(result.fields);
    } finally {
      setBusy(false);
    }
  };

  const invalid = Object.values(errors).some(Boolean);
  const field = (name: TemplateField, label: string) => {
    const id = `${ids}-${name}`;
    const error = errors[name];
    const common = {
      id,
      name,
      value: values[name],
      disabled: busy,
      required: name !== 'category',
      'aria-invalid': error ? true : undefined,
      'aria-describedby': `${id}-count${error ? ` ${id}-error` : ''}`,
    } as const;
    const used = codePoints(values[name]);
    return (
      <div className={`field kb-form__field templates__field--${name}`}>
        <label htmlFor={id}>{label}</label>
        {name === 'text' ? (
          <textarea {...common} rows={6} onChange={(event) => change(name, event.target.value)} />
        ) : (
          <input
            {...common}
            list={name === 'category' && categories.length ? `${id}-options` : undefined}
            autoComplete="off"
            onChange={(event) => change(name, event.target.value)}
          />
        )}
        {name === 'category' && categories.length > 0 && (
          <datalist id={`${id}-options`}>
            {categories.map((item) => (
              <option key={item.name} value={item.name} />
            ))}
          </datalist>
        )}
        <span id={`${id}-count`} className={`field__hint${used > TEMPLATE_LIMITS[name] ? ' is-error' : ''}`}>
          {t('templates.count', { used, max: TEMPLATE_LIMITS[name] })}
        </span>
        {error && (
          <span className="field__error" id={`${id}-error`}>
            {error}
          </span>
        )}
      </div>
    );
  };

  return (
    <section className="card kb-form" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`} className="card__title">
        {title}
      </h2>
      <form ref={formRef} className="kb-form__grid" onSubmit={submit} noValidate>
        {field('title', t('templates.field.title'))}
        {field('category', t('templates.field.category'))}
        {field('text', t('templates.field.text'))}
        {(invalid || general) && (
          <div className="kb-form__errors" role="alert">
            {invalid && <p className="alert alert--error">{t('templates.fixFields')}</p>}
            {general && <p className="alert alert--error">{general}</p>}
          </div>
        )}
        <div className="kb-form__buttons">
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? t('common.saving') : submitLabel}
          </button>
          <button type="button" className="btn btn--ghost" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
