import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import type { CategoryPublic, KnowledgeEntryPublic } from '../types';
import { KnowledgePage } from './KnowledgePage';

const categories: CategoryPublic[] = [
  { name: 'Оплата', subcategories: ['Карты'] },
  { name: 'Сеть', subcategories: ['Wi-Fi'] },
];

function entry(id: string, changes: Partial<KnowledgeEntryPublic> = {}): KnowledgeEntryPublic {
  return { id, category: 'Сеть', subcategory: 'Wi-Fi', question: `Вопрос ${id}`, answer: `Ответ ${id}`, priority: '', audience: '', variants: [], ...changes };
}

interface Call {
  method: string;
  url: string;
  body: unknown;
  signal: AbortSignal | undefined;
}

type Route = (call: Call) => Response | Promise<Response> | undefined;
type EntriesPage = { items: KnowledgeEntryPublic[]; next_cursor: string | null; total?: number };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * fetch answering GET /kb/entries with `pages`, keyed by cursor for the listing and by `q` (then `q|cursor`)
 * for searches, and anything else with `route` (404 when it has no answer).
 */
function serve(pages: Record<string, EntriesPage>, route: Route = () => undefined) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      const call = { method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined, signal: init?.signal ?? undefined };
      calls.push(call);
      const answer = route(call);
      if (answer) return answer;
      if (method === 'GET' && url.startsWith('/api/v1/kb/entries')) {
        const params = new URL(url, 'http://x').searchParams;
        const cursor = params.get('cursor') ?? '';
        const q = params.get('q');
        const key = q === null ? cursor : cursor ? `${q}|${cursor}` : q;
        return json(200, pages[key] ?? { items: [], next_cursor: null });
      }
      return json(404, { detail: 'Not Found' });
    }),
  );
  return calls;
}

/** The GET /kb/entries calls (the page also asks for /kb/facets). */
function entryCalls(calls: Call[]): Call[] {
  return calls.filter((call) => call.method === 'GET' && call.url.startsWith('/api/v1/kb/entries'));
}

