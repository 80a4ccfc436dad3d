import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, api, errorText } from '../api';
import { useI18n } from '../i18n';
import {
  emptyEntry,
  hasErrors,
  KB_FIELDS,
  KB_FORM_FIELDS,
  KB_LIMITS,
  KB_VARIANTS,
  normalizeEntry,
  saveErrors,
  searchEntries,
  subcategoriesOf,
  upsertEntry,
  validateEntry,
  variantsFromText,
  variantsOf,
  variantsToText,
  withCurrent,
  type FieldErrors,
  type KbField,
  type KbFormField,
} from '../knowledge';
import type { LoadStatus } from '../state';
import type { CategoryPublic, KnowledgeEntryInput, KnowledgeEntryPublic } from '../types';

export interface KnowledgePageProps {
  isAdmin: boolean;
  categories: readonly CategoryPublic[];
  /** The knowledge base changed (categories may have too). */
  onChanged: () => void;
  pageSize?: number;
}

const PAGE_SIZE = 50;

interface ListState {
  entries: KnowledgeEntryPublic[];
  nextCursor: string | null;
  status: LoadStatus;
  loadingMore: boolean;
  error: string | null;
}

const LOADING: ListState = { entries: [], nextCursor: null, status: 'loading', loadingMore: false, error: null };

function shorten(text: string, limit = 80): string {
  const chars = Array.from(text);
  return chars.length > limit ? `${chars.slice(0, limit - 1).join('')}…` : text;
}

