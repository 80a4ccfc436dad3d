import { useId, useMemo, type ReactElement } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n, type MessageKey } from '../i18n';
import { chartDays, DURATION_UNIT_SECONDS, durationUnit, type ChartDay, type DayRange, type StatsFormat } from '../stats';
import type { DailyStatsPublic, StatsSummaryPublic } from '../types';

export interface StatsChartsProps {
  days: readonly DailyStatsPublic[];
  /** The figures of the whole range, for the charts' accessible names. */
  summary: StatsSummaryPublic | null;
  range: DayRange;
  fmt: StatsFormat;
}

const HEIGHT = 240;
/** The size before the container is measured (and in tests, where nothing is). */
const INITIAL = { width: 640, height: HEIGHT };
const COLORS = { created: '#2459d6', closed: '#1b7a43', backlog: '#b45309', csat: '#b45309', firstResponse: '#6941c6', grid: '#e2e6ec', axis: '#667085' };
const AXIS_TICK = { fontSize: 12, fill: COLORS.axis };

/** The legend in the order of the series (recharts sorts it alphabetically by default). */
const SERIES_ORDER: Record<string, number> = { created: 0, closed: 1, backlog: 2 };
const legendOrder = (item: { dataKey?: unknown }) => SERIES_ORDER[String(item.dataKey)] ?? 99;

const UNIT_KEY: Record<ReturnType<typeof durationUnit>, MessageKey> = { s: 'duration.s', min: 'duration.min', h: 'duration.h' };

function reducedMotion(): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * The daily charts: tickets created / closed with the backlog, the average rating, the median first response.
 * Each is an image named by its title, range and figures for the range (recharts' own keyboard layer is off:
 * nothing inside an image may take the focus).
 */
export function StatsCharts({ days, summary, range, fmt }: StatsChartsProps) {
  const { t } = useI18n();
  const rows = useMemo(() => chartDays(days), [days]);
  const animate = useMemo(() => !reducedMotion(), []);
  const unit = durationUnit(Math.max(0, ...rows.map((row) => row.firstResponse ?? 0)));
  const responseRows = useMemo(
    () => rows.map((row) => ({ ...row, firstResponseInUnit: row.firstResponse === null ? null : row.firstResponse / DURATION_UNIT_SECONDS[unit] })),
    [rows, unit],
  );
  const aria = (title: string, summaryText: string) =>
    t('stats.chart.aria', { title, from: fmt.fullDay(range.from), to: fmt.fullDay(range.to), summary: summaryText });
  const dayLabel = (label: unknown) => fmt.fullDay(String(label));
  const xAxis = <XAxis dataKey="day" tickFormatter={(day: string) => fmt.shortDay(day)} tick={AXIS_TICK} minTickGap={16} />;
  const grid = <CartesianGrid stroke={COLORS.grid} vertical={false} />;

  const volumeTitle = t('stats.chart.volume');
  const csatTitle = t('stats.chart.csat');
  const responseTitle = t('stats.chart.firstResponse');

  return (
    <div className="stats-charts">
      <ChartFigure
        className="stats-chart--wide"
        title={volumeTitle}
        label={aria(
          volumeTitle,
          t('stats.chart.volumeSummary', {
            created: fmt.count(summary?.tickets_created),
            closed: fmt.count(summary?.tickets_closed),
            backlog: fmt.count(summary?.backlog),
          }),
        )}
      >
        <ComposedChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          {grid}
          {xAxis}
          <YAxis allowDecimals={false} tick={AXIS_TICK} width={44} tickFormatter={(value: number) => fmt.count(value)} label={{ value: t('stats.axis.tickets'), angle: -90, position: 'insideLeft', style: { ...AXIS_TICK, textAnchor: 'middle' } }} />
          <Tooltip labelFormatter={dayLabel} formatter={(value) => fmt.count(Number(value))} />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={legendOrder} />
          <Bar dataKey="created" name={t('stats.series.created')} fill={COLORS.created} radius={[3, 3, 0, 0]} isAnimationActive={animate} />
          <Bar dataKey="closed" name={t('stats.series.closed')} fill={COLORS.closed} radius={[3, 3, 0, 0]} isAnimationActive={animate} />
          <Line dataKey="backlog" name={t('stats.series.backlog')} type="monotone" stroke={COLORS.backlog} strokeWidth={2} dot={false} isAnimationActive={animate} />
        </ComposedChart>
      </ChartFigure>

      <ChartFigure title={csatTitle} label={aria(csatTitle, t('stats.chart.csatSummary', { value: fmt.csat(summary?.csat_average) }))}>
        <LineChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          {grid}
          {xAxis}
          <YAxis domain={[1, 5]} ticks={[1, 2, 3, 4, 5]} tick={AXIS_TICK} width={44} label={{ value: t('stats.axis.score'), angle: -90, position: 'insideLeft', style: { ...AXIS_TICK, textAnchor: 'middle' } }} />
          <Tooltip labelFormatter={dayLabel} formatter={(value) => fmt.csat(value === null || value === undefined ? null : Number(value))} />
          <Line dataKey="csat" name={t('stats.series.csat')} type="monotone" stroke={COLORS.csat} strokeWidth={2} dot={{ r: 2 }} connectNulls={false} isAnimationActive={animate} />
        </LineChart>
      </ChartFigure>

      <ChartFigure title={responseTitle} label={aria(responseTitle, t('stats.chart.firstResponseSummary', { value: fmt.duration(summary?.first_response_p50_s) }))}>
        <LineChart data={responseRows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          {grid}
          {xAxis}
          <YAxis
            tick={AXIS_TICK}
            width={56}
            tickFormatter={(value: number) => `${fmt.decimal(value)} ${t(UNIT_KEY[unit])}`}
          />
          <Tooltip
            labelFormatter={dayLabel}
            formatter={(_value, _name, item) => fmt.duration((item.payload as ChartDay | undefined)?.firstResponse ?? null)}
          />
          <Line dataKey="firstResponseInUnit" name={t('stats.series.firstResponse')} type="monotone" stroke={COLORS.firstResponse} strokeWidth={2} dot={{ r: 2 }} connectNulls={false} isAnimationActive={animate} />
        </LineChart>
      </ChartFigure>
    </div>
  );
}

function ChartFigure({ title, label, className = '', children }: { title: string; label: string; className?: string; children: ReactElement }) {
  const id = useId();
  return (
    <section className={`card stats-chart ${className}`} aria-labelledby={id}>
      <h3 id={id} className="card__title">
        {title}
      </h3>
      <div className="stats-chart__plot" role="img" aria-label={label}>
        <ResponsiveContainer width="100%" height={HEIGHT} initialDimension={INITIAL}>
          {children}
        </ResponsiveContainer>
      </div>
    </section>
  );
}
