import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { consoleReducer, initialState, type ListFilter } from '../state';
import { ticket } from '../test/fixtures';
import type { CategoryPublic } from '../types';
import { TicketQueue } from './TicketQueue';

const categories: CategoryPublic[] = [
  { name: 'Оплата', subcategories: ['Карты'] },
  { name: 'Сеть', subcategories: [] },
];

function stateWith(filter: ListFilter) {
  let state = consoleReducer(initialState('op-me'), { type: 'filter/set', filter });
  state = consoleReducer(state, {
    type: 'list/loaded',
    version: state.listVersion,
    page: { items: [ticket('t-1', { category: 'Оплата', subcategory: 'Карты', title: 'Двойное списание' }), ticket('t-2', { title: 'Без категории' })], next_cursor: null },
    append: false,
  });
  return state;
}

function renderQueue(filter: ListFilter, onFilter = vi.fn()) {
  render(
    <I18nProvider initialLocale="ru">
      <TicketQueue
        state={stateWith(filter)}
        isAdmin={false}
        categories={categories}
        nameOf={() => ''}
        onFilter={onFilter}
        onLoadMore={() => undefined}
        onSelect={() => undefined}
        onRetry={() => undefined}
      />
    </I18nProvider>,
  );
  return onFilter;
}

describe('TicketQueue category filter', () => {
  it('offers "all categories" and the known ones, and filters by the chosen one', () => {
    const onFilter = renderQueue({ tab: 'mine', q: '', category: '' });
    const select = screen.getByLabelText('Категория обращений') as HTMLSelectElement;
    expect(select.value).toBe('');
    expect(Array.from(select.options, (option) => option.textContent)).toEqual(['Все категории', 'Оплата', 'Сеть']);

    fireEvent.change(select, { target: { value: 'Оплата' } });
    expect(onFilter).toHaveBeenCalledWith({ tab: 'mine', q: '', category: 'Оплата' });
  });

  it('keeps the category when the tab changes, and back to all with the default option', () => {
    const onFilter = renderQueue({ tab: 'queue', q: '', category: 'Сеть' });
    expect((screen.getByLabelText('Категория обращений') as HTMLSelectElement).value).toBe('Сеть');

    fireEvent.click(screen.getByRole('tab', { name: 'Закрытые' }));
    expect(onFilter).toHaveBeenLastCalledWith({ tab: 'closed', q: '', category: 'Сеть' });

    fireEvent.change(screen.getByLabelText('Категория обращений'), { target: { value: '' } });
    expect(onFilter).toHaveBeenLastCalledWith({ tab: 'queue', q: '', category: '' });
  });

  it('keeps a chosen category that the knowledge base no longer lists', () => {
    renderQueue({ tab: 'queue', q: '', category: 'Архив' });
    const select = screen.getByLabelText('Категория обращений') as HTMLSelectElement;
    expect(select.value).toBe('Архив');
    expect(Array.from(select.options, (option) => option.value)).toEqual(['', 'Архив', 'Оплата', 'Сеть']);
  });

  it('shows the category of a ticket as a chip', () => {
    renderQueue({ tab: 'queue', q: '', category: '' });
    const [first, second] = screen.getAllByRole('listitem');
    const chip = within(first!).getByTitle('Категория: Оплата › Карты');
    expect(chip.textContent).toBe('Категория: Оплата');
    expect(within(second!).queryByTitle(/Категория/)).toBeNull();
  });
});

describe('TicketQueue rating badge', () => {
  it('marks rated tickets with a compact «★ 4» badge, and only them', () => {
    let state = consoleReducer(initialState('op-me'), { type: 'filter/set', filter: { tab: 'closed', q: '', category: '' } });
    state = consoleReducer(state, {
      type: 'list/loaded',
      version: state.listVersion,
      page: {
        items: [
          ticket('t-1', { status: 'closed', title: 'Оценённое', rating: { score: 4, comment: 'Спасибо', rated_at: '2025-03-02T09:30:00Z' } }),
          ticket('t-2', { status: 'closed', title: 'Без оценки', rating: null }),
          ticket('t-3', { status: 'closed', title: 'Без поля' }),
        ],
        next_cursor: null,
      },
      append: false,
    });
    render(
      <I18nProvider initialLocale="ru">
        <TicketQueue state={state} isAdmin={false} categories={categories} nameOf={() => ''} onFilter={vi.fn()} onLoadMore={() => undefined} onSelect={() => undefined} onRetry={() => undefined} />
      </I18nProvider>,
    );

    const badges = screen.getAllByTestId('rating-badge');
    expect(badges).toHaveLength(1);
    const rated = screen.getByText('Оценённое').closest('li')!;
    expect(within(rated).getByTestId('rating-badge')).toBe(badges[0]);
    expect(badges[0]!.textContent).toBe('★ 4Оценка клиента: 4 из 5');
    expect(badges[0]!.querySelector('[aria-hidden="true"]')!.textContent).toBe('★ 4');
    expect(badges[0]!.getAttribute('title')).toBe('Оценка клиента: 4 из 5');
  });
});

