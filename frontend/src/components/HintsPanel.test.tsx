import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { HintsPanel } from './HintsPanel';

function respond(status: number, body: unknown) {
  const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

const HINT = { entry_id: 'kb-1', answer: 'Перезагрузите роутер.', question: 'Нет интернета', category: 'Сеть', subcategory: 'Wi-Fi', score: 0.87, probability: 0.82 };
const FORSAZH = { entry_id: 'kb-2', answer: 'Карта Форсаж выдаётся за 15 минут.', question: 'За сколько минут выдается карта Форсаж?', category: 'Карты', subcategory: 'Форсаж', score: 0.91, probability: 0.12 };

function panel(ticketId: string, refreshKey: number | string, onUse: (answer: string) => void = () => undefined, delay = 500, isAdmin = false) {
  return (
    <I18nProvider initialLocale="ru">
      <HintsPanel ticketId={ticketId} refreshKey={refreshKey} onUse={onUse} refreshDelayMs={delay} isAdmin={isAdmin} />
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
    // The calibrated probability, not the raw score.
    expect(screen.getByText('вероятность 82%')).toBeTruthy();
    expect(screen.queryByText(/87/)).toBeNull();
  });

  it('shows no percentage for a hint without a probability (an older gateway)', async () => {
    const { probability: _unused, ...plain } = HINT;
    respond(200, { items: [plain], query: 'нет интернета' });
    render(panel('t-1', 0));
    await screen.findByRole('button', { name: /Перезагрузите роутер/ });
    expect(screen.queryByText(/вероятность|%/)).toBeNull();
  });

  it('says there is no good hint, with the hints collapsed but browsable', async () => {
    respond(200, { items: [FORSAZH, HINT], query: 'где мой заказ пиццы', intent: 'где мой заказ пиццы', no_good_hint: true });
    const onUse = vi.fn();
    render(panel('t-1', 0, onUse));
    const status = await screen.findByText('Нет подходящей подсказки');
    expect(status.closest('[role="status"]')).toBeTruthy();
    const details = screen.getByText('Показать ближайшие записи (2)').closest('details')!;
    expect(details.open).toBe(false);
    const hint = screen.getByRole('button', { name: /Карта Форсаж выдаётся/, hidden: true });
    expect(details.contains(hint)).toBe(true);
    fireEvent.click(screen.getByText('Показать ближайшие записи (2)'));
    fireEvent.click(hint);
    expect(onUse).toHaveBeenCalledWith('Карта Форсаж выдаётся за 15 минут.');
    expect(screen.getByText('вероятность 12%')).toBeTruthy();
  });

  it('keeps the hints shown while the intent stays the same, and refreshes them when it changes', async () => {
    const fraud = 'С карты списали деньги, я не совершал эту покупку';
    const fetch = respond(200, { items: [HINT], query: fraud, intent: fraud, no_good_hint: false });
    const { rerender } = render(panel('t-1', 0, undefined, 10));
    const shown = await screen.findByRole('button', { name: /Перезагрузите роутер/ });

    // «Алло, вы тут?»: ml answers the same intent (with other hints, say, after a knowledge-base edit):
    // the panel keeps what it shows, the very same element.
    fetch.mockImplementation(async () => json(200, { items: [FORSAZH], query: fraud, intent: fraud, no_good_hint: false }));
    rerender(panel('t-1', 1, undefined, 10));
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    await act(async () => {
      await new Promise((done) => setTimeout(done, 30));
    });
    expect(screen.getByRole('button', { name: /Перезагрузите роутер/ })).toBe(shown);
    expect(screen.queryByText(/Карта Форсаж выдаётся/)).toBeNull();

    // The customer adds something the intent did not have: a new intent, new hints.
    const more = `${fraud}\nсписали 300 рублей в магазине`;
    fetch.mockImplementation(async () => json(200, { items: [FORSAZH], query: more, intent: more, no_good_hint: false }));
    rerender(panel('t-1', 2, undefined, 10));
    expect(await screen.findByRole('button', { name: /Карта Форсаж выдаётся/ })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Перезагрузите роутер/ })).toBeNull();
  });

  it('refreshes every time when the server names no intent (an older gateway)', async () => {
    const fetch = respond(200, { items: [HINT], query: 'q' });
    const { rerender } = render(panel('t-1', 0, undefined, 10));
    await screen.findByRole('button', { name: /Перезагрузите роутер/ });
    fetch.mockImplementation(async () => json(200, { items: [FORSAZH], query: 'q' }));
    rerender(panel('t-1', 1, undefined, 10));
    expect(await screen.findByRole('button', { name: /Карта Форсаж выдаётся/ })).toBeTruthy();
  });

  it('says it in English too', async () => {
    respond(200, { items: [HINT], query: 'x', intent: 'x', no_good_hint: true });
    render(
      <I18nProvider initialLocale="en">
        <HintsPanel ticketId="t-1" refreshKey={0} onUse={() => undefined} />
      </I18nProvider>,
    );
    expect(await screen.findByText('No suitable suggestion')).toBeTruthy();
    expect(screen.getByText('Show the closest entries (1)')).toBeTruthy();
    expect(screen.getByText('probability 82%')).toBeTruthy();
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

interface DraftCall {
  url: string;
  body: unknown;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** fetch answering the hints with HINT and POST .../reply-draft with `draft` (a Response or a promise of one). */
function serveDraft(draft: (call: DraftCall) => Response | Promise<Response>) {
  const drafts: DraftCall[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === 'POST' && url.endsWith('/reply-draft')) {
      const call = { url, body: init.body ? JSON.parse(String(init.body)) : undefined };
      drafts.push(call);
      return draft(call);
    }
    return json(200, { items: [HINT], query: 'нет интернета' });
  });
  vi.stubGlobal('fetch', fetch);
  return drafts;
}

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const LLM_DRAFT = {
  text: 'Здравствуйте! Перезагрузите роутер и проверьте кабель.',
  source: 'llm',
  model: 'qwen2.5-7b',
  fallback_reason: '',
  hints: [HINT],
  query: 'нет интернета',
};

describe('HintsPanel ready reply', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('asks once at a time, stays usable while busy, and shows an AI draft to insert', async () => {
    const pending = deferred<Response>();
    const drafts = serveDraft(() => pending.promise);
    const onUse = vi.fn();
    render(panel('t-1', 0, onUse));
    await screen.findByRole('button', { name: /Перезагрузите роутер\./ });

    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));
    const busy = await screen.findByRole('button', { name: 'Составляем ответ…' });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(busy);
    expect(drafts).toEqual([{ url: '/api/v1/tickets/t-1/reply-draft', body: { category: null, language: null, hints: 3 } }]);

    // The hints stay usable while the reply is composed.
    fireEvent.click(screen.getByRole('button', { name: /Перезагрузите роутер\./ }));
    expect(onUse).toHaveBeenCalledWith('Перезагрузите роутер.');

    pending.resolve(json(200, LLM_DRAFT));
    expect(await screen.findByText(LLM_DRAFT.text)).toBeTruthy();
    const badge = screen.getByText('ИИ');
    expect(badge.getAttribute('title')).toBe('Модель: qwen2.5-7b');
    expect(screen.getByText('Проверьте и при необходимости исправьте текст перед отправкой.')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Вставить в ответ' }));
    expect(onUse).toHaveBeenLastCalledWith(LLM_DRAFT.text);
    expect((screen.getByRole('button', { name: 'Составить ответ' }) as HTMLButtonElement).disabled).toBe(false);
    expect(drafts).toHaveLength(1);
  });

  it('marks a template answer and says why no AI wrote it', async () => {
    serveDraft(() => json(200, { ...LLM_DRAFT, text: 'Перезагрузите роутер.', source: 'template', model: '', fallback_reason: 'llm timed out' }));
    const onUse = vi.fn();
    render(panel('t-1', 0, onUse));
    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));

    const badge = await screen.findByText('Шаблон');
    expect(badge.getAttribute('title')).toBe('Без ИИ: llm timed out');
    expect(screen.queryByText('ИИ')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Вставить в ответ' }));
    expect(onUse).toHaveBeenCalledWith('Перезагрузите роутер.');
  });

  it('says so when no knowledge-base answer matched', async () => {
    serveDraft(() => json(200, { text: '', source: 'none', model: '', fallback_reason: '', hints: [], query: 'абв' }));
    render(panel('t-1', 0));
    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));

    expect(await screen.findByText('Нет подходящих ответов в базе знаний')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Вставить в ответ' })).toBeNull();
    expect(screen.queryByText('Шаблон')).toBeNull();
  });

  it('shows errors inline and lets the operator try again', async () => {
    const statuses: [number, string][] = [
      [403, 'ticket is assigned to another operator'],
      [503, 'upstream service error: unavailable'],
      [500, 'boom'],
    ];
    const drafts = serveDraft(() => {
      const [status, detail] = statuses[drafts.length - 1]!;
      return json(status, { detail });
    });
    render(panel('t-1', 0));
    await screen.findByRole('button', { name: /Перезагрузите роутер\./ });

    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Это обращение ведёт другой оператор');

    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Сервис готовых ответов недоступен. Повторите позже.'));

    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('boom'));
    expect(drafts).toHaveLength(3);
    // The hints themselves are untouched.
    expect(screen.getByRole('button', { name: /Перезагрузите роутер\./ })).toBeTruthy();
  });

  it('drops the draft, and a late answer for the previous ticket, when another ticket is opened', async () => {
    const first = deferred<Response>();
    const drafts = serveDraft((call) => (call.url.includes('/t-1/') ? first.promise : json(200, { ...LLM_DRAFT, text: 'Ответ для t-2' })));
    const onUse = vi.fn();
    const { rerender } = render(panel('t-1', 0, onUse));

    fireEvent.click(screen.getByRole('button', { name: 'Составить ответ' }));
    expect(await screen.findByRole('button', { name: 'Составляем ответ…' })).toBeTruthy();

    rerender(panel('t-2', 0, onUse));
    // Not busy for the new ticket: its own request may go at once.
    const compose = screen.getByRole('button', { name: 'Составить ответ' }) as HTMLButtonElement;
    expect(compose.disabled).toBe(false);

    await act(async () => {
      first.resolve(json(200, LLM_DRAFT));
      await first.promise;
    });
    expect(screen.queryByText(LLM_DRAFT.text)).toBeNull();
    expect(screen.queryByText('ИИ')).toBeNull();

    fireEvent.click(compose);
    expect(await screen.findByText('Ответ для t-2')).toBeTruthy();
    expect(drafts.map((call) => call.url)).toEqual(['/api/v1/tickets/t-1/reply-draft', '/api/v1/tickets/t-2/reply-draft']);

    // A shown draft goes away with its ticket too.
    rerender(panel('t-1', 0, onUse));
    expect(screen.queryByText('Ответ для t-2')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Вставить в ответ' })).toBeNull();
    expect(onUse).not.toHaveBeenCalled();
  });

  it('speaks English too', async () => {
    serveDraft(() => json(200, LLM_DRAFT));
    render(
      <I18nProvider initialLocale="en">
        <HintsPanel ticketId="t-1" refreshKey={0} onUse={() => undefined} />
      </I18nProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Compose reply' }));
    expect((await screen.findByText('AI')).getAttribute('title')).toBe('Model: qwen2.5-7b');
    expect(screen.getByRole('button', { name: 'Insert into reply' })).toBeTruthy();
  });
});

