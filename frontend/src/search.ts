/** Pure helpers of history search: the request of a list filter and the snippet split into marked parts. */
import type { MessageKey } from './i18n';
import { ticketQuery, type ListFilter } from './state';
import type { SearchQuery } from './types';

export interface SnippetPart {
  text: string;
  marked: boolean;
}

/**
 * The snippet as plain and marked pieces. Highlights count Unicode code points (not UTF-16 units), may
 * overlap or fall outside the text; the pieces always join back into the snippet.
 */
export function snippetParts(snippet: string, highlights: readonly (readonly [number, number])[]): SnippetPart[] {
  const points = Array.from(snippet);
  const ranges = highlights
    .map(([start, end]) => [Math.max(0, Math.min(start, points.length)), Math.max(0, Math.min(end, points.length))] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    if (from > at) parts.push({ text: points.slice(at, from).join(''), marked: false });
    parts.push({ text: points.slice(from, end).join(''), marked: true });
    at = end;
  }
  if (at < points.length) parts.push({ text: points.slice(at).join(''), marked: false });
  return parts;
}

/** The search request of the queue's filter: its words and the tab's status (the category is applied to the hits). */
export function searchQuery(filter: ListFilter): SearchQuery {
  const query: SearchQuery = { q: filter.q.trim() };
  const status = ticketQuery(filter).status;
  if (status) query.status = status;
  return query;
}

const FIELD_KEYS: Record<string, MessageKey> = {
  title: 'search.field.title',
  customer: 'search.field.customer',
  message: 'search.field.message',
  ocr: 'search.field.ocr',
  tags: 'search.field.tags',
};

/** The label of where a hit matched; unknown fields read as a message. */
export function matchedFieldKey(field: string): MessageKey {
  return FIELD_KEYS[field] ?? 'search.field.message';
}