function renderPage(isAdmin: boolean, onChanged = vi.fn(), searchDelayMs = 20) {
  render(
    <I18nProvider initialLocale="ru">
      <KnowledgePage isAdmin={isAdmin} categories={categories} onChanged={onChanged} pageSize={2} searchDelayMs={searchDelayMs} />
    </I18nProvider>,
  );
  return onChanged;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** The text of the error shown for a form control (its aria-describedby). */
function errorOf(control: HTMLElement): string | null {
  const id = control.getAttribute('aria-describedby');
  return id ? (document.getElementById(id)?.textContent ?? null) : null;
}

/** Everything a control's aria-describedby points at (a hint, then an error), joined. */
function describedBy(control: HTMLElement): string {
  const ids = (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' | ');
}

describe('KnowledgePage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('lists entries and loads more pages', async () => {
    const calls = serve({
      '': { items: [entry('1', { question: 'Нет интернета' }), entry('2', { category: 'Оплата', question: 'Списали дважды' })], next_cursor: 'c2' },
      c2: { items: [entry('3', { question: 'Роутер мигает красным' })], next_cursor: null },
    });
    renderPage(false);

    expect(await screen.findByText('Нет интернета')).toBeTruthy();
    expect(screen.getByText('Списали дважды')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Загрузить ещё' }));
    expect(await screen.findByText('Роутер мигает красным')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Загрузить ещё' })).toBeNull();
    expect(entryCalls(calls).map((call) => call.url)).toEqual(['/api/v1/kb/entries?limit=2', '/api/v1/kb/entries?cursor=c2&limit=2']);
  });

  it('searches on the server once typing pauses, and pages through the results', async () => {
    const q = 'Какие лимиты по карте MORE?';
    const calls = serve({
      '': { items: [entry('1', { question: 'Нет интернета' })], next_cursor: 'c2', total: 201 },
      // Not among the loaded entries: only the server knows them.
      [q]: { items: [entry('m1', { question: q }), entry('m2', { question: 'Какие преимущества у карты MORE?' })], next_cursor: 's2', total: 3 },
      [`${q}|s2`]: { items: [entry('m3', { question: 'Где можно использовать карту MORE?' })], next_cursor: null, total: 3 },
    });
    renderPage(false);
    await screen.findByText('Нет интернета');

    const box = screen.getByLabelText('Поиск по базе знаний');
    fireEvent.change(box, { target: { value: 'Какие' } });
    fireEvent.change(box, { target: { value: `  ${q} ` } });
    expect(await screen.findByText(q)).toBeTruthy();
    expect(screen.queryByText('Нет интернета')).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Найдено записей: 3');
    // One request for the burst of typing, for the trimmed text.
    const searches = () => entryCalls(calls).filter((call) => call.url.includes('q='));
    expect(searches().map((call) => call.url)).toEqual([`/api/v1/kb/entries?q=${encodeURIComponent(q).replace(/%20/g, '+')}&limit=2`]);

    fireEvent.click(screen.getByRole('button', { name: 'Загрузить ещё' }));
    expect(await screen.findByText('Где можно использовать карту MORE?')).toBeTruthy();
    expect(new URL(searches()[1]!.url, 'http://x').searchParams.get('cursor')).toBe('s2');
    expect(new URL(searches()[1]!.url, 'http://x').searchParams.get('q')).toBe(q);
    expect(screen.getAllByRole('heading', { level: 3 })).toHaveLength(3);

    // Clearing the box lists the base again.
    fireEvent.change(box, { target: { value: '' } });
    expect(await screen.findByText('Нет интернета')).toBeTruthy();
    expect(screen.queryByText(q)).toBeNull();
  });

  it('says when nothing is found, and Enter searches without waiting', async () => {
    const calls = serve({ '': { items: [entry('1')], next_cursor: null } });
    renderPage(false, vi.fn(), 60_000);
    await screen.findByText('Вопрос 1');

    const box = screen.getByLabelText('Поиск по базе знаний');
    fireEvent.change(box, { target: { value: 'ксилофон' } });
    fireEvent.submit(box.closest('form')!);
    expect(await screen.findByText('Ничего не найдено')).toBeTruthy();
    expect(screen.queryByText('Вопрос 1')).toBeNull();
    expect(entryCalls(calls).map((call) => new URL(call.url, 'http://x').searchParams.get('q'))).toEqual([null, 'ксилофон']);
  });

  it('cancels a stale search and ignores its late answer', async () => {
    const slow = deferred<Response>();
    const calls = serve(
      {
        '': { items: [entry('1')], next_cursor: null },
        вклад: { items: [entry('v1', { question: 'Как открыть вклад?' })], next_cursor: null, total: 1 },
      },
      (call) => (call.url.includes('q=%D0%BA%D0%B0%D1%80%D1%82%D0%B0') ? slow.promise : undefined),
    );
    renderPage(false);
    await screen.findByText('Вопрос 1');

    const box = screen.getByLabelText('Поиск по базе знаний');
    fireEvent.change(box, { target: { value: 'карта' } });
    await waitFor(() => expect(entryCalls(calls)).toHaveLength(2));
    fireEvent.change(box, { target: { value: 'вклад' } });
    expect(await screen.findByText('Как открыть вклад?')).toBeTruthy();
    const [, stale, fresh] = entryCalls(calls);
    expect(stale!.signal?.aborted).toBe(true);
    expect(fresh!.signal?.aborted).toBe(false);

    slow.resolve(json(200, { items: [entry('c1', { question: 'Устаревший ответ' })], next_cursor: null, total: 1 }));
    // The late answer is dropped: a later search through the same page shows it stayed out.
    fireEvent.change(box, { target: { value: 'кредит' } });
    expect(await screen.findByText('Ничего не найдено')).toBeTruthy();
    expect(entryCalls(calls)).toHaveLength(4);
    expect(screen.queryByText('Устаревший ответ')).toBeNull();
  });

  it('asks the server again for a category and a subcategory', async () => {
    const calls = serve({ '': { items: [entry('1')], next_cursor: null } });
    renderPage(false);
    await screen.findByText('Вопрос 1');
    const subcategory = screen.getByLabelText('Подкатегория') as HTMLSelectElement;
    expect(subcategory.disabled).toBe(true);

    fireEvent.change(screen.getByLabelText('Категория'), { target: { value: 'Оплата' } });
    await waitFor(() => expect(entryCalls(calls)).toHaveLength(2));
    expect(entryCalls(calls)[1]!.url).toBe(`/api/v1/kb/entries?category=${encodeURIComponent('Оплата')}&limit=2`);
    expect(subcategory.disabled).toBe(false);
    expect(Array.from(subcategory.options).map((option) => option.value)).toEqual(['', 'Карты']);

    fireEvent.change(subcategory, { target: { value: 'Карты' } });
    await waitFor(() => expect(entryCalls(calls)).toHaveLength(3));
    expect(entryCalls(calls)[2]!.url).toBe(
      `/api/v1/kb/entries?category=${encodeURIComponent('Оплата')}&subcategory=${encodeURIComponent('Карты')}&limit=2`,
    );
  });

  it('is read-only for operators', async () => {
    serve({ '': { items: [entry('1')], next_cursor: null } });
    renderPage(false);
    await screen.findByText('Вопрос 1');
    expect(screen.getByText('Изменять базу знаний могут только администраторы.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Новая запись' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Изменить/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Удалить/ })).toBeNull();
  });

  it('checks the form before sending, then shows the server 422 next to the fields', async () => {
    const calls = serve({ '': { items: [], next_cursor: null } }, (call) =>
      call.method === 'POST'
        ? json(422, {
            detail: [
              { type: 'string_too_short', loc: ['body', 'question'], msg: 'String should have at least 3 characters' },
              { type: 'value_error', loc: ['body'], msg: 'Value error, duplicate question' },
            ],
          })
        : undefined,
    );
    renderPage(true);
    expect(await screen.findByText('В базе знаний пока нет записей')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Новая запись' }));
    const form = screen.getByRole('region', { name: 'Новая запись базы знаний' });
    const field = (name: string) => within(form).getByLabelText(name);
    fireEvent.click(within(form).getByRole('button', { name: 'Добавить' }));

    // The form's own checks: nothing is sent.
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(0);
    expect(field('Категория').getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(field('Категория'))).toBe('Обязательное поле');
    expect(errorOf(field('Пример вопроса'))).toBe('Обязательное поле');
    expect(errorOf(field('Шаблонный ответ'))).toBe('Обязательное поле');
    expect(errorOf(field('Подкатегория'))).toBeNull();
    expect(within(form).getByRole('alert').textContent).toContain('Исправьте отмеченные поля');
    expect(document.activeElement).toBe(field('Категория'));

    // Picking clears a field's error.
    fireEvent.change(field('Категория'), { target: { value: 'Сеть' } });
    expect(errorOf(field('Категория'))).toBeNull();
    fireEvent.change(field('Пример вопроса'), { target: { value: 'Нет сети' } });
    fireEvent.change(field('Шаблонный ответ'), { target: { value: 'Перезагрузите роутер.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Добавить' }));

    await waitFor(() => expect(errorOf(field('Пример вопроса'))).toBe('String should have at least 3 characters'));
    const posts = calls.filter((call) => call.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ category: 'Сеть', subcategory: '', question: 'Нет сети', answer: 'Перезагрузите роутер.', priority: '', audience: '', variants: [] });
    expect(field('Пример вопроса').getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(field('Шаблонный ответ'))).toBeNull();
    const alert = within(form).getByRole('alert').textContent ?? '';
    expect(alert).toContain('Исправьте отмеченные поля');
    expect(alert).toContain('Value error, duplicate question');
    await waitFor(() => expect(document.activeElement).toBe(field('Пример вопроса')));
  });

  it('picks category, subcategory, priority and audience from the values in use, or adds a new subcategory', async () => {
    const created = entry('9', { category: 'Оплата', subcategory: 'Переводы', question: 'Как перевести?', answer: 'В приложении.' });
    const calls = serve({ '': { items: [entry('1', { priority: 'низкий' })], next_cursor: null } }, (call) => {
      if (call.url === '/api/v1/kb/facets') return json(200, { priorities: ['высокий', 'средний'], audiences: ['все клиенты', 'новые клиенты'] });
      return call.method === 'POST' ? json(201, created) : undefined;
    });
    renderPage(true);
    await screen.findByText('Вопрос 1');

    fireEvent.click(screen.getByRole('button', { name: 'Новая запись' }));
    const form = screen.getByRole('region', { name: 'Новая запись базы знаний' });
    const select = (name: string) => within(form).getByLabelText(name) as HTMLSelectElement;
    const texts = (name: string) => Array.from(select(name).options).map((option) => option.textContent);
    expect(select('Категория').tagName).toBe('SELECT');
    expect(texts('Категория')).toEqual(['Выберите категорию', 'Оплата', 'Сеть', 'Новая категория…']);
    expect(texts('Подкатегория')).toEqual(['Без подкатегории', 'Новая подкатегория…']);
    // The server's values, and those of the loaded entries.
    await waitFor(() => expect(texts('Приоритет')).toEqual(['Не указано', 'высокий', 'низкий', 'средний']));
    expect(texts('Целевая аудитория')).toEqual(['Не указано', 'все клиенты', 'новые клиенты']);

    fireEvent.change(select('Категория'), { target: { value: 'Оплата' } });
    expect(texts('Подкатегория')).toEqual(['Без подкатегории', 'Карты', 'Новая подкатегория…']);
    const addSubcategory = within(select('Подкатегория')).getByRole('option', { name: 'Новая подкатегория…' }) as HTMLOptionElement;
    fireEvent.change(select('Подкатегория'), { target: { value: addSubcategory.value } });
    const newSubcategory = within(form).getByLabelText('Название новой подкатегории');
    expect(document.activeElement).toBe(newSubcategory);
    fireEvent.change(newSubcategory, { target: { value: 'Переводы' } });
    fireEvent.change(select('Приоритет'), { target: { value: 'высокий' } });
    fireEvent.change(select('Целевая аудитория'), { target: { value: 'все клиенты' } });
    fireEvent.change(within(form).getByLabelText('Пример вопроса'), { target: { value: 'Как перевести?' } });
    fireEvent.change(within(form).getByLabelText('Шаблонный ответ'), { target: { value: 'В приложении.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Добавить' }));

    expect(await screen.findByText('Запись добавлена')).toBeTruthy();
    expect(calls.find((call) => call.method === 'POST')!.body).toEqual({
      category: 'Оплата',
      subcategory: 'Переводы',
      question: 'Как перевести?',
      answer: 'В приложении.',
      priority: 'высокий',
      audience: 'все клиенты',
      variants: [],
    });
  });

  it('takes a new category typed in place of a pick, and checks it like any other field', async () => {
    const calls = serve({ '': { items: [], next_cursor: null } }, (call) => (call.method === 'POST' ? json(201, entry('9')) : undefined));
    renderPage(true);
    await screen.findByText('В базе знаний пока нет записей');

    fireEvent.click(screen.getByRole('button', { name: 'Новая запись' }));
    const form = screen.getByRole('region', { name: 'Новая запись базы знаний' });
    const category = within(form).getByLabelText('Категория') as HTMLSelectElement;
    fireEvent.change(category, { target: { value: 'Сеть' } });
    fireEvent.change(within(form).getByLabelText('Подкатегория'), { target: { value: 'Wi-Fi' } });
    const addCategory = within(category).getByRole('option', { name: 'Новая категория…' }) as HTMLOptionElement;
    fireEvent.change(category, { target: { value: addCategory.value } });
    const typed = within(form).getByLabelText('Название новой категории');
    expect(document.activeElement).toBe(typed);
    // Another category: the old one's subcategory is not kept.
    expect((within(form).getByLabelText('Подкатегория') as HTMLSelectElement).value).toBe('');
    expect(Array.from((within(form).getByLabelText('Подкатегория') as HTMLSelectElement).options).map((option) => option.textContent)).toEqual([
      'Без подкатегории',
      'Новая подкатегория…',
    ]);

    fireEvent.change(within(form).getByLabelText('Пример вопроса'), { target: { value: 'Есть ли вклад онлайн?' } });
    fireEvent.change(within(form).getByLabelText('Шаблонный ответ'), { target: { value: 'Да.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Добавить' }));
    expect(typed.getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(typed)).toBe('Обязательное поле');
    await waitFor(() => expect(document.activeElement).toBe(typed));
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(0);

    fireEvent.change(typed, { target: { value: 'Вклады' } });
    expect(typed.getAttribute('aria-invalid')).toBeNull();
    fireEvent.click(within(form).getByRole('button', { name: 'Добавить' }));
    expect(await screen.findByText('Запись добавлена')).toBeTruthy();
    expect(calls.find((call) => call.method === 'POST')!.body).toMatchObject({ category: 'Вклады', subcategory: '' });
  });

  it('adds a created entry to the top and reports the change', async () => {
    const created = entry('9', { question: 'Как сменить тариф?', answer: 'В личном кабинете.' });
    serve({ '': { items: [entry('1')], next_cursor: null } }, (call) => (call.method === 'POST' ? json(201, created) : undefined));
    const onChanged = renderPage(true);
    await screen.findByText('Вопрос 1');

    fireEvent.click(screen.getByRole('button', { name: 'Новая запись' }));
    const form = screen.getByRole('region', { name: 'Новая запись базы знаний' });
    fireEvent.change(within(form).getByLabelText('Категория'), { target: { value: 'Сеть' } });
    fireEvent.change(within(form).getByLabelText('Пример вопроса'), { target: { value: 'Как сменить тариф?' } });
    fireEvent.change(within(form).getByLabelText('Шаблонный ответ'), { target: { value: 'В личном кабинете.' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Добавить' }));

    expect(await screen.findByText('Запись добавлена')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Новая запись базы знаний' })).toBeNull();
    const questions = screen.getAllByRole('heading', { level: 3 }).map((heading) => heading.textContent);
    expect(questions).toEqual(['Как сменить тариф?', 'Вопрос 1']);
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it('edits an entry with PUT', async () => {
    const calls = serve({ '': { items: [entry('1')], next_cursor: null } }, (call) =>
      call.method === 'PUT' ? json(200, { ...entry('1'), ...(call.body as object) }) : undefined,
    );
    renderPage(true);
    await screen.findByText('Вопрос 1');

    fireEvent.click(screen.getByRole('button', { name: 'Изменить запись «Вопрос 1»' }));
    const form = screen.getByRole('region', { name: 'Изменение записи' });
    expect((within(form).getByLabelText('Пример вопроса') as HTMLTextAreaElement).value).toBe('Вопрос 1');
    fireEvent.change(within(form).getByLabelText('Шаблонный ответ'), { target: { value: 'Новый ответ' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Сохранить' }));

    expect(await screen.findByText('Новый ответ')).toBeTruthy();
    const put = calls.find((call) => call.method === 'PUT')!;
    expect(put.url).toBe('/api/v1/kb/entries/1');
    expect(put.body).toMatchObject({ question: 'Вопрос 1', answer: 'Новый ответ', category: 'Сеть', subcategory: 'Wi-Fi' });
  });

  it('shows how many other phrasings an entry has, and lists them on request', async () => {
    serve({
      '': {
        items: [entry('1', { question: 'Нет интернета', variants: ['Пропал интернет', 'Не грузятся сайты'] }), entry('2', { question: 'Списали дважды' })],
        next_cursor: null,
      },
    });
    renderPage(false);
    await screen.findByText('Нет интернета');

    expect(screen.getByText('Другие формулировки: 0')).toBeTruthy();
    const toggle = screen.getByRole('button', { name: /Другие формулировки: 2/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByText('Пропал интернет')).toBeNull();

    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const list = screen.getByRole('list', { name: 'Другие формулировки' });
    expect(within(list).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['Пропал интернет', 'Не грузятся сайты']);
  });

  it('edits the other phrasings as lines of a textarea and sends them as a list', async () => {
    const calls = serve({ '': { items: [entry('1', { variants: ['Пропал интернет', 'Не грузятся сайты'] })], next_cursor: null } }, (call) =>
      call.method === 'PUT' ? json(200, { ...entry('1'), ...(call.body as object) }) : undefined,
    );
    renderPage(true);
    await screen.findByText('Вопрос 1');

    fireEvent.click(screen.getByRole('button', { name: 'Изменить запись «Вопрос 1»' }));
    const form = screen.getByRole('region', { name: 'Изменение записи' });
    const variants = within(form).getByLabelText('Другие формулировки (по одной на строку)') as HTMLTextAreaElement;
    expect(variants.value).toBe('Пропал интернет\nНе грузятся сайты');

    fireEvent.change(variants, { target: { value: '  Пропал интернет  \n\n   \nРоутер мигает\r\nНет связи\n' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Сохранить' }));

    expect(await screen.findByText('Запись сохранена')).toBeTruthy();
    const put = calls.find((call) => call.method === 'PUT')!;
    expect((put.body as { variants: string[] }).variants).toEqual(['Пропал интернет', 'Роутер мигает', 'Нет связи']);
    expect(screen.getByRole('button', { name: /Другие формулировки: 3/ })).toBeTruthy();

    // Opening the form again shows what the server keeps.
    fireEvent.click(screen.getByRole('button', { name: 'Изменить запись «Вопрос 1»' }));
    const again = screen.getByRole('region', { name: 'Изменение записи' });
    expect((within(again).getByLabelText('Другие формулировки (по одной на строку)') as HTMLTextAreaElement).value).toBe(
      'Пропал интернет\nРоутер мигает\nНет связи',
    );
  });

  it('does not send more than 50 phrasings or one longer than 500 characters', async () => {
    const created = entry('9', { question: 'Нет сети', variants: ['Пропала сеть'] });
    const calls = serve({ '': { items: [], next_cursor: null } }, (call) => (call.method === 'POST' ? json(201, created) : undefined));
    renderPage(true);
    await screen.findByText('В базе знаний пока нет записей');

    fireEvent.click(screen.getByRole('button', { name: 'Новая запись' }));
    const form = screen.getByRole('region', { name: 'Новая запись базы знаний' });
    fireEvent.change(within(form).getByLabelText('Категория'), { target: { value: 'Сеть' } });
    fireEvent.change(within(form).getByLabelText('Пример вопроса'), { target: { value: 'Нет сети' } });
    fireEvent.change(within(form).getByLabelText('Шаблонный ответ'), { target: { value: 'Перезагрузите роутер.' } });
    const variants = within(form).getByLabelText('Другие формулировки (по одной на строку)');
    const add = () => fireEvent.click(within(form).getByRole('button', { name: 'Добавить' }));

    fireEvent.change(variants, { target: { value: Array.from({ length: 51 }, (_, index) => `Вариант ${index + 1}`).join('\n') } });
    add();
    expect(describedBy(variants)).toContain('Не больше 50 формулировок, сейчас 51');
    expect(variants.getAttribute('aria-invalid')).toBe('true');
    expect(within(form).getByRole('alert').textContent).toContain('Исправьте отмеченные поля');
    await waitFor(() => expect(document.activeElement).toBe(variants));

    fireEvent.change(variants, { target: { value: `Пропала сеть\n${'я'.repeat(501)}` } });
    expect(variants.getAttribute('aria-invalid')).toBeNull();
    expect(describedBy(variants)).toBe('Другие способы задать тот же вопрос: не больше 50 строк, каждая до 500 символов');
    add();
    expect(describedBy(variants)).toContain('Формулировка 2 длиннее 500 символов');
    expect(calls.filter((call) => call.method === 'POST')).toHaveLength(0);

    // 50 phrasings (blank lines do not count) and 500 characters are fine.
    fireEvent.change(variants, { target: { value: `Пропала сеть\n\n${'я'.repeat(500)}\n${Array.from({ length: 48 }, (_, index) => `В${index}`).join('\n')}` } });
    add();
    expect(await screen.findByText('Запись добавлена')).toBeTruthy();
    const posts = calls.filter((call) => call.method === 'POST');
    expect(posts).toHaveLength(1);
    const sent = (posts[0]!.body as { variants: string[] }).variants;
    expect(sent).toHaveLength(50);
    expect(sent[1]).toBe('я'.repeat(500));
  });

  it('deletes an entry only after confirmation', async () => {
    const calls = serve({ '': { items: [entry('1'), entry('2')], next_cursor: null } }, (call) =>
      call.method === 'DELETE' ? new Response(null, { status: 204 }) : undefined,
    );
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false).mockReturnValueOnce(true);
    const onChanged = renderPage(true);
    await screen.findByText('Вопрос 1');

    fireEvent.click(screen.getByRole('button', { name: 'Удалить запись «Вопрос 1»' }));
    expect(confirm).toHaveBeenCalledWith('Удалить запись «Вопрос 1»? Подсказки перестанут её предлагать.');
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'Удалить запись «Вопрос 1»' }));
    expect(await screen.findByText('Запись удалена')).toBeTruthy();
    expect(screen.queryByText('Вопрос 1')).toBeNull();
    expect(screen.getByText('Вопрос 2')).toBeTruthy();
    expect(calls.filter((call) => call.method === 'DELETE').map((call) => call.url)).toEqual(['/api/v1/kb/entries/1']);
    expect(onChanged).toHaveBeenCalledTimes(1);
  });
});
