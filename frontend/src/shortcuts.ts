/**
 * The console's keyboard shortcuts. Letters are read by their key position (`event.code`), so they work
 * the same with the Russian layout; none fires while typing in a field, or with Ctrl/Alt/Cmd held.
 */
export type ShortcutAction = 'next' | 'previous' | 'search' | 'take' | 'reply' | 'help';

export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  target: EventTarget | null;
}

/** Shown by the help overlay, in this order. */
export const SHORTCUTS: readonly { keys: readonly string[]; action: ShortcutAction | 'send' | 'newline' }[] = [
  { keys: ['J'], action: 'next' },
  { keys: ['K'], action: 'previous' },
  { keys: ['/'], action: 'search' },
  { keys: ['T'], action: 'take' },
  { keys: ['R'], action: 'reply' },
  { keys: ['Ctrl', 'Enter'], action: 'send' },
  { keys: ['Shift', 'Enter'], action: 'newline' },
  { keys: ['?'], action: 'help' },
];

export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const element = target as HTMLElement;
  if (element.isContentEditable) return true;
  return element.closest('input, textarea, select, [contenteditable="true"]') !== null;
}

export function shortcutFor(event: KeyLike): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return null;
  if (event.key === '?' || (event.code === 'Slash' && event.shiftKey)) return 'help';
  if (event.shiftKey) return null;
  switch (event.code) {
    case 'KeyJ':
      return 'next';
    case 'KeyK':
      return 'previous';
    case 'Slash':
      return 'search';
    case 'KeyT':
      return 'take';
    case 'KeyR':
      return 'reply';
    default:
      return null;
  }
}

/** The ticket `step` places from `current` in `ids` (the first one when none is open); null past the ends. */
export function neighbour(ids: readonly string[], current: string | null, step: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const index = current ? ids.indexOf(current) : -1;
  if (index < 0) return step === 1 ? (ids[0] ?? null) : null;
  return ids[index + step] ?? null;
}