/** "База знаний": everyone reads the entries behind hints; admins add, edit and delete them. */
export function KnowledgePage({ isAdmin, categories, onChanged, pageSize = PAGE_SIZE }: KnowledgePageProps) {
  const { t } = useI18n();
  const ids = useId();
  const [category, setCategory] = useState('');
  const [search, setSearch] = useState('');
  const [list, setList] = useState<ListState>(LOADING);
  /** null: no form; 'new': the create form; else the id of the entry being edited. */
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [deletingId, setDeletingId] = useState<string | null>(null);
  const version = useRef(0);
  const sentinel = useRef<HTMLDivElement>(null);
  const listRef = useRef(list);
  listRef.current = list;

  const load = useCallback(
    (cursor: string | null) => {
      const current = version.current;
      api
        .listKnowledge({ category: category || undefined, cursor, limit: pageSize })
        .then((page) => {
          if (current !== version.current) return;
          setList((previous) => {
            const known = new Set(cursor ? previous.entries.map((entry) => entry.id) : []);
            const items = page.items.filter((entry) => !known.has(entry.id));
            return {
              entries: cursor ? [...previous.entries, ...items] : items,
              nextCursor: page.next_cursor,
              status: 'ready',
              loadingMore: false,
              error: null,
            };
          });
        })
        .catch((error: unknown) => {
          if (current !== version.current) return;
          setList((previous) => ({ ...previous, status: 'error', loadingMore: false, error: errorText(error, t) }));
        });
    },
    [category, pageSize, t],
  );

  // A new category filter starts again from the first page (late pages of the old filter are dropped).
  useEffect(() => {
    version.current += 1;
    setList(LOADING);
    load(null);
  }, [category, pageSize]);

  const loadMore = useCallback(() => {
    const current = listRef.current;
    if (current.loadingMore || !current.nextCursor || current.status !== 'ready') return;
    setList({ ...current, loadingMore: true });
    load(current.nextCursor);
  }, [load]);

  const retry = () => {
    const current = listRef.current;
    if (current.entries.length && current.nextCursor) {
      setList({ ...current, status: 'ready', loadingMore: true, error: null });
      load(current.nextCursor);
    } else {
      version.current += 1;
      setList(LOADING);
      load(null);
    }
  };

  // Infinite scroll, only while not searching (a search would otherwise pull in the whole base).
  const canAutoLoad = !search.trim() && list.nextCursor !== null && list.status === 'ready' && !list.loadingMore;
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !canAutoLoad || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    }, { rootMargin: '300px' });
    observer.observe(target);
    return () => observer.disconnect();
  }, [canAutoLoad, loadMore, list.entries.length]);

  const shown = useMemo(() => searchEntries(list.entries, search), [list.entries, search]);
  const categoryOptions = withCurrent(
    categories.map((item) => item.name),
    category,
  );
  const suggestions = useMemo(
    () => ({
      priority: [...new Set(list.entries.map((entry) => entry.priority).filter(Boolean))].sort(),
      audience: [...new Set(list.entries.map((entry) => entry.audience).filter(Boolean))].sort(),
    }),
    [list.entries],
  );

  const saved = (entry: KnowledgeEntryPublic, message: string) => {
    setList((previous) => ({ ...previous, entries: upsertEntry(previous.entries, entry, category) }));
    setEditing(null);
    setNotice(message);
    onChanged();
  };

  const create = async (input: KnowledgeEntryInput) => saved(await api.createKnowledge(input), t('kb.created'));
  const update = async (id: string, input: KnowledgeEntryInput) => saved(await api.updateKnowledge(id, input), t('kb.saved'));

  const remove = async (entry: KnowledgeEntryPublic) => {
    if (!window.confirm(t('kb.deleteConfirm', { question: shorten(entry.question) }))) return;
    setDeletingId(entry.id);
    setRowError(null);
    setNotice(null);
    try {
      await api.deleteKnowledge(entry.id);
      setNotice(t('kb.deleted'));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        setRowError(errorText(error, t, { 403: 'kb.forbidden' }));
        return;
      }
      setRowError(t('kb.notFound'));
    } finally {
      setDeletingId(null);
    }
    setList((previous) => ({ ...previous, entries: previous.entries.filter((item) => item.id !== entry.id) }));
    if (editing === entry.id) setEditing(null);
    onChanged();
  };

  const startEditing = (id: string) => {
    setEditing(id);
    setNotice(null);
    setRowError(null);
  };

  return (
    <main className="admin kb" id="main">
      <div className="admin__content">
        <div className="kb__head">
          <h1 className="admin__title">{t('kb.title')}</h1>
          {isAdmin && editing !== 'new' && (
            <button type="button" className="btn btn--primary" onClick={() => startEditing('new')}>
              {t('kb.new')}
            </button>
          )}
        </div>
        {!isAdmin && <p className="muted">{t('kb.readOnly')}</p>}

        {isAdmin && editing === 'new' && (
          <KnowledgeForm
            title={t('kb.newTitle')}
            submitLabel={t('kb.create')}
            initial={emptyEntry(category)}
            categories={categories}
            suggestions={suggestions}
            onSubmit={create}
            onCancel={() => setEditing(null)}
          />
        )}

        <div aria-live="polite">{notice && <p className="alert alert--ok">{notice}</p>}</div>

        <section className="card" aria-labelledby={`${ids}-list`}>
          <h2 id={`${ids}-list`} className="visually-hidden">
            {t('kb.list')}
          </h2>
          <form className="kb__filters" role="search" onSubmit={(event) => event.preventDefault()}>
            <div className="field">
              <label htmlFor={`${ids}-category`}>{t('kb.category')}</label>
              <select id={`${ids}-category`} value={category} onChange={(event) => setCategory(event.target.value)}>
                <option value="">{t('common.allCategories')}</option>
                {categoryOptions.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field kb__search">
              <label htmlFor={`${ids}-search`}>{t('kb.search')}</label>
              <input
                id={`${ids}-search`}
                type="search"
                value={search}
                placeholder={t('kb.searchPlaceholder')}
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

          <div aria-busy={list.status === 'loading' || list.loadingMore}>
            {list.status === 'loading' && <p className="placeholder">{t('common.loading')}</p>}
            {list.status !== 'loading' && search.trim() && list.entries.length > 0 && (
              <p className="muted small" role="status">
                {t('kb.shown', { shown: shown.length, loaded: list.entries.length })}
              </p>
            )}
            {list.status === 'ready' && shown.length === 0 && (
              <p className="placeholder">{list.entries.length === 0 && !search.trim() ? t('kb.empty') : t('kb.nothingFound')}</p>
            )}
            <ul className="kb__list">
              {shown.map((entry) =>
                editing === entry.id && isAdmin ? (
                  <li key={entry.id}>
                    <KnowledgeForm
                      title={t('kb.editTitle')}
                      submitLabel={t('common.save')}
                      initial={entry}
                      categories={categories}
                      suggestions={suggestions}
                      onSubmit={(input) => update(entry.id, input)}
                      onCancel={() => setEditing(null)}
                    />
                  </li>
                ) : (
                  <li key={entry.id}>
                    <KnowledgeEntryView
                      entry={entry}
                      isAdmin={isAdmin}
                      deleting={deletingId === entry.id}
                      onEdit={() => startEditing(entry.id)}
                      onDelete={() => void remove(entry)}
                    />
                  </li>
                ),
              )}
            </ul>
            {list.status === 'error' && (
              <div className="alert alert--error" role="alert">
                {list.error}{' '}
                <button type="button" className="btn btn--small" onClick={retry}>
                  {t('common.retry')}
                </button>
              </div>
            )}
            <div ref={sentinel} className="queue__sentinel" />
            {list.nextCursor && list.status === 'ready' && (
              <button type="button" className="btn btn--ghost kb__more" onClick={loadMore} disabled={list.loadingMore}>
                {list.loadingMore ? t('common.loading') : t('kb.loadMore')}
              </button>
            )}
          </div>
        </section>
      </div>
    </main>
  );
}

