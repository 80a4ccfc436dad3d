/**
 * The knowledge base on the client: the entry form's rules (gateway/models.py KnowledgeEntryCreate),
 * server validation errors mapped to fields, the text search over loaded entries, category helpers.
 * Pure: no I/O, tested directly.
 */
import { ApiError, errorText } from './api';
import type { Translate } from './i18n';
import type { CategoryPublic, KnowledgeEntryInput, KnowledgeEntryPublic } from './types';

export type KbField = keyof KnowledgeEntryInput;
export const KB_FIELDS: readonly KbField[] = ['category', 'subcategory', 'question', 'answer', 'priority', 'audience'];

/** Lengths in characters (code points, as pydantic counts them), from KnowledgeEntryCreate. */
export const KB_LIMITS: Record<KbField, { min: number; max: number }> = {
  category: { min: 1, max: 200 },
  subcategory: { min: 0, max: 200 },
  question: { min: 3, max: 2000 },
  answer: { min: 1, max: 8000 },
  priority: { min: 0, max: 50 },
  audience: { min: 0, max: 200 },
};

export type FieldErrors = Partial<Record<KbField, string>>;

export function emptyEntry(category = ''): KnowledgeEntryInput {
  return { category, subcategory: '', question: '', answer: '', priority: '', audience: '' };
}

/** The form's values as sent: trimmed. */
export function normalizeEntry(input: KnowledgeEntryInput): KnowledgeEntryInput {
  return {
    category: input.category.trim(),
    subcategory: input.subcategory.trim(),
    question: input.question.trim(),
    answer: input.answer.trim(),
    priority: input.priority.trim(),
    audience: input.audience.trim(),
  };
}

function length(text: string): number {
  return Array.from(text).length;
}

/** The form's own checks, before anything is sent: empty when the entry may be saved. */
export function validateEntry(input: KnowledgeEntryInput, t: Translate): FieldErrors {
  const entry = normalizeEntry(input);
  const errors: FieldErrors = {};
  for (const field of KB_FIELDS) {
    const { min, max } = KB_LIMITS[field];
    const size = length(entry[field]);
    if (min > 0 && size === 0) errors[field] = t('kb.invalid.required');
    else if (size < min) errors[field] = t('kb.invalid.tooShort', { min });
    else if (size > max) errors[field] = t('kb.invalid.tooLong', { max });
  }
  return errors;
}

export function hasErrors(errors: FieldErrors): boolean {
  return KB_FIELDS.some((field) => errors[field] !== undefined);
}

/**
 * A failed save, for the form: a 422's `{detail: [{loc, msg}]}` entries go next to their fields, the rest
 * (and any other error) into one message above the buttons.
 */
export function saveErrors(error: unknown, t: Translate): { fields: FieldErrors; general: string | null } {
  const fields: FieldErrors = {};
  if (!(error instanceof ApiError) || error.issues.length === 0) {
    return { fields, general: errorText(error, t, { 403: 'kb.forbidden', 404: 'kb.notFound' }) };
  }
  const other: string[] = [];
  for (const issue of error.issues) {
    const field = KB_FIELDS.find((name) => name === issue.loc[0]);
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${issue.msg}` : issue.msg;
    else other.push(issue.loc.length ? `${issue.loc.join('.')}: ${issue.msg}` : issue.msg);
  }
  return { fields, general: other.length ? other.join('; ') : null };
}

function fold(text: string): string {
  return text.toLocaleLowerCase('ru-RU').replace(/ё/g, 'е');
}

/** The loaded entries that contain every word of `text` (any field, case- and ё-insensitive). */
export function searchEntries(entries: KnowledgeEntryPublic[], text: string): KnowledgeEntryPublic[] {
  const words = fold(text).split(/\s+/).filter(Boolean);
  if (words.length === 0) return entries;
  return entries.filter((entry) => {
    const haystack = fold(
      [entry.question, entry.answer, entry.category, entry.subcategory, entry.priority, entry.audience].join('\n'),
    );
    return words.every((word) => haystack.includes(word));
  });
}

/** Option values for a select: the known ones, plus `current` values that are not among them (kept first). */
export function withCurrent(known: readonly string[], ...current: string[]): string[] {
  const extra = current.filter((value, index) => value && !known.includes(value) && current.indexOf(value) === index);
  return [...extra, ...known];
}

export function subcategoriesOf(categories: readonly CategoryPublic[], category: string): string[] {
  return categories.find((item) => item.name === category)?.subcategories ?? [];
}

/** The loaded list after a save: the entry replaced in place, or put first; dropped when it left the filter. */
export function upsertEntry(
  entries: KnowledgeEntryPublic[],
  entry: KnowledgeEntryPublic,
  categoryFilter: string,
): KnowledgeEntryPublic[] {
  const fits = !categoryFilter || entry.category === categoryFilter;
  const index = entries.findIndex((item) => item.id === entry.id);
  if (!fits) return index < 0 ? entries : entries.filter((item) => item.id !== entry.id);
  if (index < 0) return [entry, ...entries];
  const next = [...entries];
  next[index] = entry;
  return next;
}