const ENTRY = {
  id: 'kb-1',
  category: 'Сеть',
  subcategory: 'Wi-Fi',
  question: 'Нет интернета',
  answer: 'Перезагрузите роутер.',
  priority: 'высокий',
  audience: 'все клиенты',
  variants: ['Не работает интернет'],
};
const OTHER = { ...ENTRY, id: 'kb-0', question: 'Как сменить тариф?', answer: 'В личном кабинете.', variants: [] };
const QUERY = '  Пропал   интернет\nпосле грозы,\tчто делать?  ';
const WORDING = 'Пропал интернет после грозы, что делать?';

interface KbCall {
  method: string;
  url: string;
  body: unknown;
}

/**
 * fetch answering the hints (HINT for `query`), GET /kb/entries from `pages` (in turn, chained by cursor)
 * and PUT /kb/entries/{id} with `put`.
 */
function serveKb(options: { query?: string; pages?: unknown[][]; put?: (call: KbCall) => Response | Promise<Response> }) {
  const { query = QUERY, pages = [[OTHER, ENTRY]], put = (call) => json(200, { id: 'kb-1', ...(call.body as object) }) } = options;
  const calls: KbCall[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    if (url.endsWith('/hints')) return json(200, { items: [HINT], query });
    const call = { method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    if (method === 'GET' && url.startsWith('/api/v1/kb/entries')) {
      const cursor = new URL(url, 'http://x').searchParams.get('cursor');
      const index = cursor ? Number(cursor) : 0;
      return json(200, { items: pages[index] ?? [], next_cursor: index + 1 < pages.length ? String(index + 1) : null });
    }
    if (method === 'PUT') return put(call);
    return json(404, { detail: 'Not Found' });
  });
  vi.stubGlobal('fetch', fetch);
  return calls;
}

