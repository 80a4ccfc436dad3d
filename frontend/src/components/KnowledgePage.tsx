import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, api, errorText, KB_QUERY_MAX } from '../api';
import { useI18n } from '../i18n';
import {
  distinctValues,
  emptyEntry,
  hasErrors,
  KB_FIELDS,
  KB_FORM_FIELDS,
  KB_LIMITS,
  KB_VARIANTS,
  NEW_OPTION,
  normalizeEntry,
  saveErrors,
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
import type { CategoryPublic, KnowledgeEntryInput, KnowledgeEntryPublic, KnowledgeFacetsPublic } from '../types';

export interface KnowledgePageProps {
  isAdmin: boolean;
  categories: readonly CategoryPublic[];
  /** The knowledge base changed (categories may have too). */
  onChanged: () => void;
  pageSize?: number;
  /** Quiet period after the last keystroke before the server is asked (Enter asks at once). */
  searchDelayMs?: number;
}

const PAGE_SIZE = 50;
export const KB_SEARCH_DELAY_MS = 300;

interface ListState {
  entries: KnowledgeEntryPublic[];
  nextCursor: string | null;
  /** Matching entries over all pages, when the server says. */
  total: number | null;
  status: LoadStatus;
  loadingMore: boolean;
  error: string | null;
}

const LOADING: ListState = { entries: [], nextCursor: null, total: null, status: 'loading', loadingMore: false, error: null };

function shorten(text: string, limit = 80): string {
  const chars = Array.from(text);
  return chars.length > limit ? `${chars.slice(0, limit - 1).join('')}…` : text;
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** The priorities and audiences to offer: those the server names (GET /kb/facets) and those of the loaded entries. */
function useFacets(entries: readonly KnowledgeEntryPublic[], version: number): { priority: string[]; audience: string[] } {
  const [facets, setFacets] = useState<KnowledgeFacetsPublic | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api
      .knowledgeFacets(controller.signal)
      .then((value) => {
        if (!controller.signal.aborted) setFacets(value);
      })
      // An older gateway without /kb/facets: the loaded entries' values only.
      .catch(() => undefined);
    return () => controller.abort();
  }, [version]);
  return useMemo(() => {
    const list = (values: unknown) => (Array.isArray(values) ? values.filter((item): item is string => typeof item === 'string') : []);
    return {
      priority: distinctValues([...list(facets?.priorities), ...entries.map((entry) => entry.priority)]),
      audience: distinctValues([...list(facets?.audiences), ...entries.map((entry) => entry.audience)]),
    };
  }, [facets, entries]);
}

/**
 * "База знаний": everyone reads and searches the entries behind hints (the search is the server's, over
 * the whole base); admins add, edit and delete them.
 */
