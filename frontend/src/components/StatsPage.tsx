import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { api, errorText } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import { withCurrent } from '../knowledge';
import {
  ariaSort,
  checkRange,
  distributionShares,
  makeStatsFormat,
  nextSort,
  presetOf,
  presetRange,
  DESK_TIME_ZONE,
  sortRows,
  STATS_DEFAULT_DAYS,
  STATS_MAX_DAYS,
  STATS_PRESETS,
  type DayRange,
  type RangeProblem,
  type SortState,
  type SortValue,
  type StatsFormat,
} from '../stats';
import {
  CSAT_SCORES,
  type CategoryPublic,
  type CategoryStatsPublic,
  type DailyStatsPublic,
  type OperatorPublic,
  type OperatorStatsPublic,
  type StatsSummaryPublic,
} from '../types';
import { StatsCharts } from './StatsCharts';

export interface StatsPageProps {
  me: OperatorPublic;
  /** The operators an admin may filter by (the console's list). */
  operators: readonly OperatorPublic[];
  /** Knowledge-base categories for the category filter. */
  categories: readonly CategoryPublic[];
  /** Today, for the default range and the presets. */
  now?: () => Date;
}

/** What one request gave: its answer, or the error to show in its place. */
interface Section<T> {
  value: T | null;
  error: string | null;
}

interface StatsData {
  loading: boolean;
  summary: Section<StatsSummaryPublic>;
  operators: Section<OperatorStatsPublic[]>;
  categories: Section<CategoryStatsPublic[]>;
  daily: Section<DailyStatsPublic[]>;
}

const NOTHING = { value: null, error: null };
const EMPTY: StatsData = { loading: true, summary: NOTHING, operators: NOTHING, categories: NOTHING, daily: NOTHING };

function problemText(problem: RangeProblem, t: ReturnType<typeof useI18n>['t']): string {
  switch (problem.kind) {
    case 'missing':
      return t('stats.range.missing');
    case 'order':
      return t('stats.range.order');
    case 'tooLong':
      return t('stats.range.tooLong', { max: STATS_MAX_DAYS, days: problem.days });
  }
}

