import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { translate, type MessageKey, type Params } from './i18n';
import {
  customerWording,
  distinctValues,
  emptyEntry,
  knowsWording,
  hasErrors,
  normalizeEntry,
  saveErrors,
  upsertEntry,
  validateEntry,
  variantsFromText,
  variantsToText,
  withCurrent,
  withVariant,
} from './knowledge';
import type { KnowledgeEntryPublic } from './types';

const t = (key: MessageKey, params?: Params) => translate('ru', key, params);

function entry(id: string, changes: Partial<KnowledgeEntryPublic> = {}): KnowledgeEntryPublic {
  return { id, category: 'Сеть', subcategory: 'Wi-Fi', question: 'Нет интернета', answer: 'Перезагрузите роутер.', priority: 'высокий', audience: 'все клиенты', variants: [], ...changes };
}

describe('knowledge entry form rules', () => {
  it('requires category, question (3+) and answer, after trimming', () => {
    const errors = validateEntry({ ...emptyEntry(), category: '   ', question: ' ab ', answer: '' }, t);
    expect(errors).toEqual({ category: 'Обязательное поле', question: 'Не короче 3 символов', answer: 'Обязательное поле' });
    expect(hasErrors(errors)).toBe(true);
  });

  it('checks the upper limits in characters, as the server does', () => {
    const ok = { ...emptyEntry('Сеть'), question: 'Как?!', answer: 'Так.' };
    expect(validateEntry(ok, t)).toEqual({});
    expect(hasErrors(validateEntry(ok, t))).toBe(false);
    // 50 emoji are 100 UTF-16 units but 50 characters: still fine for priority (max 50).
    expect(validateEntry({ ...ok, priority: '🔥'.repeat(50) }, t)).toEqual({});
    expect(validateEntry({ ...ok, priority: 'x'.repeat(51), audience: 'y'.repeat(201) }, t)).toEqual({
      priority: 'Не длиннее 50 символов',
      audience: 'Не длиннее 200 символов',
    });
  });

  it('trims what it sends', () => {
    expect(
      normalizeEntry({ category: ' Сеть ', subcategory: ' ', question: ' Вопрос? ', answer: '\nОтвет\n', priority: '', audience: ' все ', variants: [' Другой вопрос ', '  ', ''] }),
    ).toEqual({
      category: 'Сеть',
      subcategory: '',
      question: 'Вопрос?',
      answer: 'Ответ',
      priority: '',
      audience: 'все',
      variants: ['Другой вопрос'],
    });
    // An entry from a server without variants yet.
    expect(normalizeEntry({ ...emptyEntry('Сеть'), variants: undefined as unknown as string[] }).variants).toEqual([]);
  });

  it('maps the variants textarea to a list and back', () => {
    expect(variantsFromText('  Пропал интернет \n\n\r\nНе грузятся сайты\r\n   \nВсё тормозит')).toEqual(['Пропал интернет', 'Не грузятся сайты', 'Всё тормозит']);
    expect(variantsFromText('')).toEqual([]);
    expect(variantsToText(['Пропал интернет', 'Не грузятся сайты'])).toBe('Пропал интернет\nНе грузятся сайты');
    expect(variantsFromText(variantsToText(['а', 'б']))).toEqual(['а', 'б']);
  });

  it('allows at most 50 variants of at most 500 characters each', () => {
    const ok = { ...emptyEntry('Сеть'), question: 'Как?!', answer: 'Так.' };
    const fifty = Array.from({ length: 50 }, (_, index) => `вариант ${index}`);
    expect(validateEntry({ ...ok, variants: fifty }, t)).toEqual({});
    expect(validateEntry({ ...ok, variants: ['ы'.repeat(500), '🔥'.repeat(500)] }, t)).toEqual({});
    expect(validateEntry({ ...ok, variants: [...fifty, 'ещё один'] }, t)).toEqual({ variants: 'Не больше 50 формулировок, сейчас 51' });
    expect(validateEntry({ ...ok, variants: ['коротко', 'x'.repeat(501)] }, t)).toEqual({ variants: 'Формулировка 2 длиннее 500 символов' });
    expect(hasErrors({ variants: 'x' })).toBe(true);
  });

  it('puts 422 entries of the variants next to the variants field', () => {
    const error = new ApiError(422, 'ignored', null, [{ loc: ['variants', '3'], msg: 'String should have at most 500 characters' }]);
    expect(saveErrors(error, t)).toEqual({ fields: { variants: 'Формулировка 4: String should have at most 500 characters' }, general: null });
  });

  it('puts 422 entries next to their fields and the rest in one message', () => {
    const error = new ApiError(422, 'ignored', null, [
      { loc: ['question'], msg: 'String should have at least 3 characters' },
      { loc: ['question'], msg: 'second problem' },
      { loc: ['answer'], msg: 'Field required' },
      { loc: [], msg: 'Input should be a valid dictionary' },
    ]);
    expect(saveErrors(error, t)).toEqual({
      fields: { question: 'String should have at least 3 characters; second problem', answer: 'Field required' },
      general: 'Input should be a valid dictionary',
    });
  });

  it('shows other errors as one message', () => {
    expect(saveErrors(new ApiError(403, 'admins only'), t)).toEqual({ fields: {}, general: 'Изменять базу знаний могут только администраторы' });
    expect(saveErrors(new ApiError(503, ''), t).general).toBe('Сервис временно недоступен. Повторите чуть позже.');
    expect(saveErrors(new ApiError(0, ''), t).general).toBe(t('error.network'));
  });
});

