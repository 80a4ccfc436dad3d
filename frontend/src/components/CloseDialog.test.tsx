import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { message, ticket } from '../test/fixtures';
import type { MessagePublic, OperatorPublic } from '../types';
import { lastMessageUnanswered } from './CloseDialog';
import { TicketActions } from './TicketActions';

const me: OperatorPublic = { id: 'op-1', username: 'anna', display_name: 'Анна', role: 'operator', active: true, created_at: '2025-01-01T00:00:00Z' };
const mine = ticket('t-1', { status: 'assigned', assignee: 'op-1' });
const WARNING = 'Последнее сообщение клиента осталось без ответа. Всё равно закрыть?';

function actions(messages: MessagePublic[], onTicketChanged = vi.fn()) {
  return (
    <I18nProvider initialLocale="ru">
      <TicketActions ticket={mine} me={me} operators={[me]} onTicketChanged={onTicketChanged} messages={messages} />
    </I18nProvider>
  );
}

const customerSays = (id: string) => message(id, 't-1', { direction: 'customer' });
const operatorSays = (id: string) => message(id, 't-1', { direction: 'operator', operator_id: 'op-1' });
const note = (id: string) => message(id, 't-1', { direction: 'system', internal: true, operator_id: 'op-1' });

describe('lastMessageUnanswered', () => {
  it('is true only when the last message that is not a note is the customer’s', () => {
    expect(lastMessageUnanswered([])).toBe(false);
    expect(lastMessageUnanswered([customerSays('m1')])).toBe(true);
    expect(lastMessageUnanswered([customerSays('m1'), operatorSays('m2')])).toBe(false);
    expect(lastMessageUnanswered([operatorSays('m1'), customerSays('m2')])).toBe(true);
    // A note does not answer the customer.
    expect(lastMessageUnanswered([customerSays('m1'), note('m2')])).toBe(true);
    expect(lastMessageUnanswered([customerSays('m1'), operatorSays('m2'), note('m3')])).toBe(false);
  });
});

describe('closing a ticket', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('warns in a modal dialog when the customer’s last message is unanswered, and Esc cancels', () => {
    const confirm = vi.spyOn(window, 'confirm');
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    render(actions([operatorSays('m1'), customerSays('m2'), note('m3')]));
    const closeButton = screen.getByRole('button', { name: 'Закрыть' });
    closeButton.focus();
    fireEvent.click(closeButton);

    const dialog = screen.getByRole('dialog', { name: 'Закрыть обращение' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(screen.getByTestId('close-dialog-text').textContent).toBe(WARNING);
    // The safe choice has the focus.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Отмена' }));

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(closeButton);
    expect(fetch).not.toHaveBeenCalled();
    expect(confirm).not.toHaveBeenCalled();
  });

  it('asks a plain confirmation when the operator answered last, and closes on confirm', async () => {
    const fetch = vi.fn(async () =>
      new Response(JSON.stringify({ ...mine, status: 'closed' }), { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    vi.stubGlobal('fetch', fetch);
    const onTicketChanged = vi.fn();
    render(actions([customerSays('m1'), operatorSays('m2')], onTicketChanged));
    fireEvent.click(screen.getByRole('button', { name: 'Закрыть' }));

    screen.getByRole('dialog', { name: 'Закрыть обращение' });
    expect(screen.getByTestId('close-dialog-text').textContent).toBe('Закрыть обращение? Клиент получит уведомление в Telegram.');
    expect(screen.queryByText(WARNING)).toBeNull();
    const confirmButton = screen.getAllByRole('button', { name: 'Закрыть' }).find((button) => button.closest('[role="dialog"]'));
    expect(document.activeElement).toBe(confirmButton);
    fireEvent.click(confirmButton!);

    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(onTicketChanged).toHaveBeenCalled());
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(String(url)).toBe('/api/v1/tickets/t-1/close');
    expect(init.method).toBe('POST');
  });

  it('keeps Tab inside the dialog and cancels on a click outside it', () => {
    render(actions([customerSays('m1')]));
    fireEvent.click(screen.getByRole('button', { name: 'Закрыть' }));
    const cancel = screen.getByRole('button', { name: 'Отмена' });
    const anyway = screen.getByRole('button', { name: 'Всё равно закрыть' });
    anyway.focus();
    fireEvent.keyDown(anyway, { key: 'Tab' });
    expect(document.activeElement).toBe(cancel);
    fireEvent.keyDown(cancel, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(anyway);

    fireEvent.mouseDown(screen.getByRole('dialog').parentElement!);
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