interface KnowledgeEntryViewProps {
  entry: KnowledgeEntryPublic;
  isAdmin: boolean;
  deleting: boolean;
  onEdit: () => void;
  onDelete: () => void;
}

function KnowledgeEntryView({ entry, isAdmin, deleting, onEdit, onDelete }: KnowledgeEntryViewProps) {
  const { t } = useI18n();
  const ids = useId();
  const [showVariants, setShowVariants] = useState(false);
  const question = shorten(entry.question);
  const variants = variantsOf(entry);
  const count = t('kb.variantsCount', { count: variants.length });
  return (
    <article className="kb-entry">
      <h3 className="kb-entry__question">{entry.question}</h3>
      <p className="kb-entry__answer">{entry.answer}</p>
      <div className="kb-entry__meta">
        <span className="chip chip--category">{[entry.category, entry.subcategory].filter(Boolean).join(' › ')}</span>
        {entry.priority && <span className="tag tag--small">{t('kb.priorityValue', { value: entry.priority })}</span>}
        {entry.audience && <span className="tag tag--small">{t('kb.audienceValue', { value: entry.audience })}</span>}
        {variants.length > 0 ? (
          <button
            type="button"
            className="tag tag--small kb-entry__variants-toggle"
            aria-expanded={showVariants}
            aria-controls={`${ids}-variants`}
            onClick={() => setShowVariants((value) => !value)}
          >
            {count} <span aria-hidden="true">{showVariants ? '▴' : '▾'}</span>
          </button>
        ) : (
          <span className="tag tag--small">{count}</span>
        )}
        {isAdmin && (
          <span className="kb-entry__actions">
            <button type="button" className="btn btn--small btn--ghost" aria-label={t('kb.editAria', { question })} onClick={onEdit}>
              {t('kb.edit')}
            </button>
            <button
              type="button"
              className="btn btn--small btn--danger"
              aria-label={t('kb.deleteAria', { question })}
              disabled={deleting}
              onClick={onDelete}
            >
              {deleting ? t('kb.deleting') : t('kb.delete')}
            </button>
          </span>
        )}
      </div>
      {showVariants && variants.length > 0 && (
        <ul id={`${ids}-variants`} className="kb-entry__variants" aria-label={t('kb.variants')}>
          {variants.map((variant, index) => (
            <li key={`${index}-${variant}`}>{variant}</li>
          ))}
        </ul>
      )}
    </article>
  );
}

export interface KnowledgeFormProps {
  title: string;
  submitLabel: string;
  initial: KnowledgeEntryInput;
  categories: readonly CategoryPublic[];
  suggestions?: { priority: string[]; audience: string[] };
  /** Saves the (trimmed, checked) entry; a thrown error is shown on the form. */
  onSubmit: (input: KnowledgeEntryInput) => Promise<void>;
  onCancel: () => void;
}

const MULTILINE: ReadonlySet<KbField> = new Set(['question', 'answer']);