describe('TicketQueue urgency', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function answer(url: string) {
    const body = url.endsWith('/tickets/counts')
      ? { queue: 12, queue_waiting: 9, mine: 3, mine_waiting: 1, all_active: null }
      : url.endsWith('/console/settings')
        ? { sla_warning_s: 120, sla_breach_s: 600 }
        : { detail: 'Not Found' };
    const status = 'detail' in body ? 404 : 200;
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }

  function renderWaiting(tickets: ReturnType<typeof ticket>[]) {
    let state = consoleReducer(initialState('op-me'), { type: 'filter/set', filter: { tab: 'queue', q: '', category: '' } });
    state = consoleReducer(state, { type: 'list/loaded', version: state.listVersion, page: { items: tickets, next_cursor: null }, append: false });
    render(
      <I18nProvider initialLocale="ru">
        <TicketQueue
          state={state}
          isAdmin={false}
          categories={[]}
          nameOf={() => ''}
          onFilter={() => undefined}
          onLoadMore={() => undefined}
          onSelect={() => undefined}
          onRetry={() => undefined}
        />
      </I18nProvider>,
    );
  }

  it('shows how long each customer waits, coloured and worded by the SLA, and the tab counts', async () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    vi.useFakeTimers({ now, toFake: ['Date', 'setInterval', 'clearInterval'] });
    const fetch = vi.fn(async (input: RequestInfo | URL) => answer(String(input)));
    vi.stubGlobal('fetch', fetch);
    renderWaiting([
      ticket('t-1', { waiting_since: '2025-03-01T11:40:00Z', priority: 'urgent' }),
      ticket('t-2', { waiting_since: '2025-03-01T11:55:00Z' }),
      ticket('t-3', { waiting_since: '2025-03-01T11:59:30Z' }),
      ticket('t-4', { waiting_since: null }),
    ]);

    await waitFor(() => expect(screen.getByTestId('count-queue').textContent).toBe(' 12'));
    expect(screen.getByRole('tab', { name: 'Очередь 12' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Мои 3' })).toBeTruthy();
    expect(screen.getByTestId('count-queue').getAttribute('title')).toBe('Обращений: 12, ждут ответа: 9');
    // The thresholds came from the gateway (120 s / 600 s): 20 min is a breach, 5 min a warning.
    await waitFor(() => expect(screen.getByText('ждёт 5 мин').closest('[data-level]')?.getAttribute('data-level')).toBe('warning'));
    const breach = screen.getByText('ждёт 20 мин').closest('[data-level]')!;
    expect(breach.getAttribute('data-level')).toBe('breach');
    expect(breach.textContent).toContain('срок ответа истёк'); // in words too, not by colour alone
    expect(breach.className).toContain('ticket-item__wait--breach');
    expect(screen.getByText('ждёт < 1 мин').closest('[data-level]')!.getAttribute('data-level')).toBe('ok');
    expect(screen.getByText('Срочный')).toBeTruthy();
    // Answered: the time of its last message instead.
    const items = screen.getAllByRole('button').filter((button) => button.classList.contains('ticket-item'));
    expect(items[3]!.querySelector('time')).toBeTruthy();
    expect(items[3]!.querySelector('[data-level]')).toBeNull();

    // A minute later the labels have moved on by themselves (the clock ticks every 30 s).
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByText('ждёт 21 мин')).toBeTruthy();
    expect(screen.getByText('ждёт 6 мин')).toBeTruthy();
    expect(fetch.mock.calls.map(([url]) => String(url)).sort()).toEqual(['/api/v1/console/settings', '/api/v1/tickets/counts']);
  });
});