/** «Статистика»: the desk's figures for a range of days (an operator's own; an admin's everyone's). */
export function StatsPage({ me, operators, categories, now = () => new Date() }: StatsPageProps) {
  const { t, locale } = useI18n();
  const ids = useId();
  const fmt = useMemo(() => makeStatsFormat(locale), [locale]);
  const isAdmin = me.role === 'admin';
  const [today] = useState(now);
  const [range, setRange] = useState<DayRange>(() => presetRange(STATS_DEFAULT_DAYS, today, DESK_TIME_ZONE));
  const [operatorId, setOperatorId] = useState('');
  const [category, setCategory] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [data, setData] = useState<StatsData>(EMPTY);
  const problem = checkRange(range);
  const valid = problem === null;

  useEffect(() => {
    if (!valid) return;
    const controller = new AbortController();
    const { signal } = controller;
    const scope = { from: range.from, to: range.to, category, operator_id: isAdmin ? operatorId : '' };
    setData((previous) => ({ ...previous, loading: true }));

    function settle<K extends Exclude<keyof StatsData, 'loading'>>(key: K, request: Promise<NonNullable<StatsData[K]['value']>>) {
      return request.then(
        (value) => {
          if (!signal.aborted) setData((previous) => ({ ...previous, [key]: { value, error: null } }));
        },
        (error: unknown) => {
          if (signal.aborted) return;
          setData((previous) => ({ ...previous, [key]: { value: null, error: errorText(error, t) } }));
        },
      );
    }

    const requests = [
      settle('summary', api.statsSummary(scope, signal)),
      settle('operators', api.statsOperators({ from: scope.from, to: scope.to, category }, signal).then((page) => page.items ?? [])),
      settle('categories', api.statsCategories({ from: scope.from, to: scope.to, operator_id: scope.operator_id }, signal).then((page) => page.items ?? [])),
      settle('daily', api.statsDaily(scope, signal).then((page) => page.items ?? [])),
    ];
    void Promise.all(requests).then(() => {
      if (!signal.aborted) setData((previous) => ({ ...previous, loading: false }));
    });
    return () => controller.abort();
  }, [valid, range.from, range.to, category, operatorId, isAdmin, attempt]);

  const operatorName = (id: string, name: string) => {
    if (name) return name;
    if (!id) return t('stats.unassigned');
    if (id === me.id) return me.display_name || me.username;
    const known = operators.find((operator) => operator.id === id);
    return known ? known.display_name || known.username : t('operators.other');
  };

  const operatorOptions = useMemo(() => {
    const list = operators.map((operator) => ({ id: operator.id, name: operator.display_name || operator.username }));
    if (operatorId && !list.some((item) => item.id === operatorId)) {
      const row = data.operators.value?.find((item) => item.operator_id === operatorId);
      list.unshift({ id: operatorId, name: row?.name || t('operators.other') });
    }
    return list;
  }, [operators, operatorId, data.operators.value, t]);
  const categoryOptions = withCurrent(
    categories.map((item) => item.name),
    category,
  );
  const summary = data.summary.value;
  // Days are the desk's: "today" is today where the desk counts, whatever the browser's zone.
  const zone = summary?.time_zone || DESK_TIME_ZONE;
  const preset = presetOf(range, today, zone);
  const showData = valid && !(data.loading && summary === null && data.summary.error === null);

  const chooseOperator = (id: string) => setOperatorId((current) => (current === id ? '' : id));
  const chooseCategory = (name: string) => setCategory((current) => (current === name ? '' : name));

  return (
    <main className="admin stats" id="main">
      <div className="admin__content stats__content">
        <div className="stats__head">
          <h1 className="admin__title">{t('stats.title')}</h1>
          {!isAdmin && <span className="muted">{t('stats.own')}</span>}
        </div>

        <section className="card" aria-labelledby={`${ids}-filters`}>
          <h2 id={`${ids}-filters`} className="visually-hidden">
            {t('stats.filters')}
          </h2>
          <form className="stats-filters" onSubmit={(event) => event.preventDefault()}>
            <div className="field">
              <label htmlFor={`${ids}-from`}>{t('stats.from')}</label>
              <input
                id={`${ids}-from`}
                type="date"
                value={range.from}
                max={range.to || undefined}
                required
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `${ids}-problem` : undefined}
                onChange={(event) => setRange((current) => ({ ...current, from: event.target.value }))}
              />
            </div>
            <div className="field">
              <label htmlFor={`${ids}-to`}>{t('stats.to')}</label>
              <input
                id={`${ids}-to`}
                type="date"
                value={range.to}
                min={range.from || undefined}
                required
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `${ids}-problem` : undefined}
                onChange={(event) => setRange((current) => ({ ...current, to: event.target.value }))}
              />
            </div>
            <div className="stats-filters__presets" role="group" aria-label={t('stats.presets')}>
              {STATS_PRESETS.map((days) => (
                <button
                  key={days}
                  type="button"
                  className={`btn btn--small${preset === days ? ' is-active' : ''}`}
                  aria-pressed={preset === days}
                  title={t('stats.presetAria', { days })}
                  onClick={() => setRange(presetRange(days, today, zone))}
                >
                  {t('stats.preset', { days })}
                </button>
              ))}
            </div>
            <div className="field">
              <label htmlFor={`${ids}-category`}>{t('stats.category')}</label>
              <select id={`${ids}-category`} value={category} onChange={(event) => setCategory(event.target.value)}>
                <option value="">{t('common.allCategories')}</option>
                {categoryOptions.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
            {isAdmin && (
              <div className="field">
                <label htmlFor={`${ids}-operator`}>{t('stats.operator')}</label>
                <select id={`${ids}-operator`} value={operatorId} onChange={(event) => setOperatorId(event.target.value)}>
                  <option value="">{t('stats.allOperators')}</option>
                  {operatorOptions.map((operator) => (
                    <option key={operator.id} value={operator.id}>
                      {operator.name}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </form>
        </section>

        {problem ? (
          <p className="alert alert--error" role="alert" id={`${ids}-problem`}>
            {problemText(problem, t)}
          </p>
        ) : (
          <div className={`stats__body${data.loading ? ' is-loading' : ''}`} aria-busy={data.loading}>
            <div aria-live="polite" className="stats__status">
              {data.loading && <span className="muted">{t('common.loading')}</span>}
            </div>
            {data.summary.error && (
              <div className="alert alert--error" role="alert">
                {data.summary.error}{' '}
                <button type="button" className="btn btn--small" onClick={() => setAttempt((value) => value + 1)}>
                  {t('common.retry')}
                </button>
              </div>
            )}
            {showData && summary && <Kpis summary={summary} fmt={fmt} />}
            {showData && summary?.time_zone && <p className="muted stats__zone">{t('stats.timeZone', { zone: summary.time_zone })}</p>}

            {showData && (
              <section aria-labelledby={`${ids}-charts`}>
                <h2 id={`${ids}-charts`} className="stats__section-title">
                  {t('stats.charts')}
                </h2>
                <SectionError error={data.daily.error} />
                {data.daily.value &&
                  (data.daily.value.length ? (
                    <StatsCharts days={data.daily.value} summary={summary} range={range} fmt={fmt} />
                  ) : (
                    <p className="placeholder">{t('stats.noData')}</p>
                  ))}
              </section>
            )}

            {showData && (
              <section className="card" aria-labelledby={`${ids}-operators`}>
                <h2 id={`${ids}-operators`} className="card__title">
                  {t('stats.operators')}
                </h2>
                {isAdmin && <p className="muted stats__hint">{t('stats.rowsHint')}</p>}
                <SectionError error={data.operators.error} />
                {data.operators.value && (
                  <StatsTable
                    label={t('stats.operators')}
                    rows={data.operators.value}
                    columns={operatorColumns(fmt, operatorName)}
                    initialSort={{ key: 'tickets_closed', direction: 'desc' }}
                    rowKey={(row) => row.operator_id || '-'}
                    rowAttributes={(row) => ({ 'data-operator-id': row.operator_id })}
                    selectable={(row) => isAdmin && row.operator_id !== ''}
                    selected={(row) => isAdmin && row.operator_id !== '' && row.operator_id === operatorId}
                    rowAction={(row) => t('stats.showOperator', { name: operatorName(row.operator_id, row.name) })}
                    onChoose={(row) => chooseOperator(row.operator_id)}
                  />
                )}
              </section>
            )}

            {showData && (
              <section className="card" aria-labelledby={`${ids}-categories`}>
                <h2 id={`${ids}-categories`} className="card__title">
                  {t('stats.categories')}
                </h2>
                <SectionError error={data.categories.error} />
                {data.categories.value && (
                  <StatsTable
                    label={t('stats.categories')}
                    rows={data.categories.value}
                    columns={categoryColumns(fmt, (name) => name || t('stats.noCategory'))}
                    initialSort={{ key: 'tickets_created', direction: 'desc' }}
                    rowKey={(row) => row.category || '-'}
                    rowAttributes={(row) => ({ 'data-category': row.category })}
                    selectable={(row) => row.category !== ''}
                    selected={(row) => row.category !== '' && row.category === category}
                    rowAction={(row) => t('stats.showCategory', { name: row.category })}
                    onChoose={(row) => chooseCategory(row.category)}
                  />
                )}
              </section>
            )}
          </div>
        )}
      </div>
    </main>
  );
}

function SectionError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="alert alert--error" role="alert">
      {error}
    </p>
  );
}

// --- key figures ---------------------------------------------------------------------------------

function Kpis({ summary, fmt }: { summary: StatsSummaryPublic; fmt: StatsFormat }) {
  const { t } = useI18n();
  const ids = useId();
  const shares = distributionShares(summary.csat_distribution ?? {});
  return (
    <section aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="visually-hidden">
        {t('stats.kpis')}
      </h2>
      <ul className="kpis">
        <Kpi field="tickets_created" title={t('stats.kpi.tickets_created')} value={fmt.count(summary.tickets_created)} />
        <Kpi field="tickets_closed" title={t('stats.kpi.tickets_closed')} value={fmt.count(summary.tickets_closed)} />
        <Kpi field="backlog" title={t('stats.kpi.backlog')} value={fmt.count(summary.backlog)} />
        <Kpi field="csat_average" title={t('stats.kpi.csat_average')} value={fmt.csat(summary.csat_average)} wide>
          <p className="kpi__sub">
            <span data-testid="kpi-ratings_count">{t('stats.ratingsCount', { count: fmt.count(summary.ratings_count) })}</span>
            {' · '}
            <span data-testid="kpi-rating_response_rate">{t('stats.responseRate', { rate: fmt.percent(summary.rating_response_rate) })}</span>
          </p>
          <ul className="csat-bars" aria-label={t('stats.distribution')} data-testid="kpi-csat_distribution">
            {[...CSAT_SCORES].reverse().map((score) => {
              const { count, share } = shares[score];
              return (
                <li key={score} className="csat-bars__row" data-testid={`csat-score-${score}`}>
                  <span className="csat-bars__score" aria-hidden="true">
                    {score} ★
                  </span>
                  <span className="csat-bars__track" aria-hidden="true">
                    <span className="csat-bars__fill" style={{ width: `${Math.round(share * 100)}%` }} />
                  </span>
                  <span className="csat-bars__count" aria-hidden="true">
                    {fmt.count(count)}
                  </span>
                  <span className="visually-hidden">{t('stats.scoreCount', { score, count: fmt.count(count) })}</span>
                </li>
              );
            })}
          </ul>
        </Kpi>
        <Kpi field="first_response_p50_s" title={t('stats.kpi.first_response')} value={fmt.duration(summary.first_response_p50_s)} note={t('stats.median')}>
          <p className="kpi__sub" data-testid="kpi-first_response_p90_s">
            {t('stats.p90', { value: fmt.duration(summary.first_response_p90_s) })}
          </p>
        </Kpi>
        <Kpi field="resolution_p50_s" title={t('stats.kpi.resolution')} value={fmt.duration(summary.resolution_p50_s)} note={t('stats.median')}>
          <p className="kpi__sub" data-testid="kpi-resolution_p90_s">
            {t('stats.p90', { value: fmt.duration(summary.resolution_p90_s) })}
          </p>
        </Kpi>
        <Kpi field="messages_per_ticket" title={t('stats.kpi.messages_per_ticket')} value={fmt.decimal(summary.messages_per_ticket)} />
      </ul>
    </section>
  );
}

interface KpiProps {
  field: string;
  title: string;
  value: string;
  /** A word after the value («медиана»). */
  note?: string;
  wide?: boolean;
  children?: ReactNode;
}

function Kpi({ field, title, value, note, wide = false, children }: KpiProps) {
  const id = useId();
  return (
    <li className={`kpi${wide ? ' kpi--wide' : ''}`} data-testid={`kpi-${field}`} aria-labelledby={id}>
      <h3 id={id} className="kpi__title">
        {title}
      </h3>
      <p className="kpi__value">
        {value}
        {note && <span className="kpi__note"> {note}</span>}
      </p>
      {children}
    </li>
  );
}

// --- tables --------------------------------------------------------------------------------------

interface Column<R> {
  key: string;
  label: MessageKey;
  value: (row: R) => SortValue;
  format: (row: R) => string;
  /** Numbers: right-aligned. */
  numeric: boolean;
}

/** The figures the tables show, in their order. */
const TABLE_FIGURES = [
  'tickets_created',
  'tickets_closed',
  'backlog',
  'csat_average',
  'ratings_count',
  'rating_response_rate',
  'first_response_p50_s',
  'resolution_p50_s',
  'messages_per_ticket',
] as const;
type TableFigure = (typeof TABLE_FIGURES)[number];
/** The categories table leaves these out (it is the compact one). */
const COMPACT_OMITS: readonly TableFigure[] = ['ratings_count', 'rating_response_rate', 'messages_per_ticket'];

/** The figure columns both tables share, after the name column. */
function figureColumns<R extends StatsSummaryPublic>(fmt: StatsFormat, compact: boolean): Column<R>[] {
  const formats: Record<TableFigure, (value: number | null) => string> = {
    tickets_created: fmt.count,
    tickets_closed: fmt.count,
    backlog: fmt.count,
    csat_average: fmt.csat,
    ratings_count: fmt.count,
    rating_response_rate: fmt.percent,
    first_response_p50_s: fmt.duration,
    resolution_p50_s: fmt.duration,
    messages_per_ticket: fmt.decimal,
  };
  return TABLE_FIGURES.filter((key) => !compact || !COMPACT_OMITS.includes(key)).map((key) => {
    const label: MessageKey = `stats.col.${key}`;
    return { key, label, value: (row) => row[key], format: (row) => formats[key](row[key]), numeric: true };
  });
}

function operatorColumns(fmt: StatsFormat, name: (id: string, name: string) => string): Column<OperatorStatsPublic>[] {
  const label = (row: OperatorStatsPublic) => name(row.operator_id, row.name);
  return [{ key: 'name', label: 'stats.col.name', value: label, format: label, numeric: false }, ...figureColumns<OperatorStatsPublic>(fmt, false)];
}

function categoryColumns(fmt: StatsFormat, name: (category: string) => string): Column<CategoryStatsPublic>[] {
  const label = (row: CategoryStatsPublic) => name(row.category);
  return [{ key: 'category', label: 'stats.col.category', value: label, format: label, numeric: false }, ...figureColumns<CategoryStatsPublic>(fmt, true)];
}

interface StatsTableProps<R> {
  /** The table's accessible name. */
  label: string;
  rows: readonly R[];
  /** The first column names the row (a button when the row can be chosen). */
  columns: Column<R>[];
  initialSort: SortState;
  rowKey: (row: R) => string;
  rowAttributes: (row: R) => Record<`data-${string}`, string>;
  selectable: (row: R) => boolean;
  selected: (row: R) => boolean;
  /** The accessible description of choosing the row. */
  rowAction: (row: R) => string;
  onChoose: (row: R) => void;
}

/** A table of figures, sorted by a click on a column header (again: the other way); nulls always last. */
function StatsTable<R>({ label, rows, columns, initialSort, rowKey, rowAttributes, selectable, selected, rowAction, onChoose }: StatsTableProps<R>) {
  const { t, locale } = useI18n();
  const [sort, setSort] = useState<SortState>(initialSort);
  const column = columns.find((item) => item.key === sort.key) ?? columns[0];
  if (rows.length === 0) return <p className="placeholder">{t('stats.noData')}</p>;
  const sorted = column ? sortRows(rows, column.value, sort.direction, locale) : rows;

  const choose = (row: R) => {
    // selecting text in a row is not choosing it
    if (window.getSelection?.()?.toString()) return;
    onChoose(row);
  };

  return (
    <div className="table-wrap">
      <table className="table stats-table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((item) => (
              <th key={item.key} scope="col" className={item.numeric ? 'stats-table__num' : undefined} aria-sort={ariaSort(sort, item.key)}>
                <button type="button" className="stats-table__sort" onClick={() => setSort((current) => nextSort(current, item.key, 'asc'))}>
                  {t(item.label)}
                  <span className="stats-table__arrow" aria-hidden="true">
                    {sort.key === item.key ? (sort.direction === 'asc' ? '▲' : '▼') : '↕'}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const canChoose = selectable(row);
            const isSelected = selected(row);
            const classes = [canChoose ? 'is-clickable' : '', isSelected ? 'is-selected' : ''].filter(Boolean).join(' ');
            return (
              <tr key={rowKey(row)} className={classes || undefined} {...rowAttributes(row)} onClick={canChoose ? () => choose(row) : undefined}>
                {columns.map((item, index) =>
                  index === 0 ? (
                    <th key={item.key} scope="row" className="stats-table__name">
                      {canChoose ? (
                        <button type="button" className="link-button" aria-pressed={isSelected} title={rowAction(row)}>
                          {item.format(row)}
                        </button>
                      ) : (
                        item.format(row)
                      )}
                    </th>
                  ) : (
                    <td key={item.key} className="stats-table__num">
                      {item.format(row)}
                    </td>
                  ),
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
