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
}

type Route = (call: Call) => Response | undefined;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** fetch answering GET /kb/entries with `pages` (by cursor) and anything else with `route`. */
function serve(pages: Record<string, { items: KnowledgeEntryPublic[]; next_cursor: string | null }>, route: Route = () => undefined) {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      const call = { method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined };
      calls.push(call);
      const answer = route(call);
      if (answer) return answer;
      if (method === 'GET' && url.startsWith('/api/v1/kb/entries')) {
        const cursor = new URL(url, 'http://x').searchParams.get('cursor') ?? '';
        return json(200, pages[cursor] ?? { items: [], next_cursor: null });
      }
      return json(404, { detail: 'Not Found' });
    }),
  );
  return calls;
}

function renderPage(isAdmin: boolean, onChanged = vi.fn()) {
  render(
    <I18nProvider initialLocale="ru">
      <KnowledgePage isAdmin={isAdmin} categories={categories} onChanged={onChanged} pageSize={2} />
    </I18nProvider>,
  );
  return onChanged;
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

  it('lists entries, loads more pages and searches the loaded ones on the client', async () => {
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
    expect(calls.map((call) => call.url)).toEqual(['/api/v1/kb/entries?limit=2', '/api/v1/kb/entries?cursor=c2&limit=2']);

    fireEvent.change(screen.getByLabelText('Поиск по загруженным записям'), { target: { value: 'роутер' } });
    expect(screen.queryByText('Нет интернета')).toBeNull();
    expect(screen.getByText('Роутер мигает красным')).toBeTruthy();
    expect(screen.getByText('Показано 1 из 3 загруженных')).toBeTruthy();
    expect(calls).toHaveLength(2);
  });

  it('asks the server again for a category', async () => {
    const calls = serve({ '': { items: [entry('1')], next_cursor: null } });
    renderPage(false);
    await screen.findByText('Вопрос 1');

    fireEvent.change(screen.getByLabelText('Категория'), { target: { value: 'Оплата' } });
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1]!.url).toBe(`/api/v1/kb/entries?category=${encodeURIComponent('Оплата')}&limit=2`);
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

    // Typing clears a field's error.
    fireEvent.change(field('Категория'), { target: { value: ' Сеть ' } });
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

    // The search looks at the phrasings too.
    fireEvent.change(screen.getByLabelText('Поиск по загруженным записям'), { target: { value: 'сайты' } });
    expect(screen.queryByText('Списали дважды')).toBeNull();
    expect(screen.getByText('Нет интернета')).toBeTruthy();
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
