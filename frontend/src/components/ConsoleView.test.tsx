import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { initialState, type ConsoleState } from '../state';
import { message, ticket } from '../test/fixtures';
import type { OperatorPublic } from '../types';
import type { ConsoleApi } from '../useConsole';
import { ConsoleView } from './ConsoleView';

const ME: OperatorPublic = { id: 'op-1', username: 'anna', display_name: 'Анна', role: 'operator', active: true, created_at: '2025-03-01T10:00:00Z' };
const DRAFT_TEXT = 'Здравствуйте! Перезагрузите роутер и проверьте кабель.';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function desk(): ConsoleApi {
  const state: ConsoleState = {
    ...initialState(ME.id),
    selectedId: 't-1',
    openTicket: ticket('t-1', { status: 'assigned', assignee: ME.id }),
    messagesStatus: 'ready',
  };
  const noop = () => undefined;
  return {
    state,
    liveStatus: 'online',
    dispatch: noop,
    setFilter: noop,
    reloadList: noop,
    loadMore: noop,
    select: noop,
    reloadMessages: noop,
    ticketChanged: noop,
    messageAdded: noop,
  };
}

describe('ConsoleView ready reply', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('inserts the draft into the reply box after what the operator typed, and sends nothing by itself', async () => {
    const requests: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        requests.push(`${init?.method ?? 'GET'} ${url}`);
        if (url.endsWith('/hints')) return json(200, { items: [], query: '' });
        if (url.endsWith('/reply-draft')) {
          return json(200, { text: DRAFT_TEXT, source: 'llm', model: 'qwen2.5-7b', fallback_reason: '', hints: [], query: 'q' });
        }
        return json(404, { detail: 'Not Found' });
      }),
    );
    render(
      <MemoryRouter>
        <I18nProvider initialLocale="ru">
          <ConsoleView me={ME} console={desk()} operators={[ME]} categories={[]} nameOf={() => ''} onOpenTicket={() => undefined} />
        </I18nProvider>
      </MemoryRouter>,
    );
    const reply = screen.getByLabelText('Ответ клиенту') as HTMLTextAreaElement;
    fireEvent.change(reply, { target: { value: 'Добрый день!' } });

    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Вставить в ответ' }));

    await waitFor(() => expect(reply.value).toBe(`Добрый день!\n\n${DRAFT_TEXT}`));
    expect(document.activeElement).toBe(reply);
    // Typing told the gateway once («печатает…» for the customer); nothing was sent.
    expect(requests.filter((request) => request.startsWith('POST'))).toEqual([
      'POST /api/v1/tickets/t-1/typing',
      'POST /api/v1/tickets/t-1/reply-draft',
    ]);
  });
});

describe('ConsoleView delivery of replies', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('retries a reply Telegram refused and shows what the gateway answers', async () => {
    const failed = message('m-9', 't-1', {
      direction: 'operator',
      operator_id: ME.id,
      text: 'Ваш перевод зачислен',
      delivery_status: 'failed',
      delivery_error: 'Forbidden: bot was blocked by the user',
    });
    const requests: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input);
        requests.push(`${init?.method ?? 'GET'} ${url}`);
        if (url.endsWith('/hints')) return json(200, { items: [], query: '' });
        if (url.endsWith('/retry')) return json(200, { ...failed, delivery_status: 'sending', delivery_error: null });
        return json(404, { detail: 'Not Found' });
      }),
    );
    const added = vi.fn();
    const console = desk();
    render(
      <MemoryRouter>
        <I18nProvider initialLocale="ru">
          <ConsoleView
          me={ME}
          console={{ ...console, state: { ...console.state, messages: [failed] }, messageAdded: added }}
          operators={[ME]}
          categories={[]}
          nameOf={() => 'Анна'}
          onOpenTicket={() => undefined}
        />
        </I18nProvider>
      </MemoryRouter>,
    );
    expect(screen.getByText('Не доставлено: клиент заблокировал бота')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Повторить' }));

    await waitFor(() => expect(added).toHaveBeenCalledTimes(1));
    expect(added.mock.calls[0]![0]).toMatchObject({ id: 'm-9', delivery_status: 'sending' });
    expect(requests.filter((request) => request.startsWith('POST'))).toEqual([
      'POST /api/v1/tickets/t-1/messages/m-9/retry',
    ]);
  });
});

describe('ConsoleView shortcuts', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('moves between tickets with J/K (any layout), focuses the reply with R, and lists the keys with ?', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(200, { items: [], query: '' })));
    const base = desk();
    const tickets = [ticket('t-0'), ticket('t-1', { status: 'assigned', assignee: ME.id }), ticket('t-2')];
    const open = vi.fn();
    render(
      <MemoryRouter>
        <I18nProvider initialLocale="ru">
          <ConsoleView
            me={ME}
            console={{ ...base, state: { ...base.state, tickets, listStatus: 'ready' } }}
            operators={[ME]}
            categories={[]}
            nameOf={() => ''}
            onOpenTicket={open}
          />
        </I18nProvider>
      </MemoryRouter>,
    );
    fireEvent.keyDown(document.body, { key: 'о', code: 'KeyJ' });
    expect(open).toHaveBeenLastCalledWith('t-2');
    fireEvent.keyDown(document.body, { key: 'k', code: 'KeyK' });
    expect(open).toHaveBeenLastCalledWith('t-0');

    const reply = screen.getByLabelText('Ответ клиенту');
    fireEvent.keyDown(reply, { key: 'j', code: 'KeyJ' });
    expect(open).toHaveBeenCalledTimes(2); // typing in the reply is typing, not a shortcut

    fireEvent.keyDown(document.body, { key: 'r', code: 'KeyR' });
    expect(document.activeElement).toBe(reply);

    fireEvent.keyDown(document.body, { key: '?', code: 'Slash', shiftKey: true });
    const help = await screen.findByRole('dialog', { name: 'Клавиши' });
    expect(help.textContent).toContain('Взять обращение');
    fireEvent.keyDown(document.body, { key: 'Escape', code: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
