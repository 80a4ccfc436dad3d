import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api';
import { I18nProvider } from '../i18n';
import { initialState, type ListFilter } from '../state';
import { ticket } from '../test/fixtures';
import type { Page, SearchHitPublic } from '../types';
import { TicketQueue } from './TicketQueue';

function hit(id: string, changes: Partial<SearchHitPublic> = {}): SearchHitPublic {
  return {
    ticket: ticket(id, { title: `Тема ${id}` }),
    snippet: 'Хочу оформить ипотека на квартиру',
    highlights: [[14, 21]],
    matched_field: 'message',
    message_id: `m-${id}`,
    score: 1,
    ...changes,
  };
}

function page(items: SearchHitPublic[], next: string | null = null): Page<SearchHitPublic> {
  return { items, next_cursor: next };
}

function renderQueue(filter: ListFilter, onSelect = vi.fn()) {
  const state = { ...initialState('op-me', filter), listStatus: 'ready' as const, tickets: [ticket('listed')] };
  render(
    <I18nProvider initialLocale="ru">
      <TicketQueue
        state={state}
        isAdmin
        categories={[]}
        nameOf={() => ''}
        onFilter={() => undefined}
        onLoadMore={() => undefined}
        onSelect={onSelect}
        onRetry={() => undefined}
      />
    </I18nProvider>,
  );
  return onSelect;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('TicketQueue history search', () => {
  it('shows the hits of /search with the matched words marked, instead of the list', async () => {
    const search = vi.spyOn(api, 'searchTickets').mockResolvedValue(
      page([hit('t-1'), hit('t-2', { matched_field: 'ocr', snippet: 'Платёж отклонён', highlights: [[0, 6]] })]),
    );
    const onSelect = renderQueue({ tab: 'queue', q: ' ипотеку ', category: '' });

    const items = await screen.findAllByRole('listitem');
    expect(search).toHaveBeenCalledWith({ q: 'ипотеку', status: 'open', limit: 20 }, expect.any(AbortSignal));
    expect(screen.queryByText('Ticket listed')).toBeNull();
    expect(screen.getByText('Найдено в истории обращений')).toBeTruthy();
    expect(items).toHaveLength(2);
    const first = within(items[0]!);
    expect(first.getByText('Тема t-1')).toBeTruthy();
    expect(first.getByText('Сообщение:', { exact: false })).toBeTruthy();
    expect(items[0]!.querySelector('mark')?.textContent).toBe('ипотека');
    expect(within(items[1]!).getByText('Текст на фото:', { exact: false })).toBeTruthy();
    expect(items[1]!.querySelector('mark')?.textContent).toBe('Платёж');

    fireEvent.click(within(items[1]!).getByRole('button'));
    expect(onSelect).toHaveBeenCalledWith('t-2');
  });

  it('renders markup in a snippet as text, never as HTML', async () => {
    vi.spyOn(api, 'searchTickets').mockResolvedValue(
      page([hit('t-1', { snippet: '<img src=x onerror=alert(1)> карта', highlights: [[29, 34]] })]),
    );
    renderQueue({ tab: 'all', q: 'карта', category: '' });
    const item = await screen.findByRole('listitem');
    expect(item.querySelector('img')).toBeNull();
    expect(item.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(item.querySelector('mark')?.textContent).toBe('карта');
  });

  it('pages with "more" without repeating a ticket', async () => {
    const search = vi
      .spyOn(api, 'searchTickets')
      .mockResolvedValueOnce(page([hit('t-1'), hit('other', { ticket: ticket('other', { category: 'Сеть' }) })], 'next-1'))
      .mockResolvedValueOnce(page([hit('t-1'), hit('t-3')], null));
    renderQueue({ tab: 'all', q: 'ипотека', category: '' });
    await screen.findAllByRole('listitem');
    expect(screen.getAllByRole('listitem')).toHaveLength(2);

    fireEvent.click(screen.getByRole('button', { name: 'Найти ещё' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(3));
    expect(search).toHaveBeenLastCalledWith({ q: 'ипотека', cursor: 'next-1', limit: 20 });
    expect(screen.queryByRole('button', { name: 'Найти ещё' })).toBeNull();
  });

  it('leaves out hits of another category (the server filters by status only)', async () => {
    vi.spyOn(api, 'searchTickets').mockResolvedValue(
      page([hit('t-1', { ticket: ticket('t-1', { category: 'Оплата' }) }), hit('t-2', { ticket: ticket('t-2', { category: 'Сеть' }) })]),
    );
    renderQueue({ tab: 'queue', q: 'карта', category: 'Оплата' });
    const items = await screen.findAllByRole('listitem');
    expect(items).toHaveLength(1);
    expect(within(items[0]!).getByText('Ticket t-1')).toBeTruthy();
  });

  it('says when nothing is found, and shows errors with a retry', async () => {
    const search = vi
      .spyOn(api, 'searchTickets')
      .mockRejectedValueOnce(new ApiError(400, 'query длиннее 200 символов'))
      .mockResolvedValueOnce(page([]));
    renderQueue({ tab: 'closed', q: 'нечто', category: '' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('query длиннее 200 символов');

    fireEvent.click(within(alert).getByRole('button', { name: 'Повторить' }));
    expect(await screen.findByText('Ничего не найдено')).toBeTruthy();
    expect(search).toHaveBeenCalledTimes(2);
  });

  it('does not search without words', () => {
    const search = vi.spyOn(api, 'searchTickets');
    renderQueue({ tab: 'queue', q: '   ', category: '' });
    expect(search).not.toHaveBeenCalled();
    expect(screen.getByText('Ticket listed')).toBeTruthy();
  });
});