/** Create or edit one entry: the form's own checks first, then the server's 422 next to the fields. */
export function KnowledgeForm({ title, submitLabel, initial, categories, suggestions, onSubmit, onCancel }: KnowledgeFormProps) {
  const { t } = useI18n();
  const ids = useId();
  const [values, setValues] = useState<Record<KbField, string>>(() => ({
    category: initial.category,
    subcategory: initial.subcategory,
    question: initial.question,
    answer: initial.answer,
    priority: initial.priority,
    audience: initial.audience,
  }));
  /** The variants, one per line. */
  const [variantsText, setVariantsText] = useState(() => variantsToText(variantsOf(initial)));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const lists: Partial<Record<KbField, string[]>> = {
    category: categories.map((item) => item.name),
    subcategory: subcategoriesOf(categories, values.category.trim()),
    priority: suggestions?.priority ?? [],
    audience: suggestions?.audience ?? [],
  };

  const clearError = (field: KbFormField) => {
    if (errors[field]) setErrors((previous) => ({ ...previous, [field]: undefined }));
  };
  const change = (field: KbField, value: string) => {
    setValues((previous) => ({ ...previous, [field]: value }));
    clearError(field);
  };
  const changeVariants = (value: string) => {
    setVariantsText(value);
    clearError('variants');
  };

  // The first field with an error gets the focus once the form is enabled again (after the render).
  const pendingFocus = useRef<KbFormField | null>(null);
  const focusFirstError = (found: FieldErrors) => {
    pendingFocus.current = KB_FORM_FIELDS.find((field) => found[field]) ?? null;
  };
  useEffect(() => {
    const field = pendingFocus.current;
    if (busy || !field) return;
    pendingFocus.current = null;
    formRef.current?.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const entry: KnowledgeEntryInput = { ...values, variants: variantsFromText(variantsText) };
    const found = validateEntry(entry, t);
    setGeneral(null);
    setErrors(found);
    if (hasErrors(found)) {
      focusFirstError(found);
      return;
    }
    setBusy(true);
    try {
      await onSubmit(normalizeEntry(entry));
    } catch (error) {
      const result = saveErrors(error, t);
      setErrors(result.fields);
      setGeneral(result.general);
      focusFirstError(result.fields);
    } finally {
      setBusy(false);
    }
  };

  const invalid = hasErrors(errors);

  return (
    <section className="card kb-form" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="card__title">
        {title}
      </h2>
      <form ref={formRef} className="kb-form__grid" onSubmit={submit} noValidate>
        {KB_FIELDS.map((field) => {
          const id = `${ids}-${field}`;
          const error = errors[field];
          const options = lists[field];
          const common = {
            id,
            name: field,
            value: values[field],
            disabled: busy,
            required: KB_LIMITS[field].min > 0,
            maxLength: KB_LIMITS[field].max,
            'aria-invalid': error ? true : undefined,
            'aria-describedby': error ? `${id}-error` : undefined,
          } as const;
          return (
            <div key={field} className={`field kb-form__field kb-form__field--${field}`}>
              <label htmlFor={id}>{t(`kb.field.${field}`)}</label>
              {MULTILINE.has(field) ? (
                <textarea {...common} rows={field === 'answer' ? 6 : 2} onChange={(event) => change(field, event.target.value)} />
              ) : (
                <input
                  {...common}
                  list={options && options.length ? `${id}-options` : undefined}
                  autoComplete="off"
                  onChange={(event) => change(field, event.target.value)}
                />
              )}
              {options && options.length > 0 && (
                <datalist id={`${id}-options`}>
                  {options.map((option) => (
                    <option key={option} value={option} />
                  ))}
                </datalist>
              )}
              {error && (
                <span className="field__error" id={`${id}-error`}>
                  {error}
                </span>
              )}
            </div>
          );
        })}
        <VariantsField
          id={`${ids}-variants`}
          value={variantsText}
          error={errors.variants}
          disabled={busy}
          onChange={changeVariants}
        />
        {(invalid || general) && (
          <div className="kb-form__errors" role="alert">
            {invalid && <p className="alert alert--error">{t('kb.fixFields')}</p>}
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

interface VariantsFieldProps {
  id: string;
  value: string;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: string) => void;
}

/** "Другие формулировки": a textarea with one phrasing per line. */
function VariantsField({ id, value, error, disabled, onChange }: VariantsFieldProps) {
  const { t } = useI18n();
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field kb-form__field kb-form__field--variants">
      <label htmlFor={id}>{t('kb.field.variants')}</label>
      <textarea
        id={id}
        name="variants"
        rows={4}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
      />
      <span className="field__hint" id={`${id}-hint`}>
        {t('kb.variantsRule', { max: KB_VARIANTS.maxCount, length: KB_VARIANTS.maxLength })}
      </span>
      {error && (
        <span className="field__error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
