import { describe, expect, it } from 'vitest';
import { storedQueueCategory, storeQueueCategory } from './prefs';

describe('queue category preference', () => {
  it('lasts for the tab session (sessionStorage), per operator, and is cleared by "all categories"', () => {
    expect(storedQueueCategory('op-1')).toBe('');
    storeQueueCategory('op-1', 'Оплата');
    expect(sessionStorage.getItem('t1.queue.category.op-1')).toBe('Оплата');
    expect(localStorage.length).toBe(0);
    expect(storedQueueCategory('op-1')).toBe('Оплата');
    expect(storedQueueCategory('op-2')).toBe('');
    storeQueueCategory('op-1', '');
    expect(storedQueueCategory('op-1')).toBe('');
    expect(sessionStorage.length).toBe(0);
  });

  it('copes without storage', () => {
    expect(storedQueueCategory('op-1', null)).toBe('');
    expect(() => storeQueueCategory('op-1', 'Сеть', null)).not.toThrow();
  });
});
