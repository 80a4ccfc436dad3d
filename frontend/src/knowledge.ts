/**
 * The knowledge base on the client: the entry form's rules (gateway/models.py KnowledgeEntryCreate),
 * server validation errors mapped to fields, category and picker helpers. (The search is the server's.)
 * Pure: no I/O, tested directly.
 */
import { ApiError, errorText } from './api';
import type { Translate } from './i18n';
import type { CategoryPublic, KnowledgeEntryInput, KnowledgeEntryPublic } from './types';

/** The entry's text fields (one input each); `variants` is a list, edited as lines of one textarea. */
export type KbField = Exclude<keyof KnowledgeEntryInput, 'variants'>;
export const KB_FIELDS: readonly KbField[] = ['category', 'subcategory', 'question', 'answer', 'priority', 'audience'];
/** Every field of the form, in its order (the first one with an error gets the focus). */
export type KbFormField = KbField | 'variants';
export const KB_FORM_FIELDS: readonly KbFormField[] = [...KB_FIELDS, 'variants'];

/** Lengths in characters (code points, as pydantic counts them), from KnowledgeEntryCreate. */
export const KB_LIMITS: Record<KbField, { min: number; max: number }> = {
  category: { min: 1, max: 200 },
  subcategory: { min: 0, max: 200 },
  question: { min: 3, max: 2000 },
  answer: { min: 1, max: 8000 },
  priority: { min: 0, max: 50 },
  audience: { min: 0, max: 200 },
};

/** "Другие формулировки": at most this many, each at most `maxLength` characters (KnowledgeEntryCreate). */
export const KB_VARIANTS = { maxCount: 50, maxLength: 500 } as const;

export type FieldErrors = Partial<Record<KbFormField, string>>;

export function emptyEntry(category = ''): KnowledgeEntryInput {
  return { category, subcategory: '', question: '', answer: '', priority: '', audience: '', variants: [] };
}

/** An entry's variants, also from a server that does not send them yet. */
export function variantsOf(entry: Pick<KnowledgeEntryInput, 'variants'>): string[] {
  return Array.isArray(entry.variants) ? entry.variants.filter((item): item is string => typeof item === 'string') : [];
}

/** The variants textarea (one per line) as a list: lines trimmed, empty ones dropped. */
export function variantsFromText(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The variants as the textarea shows them, one per line. */
export function variantsToText(variants: readonly string[]): string {
  return variants.join('\n');
}

/** The form's values as sent: trimmed; variants without empty ones. */
export function normalizeEntry(input: KnowledgeEntryInput): KnowledgeEntryInput {
  return {
    category: input.category.trim(),
    subcategory: input.subcategory.trim(),
    question: input.question.trim(),
    answer: input.answer.trim(),
    priority: input.priority.trim(),
    audience: input.audience.trim(),
    variants: variantsOf(input)
      .map((item) => item.trim())
      .filter(Boolean),
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
  const variants = validateVariants(entry.variants, t);
  if (variants) errors.variants = variants;
  return errors;
}

/** What is wrong with the (normalized) variants: too many of them, or the first one that is too long. */
export function validateVariants(variants: readonly string[], t: Translate): string | undefined {
  const { maxCount, maxLength } = KB_VARIANTS;
  if (variants.length > maxCount) return t('kb.invalid.tooManyVariants', { max: maxCount, count: variants.length });
  const long = variants.findIndex((item) => length(item) > maxLength);
  if (long >= 0) return t('kb.invalid.variantTooLong', { n: long + 1, max: maxLength });
  return undefined;
}

export function hasErrors(errors: FieldErrors): boolean {
  return KB_FORM_FIELDS.some((field) => errors[field] !== undefined);
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
    const field = KB_FORM_FIELDS.find((name) => name === issue.loc[0]);
    // ["variants", "3"]: the fourth phrasing sent.
    const index = field === 'variants' && issue.loc[1] !== undefined ? Number(issue.loc[1]) : NaN;
    const msg = Number.isInteger(index) ? `${t('kb.variantItem', { n: index + 1 })}: ${issue.msg}` : issue.msg;
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${msg}` : msg;
    else other.push(issue.loc.length ? `${issue.loc.join('.')}: ${issue.msg}` : issue.msg);
  }
  return { fields, general: other.length ? other.join('; ') : null };
}

function fold(text: string): string {
  return text.toLocaleLowerCase('ru-RU').replace(/ё/g, 'е');
}

/** Option values for a select: the known ones, plus `current` values that are not among them (kept first). */
export function withCurrent(known: readonly string[], ...current: string[]): string[] {
  const extra = current.filter((value, index) => value && !known.includes(value) && current.indexOf(value) === index);
  return [...extra, ...known];
}

export function subcategoriesOf(categories: readonly CategoryPublic[], category: string): string[] {
  return categories.find((item) => item.name === category)?.subcategories ?? [];
}

/** The distinct non-empty values, sorted (Russian collation). */
export function distinctValues(values: Iterable<string>): string[] {
  return [...new Set([...values].filter(Boolean))].sort((a, b) => a.localeCompare(b, 'ru'));
}

/** The value of a picker's "new…" option (no real value can be it: they are trimmed, printable text). */
export const NEW_OPTION = '\u0000new';

/** The loaded list after a save: the entry replaced in place, or put first; dropped when it left the filters. */
export function upsertEntry(
  entries: KnowledgeEntryPublic[],
  entry: KnowledgeEntryPublic,
  categoryFilter: string,
  subcategoryFilter = '',
): KnowledgeEntryPublic[] {
  const fits =
    (!categoryFilter || entry.category === categoryFilter) && (!subcategoryFilter || entry.subcategory === subcategoryFilter);
  const index = entries.findIndex((item) => item.id === entry.id);
  if (!fits) return index < 0 ? entries : entries.filter((item) => item.id !== entry.id);
  if (index < 0) return [entry, ...entries];
  const next = [...entries];
  next[index] = entry;
  return next;
}

/**
 * The customer's wording as a new variant: whitespace collapsed, trimmed, and cut to
 * `KB_VARIANTS.maxLength` characters at a word boundary (mid-word only when one word is that long).
 */
export function customerWording(query: string, maxLength: number = KB_VARIANTS.maxLength): string {
  const text = (typeof query === 'string' ? query : '').replace(/\s+/g, ' ').trim();
  const chars = Array.from(text);
  if (chars.length <= maxLength) return text;
  const head = chars.slice(0, maxLength);
  // The next character is a space: the cut already falls between words.
  if (chars[maxLength] === ' ') return head.join('').trimEnd();
  const space = head.lastIndexOf(' ');
  return (space > 0 ? head.slice(0, space) : head).join('').trimEnd();
}

function sameWording(text: string): string {
  return fold(text.replace(/\s+/g, ' ').trim());
}

/** Whether the entry already knows `wording`: as its question or one of its variants (case-insensitive). */
export function knowsWording(entry: Pick<KnowledgeEntryInput, 'question' | 'variants'>, wording: string): boolean {
  const wanted = sameWording(wording);
  return [entry.question, ...variantsOf(entry)].some((item) => typeof item === 'string' && sameWording(item) === wanted);
}

/**
 * The whole PUT body for `entry` with `wording` added to its variants; every other field exactly as
 * the server sent it.
 */
export function withVariant(entry: KnowledgeEntryInput, wording: string): KnowledgeEntryInput {
  return {
    category: entry.category,
    subcategory: entry.subcategory,
    question: entry.question,
    answer: entry.answer,
    priority: entry.priority,
    audience: entry.audience,
    variants: [...variantsOf(entry), wording],
  };
}
