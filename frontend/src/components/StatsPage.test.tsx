import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider, type Locale } from '../i18n';
import type { CategoryPublic, CategoryStatsPublic, DailyStatsPublic, OperatorPublic, OperatorStatsPublic, StatsSummaryPublic } from '../types';
import { StatsPage } from './StatsPage';

const NBSP = '\u00a0';
const TODAY = new Date(2025, 2, 30, 12, 0);

const admin: OperatorPublic = { id: 'op-admin', username: 'admin', display_name: 'Админ', role: 'admin', active: true, created_at: '2025-01-01T00:00:00Z' };
const anna: OperatorPublic = { id: 'op-anna', username: 'anna', display_name: 'Анна', role: 'operator', active: true, created_at: '2025-01-01T00:00:00Z' };
const boris: OperatorPublic = { id: 'op-boris', username: 'boris', display_name: 'Борис', role: 'operator', active: true, created_at: '2025-01-01T00:00:00Z' };
const categories: CategoryPublic[] = [
  { name: 'Оплата', subcategories: [] },
  { name: 'Сеть', subcategories: [] },
];

function figures(changes: Partial<StatsSummaryPublic> = {}): StatsSummaryPublic {
  return {
    time_zone: 'Europe/Minsk',
    tickets_created: 0,
    tickets_closed: 0,
    backlog: 0,
    ratings_count: 0,
    csat_average: null,
    csat_distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    rating_response_rate: null,
    first_response_p50_s: null,
    first_response_p90_s: null,
    resolution_p50_s: null,
    resolution_p90_s: null,
    messages_per_ticket: null,
    ...changes,
  };
}

const SUMMARY = figures({
  tickets_created: 1234,
  tickets_closed: 57,
  backlog: 9,
  ratings_count: 20,
  csat_average: 4.25,
  csat_distribution: { '1': 1, '2': 0, '3': 2, '4': 6, '5': 11 },
  rating_response_rate: 0.35,
  first_response_p50_s: 125,
  first_response_p90_s: 4320,
  resolution_p50_s: 45,
  resolution_p90_s: null,
  messages_per_ticket: 6.5,
});

const OPERATOR_ROWS: OperatorStatsPublic[] = [
  { ...figures({ tickets_closed: 30, csat_average: 4.5 }), operator_id: 'op-anna', name: 'Анна' },
  { ...figures({ tickets_closed: 20, csat_average: null }), operator_id: 'op-boris', name: 'Борис' },
  { ...figures({ tickets_closed: 7, csat_average: 3.5 }), operator_id: 'op-vera', name: 'Вера' },
  { ...figures({ tickets_closed: 0, backlog: 4 }), operator_id: '', name: '' },
];

const CATEGORY_ROWS: CategoryStatsPublic[] = [
  { ...figures({ tickets_created: 5 }), category: 'Оплата' },
  { ...figures({ tickets_created: 2 }), category: '' },
];

function days(from: string, count: number): DailyStatsPublic[] {
  const start = new Date(`${from}T00:00:00Z`).getTime();
  return Array.from({ length: count }, (_, index) => ({
    ...figures({ tickets_created: index % 3, tickets_closed: index % 2, backlog: 2, csat_average: index % 4 === 0 ? null : 4, first_response_p50_s: 90 }),
    day: new Date(start + index * 86_400_000).toISOString().slice(0, 10),
  }));
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

type Route = (path: string, params: URLSearchParams) => Response | undefined;

/** fetch answering the stats endpoints (`route` first); every URL asked is kept. */
function serve(route: Route = () => undefined) {
  const urls: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      urls.push(url);
      const parsed = new URL(url, 'http://x');
      const answer = route(parsed.pathname, parsed.searchParams);
      if (answer) return answer;
      switch (parsed.pathname) {
        case '/api/v1/stats/summary':
          return json(200, SUMMARY);
        case '/api/v1/stats/operators':
          return json(200, { time_zone: 'Europe/Minsk', items: OPERATOR_ROWS });
        case '/api/v1/stats/categories':
          return json(200, { time_zone: 'Europe/Minsk', items: CATEGORY_ROWS });
        case '/api/v1/stats/daily':
          return json(200, { time_zone: 'Europe/Minsk', items: days(parsed.searchParams.get('from') ?? '2025-03-01', 3) });
        default:
          return json(404, { detail: 'Not Found' });
      }
    }),
  );
  return urls;
}

