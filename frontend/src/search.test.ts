import { describe, expect, it } from 'vitest';
import { matchedFieldKey, searchQuery, snippetParts } from './search';

describe('snippetParts', () => {
  it('marks the highlighted ranges and keeps the rest as plain text', () => {
    expect(snippetParts('Хочу оформить ипотека на квартиру', [[14, 21]])).toEqual([
      { text: 'Хочу оформить ', marked: false },
      { text: 'ипотека', marked: true },
      { text: ' на квартиру', marked: false },
    ]);
  });

  it('counts code points, so characters outside the BMP do not shift the marks', () => {
    const parts = snippetParts('😀 карта 😀 карту', [[2, 7], [10, 15]]);
    expect(parts.filter((part) => part.marked).map((part) => part.text)).toEqual(['карта', 'карту']);
    expect(parts.map((part) => part.text).join('')).toBe('😀 карта 😀 карту');
  });

  it('survives unsorted, overlapping, empty and out-of-range highlights', () => {
    const parts = snippetParts('abcdef', [[4, 9], [0, 2], [1, 3], [5, 5], [-3, -1]]);
    expect(parts).toEqual([
      { text: 'ab', marked: true },
      { text: 'c', marked: true },
      { text: 'd', marked: false },
      { text: 'ef', marked: true },
    ]);
  });

  it('returns the whole text unmarked without highlights', () => {
    expect(snippetParts('<b>текст</b>', [])).toEqual([{ text: '<b>текст</b>', marked: false }]);
    expect(snippetParts('', [[0, 3]])).toEqual([]);
  });
});

describe('searchQuery', () => {
  it('sends the words and the status of the tab', () => {
    expect(searchQuery({ tab: 'queue', q: ' ипотека ', category: '' })).toEqual({ q: 'ипотека', status: 'open' });
    expect(searchQuery({ tab: 'mine', q: 'карта', category: 'Оплата' })).toEqual({ q: 'карта', status: 'assigned' });
    expect(searchQuery({ tab: 'closed', q: 'карта', category: '' })).toEqual({ q: 'карта', status: 'closed' });
    expect(searchQuery({ tab: 'all', q: '5550001', category: '' })).toEqual({ q: '5550001' });
  });

  it('names every matched field, unknown ones as a message', () => {
    expect(matchedFieldKey('ocr')).toBe('search.field.ocr');
    expect(matchedFieldKey('somewhere')).toBe('search.field.message');
  });
});
