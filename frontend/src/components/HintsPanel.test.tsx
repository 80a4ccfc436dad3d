import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { HintsPanel } from './HintsPanel';

function respond(status: number, body: unknown) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })),
  );
}

describe('HintsPanel', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('lists hints and hands the answer over on click', async () => {
    respond(200, { items: [{ answer: 'Перезагрузите роутер.', question: 'Нет интернета', category: 'Сеть', subcategory: '', score: 0.87 }] });
    const onUse = vi.fn();
    render(
      <I18nProvider initialLocale="ru">
        <HintsPanel ticketId="t-1" refreshKey="" onUse={onUse} />
      </I18nProvider>,
    );
    expect(screen.getByRole('heading', { name: 'Подсказки' })).toBeTruthy();
    fireEvent.click(await screen.findByRole('button', { name: /Перезагрузите роутер/ }));
    expect(onUse).toHaveBeenCalledWith('Перезагрузите роутер.');
    expect(screen.getByText('87%')).toBeTruthy();
  });

  it('hides itself while the backend has no hints endpoint', async () => {
    respond(404, { detail: 'Not Found' });
    const { container } = render(
      <I18nProvider initialLocale="ru">
        <HintsPanel ticketId="t-1" refreshKey="" onUse={() => undefined} />
      </I18nProvider>,
    );
    await waitFor(() => expect(container.innerHTML).toBe(''));
  });
});
