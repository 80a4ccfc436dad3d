import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { HintsPanel } from './HintsPanel';

function respond(status: number, body: unknown) {
  const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

const HINT = { answer: 'Перезагрузите роутер.', question: 'Нет интернета', category: 'Сеть', subcategory: 'Wi-Fi', score: 0.87 };

function panel(ticketId: string, refreshKey: number | string, onUse: (answer: string) => void = () => undefined, delay = 500) {
  return (
    <I18nProvider initialLocale="ru">
      <HintsPanel ticketId={ticketId} refreshKey={refreshKey} onUse={onUse} refreshDelayMs={delay} />
    </I18nProvider>
  );
}

describe('HintsPanel', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('lists hints with their question and category, and hands the answer over on click', async () => {
    respond(200, { items: [HINT], query: 'нет интернета' });
    const onUse = vi.fn();
    render(panel('t-1', 0, onUse));
    expect(screen.getByRole('heading', { name: 'Подсказки' })).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: /Перезагрузите роутер/ }));
    expect(onUse).toHaveBeenCalledWith('Перезагрузите роутер.');
    expect(screen.getByText('Нет интернета')).toBeTruthy();
    expect(screen.getByText('Сеть › Wi-Fi')).toBeTruthy();
    expect(screen.getByText('87%')).toBeTruthy();
  });

  it('hides itself while the backend has no hints endpoint', async () => {
    respond(404, { detail: 'Not Found' });
    const { container } = render(panel('t-1', 0));
    await waitFor(() => expect(container.innerHTML).toBe(''));
  });

  it('says quietly that hints are unavailable on 503, and asks again on the next change', async () => {
    const fetch = respond(503, { detail: 'upstream service error: unavailable' });
    const { rerender } = render(panel('t-1', 0, undefined, 20));
    expect(await screen.findByText('Подсказки недоступны')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByText(/upstream/)).toBeNull();

    fetch.mockImplementation(async () => new Response(JSON.stringify({ items: [HINT], query: 'q' }), { status: 200, headers: { 'content-type': 'application/json' } }));
    rerender(panel('t-1', 1, undefined, 20));
    expect(await screen.findByRole('button', { name: /Перезагрузите роутер/ })).toBeTruthy();
    expect(screen.queryByText('Подсказки недоступны')).toBeNull();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('retries at once from the unavailable note', async () => {
    const fetch = respond(503, { detail: '' });
    render(panel('t-1', 0));
    fireEvent.click(await screen.findByRole('button', { name: 'Повторить' }));
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
  });

  it('asks at once for a new ticket, and once per burst of refreshes after a quiet moment', async () => {
    vi.useFakeTimers();
    const fetch = respond(200, { items: [], query: '' });
    const { rerender } = render(panel('t-1', 0));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(String(fetch.mock.calls[0]![0])).toBe('/api/v1/tickets/t-1/hints');

    // A new customer message, then its photo's OCR text: one request, after the delay.
    rerender(panel('t-1', 1));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    rerender(panel('t-1', 2));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(300);
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(250);
    });
    expect(fetch).toHaveBeenCalledTimes(2);

    // Another ticket: no waiting.
    rerender(panel('t-2', 2));
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(String(fetch.mock.calls[2]![0])).toBe('/api/v1/tickets/t-2/hints');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1000);
    });
    expect(fetch).toHaveBeenCalledTimes(3);
  });
});
