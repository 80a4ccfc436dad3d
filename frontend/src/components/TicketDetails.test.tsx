import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider, makeFormatters } from '../i18n';
import { ticket } from '../test/fixtures';
import type { CategoryPublic, TicketPublic } from '../types';
import { TicketDetails } from './TicketDetails';

const categories: CategoryPublic[] = [
  { name: 'Оплата', subcategories: ['Возвраты', 'Карты'] },
  { name: 'Сеть', subcategories: ['Wi-Fi'] },
];

function details(subject: TicketPublic, onTicketChanged = vi.fn(), canEdit = true) {
  return (
    <I18nProvider initialLocale="ru">
      <TicketDetails ticket={subject} canEdit={canEdit} categories={categories} nameOf={() => ''} onTicketChanged={onTicketChanged} />
    </I18nProvider>
  );
}

const options = (select: HTMLElement) => Array.from((select as HTMLSelectElement).options, (option) => option.value);

describe('TicketDetails category pickers', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('picks a category, then one of its subcategories, and saves both with PATCH', async () => {
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) =>
      new Response(JSON.stringify(ticket('t-1', JSON.parse(String(init?.body)))), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    vi.stubGlobal('fetch', fetch);
    const onTicketChanged = vi.fn();
    render(details(ticket('t-1', { category: 'Сеть', subcategory: 'Wi-Fi' }), onTicketChanged));

    const category = screen.getByLabelText('Категория');
    const subcategory = screen.getByLabelText('Подкатегория');
    expect(options(category)).toEqual(['', 'Оплата', 'Сеть']);
    expect(options(subcategory)).toEqual(['', 'Wi-Fi']);
    expect(screen.getByRole('button', { name: 'Сохранить' }).hasAttribute('disabled')).toBe(true);

    fireEvent.change(category, { target: { value: 'Оплата' } });
    // Wi-Fi is not a subcategory of Оплата: cleared.
    expect((subcategory as HTMLSelectElement).value).toBe('');
    expect(options(subcategory)).toEqual(['', 'Возвраты', 'Карты']);
    fireEvent.change(subcategory, { target: { value: 'Карты' } });
    fireEvent.click(screen.getByRole('button', { name: 'Сохранить' }));

    await waitFor(() => expect(onTicketChanged).toHaveBeenCalled());
    const [url, init] = fetch.mock.calls[0]!;
    expect(String(url)).toBe('/api/v1/tickets/t-1');
    expect(init?.method).toBe('PATCH');
    expect(JSON.parse(String(init?.body))).toEqual({ category: 'Оплата', subcategory: 'Карты' });
  });

  it('keeps values the knowledge base does not list, and follows live changes of the ticket', () => {
    const { rerender } = render(details(ticket('t-1', { category: 'Старое', subcategory: 'Прочее' })));
    expect((screen.getByLabelText('Категория') as HTMLSelectElement).value).toBe('Старое');
    expect((screen.getByLabelText('Подкатегория') as HTMLSelectElement).value).toBe('Прочее');
    expect(options(screen.getByLabelText('Категория'))).toEqual(['', 'Старое', 'Оплата', 'Сеть']);

    // The classifier sets the category (ticket.updated).
    rerender(details(ticket('t-1', { category: 'Сеть', subcategory: 'Wi-Fi' })));
    expect((screen.getByLabelText('Категория') as HTMLSelectElement).value).toBe('Сеть');
    expect((screen.getByLabelText('Подкатегория') as HTMLSelectElement).value).toBe('Wi-Fi');
  });

  it("is read-only for someone else's ticket", () => {
    render(details(ticket('t-1', { category: 'Сеть' }), vi.fn(), false));
    expect(screen.getByLabelText('Категория').hasAttribute('disabled')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Сохранить' })).toBeNull();
  });
});

describe('TicketDetails customer rating', () => {
  it('shows the rating of a rated ticket: stars, the score, the comment and when it was given', () => {
    const ratedAt = '2025-03-02T09:30:00Z';
    render(
      details(
        ticket('t-1', { status: 'closed', closed_at: '2025-03-02T09:00:00Z', rating: { score: 4, comment: 'Быстро помогли, спасибо!', rated_at: ratedAt } }),
      ),
    );
    const rating = screen.getByTestId('ticket-rating');
    expect(screen.getByText('Оценка клиента')).toBeTruthy();
    const stars = within(rating).getByRole('img', { name: 'Оценка 4 из 5' });
    expect(stars.querySelector('.rating-stars__on')?.textContent).toBe('★★★★');
    expect(stars.querySelector('.rating-stars__off')?.textContent).toBe('★');
    expect(within(rating).getByText('4/5')).toBeTruthy();
    expect(within(rating).getByText('Быстро помогли, спасибо!')).toBeTruthy();
    const time = rating.querySelector('time')!;
    expect(time.getAttribute('dateTime')).toBe(ratedAt);
    expect(time.textContent).toBe(`Оценено ${makeFormatters('ru').dateTime(ratedAt)}`);
    expect(within(rating).queryByText('Без оценки')).toBeNull();
  });

  it('says «Без оценки» for a closed ticket without a rating, and nothing for an open one', () => {
    const { rerender } = render(details(ticket('t-1', { status: 'closed', closed_at: '2025-03-02T09:00:00Z', rating: null })));
    expect(screen.getByTestId('ticket-rating').textContent).toBe('Без оценки');

    rerender(details(ticket('t-1', { status: 'assigned' })));
    expect(screen.queryByTestId('ticket-rating')).toBeNull();
    expect(screen.queryByText('Оценка клиента')).toBeNull();
  });

  it('shows the rating in English', () => {
    render(
      <I18nProvider initialLocale="en">
        <TicketDetails
          ticket={ticket('t-1', { status: 'closed', rating: { score: 2, comment: '', rated_at: '2025-03-02T09:30:00Z' } })}
          canEdit={false}
          categories={categories}
          nameOf={() => ''}
          onTicketChanged={vi.fn()}
        />
      </I18nProvider>,
    );
    expect(screen.getByText('Customer rating')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Rated 2 out of 5' })).toBeTruthy();
    expect(screen.getByTestId('ticket-rating').querySelector('blockquote')).toBeNull();
  });
});
