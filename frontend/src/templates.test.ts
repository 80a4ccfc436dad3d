import { describe, expect, it } from 'vitest';
import { translate } from './i18n';
import {
  applyTemplate,
  firstName,
  rankTemplates,
  renderTemplate,
  slashQuery,
  templateValues,
  ticketReference,
  upsertTemplate,
  validateTemplate,
} from './templates';
import type { TemplatePublic } from './types';

function template(id: string, title: string, text = 'текст', category = ''): TemplatePublic {
  return { id, title, text, category, created_at: '', updated_at: '', updated_by: '' };
}

const t = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('ru', key, params);

describe('template variables', () => {
  const values = { name: 'Иван', operator: 'Анна', ticket: '#1a2b3c4d' };

  it('fills in the Russian names and their English aliases, in any case', () => {
    expect(renderTemplate('{имя}, {Имя}, {name}, {NAME}; {оператор}/{operator}; {тикет} {ticket}', values)).toBe(
      'Иван, Иван, Иван, Иван; Анна/Анна; #1a2b3c4d #1a2b3c4d',
    );
  });

  it('leaves unknown variables and those without a value as written', () => {
    expect(renderTemplate('{имя} {подпись} {имя клиента} {}', values)).toBe('Иван {подпись} {имя клиента} {}');
    expect(renderTemplate('Здравствуйте, {имя}!', { ...values, name: '' })).toBe('Здравствуйте, {имя}!');
  });

  it('takes the values from the ticket and the operator', () => {
    const ticket = { id: '1a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d', customer: { telegram_id: 1, chat_id: 1, name: '  Иван Петров ', username: '', language_code: 'ru' } };
    expect(templateValues(ticket, { display_name: '', username: 'anna' })).toEqual({ name: 'Иван', operator: 'anna', ticket: '#1a2b3c4d' });
    expect(firstName('')).toBe('');
    expect(ticketReference('')).toBe('');
  });
});

describe('the / trigger', () => {
  it('is a / at the start of the text or of a line, up to the caret', () => {
    expect(slashQuery('/', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(slashQuery('/карта бло', 10)).toEqual({ start: 0, end: 10, query: 'карта бло' });
    expect(slashQuery('Добрый день\n/при', 16)).toEqual({ start: 12, end: 16, query: 'при' });
    expect(slashQuery('Добрый день\n/при', 11)).toBeNull(); // the caret is on the first line
    expect(slashQuery('см. /при', 8)).toBeNull();
    expect(slashQuery('/ при', 5)).toBeNull();
    expect(slashQuery('//при', 5)).toBeNull();
    expect(slashQuery('/при\n', 5)).toBeNull();
  });

  it('is replaced by the template, the caret after it', () => {
    const text = 'Добрый день\n/при\nP.S.';
    const slash = slashQuery(text, 16)!;
    expect(applyTemplate(text, slash, 'Здравствуйте!')).toEqual({ text: 'Добрый день\nЗдравствуйте!\nP.S.', caret: 25 });
  });
});

describe('ranking', () => {
  const list = [
    template('1', 'Лимиты', 'Смена лимитов в приложении', 'Карты'),
    template('2', 'Приветствие', 'Здравствуйте, {имя}!'),
    template('3', 'Приложение не открывается', 'Переустановите приложение', 'Приложение'),
    template('4', 'Ёлка', 'С наступающим'),
  ];

  it('matches every word, case- and ё-insensitively, and ranks the category, then the title', () => {
    expect(rankTemplates(list, '').map((item) => item.id)).toEqual(['4', '1', '2', '3']);
    expect(rankTemplates(list, 'прил').map((item) => item.id)).toEqual(['3', '1']);
    expect(rankTemplates(list, 'прил', 'карты').map((item) => item.id)).toEqual(['1', '3']);
    expect(rankTemplates(list, 'елка').map((item) => item.id)).toEqual(['4']);
    expect(rankTemplates(list, 'ПРИЛОЖЕНИИ лимитов').map((item) => item.id)).toEqual(['1']);
    expect(rankTemplates(list, 'имя').map((item) => item.id)).toEqual(['2']);
  });

  it('keeps the admin list sorted by title', () => {
    const saved = upsertTemplate(list, template('2', 'Аа, привет'));
    expect(saved.map((item) => item.title)).toEqual(['Аа, привет', 'Ёлка', 'Лимиты', 'Приложение не открывается']);
  });
});

describe('the form checks', () => {
  it('requires a title and a text, and counts code points as the gateway does', () => {
    expect(validateTemplate({ title: ' ', text: '', category: '' }, t)).toEqual({ title: 'Обязательное поле', text: 'Обязательное поле' });
    expect(validateTemplate({ title: 'т'.repeat(100), text: '😀'.repeat(4096), category: 'к'.repeat(200) }, t)).toEqual({});
    expect(validateTemplate({ title: 'т'.repeat(101), text: '😀'.repeat(4097), category: 'к'.repeat(201) }, t)).toEqual({
      title: 'Не длиннее 100 символов',
      text: 'Не длиннее 4096 символов',
      category: 'Не длиннее 200 символов',
    });
  });
});
