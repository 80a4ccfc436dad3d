/**
 * Canned replies (GET /templates): the variables filled in on insert, the `/` trigger in the reply box,
 * ranking for the picker, and the admin form's checks (limits of gateway/models.py TemplateCreate).
 */
import { ApiError, errorText } from './api';
import type { MessageKey, Translate } from './i18n';
import type { OperatorPublic, TemplateInput, TemplatePublic, TicketPublic } from './types';

/** Lengths in Unicode code points, as the gateway counts them. */
export const TEMPLATE_LIMITS = { title: 100, text: 4096, category: 200 } as const;
export type TemplateField = keyof typeof TEMPLATE_LIMITS;
export const TEMPLATE_FIELDS: readonly TemplateField[] = ['title', 'category', 'text'];

export type VariableName = 'name' | 'operator' | 'ticket';

/** The variables a template may hold: Russian names first, English aliases; what each means. */
export const TEMPLATE_VARIABLES: readonly { name: VariableName; spellings: readonly string[]; help: MessageKey }[] = [
  { name: 'name', spellings: ['имя', 'name'], help: 'templates.var.name' },
  { name: 'operator', spellings: ['оператор', 'operator'], help: 'templates.var.operator' },
  { name: 'ticket', spellings: ['тикет', 'ticket'], help: 'templates.var.ticket' },
];

const SPELLING: ReadonlyMap<string, VariableName> = new Map(
  TEMPLATE_VARIABLES.flatMap((variable) => variable.spellings.map((spelling) => [spelling, variable.name] as const)),
);

export type TemplateValues = Partial<Record<VariableName, string>>;

/** A ticket's short reference, as the details panel shows it: # and the id's first eight characters. */
export function ticketReference(ticketId: string): string {
  return ticketId ? `#${ticketId.slice(0, 8)}` : '';
}

/** The customer's first name: the first word of the name Telegram gave. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/u)[0] ?? '';
}

export function templateValues(ticket: Pick<TicketPublic, 'id' | 'customer'>, me: Pick<OperatorPublic, 'display_name' | 'username'>): TemplateValues {
  return {
    name: firstName(ticket.customer.name),
    operator: (me.display_name || me.username).trim(),
    ticket: ticketReference(ticket.id),
  };
}

/**
 * The text with its variables filled in ({имя}, {Имя}, {name}...). A variable this console does not know,
 * or one without a value (a customer without a name), stays as written, braces and all, so the operator
 * sees it before sending.
 */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(/\{([\p{L}_]+)\}/gu, (whole, spelled: string) => {
    const name = SPELLING.get(spelled.toLocaleLowerCase('ru'));
    const value = name ? values[name] : undefined;
    return value ? value : whole;
  });
}

/** The `/query` being typed at the caret: a `/` that starts the text or a line, up to the caret. */
export interface SlashQuery {
  /** Index of the `/`. */
  start: number;
  /** The caret (end of the query). */
  end: number;
  query: string;
}

export const MAX_QUERY = 60;

export function slashQuery(text: string, caret: number): SlashQuery | null {
  const lineStart = text.lastIndexOf('\n', caret - 1) + 1;
  if (text[lineStart] !== '/' || caret <= lineStart) return null;
  const query = text.slice(lineStart + 1, caret);
  if (query.length > MAX_QUERY || query.startsWith('/') || query.startsWith(' ')) return null;
  return { start: lineStart, end: caret, query };
}

/** The text with the `/query` replaced by `inserted`, and where the caret goes. */
export function applyTemplate(text: string, slash: SlashQuery, inserted: string): { text: string; caret: number } {
  return { text: text.slice(0, slash.start) + inserted + text.slice(slash.end), caret: slash.start + inserted.length };
}

function folded(text: string): string {
  return text.toLocaleLowerCase('ru').replaceAll('ё', 'е');
}

/**
 * The templates with every word of `query` in their title, category or text, best first: the ticket's
 * category first, then a title that starts with the query, then a title that holds it, then by title.
 */
export function rankTemplates(templates: readonly TemplatePublic[], query: string, category = ''): TemplatePublic[] {
  const words = folded(query).split(/\s+/u).filter(Boolean);
  const phrase = words.join(' ');
  const wanted = folded(category.trim());
  const scored: { template: TemplatePublic; score: number; title: string }[] = [];
  for (const template of templates) {
    const title = folded(template.title);
    const haystack = `${title}\n${folded(template.category)}\n${folded(template.text)}`;
    if (!words.every((word) => haystack.includes(word))) continue;
    let score = 0;
    if (wanted && folded(template.category) === wanted) score += 4;
    if (phrase && title.startsWith(phrase)) score += 2;
    else if (phrase && title.includes(phrase)) score += 1;
    scored.push({ template, score, title });
  }
  scored.sort((a, b) => b.score - a.score || a.title.localeCompare(b.title, 'ru'));
  return scored.map((item) => item.template);
}

export function codePoints(text: string): number {
  return Array.from(text).length;
}

export type TemplateErrors = Partial<Record<TemplateField, string>>;

/** The form's own checks, before the gateway's. */
export function validateTemplate(input: TemplateInput, t: Translate): TemplateErrors {
  const errors: TemplateErrors = {};
  for (const field of TEMPLATE_FIELDS) {
    const value = input[field].trim();
    if (!value && field !== 'category') errors[field] = t('templates.invalid.required');
    else if (codePoints(value) > TEMPLATE_LIMITS[field]) {
      errors[field] = t('templates.invalid.tooLong', { max: TEMPLATE_LIMITS[field] });
    }
  }
  return errors;
}

export function normalizeTemplate(input: TemplateInput): TemplateInput {
  return { title: input.title.trim(), text: input.text.trim(), category: input.category.trim() };
}

/** The list with `saved` put in (or replacing its old version), sorted by title as the gateway sorts. */
export function upsertTemplate(list: readonly TemplatePublic[], saved: TemplatePublic): TemplatePublic[] {
  const others = list.filter((item) => item.id !== saved.id);
  return [...others, saved].sort((a, b) => folded(a.title).localeCompare(folded(b.title), 'ru') || a.id.localeCompare(b.id));
}

/** A failed save: a 422's entries next to the fields they name, anything else in words. */
export function templateSaveErrors(error: unknown, t: Translate): { fields: TemplateErrors; general: string | null } {
  const fields: TemplateErrors = {};
  if (!(error instanceof ApiError) || error.issues.length === 0) {
    return { fields, general: errorText(error, t, { 403: 'templates.forbidden', 404: 'templates.notFound' }) };
  }
  const other: string[] = [];
  for (const issue of error.issues) {
    const field = TEMPLATE_FIELDS.find((name) => name === issue.loc[0]);
    if (field) fields[field] = fields[field] ? `${fields[field]}; ${issue.msg}` : issue.msg;
    else other.push(issue.loc.length ? `${issue.loc.join('.')}: ${issue.msg}` : issue.msg);
  }
  return { fields, general: other.length ? other.join('; ') : null };
}
