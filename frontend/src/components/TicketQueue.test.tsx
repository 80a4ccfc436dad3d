import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
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
