import { describe, expect, it } from 'vitest';
import { dictionaries, LOCALES, makeFormatters, placeholders, translate, type MessageKey } from './i18n';

// The app's sources as text (tests excluded), to find the keys they use.
const sources = import.meta.glob<string>(['./**/*.{ts,tsx}', '!./**/*.test.{ts,tsx}', '!./test/**'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('i18n dictionary', () => {
  const ru = Object.keys(dictionaries.ru).sort();

  it('has every key in both languages, none empty', () => {
    for (const locale of LOCALES) {
      const keys = Object.keys(dictionaries[locale]).sort();
      expect(keys, `keys of ${locale}`).toEqual(ru);
      for (const key of keys) {
        expect(dictionaries[locale][key as MessageKey].trim(), `${locale}: ${key}`).not.toBe('');
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of ru as MessageKey[]) {
      expect(placeholders(dictionaries.en[key]), key).toEqual(placeholders(dictionaries.ru[key]));
    }
  });

  it('has every literal key the code uses', () => {
    const used = new Set<string>();
    expect(Object.keys(sources)).toContain('./components/Conversation.tsx');
    for (const text of Object.values(sources)) {
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z]+\.[\w.]+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((key) => !(key in dictionaries.ru));
    expect(missing).toEqual([]);
  });

  it('fills placeholders', () => {
    expect(translate('ru', 'login.tooMany', { seconds: 30 })).toBe('Слишком много попыток входа. Повторите через 30 с.');
    expect(translate('en', 'login.tooMany', { seconds: 30 })).toBe('Too many sign-in attempts. Try again in 30 s.');
  });

  it('formats sizes and dates in the chosen locale', () => {
    const now = () => new Date('2025-03-10T12:00:00');
    const ru = makeFormatters('ru', now);
    const en = makeFormatters('en', now);
    expect(ru.size(1536)).toBe('1,5 КБ');
    expect(en.size(1536)).toBe('1.5 KB');
    expect(en.size(512)).toBe('512 B');
    expect(ru.listTime(new Date('2025-03-10T09:05:00').toISOString())).toBe('09:05');
    expect(ru.listTime(new Date('2025-03-09T09:05:00').toISOString())).toBe('вчера');
    expect(ru.day(new Date('2025-03-01T09:05:00').toISOString())).toMatch(/1 марта 2025/);
    expect(en.day(new Date('2025-03-01T09:05:00').toISOString())).toMatch(/1 March 2025/);
    expect(ru.time('not a date')).toBe('');
  });
});