describe('HintsPanel: remember the wording', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('offers the button to admins only', async () => {
    serveKb({});
    const { rerender } = render(panel('t-1', 0));
    await screen.findByRole('button', { name: /Перезагрузите роутер\./ });
    expect(screen.queryByRole('button', { name: 'Запомнить формулировку' })).toBeNull();

    rerender(panel('t-1', 0, undefined, 500, true));
    const button = screen.getByRole('button', { name: 'Запомнить формулировку' });
    expect(button.getAttribute('title')).toBe('Вопрос клиента добавится к формулировкам этой записи, чтобы похожие вопросы находили её');
  });

  it('adds the customer wording to the entry variants and PUTs the whole entry back', async () => {
    const pending = deferred<Response>();
    const calls = serveKb({ pages: [[OTHER], [ENTRY]], put: () => pending.promise });
    const onUse = vi.fn();
    render(panel('t-1', 0, onUse, 500, true));
    fireEvent.click(await screen.findByRole('button', { name: 'Запомнить формулировку' }));

    const busy = await screen.findByRole('button', { name: 'Сохраняем…' });
    expect((busy as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(calls.map((call) => call.method)).toContain('PUT'));
    fireEvent.click(busy);

    pending.resolve(json(200, { ...ENTRY, variants: [...ENTRY.variants, WORDING] }));
    expect(await screen.findByText('Формулировка добавлена')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Запомнить формулировку' }) as HTMLButtonElement).disabled).toBe(true);

    // The entry is found page by page, then sent back whole: only the variants grew.
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET /api/v1/kb/entries?limit=500',
      'GET /api/v1/kb/entries?cursor=1&limit=500',
      'PUT /api/v1/kb/entries/kb-1',
    ]);
    const { id: _id, ...fields } = ENTRY;
    expect(calls[2]!.body).toEqual({ ...fields, variants: ['Не работает интернет', WORDING] });
    expect(onUse).not.toHaveBeenCalled();
  });

  it('cuts a long wording at a word boundary to 500 characters', async () => {
    const long = `${'слово '.repeat(90)}конец`;
    const calls = serveKb({ query: long });
    render(panel('t-1', 0, undefined, 500, true));
    fireEvent.click(await screen.findByRole('button', { name: 'Запомнить формулировку' }));
    expect(await screen.findByText('Формулировка добавлена')).toBeTruthy();
    const sent = (calls.at(-1)!.body as { variants: string[] }).variants.at(-1)!;
    expect(sent.length).toBeLessThanOrEqual(500);
    expect(sent).toBe('слово '.repeat(83).trimEnd());
  });

  it('does not add a wording the entry already has (case-insensitively)', async () => {
    const calls = serveKb({ pages: [[{ ...ENTRY, variants: ['пропал интернет ПОСЛЕ грозы, что делать?'] }]] });
    render(panel('t-1', 0, undefined, 500, true));
    fireEvent.click(await screen.findByRole('button', { name: 'Запомнить формулировку' }));

    expect(await screen.findByText('Такая формулировка уже есть в записи')).toBeTruthy();
    expect(calls.map((call) => call.method)).toEqual(['GET']);
    expect((screen.getByRole('button', { name: 'Запомнить формулировку' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('refuses before sending when the entry already has 50 variants', async () => {
    const full = Array.from({ length: 50 }, (_, index) => `Формулировка ${index + 1}`);
    const calls = serveKb({ pages: [[{ ...ENTRY, variants: full }]] });
    render(panel('t-1', 0, undefined, 500, true));
    fireEvent.click(await screen.findByRole('button', { name: 'Запомнить формулировку' }));

    expect((await screen.findByRole('alert')).textContent).toBe(
      'У записи уже 50 формулировок — больше добавить нельзя. Уберите лишние в базе знаний.',
    );
    expect(calls.every((call) => call.method === 'GET')).toBe(true);
    expect((screen.getByRole('button', { name: 'Запомнить формулировку' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('shows a refusal (403), the server validation detail (422) and a missing entry inline', async () => {
    const answers = [
      json(403, { detail: 'admin role required' }),
      json(422, { detail: [{ loc: ['body', 'variants', 1], msg: 'String should have at most 500 characters', type: 'string_too_long' }] }),
    ];
    const calls = serveKb({ put: () => answers.shift()! });
    render(panel('t-1', 0, undefined, 500, true));

    fireEvent.click(await screen.findByRole('button', { name: 'Запомнить формулировку' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Добавлять формулировки могут только администраторы');

    // The button stays usable after an error: the second try gets the 422.
    fireEvent.click(screen.getByRole('button', { name: 'Запомнить формулировку' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('variants.1: String should have at most 500 characters'),
    );
    expect(calls.filter((call) => call.method === 'PUT')).toHaveLength(2);
    expect(screen.queryByText('Формулировка добавлена')).toBeNull();
  });

  it('says so when the entry is gone', async () => {
    const calls = serveKb({ pages: [[OTHER]] });
    render(panel('t-1', 0, undefined, 500, true));
    fireEvent.click(await screen.findByRole('button', { name: 'Запомнить формулировку' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Запись не найдена: возможно, её удалили');
    expect(calls.map((call) => call.method)).toEqual(['GET']);
  });

  it('starts afresh for another ticket', async () => {
    serveKb({});
    const { rerender } = render(panel('t-1', 0, undefined, 500, true));
    fireEvent.click(await screen.findByRole('button', { name: 'Запомнить формулировку' }));
    expect(await screen.findByText('Формулировка добавлена')).toBeTruthy();

    rerender(panel('t-2', 0, undefined, 500, true));
    const button = (await screen.findByRole('button', { name: 'Запомнить формулировку' })) as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    expect(screen.queryByText('Формулировка добавлена')).toBeNull();
  });

  it('hides the button without an entry id or without the customer wording', async () => {
    serveKb({ query: '   ' });
    render(panel('t-1', 0, undefined, 500, true));
    await screen.findByRole('button', { name: /Перезагрузите роутер\./ });
    expect(screen.queryByRole('button', { name: 'Запомнить формулировку' })).toBeNull();
  });

  it('speaks English too', async () => {
    serveKb({});
    render(
      <I18nProvider initialLocale="en">
        <HintsPanel ticketId="t-1" refreshKey={0} onUse={() => undefined} isAdmin />
      </I18nProvider>,
    );
    const button = await screen.findByRole('button', { name: 'Remember this wording' });
    expect(button.getAttribute('title')).toBe("The customer's question will be added to this entry's phrasings so similar questions find it");
    fireEvent.click(button);
    expect(await screen.findByText('Wording saved')).toBeTruthy();
  });
});

describe('HintsPanel: search the knowledge base', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('searches the whole base on the server and inserts the answer through onUse', async () => {
    const found = { id: 'kb-7', category: 'Продукты - Карты', subcategory: 'Дебетовые карты - MORE', question: 'Какие лимиты по карте MORE?', answer: 'Лимиты MORE: до 2000 BYN в сутки.', priority: '', audience: '', variants: [] };
    const urls: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = String(input);
        urls.push(url);
        if (url.endsWith('/hints')) return new Response(JSON.stringify({ items: [HINT], query: 'q' }), { status: 200, headers: { 'content-type': 'application/json' } });
        return new Response(JSON.stringify({ items: [found], next_cursor: null, total: 1 }), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
    const onUse = vi.fn();
    render(panel('t-1', 0, onUse));
    await screen.findByRole('button', { name: /Перезагрузите роутер/ });
    expect(screen.getByRole('heading', { name: 'Поиск по базе знаний' })).toBeTruthy();
    expect(urls).toEqual(['/api/v1/tickets/t-1/hints']);

    const box = screen.getByRole('searchbox', { name: 'Поиск по базе знаний' });
    fireEvent.change(box, { target: { value: 'лимиты MORE' } });
    fireEvent.submit(box.closest('form')!);
    fireEvent.click(await screen.findByRole('button', { name: 'Вставить ответ на «Какие лимиты по карте MORE?» в поле ответа' }));
    expect(onUse).toHaveBeenCalledWith('Лимиты MORE: до 2000 BYN в сутки.');
    expect(new URL(urls[1]!, 'http://x').searchParams.get('q')).toBe('лимиты MORE');
  });
});