export function KnowledgePage({
  isAdmin,
  categories,
  onChanged,
  pageSize = PAGE_SIZE,
  searchDelayMs = KB_SEARCH_DELAY_MS,
}: KnowledgePageProps) {
  const { t } = useI18n();
  const ids = useId();
  const [category, setCategory] = useState('');
  const [subcategory, setSubcategory] = useState('');
  /** What the search box says; `query` is what was last asked for (after a quiet moment). */
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [list, setList] = useState<ListState>(LOADING);
  /** null: no form; 'new': the create form; else the id of the entry being edited. */
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [deletingId, setDeletingId] = useState<string | null>(null);
  const [facetsVersion, setFacetsVersion] = useState(0);
  const version = useRef(0);
  const inFlight = useRef<AbortController | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const listRef = useRef(list);
  listRef.current = list;

  // The server is asked once typing pauses; clearing the box lists the base at once.
  useEffect(() => {
    const next = search.trim();
    if (next === query) return;
    if (!next) {
      setQuery('');
      return;
    }
    const timer = setTimeout(() => setQuery(next), searchDelayMs);
    return () => clearTimeout(timer);
  }, [search, query, searchDelayMs]);

  const load = useCallback(
    (cursor: string | null) => {
      const current = version.current;
      api
        .listKnowledge(
          { category: category || undefined, subcategory: subcategory || undefined, q: query || undefined, cursor, limit: pageSize },
          inFlight.current?.signal,
        )
        .then((page) => {
          if (current !== version.current) return;
          setList((previous) => {
            const known = new Set(cursor ? previous.entries.map((entry) => entry.id) : []);
            const items = (Array.isArray(page.items) ? page.items : []).filter((entry) => !known.has(entry.id));
            return {
              entries: cursor ? [...previous.entries, ...items] : items,
              nextCursor: page.next_cursor,
              total: typeof page.total === 'number' ? page.total : null,
              status: 'ready',
              loadingMore: false,
              error: null,
            };
          });
        })
        .catch((error: unknown) => {
          if (current !== version.current || isAbort(error)) return;
          setList((previous) => ({ ...previous, status: 'error', loadingMore: false, error: errorText(error, t) }));
        });
    },
    [category, subcategory, query, pageSize, t],
  );

  // New filters or a new query start again from the first page; the old request is cancelled.
  useEffect(() => {
    version.current += 1;
    inFlight.current?.abort();
    inFlight.current = new AbortController();
    setList(LOADING);
    load(null);
  }, [category, subcategory, query, pageSize]);
  useEffect(() => () => inFlight.current?.abort(), []);

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

  // Infinite scroll, searching or not: the server pages either way.
  const canAutoLoad = list.nextCursor !== null && list.status === 'ready' && !list.loadingMore;
  useEffect(() => {
    const target = sentinel.current;
    if (!target || !canAutoLoad || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    }, { rootMargin: '300px' });
    observer.observe(target);
    return () => observer.disconnect();
  }, [canAutoLoad, loadMore, list.entries.length]);

  const categoryOptions = withCurrent(
    categories.map((item) => item.name),
    category,
  );
  const subcategoryOptions = withCurrent(subcategoriesOf(categories, category), subcategory);
  const suggestions = useFacets(list.entries, facetsVersion);

  const chooseCategory = (value: string) => {
    setCategory(value);
    setSubcategory('');
  };

  const saved = (entry: KnowledgeEntryPublic, message: string) => {
    setList((previous) => ({ ...previous, entries: upsertEntry(previous.entries, entry, category, subcategory) }));
    setEditing(null);
    setNotice(message);
    setFacetsVersion((value) => value + 1);
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
    setList((previous) => ({
      ...previous,
      entries: previous.entries.filter((item) => item.id !== entry.id),
      total: previous.total === null ? null : Math.max(0, previous.total - 1),
    }));
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
            initial={{ ...emptyEntry(category), subcategory }}
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
          <form
            className="kb__filters"
            role="search"
            onSubmit={(event) => {
              event.preventDefault();
              setQuery(search.trim());
            }}
          >
            <div className="field">
              <label htmlFor={`${ids}-category`}>{t('kb.category')}</label>
              <select id={`${ids}-category`} value={category} onChange={(event) => chooseCategory(event.target.value)}>
                <option value="">{t('common.allCategories')}</option>
                {categoryOptions.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${ids}-subcategory`}>{t('kb.subcategory')}</label>
              <select
                id={`${ids}-subcategory`}
                value={subcategory}
                disabled={!category || subcategoryOptions.length === 0}
                onChange={(event) => setSubcategory(event.target.value)}
              >
                <option value="">{t('kb.allSubcategories')}</option>
                {subcategoryOptions.map((name) => (
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
                aria-describedby={`${ids}-search-hint`}
                onChange={(event) => setSearch(event.target.value)}
                maxLength={KB_QUERY_MAX}
              />
              <span className="field__hint" id={`${ids}-search-hint`}>
                {t('kb.searchHint')}
              </span>
            </div>
          </form>

          {rowError && (
            <p className="alert alert--error" role="alert">
              {rowError}
            </p>
          )}

          <div aria-busy={list.status === 'loading' || list.loadingMore}>
            <p className="muted small kb__found" role="status">
              {query && list.status === 'ready' && list.entries.length > 0
                ? t('kb.found', { count: list.total ?? list.entries.length })
                : ''}
            </p>
            {list.status === 'loading' && <p className="placeholder">{t('common.loading')}</p>}
            {list.status === 'ready' && list.entries.length === 0 && (
              <p className="placeholder">{query ? t('kb.nothingFound') : t('kb.empty')}</p>
            )}
            <ul className="kb__list">
              {list.entries.map((entry) =>
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
  /** The priorities and audiences to choose from. */
  suggestions?: { priority: string[]; audience: string[] };
  /** Saves the (trimmed, checked) entry; a thrown error is shown on the form. */
  onSubmit: (input: KnowledgeEntryInput) => Promise<void>;
  onCancel: () => void;
}

const MULTILINE: ReadonlySet<KbField> = new Set(['question', 'answer']);
/** Fields picked from the values in use; category and subcategory may also get a new value. */
type PickedField = 'category' | 'subcategory' | 'priority' | 'audience';
const PICKED: ReadonlySet<KbField> = new Set<KbField>(['category', 'subcategory', 'priority', 'audience']);

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
  /** Whether a new category / subcategory is being typed instead of picked. */
  const [adding, setAdding] = useState({ category: false, subcategory: false });
  /** The variants, one per line. */
  const [variantsText, setVariantsText] = useState(() => variantsToText(variantsOf(initial)));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  /** The subcategories of `category`, with the entry's own when it keeps its category. */
  const subcategoriesFor = (category: string): string[] =>
    category === initial.category.trim()
      ? withCurrent(subcategoriesOf(categories, category), initial.subcategory.trim())
      : subcategoriesOf(categories, category);

  const options: Record<PickedField, string[]> = {
    category: withCurrent(
      categories.map((item) => item.name),
      initial.category.trim(),
    ),
    subcategory: adding.category ? [] : subcategoriesFor(values.category.trim()),
    priority: withCurrent(suggestions?.priority ?? [], initial.priority.trim()),
    audience: withCurrent(suggestions?.audience ?? [], initial.audience.trim()),
  };

  const clearError = (field: KbFormField) => {
    if (errors[field]) setErrors((previous) => ({ ...previous, [field]: undefined }));
  };
  const change = (field: KbField, value: string) => {
    setValues((previous) => ({ ...previous, [field]: value }));
    clearError(field);
  };
  const pickCategory = (value: string, typing: boolean) => {
    // A subcategory picked from the old category's list does not carry over to another category.
    const keep = adding.subcategory || (!typing && subcategoriesFor(value.trim()).includes(values.subcategory.trim()));
    setValues((previous) => ({ ...previous, category: value, subcategory: keep ? previous.subcategory : '' }));
    clearError('category');
  };
  const setAddingField = (field: 'category' | 'subcategory', value: boolean) =>
    setAdding((previous) => (previous[field] === value ? previous : { ...previous, [field]: value }));
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
          if (PICKED.has(field)) {
            const picked = field as PickedField;
            const addable = picked === 'category' || picked === 'subcategory';
            return (
              <PickerField
                key={field}
                id={id}
                field={field}
                label={t(`kb.field.${field}`)}
                value={values[field]}
                options={options[picked]}
                emptyLabel={t(picked === 'category' ? 'kb.pick.category' : picked === 'subcategory' ? 'kb.pick.noSubcategory' : 'kb.pick.notSet')}
                newOption={
                  addable
                    ? {
                        label: t(picked === 'category' ? 'kb.pick.newCategory' : 'kb.pick.newSubcategory'),
                        inputLabel: t(picked === 'category' ? 'kb.field.newCategory' : 'kb.field.newSubcategory'),
                        adding: adding[picked as 'category' | 'subcategory'],
                        onAdding: (value) => setAddingField(picked as 'category' | 'subcategory', value),
                      }
                    : undefined
                }
                error={error}
                disabled={busy}
                onChange={(value, typing) => (field === 'category' ? pickCategory(value, typing) : change(field, value))}
              />
            );
          }
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
                <input {...common} autoComplete="off" onChange={(event) => change(field, event.target.value)} />
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

interface PickerFieldProps {
  id: string;
  field: KbField;
  label: string;
  value: string;
  /** The values to pick from (the current one among them). */
  options: readonly string[];
  /** The label of the empty choice ("not set"). */
  emptyLabel: string;
  /** A "new…" choice that reveals a text input for a value not in `options`. */
  newOption?: { label: string; inputLabel: string; adding: boolean; onAdding: (adding: boolean) => void };
  error: string | undefined;
  disabled: boolean;
  /** `typing`: the value comes from the new-value input rather than the list. */
  onChange: (value: string, typing: boolean) => void;
}

/**
 * A select of the values in use; with `newOption`, its last choice ("Новая категория…") shows a text input
 * for a new value. The control that holds the value carries the field's name (the error focus finds it).
 */
function PickerField({ id, field, label, value, options, emptyLabel, newOption, error, disabled, onChange }: PickerFieldProps) {
  const adding = newOption?.adding ?? false;
  const inputRef = useRef<HTMLInputElement>(null);
  const focusInput = useRef(false);
  useEffect(() => {
    if (adding && focusInput.current) inputRef.current?.focus();
    focusInput.current = false;
  }, [adding]);
  const errorId = `${id}-error`;
  const invalid = (active: boolean) => ({
    'aria-invalid': active && error ? true : undefined,
    'aria-describedby': active && error ? errorId : undefined,
  });
  const { min, max } = KB_LIMITS[field];
  return (
    <div className={`field kb-form__field kb-form__field--${field}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={adding ? undefined : field}
        value={adding ? NEW_OPTION : value}
        disabled={disabled}
        required={min > 0}
        {...invalid(!adding)}
        onChange={(event) => {
          const next = event.target.value;
          if (next === NEW_OPTION) {
            focusInput.current = true;
            newOption?.onAdding(true);
            onChange('', true);
          } else {
            newOption?.onAdding(false);
            onChange(next, false);
          }
        }}
      >
        <option value="">{emptyLabel}</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
        {newOption && <option value={NEW_OPTION}>{newOption.label}</option>}
      </select>
      {adding && newOption && (
        <>
          <label htmlFor={`${id}-new`} className="kb-form__new-label">
            {newOption.inputLabel}
          </label>
          <input
            ref={inputRef}
            id={`${id}-new`}
            name={field}
            value={value}
            disabled={disabled}
            required={min > 0}
            maxLength={max}
            autoComplete="off"
            {...invalid(true)}
            onChange={(event) => onChange(event.target.value, true)}
          />
        </>
      )}
      {error && (
        <span className="field__error" id={errorId}>
          {error}
        </span>
      )}
    </div>
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