describe('knowledge list helpers', () => {
  const entries = [
    entry('1'),
    entry('2', { category: 'Оплата', subcategory: 'Карты', question: 'Списали дважды', answer: 'Вернём в течение 3 дней.', audience: '' }),
    entry('3', { question: 'Ёлка не горит', answer: 'Проверьте гирлянду' }),
  ];

  it('puts a saved entry in place, first when new, and drops it when it left the filter', () => {
    expect(upsertEntry(entries, entry('9'), '').map((item) => item.id)).toEqual(['9', '1', '2', '3']);
    expect(upsertEntry(entries, entry('2', { question: 'Новое' }), '')[1]!.question).toBe('Новое');
    expect(upsertEntry(entries, entry('1', { category: 'Оплата' }), 'Сеть').map((item) => item.id)).toEqual(['2', '3']);
    expect(upsertEntry(entries, entry('9', { category: 'Оплата' }), 'Сеть')).toBe(entries);
    expect(upsertEntry(entries, entry('2', { subcategory: 'Переводы' }), 'Оплата', 'Карты').map((item) => item.id)).toEqual(['1', '3']);
    expect(upsertEntry(entries, entry('2', { category: 'Оплата', subcategory: 'Карты', question: 'Снова' }), 'Оплата', 'Карты')[1]!.question).toBe('Снова');
  });

  it('lists distinct values for pickers, sorted', () => {
    expect(distinctValues(['средний', '', 'высокий', 'средний'])).toEqual(['высокий', 'средний']);
    expect(distinctValues([])).toEqual([]);
  });

  it('keeps current values choosable in selects', () => {
    expect(withCurrent(['Оплата', 'Сеть'], 'Сеть')).toEqual(['Оплата', 'Сеть']);
    expect(withCurrent(['Оплата', 'Сеть'], 'Старое', '', 'Старое')).toEqual(['Старое', 'Оплата', 'Сеть']);
  });
});

describe('customer wordings as variants', () => {
  it('collapses whitespace and cuts at a word boundary', () => {
    expect(customerWording('  Пропал\n\n интернет\t после грозы  ')).toBe('Пропал интернет после грозы');
    expect(customerWording('')).toBe('');
    expect(customerWording('один два три', 7)).toBe('один');
    expect(customerWording('один два три', 8)).toBe('один два');
    expect(customerWording('один два три', 9)).toBe('один два');
    expect(customerWording('одиндватри', 5)).toBe('одинд');
    const long = customerWording('а'.repeat(300) + ' ' + 'б'.repeat(300));
    expect(long).toBe('а'.repeat(300));
    expect(Array.from(customerWording('😀 '.repeat(300))).length).toBeLessThanOrEqual(500);
  });

  it('knows a wording already in the question or the variants, ignoring case, ё and spaces', () => {
    const item = entry('1', { variants: ['Пропал  интернет', 'Ёлка не горит'] });
    expect(knowsWording(item, 'пропал интернет')).toBe(true);
    expect(knowsWording(item, 'ЕЛКА НЕ ГОРИТ')).toBe(true);
    expect(knowsWording(item, 'нет интернета')).toBe(true);
    expect(knowsWording(item, 'Интернет пропал')).toBe(false);
  });

  it('appends the wording and keeps every other field as it was', () => {
    const item = entry('1', { answer: '  Перезагрузите роутер.  ', variants: ['Пропал интернет'] });
    expect(withVariant(item, 'Не грузятся сайты')).toEqual({
      category: 'Сеть',
      subcategory: 'Wi-Fi',
      question: 'Нет интернета',
      answer: '  Перезагрузите роутер.  ',
      priority: 'высокий',
      audience: 'все клиенты',
      variants: ['Пропал интернет', 'Не грузятся сайты'],
    });
    expect(item.variants).toEqual(['Пропал интернет']);
  });
});
