/** The JSON shapes of the gateway REST API (gateway/models.py, t1lib/views.py). */

export type Role = 'operator' | 'admin';
export type TicketStatus = 'open' | 'assigned' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type Direction = 'customer' | 'operator' | 'system';
export type AttachmentKind = 'photo' | 'document' | 'voice' | 'audio' | 'video';

export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

export interface TokenPublic {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface OperatorPublic {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  active: boolean;
  created_at: string;
}

export interface OperatorCreate {
  username: string;
  password: string;
  display_name: string;
  role: Role;
}

export interface OperatorUpdate {
  display_name?: string;
  password?: string;
  role?: Role;
  active?: boolean;
}

export interface CustomerPublic {
  telegram_id: number;
  chat_id: number;
  name: string;
  username: string;
  language_code: string;
}

export interface TicketPublic {
  id: string;
  title: string;
  status: TicketStatus;
  customer: CustomerPublic;
  assignee: string | null;
  created_at: string | null;
  updated_at: string | null;
  last_message_at: string | null;
  last_message_preview: string;
  tags: string[];
  priority: Priority;
  category: string;
  subcategory: string;
  closed_at: string | null;
  /** Since when the customer waits for an answer (their first message after the last reply); null when answered or closed. */
  waiting_since?: string | null;
  /** When the customer last wrote; null before (and on tickets stored before it was tracked). */
  last_customer_message_at?: string | null;
  /**
   * The customer's rating (GET /tickets/{id} and the lists); null or absent when the ticket is not rated or
   * the stats service did not answer in time.
   */
  rating?: RatingPublic | null;
  /** Lists and GET /tickets/{id}: the customer wrote since this operator last read the ticket (server-side read marker). */
  unread?: boolean;
}

/** A customer's rating of a closed ticket (gateway/models.py RatingPublic). */
export interface RatingPublic {
  /** 1..5 */
  score: number;
  comment: string;
  /** ISO datetime */
  rated_at: string;
}

export interface TicketUpdate {
  tags?: string[];
  priority?: Priority;
  category?: string;
  subcategory?: string;
}

export interface AttachmentPublic {
  id: string;
  kind: AttachmentKind;
  /** Short-lived file link served by the gateway (/api/v1/files/…); null when the file is not stored (or in live events). */
  url: string | null;
  mime_type: string;
  file_name: string;
  size: number;
  ocr_text: string;
}

export interface MessagePublic {
  id: string;
  ticket_id: string;
  direction: Direction;
  text: string;
  attachments: AttachmentPublic[];
  edited: boolean;
  internal: boolean;
  operator_id: string | null;
  created_at: string | null;
  edited_at: string | null;
  /** How far an operator's reply got to the customer in Telegram; null for other messages. */
  delivery_status: DeliveryStatus | null;
  /** Why the delivery failed (Telegram's words), when it did. */
  delivery_error: string | null;
  /** Operator messages: the id the console chose when sending (its pending copy has it). */
  client_message_id?: string | null;
  /** Admins only: the trace that stored the message, opened at ConsoleSettingsPublic.trace_ui_url. */
  trace_id?: string | null;
}

export type DeliveryStatus = 'sending' | 'sent' | 'failed';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Hint {
  /** The knowledge-base entry the hint comes from (its `id`). */
  entry_id: string;
  answer: string;
  question: string;
  category: string;
  subcategory: string;
  /** Relevance, comparable only within one answer: not shown. */
  score: number;
  /** Calibrated probability (0..1) that the entry answers the customer (absent from older gateways). */
  probability?: number;
}

/** GET /tickets/{id}/hints: the hints and the text they were found for. */
export interface HintsPublic {
  items: Hint[];
  /** The text searched: the conversation's intent. */
  query: string;
  /** The conversation's intent, as ml derived it: the same intent, the same hints. */
  intent?: string;
  /** No hint is likely enough to answer the customer; `items` are still there to browse. */
  no_good_hint?: boolean;
}

export type ReplySource = 'llm' | 'template' | 'none';

/** The body of POST /tickets/{id}/reply-draft (gateway/models.py ReplyDraftCreate); every field is optional. */
export interface ReplyDraftCreate {
  /** Only hints of this knowledge-base category; null: any. */
  category?: string | null;
  /** BCP 47 language of the reply; null: the customer's. */
  language?: string | null;
  /** How many hints the reply may draw on, 1..5 (server default 3). */
  hints?: number;
}

/**
 * A ready reply for the operator to review (POST /tickets/{id}/reply-draft). `llm`: written by an LLM from
 * the best hints (`model` names it); `template`: the best hint's template answer (`fallback_reason` says
 * why no LLM); `none`: no hint matched and `text` is empty.
 */
export interface ReplyDraftPublic {
  text: string;
  source: ReplySource;
  model: string;
  fallback_reason: string;
  hints: Hint[];
  query: string;
}

/** A knowledge-base category with its subcategories (GET /kb/categories). */
export interface CategoryPublic {
  name: string;
  subcategories: string[];
}

/** The body of POST /kb/entries and PUT /kb/entries/{id} (gateway/models.py KnowledgeEntryCreate). */
export interface KnowledgeEntryInput {
  category: string;
  subcategory: string;
  question: string;
  answer: string;
  priority: string;
  audience: string;
  /** Other ways customers ask the question (at most 50, each at most 500 characters). */
  variants: string[];
}

export interface KnowledgeEntryPublic extends KnowledgeEntryInput {
  id: string;
}

export interface KnowledgeEntryQuery {
  cursor?: string | null;
  limit?: number;
  category?: string;
  subcategory?: string;
  /** Words to find (at most KB_QUERY_MAX characters): the matching entries, most relevant first. */
  q?: string;
}

/** A page of GET /kb/entries; `total` counts the matching entries over all pages (older gateways omit it). */
export interface KnowledgeEntriesPage extends Page<KnowledgeEntryPublic> {
  total?: number;
}

/** The priorities and audiences the knowledge base uses (GET /kb/facets), for the entry form's pickers. */
export interface KnowledgeFacetsPublic {
  priorities: string[];
  audiences: string[];
}

/** Where a search hit matched: the ticket's title, customer (name, @username, Telegram id) or tags, a message's text, or the text on its photo. */
export type MatchedField = 'title' | 'customer' | 'message' | 'ocr' | 'tags';

/** One ticket found by GET /search: its best match as a plain-text snippet with the matched words. */
export interface SearchHitPublic {
  ticket: TicketPublic;
  snippet: string;
  /** [start, end) in Unicode code points of `snippet`. */
  highlights: [number, number][];
  matched_field: MatchedField | string;
  message_id: string | null;
  score: number;
}

export interface SearchQuery {
  q: string;
  status?: TicketStatus;
  cursor?: string | null;
  limit?: number;
}

/** The order of GET /tickets: newest activity first, or the longest-waiting customers first. */
export type TicketOrder = 'activity' | 'waiting';

export interface TicketQuery {
  status?: TicketStatus;
  assignee?: string;
  q?: string;
  category?: string;
  order?: TicketOrder;
  cursor?: string;
  limit?: number;
}

/** Events of the WebSocket `/api/v1/ws`. */
export type TicketEventType = 'ticket.created' | 'ticket.updated' | 'message.created' | 'message.updated';

export interface HelloEvent {
  type: 'hello';
  operator_id?: string;
}

export interface TicketEvent {
  type: TicketEventType;
  event_id: string;
  ticket_id: string;
  occurred_at?: string;
  ticket: TicketPublic;
  message: MessagePublic | null;
}

export interface HiddenEvent {
  type: 'ticket.hidden';
  event_id: string;
  ticket_id: string;
}

export type LiveEvent = HelloEvent | TicketEvent | HiddenEvent;

/** The ratings 1..5, as the keys of `csat_distribution`. */
export type CsatScore = '1' | '2' | '3' | '4' | '5';
export const CSAT_SCORES: readonly CsatScore[] = ['1', '2', '3', '4', '5'];

/**
 * Figures of the days asked for, counted in `time_zone` (gateway/models.py StatsSummaryPublic); null where
 * there is no data. Durations are in seconds; `rating_response_rate` is rated / closed, 0..1.
 */
export interface StatsSummaryPublic {
  time_zone: string;
  tickets_created: number;
  tickets_closed: number;
  /** Tickets open at the end of the last day. */
  backlog: number;
  ratings_count: number;
  csat_average: number | null;
  csat_distribution: Partial<Record<CsatScore, number>>;
  rating_response_rate: number | null;
  first_response_p50_s: number | null;
  first_response_p90_s: number | null;
  resolution_p50_s: number | null;
  resolution_p90_s: number | null;
  messages_per_ticket: number | null;
}

/** The summary fields that hold figures (everything but `time_zone`). */
export type StatsField = Exclude<keyof StatsSummaryPublic, 'time_zone'>;

/** A row of GET /stats/operators; `operator_id` "" is the tickets nobody took. */
export interface OperatorStatsPublic extends StatsSummaryPublic {
  operator_id: string;
  name: string;
}

/** A row of GET /stats/categories; `category` "" is the tickets without a category. */
export interface CategoryStatsPublic extends StatsSummaryPublic {
  category: string;
}

/** A day of GET /stats/daily; `backlog` is the number open at that day's end. */
export interface DailyStatsPublic extends StatsSummaryPublic {
  /** YYYY-MM-DD */
  day: string;
}

export interface StatsPage<T> {
  time_zone: string;
  items: T[];
}

/**
 * The scope of a stats request: days "YYYY-MM-DD" in the desk's time zone, both included (default: the
 * last 30 days). Empty values are left out of the query.
 */
export interface StatsQuery {
  from?: string;
  to?: string;
  operator_id?: string;
  category?: string;
}

export type StatsMetric =
  | 'tickets_created'
  | 'tickets_closed'
  | 'backlog'
  | 'ratings_count'
  | 'csat_average'
  | 'rating_response_rate'
  | 'first_response_p50_s'
  | 'first_response_p90_s'
  | 'resolution_p50_s'
  | 'resolution_p90_s'
  | 'messages_per_ticket';

export interface TimeseriesPointPublic {
  day: string;
  value: number | null;
}

export interface TimeseriesPublic {
  time_zone: string;
  metric: StatsMetric;
  points: TimeseriesPointPublic[];
}

/** GET /tickets/counts: how many tickets the caller's lists hold. */
export interface TicketCountsPublic {
  queue: number;
  queue_waiting: number;
  mine: number;
  mine_waiting: number;
  /** Every ticket not closed; admins only (null for operators). */
  all_active: number | null;
}

/** GET /console/settings: how long a customer may wait before the queue warns, and before the SLA is breached. */
export interface ConsoleSettingsPublic {
  sla_warning_s: number;
  sla_breach_s: number;
  /** Admins only: the trace backend's UI (Jaeger); a message's trace opens at <url>/trace/<trace_id>. */
  trace_ui_url?: string | null;
}

/** GET /tickets/{id}/history: one of the customer's other tickets (gateway/models.py HistoryTicketPublic). */
export interface HistoryTicketPublic {
  id: string;
  title: string;
  status: TicketStatus;
  created_at: string | null;
  closed_at: string | null;
  category: string;
  /** null when not rated, or when the stats service did not answer in time. */
  rating: RatingPublic | null;
}

export interface CustomerHistoryPublic {
  /** Latest activity first, up to 20. */
  items: HistoryTicketPublic[];
  has_more: boolean;
}

export type TimelineKind = 'opened' | 'taken' | 'assigned' | 'replied' | 'closed' | 'rated';

/** GET /tickets/{id}/timeline: who did what and when (gateway/models.py TimelineEventPublic). */
export interface TimelineEventPublic {
  kind: TimelineKind;
  at: string;
  /** Operator id; null for the customer's doings or when not known. */
  actor: string | null;
  /** The assignee (assigned). */
  target: string | null;
  /** Replies this entry stands for (replied). */
  count: number;
  /** The last of the folded replies (replied). */
  last_at: string | null;
  score?: number | null;
  comment?: string | null;
}

export interface TimelinePublic {
  /** Oldest first. */
  items: TimelineEventPublic[];
}

/** A canned reply (gateway/models.py TemplatePublic); `text` may hold variables such as {имя}. */
export interface TemplatePublic {
  id: string;
  title: string;
  text: string;
  /** A knowledge-base category, or "". */
  category: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

/** POST /templates and PUT /templates/{id} (admins only). */
export interface TemplateInput {
  title: string;
  text: string;
  category: string;
}

export interface TemplateQuery {
  q?: string;
  category?: string;
}
