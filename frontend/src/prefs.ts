/** Small per-tab preferences kept in sessionStorage (they last as long as the browser tab's session). */
import type { KeyValueStorage } from './api';

const QUEUE_CATEGORY_KEY = 't1.queue.category';

function sessionStore(): KeyValueStorage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

/** This browser's lasting storage, or null where it is blocked (choices then last until a reload). */
export function localStore(): KeyValueStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** One key per operator: someone else signing in on this tab starts with all categories. */
function categoryKey(operatorId: string): string {
  return `${QUEUE_CATEGORY_KEY}.${operatorId}`;
}

/** The queue's category filter this operator chose earlier in this browser tab ('' = all categories). */
export function storedQueueCategory(operatorId: string, storage: KeyValueStorage | null = sessionStore()): string {
  try {
    return storage?.getItem(categoryKey(operatorId)) ?? '';
  } catch {
    return '';
  }
}

export function storeQueueCategory(operatorId: string, category: string, storage: KeyValueStorage | null = sessionStore()): void {
  try {
    if (category) storage?.setItem(categoryKey(operatorId), category);
    else storage?.removeItem(categoryKey(operatorId));
  } catch {
    // storage full or blocked: the choice lasts until the page is reloaded
  }
}
