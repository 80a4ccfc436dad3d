import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { message, ticket } from '../test/fixtures';
import type { CustomerHistoryPublic, MessagePublic, TimelinePublic } from '../types';
import { CustomerHistory } from './CustomerHistory';
import { TicketTimeline } from './TicketTimeline';

const current = ticket('t-3', { status: 'assigned', assignee: 'op-1' });
const history: CustomerHistoryPublic = {
  items: [
    {
      id: 't-2',
      title: 'Не приходит SMS',
      status: 'closed',
      created_at: '2025-02-10T09:00:00Z',
      closed_at: '2025-02-10T11:00:00Z',
      category: 'Карты',
      rating: { score: 4, comment: 'Спасибо', rated_at: '2025-02-10T11:05:00Z' },
    },
    { id: 't-1', title: '', status: 'closed', created_at: '2025-01-05T09:00:00Z', closed_at: '2025-01-05T10:00:00Z', category: '', rating: null },
  ],
  has_more: false,
};
const earlier: MessagePublic[] = [
  message('m1', 't-2', { direction: 'customer', text: 'SMS не приходит' }),
  message('m2', 't-2', { direction: 'system', internal: true, operator_id: 'op-1', text: 'Проверил номер' }),
  message('m3', 't-2', { direction: 'operator', operator_id: 'op-1', text: 'Отправили код ещё раз', delivery_status: 'sent' }),
];

function json(body: unknown) {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

function stubApi(routes: Record<string, unknown>) {
  const fetch = vi.fn(async (url: RequestInfo | URL) => {
    const path = String(url).split('?')[0]!;
    if (!(path in routes)) return new Response('{"detail":"no"}', { status: 404, headers: { 'content-type': 'application/json' } });
    return json(routes[path]);
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

const nameOf = (id: string | null) => (id === 'op-1' ? 'Анна' : id === 'op-2' ? 'Борис' : id ? 'другой оператор' : '');

describe('CustomerHistory', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('loads nothing until opened, then lists the earlier tickets with ratings and shows one’s transcript inline', async () => {
    const fetch = stubApi({
      '/api/v1/tickets/t-3/history': history,
      '/api/v1/tickets/t-3/history/t-2/messages': { items: earlier, next_cursor: null },
    });
    render(
      <I18nProvider initialLocale="ru">
        <CustomerHistory ticket={current} nameOf={nameOf} />
      </I18nProvider>,
    );
    const toggle = screen.getByRole('button', { name: /Обращения клиента/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(fetch).not.toHaveBeenCalled();

    fireEvent.click(toggle);
    const first = await screen.findByRole('button', { name: /Не приходит SMS/ });
    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByRole('img', { name: 'Оценка 4 из 5' })).toBeTruthy();
    expect(within(items[0]!).getByText('«Спасибо»')).toBeTruthy();
    expect(within(items[0]!).getByText('Закрыто')).toBeTruthy();
    // Unrated and untitled: no stars, the placeholder title.
    expect(within(items[1]!).queryByRole('img')).toBeNull();
    expect(within(items[1]!).getByText('Без темы')).toBeTruthy();

    fireEvent.click(first);
    const transcript = await screen.findByRole('log', { name: 'Переписка обращения «Не приходит SMS» (только чтение)' });
    await within(transcript).findByText('Отправили код ещё раз');
    expect(within(transcript).getByText('SMS не приходит')).toBeTruthy();
    // The note is marked as one; nothing can be sent from here.
    expect(within(transcript).getByLabelText('Внутренняя заметка, клиент её не видит')).toBeTruthy();
    expect(within(transcript).queryByRole('textbox')).toBeNull();
    expect(fetch.mock.calls.map(([url]) => String(url).split('?')[0])).toEqual([
      '/api/v1/tickets/t-3/history',
      '/api/v1/tickets/t-3/history/t-2/messages',
    ]);

    fireEvent.click(first);
    expect(screen.queryByRole('log')).toBeNull();
  });

  it('says when the customer has no other tickets', async () => {
    stubApi({ '/api/v1/tickets/t-3/history': { items: [], has_more: false } });
    render(
      <I18nProvider initialLocale="ru">
        <CustomerHistory ticket={current} nameOf={nameOf} />
      </I18nProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: /Обращения клиента/ }));
    expect(await screen.findByText('Других обращений у клиента нет')).toBeTruthy();
  });
});

describe('TicketTimeline', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('says who did what, with operators by name, folded replies and the rating', async () => {
    const timeline: TimelinePublic = {
      items: [
        { kind: 'opened', at: '2025-03-01T09:00:00Z', actor: null, target: null, count: 1, last_at: null },
        { kind: 'taken', at: '2025-03-01T09:01:00Z', actor: 'op-1', target: null, count: 1, last_at: null },
        { kind: 'assigned', at: '2025-03-01T09:02:00Z', actor: 'op-9', target: 'op-2', count: 1, last_at: null },
        { kind: 'replied', at: '2025-03-01T09:03:00Z', actor: 'op-2', target: null, count: 2, last_at: '2025-03-01T09:10:00Z' },
        { kind: 'closed', at: '2025-03-01T09:11:00Z', actor: 'op-2', target: null, count: 1, last_at: null },
        { kind: 'rated', at: '2025-03-01T09:12:00Z', actor: null, target: null, count: 1, last_at: null, score: 5, comment: 'Отлично' },
      ],
    };
    stubApi({ '/api/v1/tickets/t-3/timeline': timeline });
    render(
      <I18nProvider initialLocale="ru">
        <TicketTimeline ticket={current} nameOf={nameOf} />
      </I18nProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: /Хронология/ }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(6));
    const texts = screen.getAllByRole('listitem').map((item) => item.querySelector('.ticket-timeline__text')?.textContent);
    expect(texts[0]).toBe('Клиент открыл обращение');
    expect(texts[1]).toBe('Анна взял(а) обращение');
    expect(texts[2]).toBe('другой оператор назначил(а) обращение: Борис');
    expect(texts[3]).toMatch(/^Борис ответил\(а\) 2 раз\(а\), до \d\d:\d\d$/);
    expect(texts[4]).toBe('Борис закрыл(а) обращение');
    expect(texts[5]).toMatch(/^Клиент оценил: 5 из 5 /);
    expect(screen.getByText('Отлично')).toBeTruthy();
  });
});