function renderPage(me: OperatorPublic = admin, locale: Locale = 'ru') {
  render(
    <I18nProvider initialLocale={locale}>
      <StatsPage me={me} operators={[admin, anna, boris]} categories={categories} now={() => TODAY} />
    </I18nProvider>,
  );
}

const kpi = (field: string) => screen.getByTestId(`kpi-${field}`);
const paths = (urls: string[]) => urls.map((url) => url.split('?')[0]);
const query = (urls: string[], path: string) => {
  const url = [...urls].reverse().find((item) => item.startsWith(`/api/v1/stats/${path}`));
  return url === undefined ? null : new URL(url, 'http://x').searchParams;
};
/** The names in the operators table, top to bottom. */
const operatorOrder = () =>
  within(screen.getByRole('table', { name: 'Операторы' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.getAttribute('data-operator-id'));

describe('StatsPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('asks for the last 30 days and shows the key figures, formatted', async () => {
    const urls = serve();
    renderPage(anna);

    await waitFor(() => expect(kpi('tickets_created').textContent).toContain(`1${NBSP}234`));
    expect(new Set(paths(urls))).toEqual(new Set(['/api/v1/stats/summary', '/api/v1/stats/operators', '/api/v1/stats/categories', '/api/v1/stats/daily']));
    expect(urls).toContain('/api/v1/stats/summary?from=2025-03-01&to=2025-03-30');
    expect(urls).toContain('/api/v1/stats/daily?from=2025-03-01&to=2025-03-30');
    expect(urls).toContain('/api/v1/stats/operators?from=2025-03-01&to=2025-03-30');
    // an operator never names an operator: the gateway gives their own figures
    expect(urls.some((url) => url.includes('operator_id'))).toBe(false);

    expect(kpi('tickets_closed').textContent).toContain('57');
    expect(kpi('backlog').textContent).toContain('9');
    expect(kpi('csat_average').textContent).toContain('4,25');
    expect(kpi('ratings_count').textContent).toBe('Оценок: 20');
    expect(kpi('rating_response_rate').textContent).toBe(`Оценили 35${NBSP}% закрытых`);
    expect(within(kpi('csat_distribution')).getByTestId('csat-score-5').textContent).toContain('Оценка 5: 11');
    expect(kpi('first_response_p50_s').textContent).toContain('2 мин 5 с');
    expect(kpi('first_response_p90_s').textContent).toBe('90 % — не дольше 1 ч 12 мин');
    expect(kpi('resolution_p50_s').textContent).toContain('45 с');
    expect(kpi('resolution_p90_s').textContent).toBe('90 % — не дольше —');
    expect(kpi('messages_per_ticket').textContent).toContain('6,5');
    expect(screen.getByText('Дни считаются по часовому поясу Europe/Minsk.')).toBeTruthy();
    expect(screen.getByText('Ваши показатели')).toBeTruthy();
    // no operator filter for an operator
    expect(screen.queryByLabelText('Оператор')).toBeNull();
    expect((screen.getByLabelText('С') as HTMLInputElement).value).toBe('2025-03-01');
    expect(screen.getByRole('button', { name: '30 дней' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('draws the daily charts with accessible names', async () => {
    serve();
    renderPage();
    const volume = await screen.findByRole('img', { name: /^Обращения по дням, 1 марта 2025/ });
    expect(volume.getAttribute('aria-label')).toContain(`создано 1${NBSP}234, закрыто 57, открыто на конец периода 9`);
    // jsdom has no ResizeObserver: the charts keep their initial size and draw
    await waitFor(() => expect(volume.querySelector('svg.recharts-surface')).not.toBeNull());
    await waitFor(() => expect(volume.querySelectorAll('.recharts-bar-rectangle').length).toBeGreaterThan(0));
    expect(Array.from(volume.querySelectorAll('.recharts-legend-item-text'), (item) => item.textContent)).toEqual(['Создано', 'Закрыто', 'Открыто на конец дня']);
    // nothing inside an image takes the focus
    expect(volume.querySelector('[tabindex="0"], [role="application"]')).toBeNull();
    expect(screen.getByRole('img', { name: /^Средняя оценка по дням.*4,25$/ })).toBeTruthy();
    expect(screen.getByRole('img', { name: /^Медиана первого ответа по дням.*2 мин 5 с$/ })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Обращения по дням' })).toBeTruthy();
  });

  it('sorts the operators table by a clicked column, both ways, nulls last', async () => {
    serve();
    renderPage();
    await screen.findByRole('table', { name: 'Операторы' });

    // at first: the most closed tickets first
    expect(operatorOrder()).toEqual(['op-anna', 'op-boris', 'op-vera', '']);
    const closed = screen.getAllByRole('columnheader', { name: /Закрыто/ })[0]!;
    expect(closed.getAttribute('aria-sort')).toBe('descending');

    const csat = within(screen.getByRole('table', { name: 'Операторы' })).getByRole('columnheader', { name: /Ср\. оценка/ });
    fireEvent.click(within(csat).getByRole('button'));
    expect(csat.getAttribute('aria-sort')).toBe('ascending');
    expect(closed.hasAttribute('aria-sort')).toBe(false);
    expect(operatorOrder()).toEqual(['op-vera', 'op-anna', 'op-boris', '']);

    fireEvent.click(within(csat).getByRole('button'));
    expect(csat.getAttribute('aria-sort')).toBe('descending');
    expect(operatorOrder()).toEqual(['op-anna', 'op-vera', 'op-boris', '']);

    const name = within(screen.getByRole('table', { name: 'Операторы' })).getByRole('columnheader', { name: /Оператор/ });
    fireEvent.click(within(name).getByRole('button'));
    expect(operatorOrder()).toEqual(['op-anna', 'op-boris', 'op-vera', '']);
    // the row of tickets nobody took
    expect(within(screen.getByRole('table', { name: 'Операторы' })).getByText('Не назначены')).toBeTruthy();
  });

  it("lets an admin filter by an operator (the select or the operator's row) and a category", async () => {
    const urls = serve();
    renderPage(admin);
    await screen.findByRole('table', { name: 'Операторы' });

    urls.length = 0;
    fireEvent.change(screen.getByLabelText('Оператор'), { target: { value: 'op-boris' } });
    await waitFor(() => expect(query(urls, 'summary')?.get('operator_id')).toBe('op-boris'));
    await waitFor(() => expect(query(urls, 'daily')?.get('operator_id')).toBe('op-boris'));
    expect(query(urls, 'categories')?.get('operator_id')).toBe('op-boris');
    expect(query(urls, 'operators')?.has('operator_id')).toBe(false);

    // a click on Анна's row chooses her; the row shows it
    urls.length = 0;
    const row = screen.getByRole('table', { name: 'Операторы' }).querySelector('tr[data-operator-id="op-anna"]')!;
    fireEvent.click(within(row as HTMLElement).getByRole('button', { name: 'Анна' }));
    await waitFor(() => expect(query(urls, 'summary')?.get('operator_id')).toBe('op-anna'));
    expect((screen.getByLabelText('Оператор') as HTMLSelectElement).value).toBe('op-anna');
    await waitFor(() => expect(screen.getByRole('table', { name: 'Операторы' }).querySelector('tr[data-operator-id="op-anna"]')?.className).toContain('is-selected'));

    urls.length = 0;
    fireEvent.change(screen.getByLabelText('Категория'), { target: { value: 'Сеть' } });
    await waitFor(() => expect(query(urls, 'summary')?.get('category')).toBe('Сеть'));
    expect(query(urls, 'summary')?.get('operator_id')).toBe('op-anna');
    await waitFor(() => expect(query(urls, 'operators')?.get('category')).toBe('Сеть'));
    expect(query(urls, 'categories')?.has('category')).toBe(false);
  });

  it('applies the presets and the dates to the requests', async () => {
    const urls = serve();
    renderPage(anna);
    await screen.findByTestId('kpi-tickets_created');

    urls.length = 0;
    fireEvent.click(screen.getByRole('button', { name: '7 дней' }));
    await waitFor(() => expect(urls).toContain('/api/v1/stats/summary?from=2025-03-24&to=2025-03-30'));
    expect(screen.getByRole('button', { name: '7 дней' }).getAttribute('aria-pressed')).toBe('true');

    urls.length = 0;
    fireEvent.change(screen.getByLabelText('С'), { target: { value: '2025-02-01' } });
    await waitFor(() => expect(urls).toContain('/api/v1/stats/summary?from=2025-02-01&to=2025-03-30'));
    expect(screen.getByRole('button', { name: '7 дней' }).getAttribute('aria-pressed')).toBe('false');
  });

  it('shows an invalid range instead of asking the server', async () => {
    const urls = serve();
    renderPage(admin);
    await screen.findByTestId('kpi-tickets_created');
    const asked = urls.length;

    fireEvent.change(screen.getByLabelText('По'), { target: { value: '2025-02-15' } });
    expect(screen.getByRole('alert').textContent).toBe('Дата «по» раньше даты «с». Исправьте период.');
    expect(screen.getByLabelText('По').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('kpi-tickets_created')).toBeNull();

    fireEvent.change(screen.getByLabelText('С'), { target: { value: '2023-01-01' } });
    fireEvent.change(screen.getByLabelText('По'), { target: { value: '2025-03-30' } });
    expect(screen.getByRole('alert').textContent).toBe('Период не длиннее 366 дней, выбрано 820. Сократите период.');

    fireEvent.change(screen.getByLabelText('С'), { target: { value: '' } });
    expect(screen.getByRole('alert').textContent).toBe('Укажите обе даты периода.');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(urls).toHaveLength(asked);

    fireEvent.change(screen.getByLabelText('С'), { target: { value: '2025-03-01' } });
    await waitFor(() => expect(urls.length).toBeGreaterThan(asked));
    expect(await screen.findByTestId('kpi-tickets_created')).toBeTruthy();
  });

  it('shows API errors (never a blank page) and asks again on retry', async () => {
    let down = true;
    const urls = serve((path) => {
      if (path === '/api/v1/stats/summary' && down) return json(503, { detail: 'stats service unavailable' });
      if (path === '/api/v1/stats/categories') return json(404, { detail: 'Not Found' });
      return undefined;
    });
    renderPage(admin);

    const alerts = await screen.findAllByRole('alert');
    await waitFor(() => expect(screen.getAllByRole('alert').map((alert) => alert.textContent)).toEqual(['Сервис временно недоступен. Повторите чуть позже. Повторить', 'Not Found']));
    expect(alerts.length).toBeGreaterThan(0);
    expect(screen.queryByTestId('kpi-tickets_created')).toBeNull();
    // what did come is still shown
    expect(await screen.findByRole('table', { name: 'Операторы' })).toBeTruthy();

    down = false;
    const asked = urls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Повторить' }));
    await waitFor(() => expect(kpi('tickets_created').textContent).toContain(`1${NBSP}234`));
    expect(urls.length).toBeGreaterThan(asked);
    expect(screen.queryByText(/Сервис временно недоступен/)).toBeNull();
  });

  it('speaks English', async () => {
    serve();
    renderPage(admin, 'en');
    await waitFor(() => expect(kpi('first_response_p50_s').textContent).toContain('2 min 5 s'));
    expect(screen.getByRole('heading', { level: 1, name: 'Statistics' })).toBeTruthy();
    expect(kpi('tickets_created').textContent).toContain('1,234');
    expect(screen.getByRole('table', { name: 'Operators' })).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Operators' })).getByText('Unassigned')).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Categories' })).getByText('No category')).toBeTruthy();
    expect(screen.getByLabelText('Operator')).toBeTruthy();
  });
});
