import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import type { CategoryPublic, TemplatePublic } from '../types';
import { TemplatesPage } from './TemplatesPage';

const categories: CategoryPublic[] = [{ name: 'Карты', subcategories: [] }];

function template(id: string, title: string, text: string, category = ''): TemplatePublic {
  return { id, title, text, category, created_at: '2025-03-01T10:00:00Z', updated_at: '2025-03-02T10:00:00Z', updated_by: 'op-admin' };
}

interface Call {
  method: string;
  url: string;
  body: unknown;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** fetch: GET /templates answers `list`; anything else goes to `route`. */
function serve(list: TemplatePublic[], route: (call: Call) => Response | undefined = () => undefined): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const call = { method: init?.method ?? 'GET', url: String(input), body: init?.body ? JSON.parse(String(init.body)) : undefined };
      calls.push(call);
      const answer = route(call);
      if (answer) return answer;
      if (call.method === 'GET' && call.url === '/api/v1/templates') return json(200, list);
      return json(404, { detail: 'Not Found' });
    }),
  );
  return calls;
}

function renderPage() {
  render(
    <I18nProvider initialLocale="ru">
      <TemplatesPage categories={categories} />
    </I18nProvider>,
  );
}

const GREETING = template('t-1', 'Приветствие', 'Здравствуйте, {имя}!');
const CARD = template('t-2', 'Карта заблокирована', 'Разблокируйте карту в приложении.', 'Карты');

describe('TemplatesPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('lists the templates, explains the variables and searches', async () => {
    serve([CARD, GREETING]);
    renderPage();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Шаблоны ответов');
    expect(await screen.findByRole('heading', { name: 'Карта заблокирована' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Приветствие' })).toBeTruthy();
    expect(screen.getByText('Здравствуйте, {имя}!')).toBeTruthy();
    const variables = screen.getByRole('heading', { name: 'Переменные' }).closest('section')!;
    expect(within(variables).getByText('{имя}')).toBeTruthy();
    expect(within(variables).getByText('{name}')).toBeTruthy();
    expect(within(variables).getByText('короткий номер обращения, например #1a2b3c4d')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Поиск по шаблонам'), { target: { value: 'приложении' } });
    expect(screen.queryByRole('heading', { name: 'Приветствие' })).toBeNull();
    expect(screen.getByRole('heading', { name: 'Карта заблокирована' })).toBeTruthy();
  });

  it('creates a template: own checks first, then the server’s 422 next to the field', async () => {
    const created = template('t-3', 'Прощание', 'До свидания, {имя}!');
    let refuse = true;
    const calls = serve([], (call) => {
      if (call.method !== 'POST') return undefined;
      if (refuse) {
        refuse = false;
        return json(422, { detail: [{ loc: ['body', 'title'], msg: 'String should have at most 100 characters' }] });
      }
      return json(201, created);
    });
    renderPage();
    expect(await screen.findByText('Шаблонов пока нет')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Новый шаблон' }));
    fireEvent.click(screen.getByRole('button', { name: 'Добавить' }));
    expect(screen.getByText('Исправьте отмеченные поля')).toBeTruthy();
    expect(calls.filter((call) => call.method === 'POST')).toEqual([]);

    fireEvent.change(screen.getByLabelText('Название'), { target: { value: '  Прощание ' } });
    fireEvent.change(screen.getByLabelText('Текст'), { target: { value: 'До свидания, {имя}!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Добавить' }));
    const title = screen.getByLabelText('Название');
    await waitFor(() => expect(title.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('String should have at most 100 characters')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Добавить' }));
    expect(await screen.findByText('Шаблон добавлен')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Прощание' })).toBeTruthy();
    const posts = calls.filter((call) => call.method === 'POST');
    expect(posts.map((call) => [call.url, call.body])).toEqual([
      ['/api/v1/templates', { title: 'Прощание', text: 'До свидания, {имя}!', category: '' }],
      ['/api/v1/templates', { title: 'Прощание', text: 'До свидания, {имя}!', category: '' }],
    ]);
  });

  it('edits a template', async () => {
    const calls = serve([GREETING], (call) =>
      call.method === 'PUT' ? json(200, { ...GREETING, ...(call.body as object) }) : undefined,
    );
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Изменить шаблон «Приветствие»' }));
    fireEvent.change(screen.getByLabelText('Текст'), { target: { value: 'Добрый вечер, {имя}!' } });
    fireEvent.change(screen.getByLabelText('Категория (необязательно)'), { target: { value: 'Карты' } });
    fireEvent.click(screen.getByRole('button', { name: 'Сохранить' }));
    expect(await screen.findByText('Шаблон сохранён')).toBeTruthy();
    expect(screen.getByText('Добрый вечер, {имя}!')).toBeTruthy();
    const [put] = calls.filter((call) => call.method === 'PUT');
    expect(put).toEqual({
      method: 'PUT',
      url: '/api/v1/templates/t-1',
      body: { title: 'Приветствие', text: 'Добрый вечер, {имя}!', category: 'Карты' },
    });
  });

  it('deletes only after a confirmation', async () => {
    const calls = serve([GREETING, CARD], (call) => (call.method === 'DELETE' ? new Response(null, { status: 204 }) : undefined));
    const confirm = vi.fn(() => false);
    vi.stubGlobal('confirm', confirm);
    renderPage();
    const remove = await screen.findByRole('button', { name: 'Удалить шаблон «Приветствие»' });
    fireEvent.click(remove);
    expect(confirm).toHaveBeenCalledWith('Удалить шаблон «Приветствие»? Операторы больше не смогут его вставить.');
    expect(calls.filter((call) => call.method === 'DELETE')).toEqual([]);

    confirm.mockReturnValue(true);
    fireEvent.click(remove);
    expect(await screen.findByText('Шаблон удалён')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Приветствие' })).toBeNull();
    expect(calls.filter((call) => call.method === 'DELETE').map((call) => call.url)).toEqual(['/api/v1/templates/t-1']);
  });
});
