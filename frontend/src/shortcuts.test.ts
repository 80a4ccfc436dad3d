import { describe, expect, it } from 'vitest';
import { neighbour, shortcutFor, type KeyLike } from './shortcuts';

function press(code: string, changes: Partial<KeyLike> = {}): KeyLike {
  return { key: '', code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, target: document.body, ...changes };
}

describe('shortcuts', () => {
  it('reads letters by position, so the Russian layout works too', () => {
    expect(shortcutFor(press('KeyJ', { key: 'о' }))).toBe('next');
    expect(shortcutFor(press('KeyK', { key: 'л' }))).toBe('previous');
    expect(shortcutFor(press('KeyT', { key: 'е' }))).toBe('take');
    expect(shortcutFor(press('KeyR', { key: 'к' }))).toBe('reply');
    expect(shortcutFor(press('Slash', { key: '/' }))).toBe('search');
    expect(shortcutFor(press('Slash', { key: '?', shiftKey: true }))).toBe('help');
    expect(shortcutFor(press('Digit7', { key: '?', shiftKey: true }))).toBe('help');
  });

  it('never fires while typing or with a modifier', () => {
    const field = document.createElement('textarea');
    document.body.append(field);
    expect(shortcutFor(press('KeyJ', { target: field }))).toBeNull();
    expect(shortcutFor(press('KeyJ', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press('KeyT', { shiftKey: true }))).toBeNull();
    expect(shortcutFor(press('KeyX'))).toBeNull();
    field.remove();
  });

  it('moves between neighbours and stops at the ends', () => {
    const ids = ['a', 'b', 'c'];
    expect(neighbour(ids, null, 1)).toBe('a');
    expect(neighbour(ids, 'a', 1)).toBe('b');
    expect(neighbour(ids, 'c', 1)).toBeNull();
    expect(neighbour(ids, 'a', -1)).toBeNull();
    expect(neighbour(ids, 'gone', 1)).toBe('a');
    expect(neighbour([], null, 1)).toBeNull();
  });
});
