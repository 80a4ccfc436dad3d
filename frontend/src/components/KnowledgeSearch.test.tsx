import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import type { KnowledgeEntryPublic } from '../types';
import { KnowledgeSearch } from './KnowledgeSearch';

const LONG_ANSWER = `Лимиты по карте MORE: снятие наличных до 2000 BYN в сутки. ${'Подробности в приложении. '.repeat(12)}Конец.`;

function entry(id: string, changes: Partial<KnowledgeEntryPublic> = {}): KnowledgeEntryPublic {
  return {
    id,
    category: 'Продукты - Карты',
    subcategory: 'Дебетовые карты - MORE',
    question: `Вопрос ${id}`,
    answer: `Ответ ${id}`,
    priority: '',
    audience: '',
    variants: [],
    ...changes,
  };
}

interface Call {
  url: URL;
  signal: AbortSignal | undefined;
}

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

/** GET /kb/entries answered by `q` (then `q|cursor`); `hold` keeps the answers to some queries pending. */
function serve(pages: Record<string, { items: KnowledgeEntryPublic[]; next_cursor: string | null; total?: number }>, hold: Record<string, Promise<Response>> = {}) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), 'http://x');
      calls.push({ url, signal: init?.signal ?? undefined });
      const q = url.searchParams.get('q') ?? '';
      const cursor = url.searchParams.get('cursor');
      const key = cursor ? `${q}|${cursor}` : q;
      return hold[key] ?? json(pages[key] ?? { items: [], next_cursor: null, total: 0 });
    }),
  );
  return calls;
}

function renderSearch(onInsert = vi.fn(), delayMs = 20) {
  render(
    <I18nProvider initialLocale="ru">
      <KnowledgeSearch onInsert={onInsert} delayMs={delayMs} />
    </I18nProvider>,
  );
  return onInsert;
}

const box = () => screen.getByRole('searchbox', { name: 'Поиск по базе знаний' });

describe('KnowledgeSearch', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('asks the server once typing pauses and inserts the whole answer', async () => {
    const calls = serve({
      'лимиты MORE': {
        items: [entry('1', { question: 'Какие лимиты по карте MORE?', answer: LONG_ANSWER }), entry('2', { question: 'Какие преимущества у карты MORE?' })],
        next_cursor: null,
        total: 2,
      },
    });
    const onInsert = renderSearch();
    expect(calls).toHaveLength(0); // nothing is asked before the operator types

    fireEvent.change(box(), { target: { value: 'лими' } });
    fireEvent.change(box(), { target: { value: ' лимиты MORE ' } });
    expect(await screen.findByText('Какие лимиты по карте MORE?')).toBeTruthy();
    expect(calls.map((call) => [call.url.pathname, call.url.searchParams.get('q'), call.url.searchParams.get('limit')])).toEqual([
      ['/api/v1/kb/entries', 'лимиты MORE', '5'],
    ]);
    expect(screen.getByRole('status').textContent).toBe('Найдено: 2');
    // A short answer on screen, the whole one inserted.
    const item = screen.getByText('Какие лимиты по карте MORE?').closest('li')!;
    const shown = within(item).getByText(/^Лимиты по карте MORE/).textContent ?? '';
    expect(shown.endsWith('…')).toBe(true);
    expect(shown.length).toBeLessThan(LONG_ANSWER.length);

    fireEvent.click(screen.getByRole('button', { name: 'Вставить ответ на «Какие лимиты по карте MORE?» в поле ответа' }));
    expect(onInsert).toHaveBeenCalledWith(LONG_ANSWER);
  });

  it('is usable from the keyboard', async () => {
    serve({ карта: { items: [entry('1'), entry('2'), entry('3')], next_cursor: null, total: 3 } });
    const onInsert = renderSearch(vi.fn(), 60_000);

    fireEvent.change(box(), { target: { value: 'карта' } });
    fireEvent.submit(box().closest('form')!); // Enter: at once, without the quiet period
    await screen.findByText('Вопрос 1');
    const buttons = screen.getAllByRole('button', { name: /^Вставить/ });
    expect(buttons).toHaveLength(3);

    fireEvent.keyDown(box(), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(buttons[0]);
    fireEvent.keyDown(buttons[0]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(buttons[1]);
    fireEvent.keyDown(buttons[1]!, { key: 'ArrowDown' });
    fireEvent.keyDown(buttons[2]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(buttons[2]);
    fireEvent.keyDown(buttons[2]!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(buttons[1]);
    fireEvent.click(document.activeElement!);
    expect(onInsert).toHaveBeenCalledWith('Ответ 2');
    fireEvent.keyDown(buttons[1]!, { key: 'ArrowUp' });
    fireEvent.keyDown(buttons[0]!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(box());

    fireEvent.keyDown(box(), { key: 'Escape' });
    expect((box() as HTMLInputElement).value).toBe('');
    await waitFor(() => expect(screen.queryByText('Вопрос 1')).toBeNull());
  });

  it('says when nothing is found, and shows more on request', async () => {
    const calls = serve({
      вклад: { items: [entry('1'), entry('2')], next_cursor: 'c2', total: 3 },
      'вклад|c2': { items: [entry('3')], next_cursor: null, total: 3 },
    });
    renderSearch();

    fireEvent.change(box(), { target: { value: 'ксилофон' } });
    expect(await screen.findByText('Ничего не найдено')).toBeTruthy();

    fireEvent.change(box(), { target: { value: 'вклад' } });
    await screen.findByText('Вопрос 1');
    fireEvent.click(screen.getByRole('button', { name: 'Показать ещё' }));
    expect(await screen.findByText('Вопрос 3')).toBeTruthy();
    expect(calls.at(-1)!.url.searchParams.get('cursor')).toBe('c2');
    expect(calls.at(-1)!.url.searchParams.get('q')).toBe('вклад');
    expect(screen.queryByRole('button', { name: 'Показать ещё' })).toBeNull();
  });

  it('cancels the request of a query typed over', async () => {
    let release: (response: Response) => void = () => undefined;
    const held = new Promise<Response>((resolve) => {
      release = resolve;
    });
    const calls = serve({ вклад: { items: [entry('v', { question: 'Как открыть вклад?' })], next_cursor: null, total: 1 } }, { карта: held });
    renderSearch();

    fireEvent.change(box(), { target: { value: 'карта' } });
    await waitFor(() => expect(calls).toHaveLength(1));
    fireEvent.change(box(), { target: { value: 'вклад' } });
    expect(await screen.findByText('Как открыть вклад?')).toBeTruthy();
    expect(calls[0]!.signal?.aborted).toBe(true);

    release(json({ items: [entry('k', { question: 'Устаревший ответ' })], next_cursor: null, total: 1 }));
    fireEvent.change(box(), { target: { value: 'кредит' } });
    expect(await screen.findByText('Ничего не найдено')).toBeTruthy();
    expect(screen.queryByText('Устаревший ответ')).toBeNull();
  });
});
