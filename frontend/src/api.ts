/**
 * The one typed client of the gateway REST API: fetch, bearer tokens, refresh-on-401 and error text.
 *
 * Tokens live in sessionStorage (one login per browser tab). Refresh tokens rotate (each works once),
 * so concurrent 401s share a single refresh call.
 */
import type { MessageKey, Translate } from './i18n';
import type {
  CategoryPublic,
  CategoryStatsPublic,
  ConsoleSettingsPublic,
  CustomerHistoryPublic,
  DailyStatsPublic,
  HintsPublic,
  KnowledgeEntriesPage,
  KnowledgeEntryInput,
  KnowledgeEntryPublic,
  KnowledgeEntryQuery,
  KnowledgeFacetsPublic,
  MessagePublic,
  OperatorCreate,
  OperatorPublic,
  OperatorStatsPublic,
  OperatorUpdate,
  Page,
  ReplyDraftCreate,
  ReplyDraftPublic,
  SearchHitPublic,
  SearchQuery,
  StatsMetric,
  StatsPage,
  StatsQuery,
  StatsSummaryPublic,
  TicketCountsPublic,
  TemplateInput,
  TemplatePublic,
  TemplateQuery,
  TicketPublic,
  TicketQuery,
  TicketUpdate,
  TimelinePublic,
  TimeseriesPublic,
  TokenPublic,
} from './types';

export const API_PREFIX = '/api/v1';
/** The largest `limit` GET /kb/entries accepts. */
export const KB_PAGE_MAX = 500;
/** The longest `q` GET /kb/entries accepts (gateway/api/routes/knowledge.py MAX_QUERY_CHARS). */
export const KB_QUERY_MAX = 200;
const STORAGE_KEY = 't1.session';
/** Refresh the access token this long before it expires (for the WebSocket, which cannot retry a 401). */
const EXPIRY_MARGIN_MS = 30_000;

export interface StoredTokens {
  access_token: string;
  refresh_token: string;
  /** Epoch milliseconds when the access token expires. */
  expires_at: number;
}

export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** One entry of a validation error `{detail: [{loc, msg}, ...]}` (422), `body` dropped from `loc`. */
export interface FieldIssue {
  loc: string[];
  msg: string;
}

/** An HTTP error of the API (status 0: the request did not reach the server). */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  /** Seconds from a Retry-After header (429), when there is one. */
  readonly retryAfter: number | null;
  /** The entries of a validation-list detail (422), for showing them next to form fields. */
  readonly issues: FieldIssue[];

  constructor(status: number, detail: string, retryAfter: number | null = null, issues: FieldIssue[] = []) {
    super(detail || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
    this.issues = issues;
  }
}

interface ValidationIssue {
  loc?: unknown[];
  msg?: string;
}

/** The validation-list entries of an error body, when its detail is such a list. */
export function fieldIssues(body: unknown): FieldIssue[] {
  if (body === null || typeof body !== 'object' || !('detail' in body)) return [];
  const detail = (body as { detail: unknown }).detail;
  if (!Array.isArray(detail)) return [];
  return detail
    .filter((issue): issue is ValidationIssue => issue !== null && typeof issue === 'object')
    .map((issue) => ({
      loc: (Array.isArray(issue.loc) ? issue.loc : []).filter((part) => part !== 'body').map(String),
      msg: typeof issue.msg === 'string' ? issue.msg : JSON.stringify(issue),
    }));
}

/** The text of an error body `{detail: string | [{loc, msg}, ...]}`. */
export function detailText(body: unknown): string {
  if (body === null || typeof body !== 'object' || !('detail' in body)) {
    return typeof body === 'string' ? body.slice(0, 300) : '';
  }
  const detail = (body as { detail: unknown }).detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((issue: ValidationIssue) => {
        const where = (issue.loc ?? []).filter((part) => part !== 'body').join('.');
        const what = issue.msg ?? JSON.stringify(issue);
        return where ? `${where}: ${what}` : what;
      })
      .join('; ');
  }
  return detail === undefined || detail === null ? '' : JSON.stringify(detail);
}

/** What to show a person for an error; `byStatus` names a friendlier message for some statuses. */
export function errorText(
  error: unknown,
  t: Translate,
  byStatus: Partial<Record<number, MessageKey>> = {},
): string {
  if (error instanceof ApiError) {
    const special = byStatus[error.status];
    if (special) return t(special);
    if (error.status === 0) return t('error.network');
    if (error.status === 429 && error.retryAfter !== null) {
      return t('error.tooManyRequests', { seconds: error.retryAfter });
    }
    // A service behind the gateway is down or slow: its technical detail means nothing to an operator.
    if (error.status >= 502 && error.status <= 504) return t('error.unavailable');
    if (error.status >= 500 && !error.detail) return t('error.server', { status: error.status });
    return error.detail || t('error.http', { status: error.status });
  }
  if (error instanceof Error && error.message) return error.message;
  return t('error.unknown');
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined | null>;
  json?: unknown;
  form?: FormData;
  /** false: send no token and do not refresh (login, refresh, logout). */
  auth?: boolean;
  signal?: AbortSignal;
}

export interface SendMessageInput {
  text: string;
  clientMessageId: string;
  file?: File | null;
}

export interface ApiClientOptions {
  fetch?: typeof fetch;
  storage?: KeyValueStorage | null;
  now?: () => number;
}

function defaultStorage(): KeyValueStorage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export class ApiClient {
  /** Called when the session is gone (refresh refused): the app shows the login screen. */
  onAuthLost: (() => void) | null = null;

  private readonly fetchImpl: typeof fetch;
  private readonly storage: KeyValueStorage | null;
  private readonly now: () => number;
  private memoryTokens: StoredTokens | null = null;
  private refreshing: Promise<boolean> | null = null;

  constructor(options: ApiClientOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.storage = options.storage === undefined ? defaultStorage() : options.storage;
    this.now = options.now ?? Date.now;
  }

  // --- tokens ------------------------------------------------------------------------------------

  tokens(): StoredTokens | null {
    if (!this.storage) return this.memoryTokens;
    const raw = this.storage.getItem(STORAGE_KEY);
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as Partial<StoredTokens>;
      if (typeof parsed.access_token === 'string' && typeof parsed.refresh_token === 'string') {
        return {
          access_token: parsed.access_token,
          refresh_token: parsed.refresh_token,
          expires_at: typeof parsed.expires_at === 'number' ? parsed.expires_at : 0,
        };
      }
    } catch {
      // a damaged entry is the same as none
    }
    return null;
  }

  hasSession(): boolean {
    return this.tokens() !== null;
  }

  private saveTokens(body: TokenPublic): void {
    const tokens: StoredTokens = {
      access_token: body.access_token,
      refresh_token: body.refresh_token,
      expires_at: this.now() + body.expires_in * 1000,
    };
    if (this.storage) this.storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    else this.memoryTokens = tokens;
  }

  clearTokens(): void {
    if (this.storage) this.storage.removeItem(STORAGE_KEY);
    this.memoryTokens = null;
  }

  private authLost(): void {
    this.clearTokens();
    this.onAuthLost?.();
  }

  /**
   * Exchange the refresh token for new tokens: true when it worked, false when the server refused it
   * (the session is over; tokens are cleared). Throws on network errors (the session may still be fine).
   * Concurrent callers share one request, since a refresh token works only once.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const tokens = this.tokens();
    if (!tokens) return false;
    try {
      const body = await this.request<TokenPublic>('POST', '/auth/refresh', {
        json: { refresh_token: tokens.refresh_token },
        auth: false,
      });
      this.saveTokens(body);
      return true;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 422)) {
        this.clearTokens();
        return false;
      }
      throw error;
    }
  }

  /**
   * A valid access token for the WebSocket (which cannot retry a 401): refreshed first when it is about
   * to expire, or when `force`. null when the session is over. Throws on network errors.
   */
  async freshAccessToken(force = false): Promise<string | null> {
    const tokens = this.tokens();
    if (!tokens) return null;
    if (!force && tokens.expires_at - this.now() > EXPIRY_MARGIN_MS) return tokens.access_token;
    if (!(await this.refresh())) {
      this.authLost();
      return null;
    }
    return this.tokens()?.access_token ?? null;
  }

  // --- requests ----------------------------------------------------------------------------------

  private async send(method: string, path: string, options: RequestOptions, token: string | null) {
    const headers: Record<string, string> = { Accept: 'application/json' };
    let body: BodyInit | undefined;
    if (options.form) {
      body = options.form;
    } else if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    let url = API_PREFIX + path;
    if (options.query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(options.query)) {
        if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
      }
      const search = params.toString();
      if (search) url += `?${search}`;
    }
    try {
      return await this.fetchImpl(url, { method, headers, body, signal: options.signal });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, '');
    }
  }

  /** One API call; on a 401 it refreshes the tokens once and retries, else the session is over. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth !== false;
    const used = auth ? this.tokens() : null;
    let response = await this.send(method, path, options, used?.access_token ?? null);
    if (response.status === 401 && auth) {
      let refreshed = false;
      const current = this.tokens();
      if (current && used && current.access_token !== used.access_token) {
        refreshed = true; // another call refreshed while this one was in flight
      } else if (current) {
        refreshed = await this.refresh();
      }
      if (refreshed) {
        response = await this.send(method, path, options, this.tokens()?.access_token ?? null);
      }
      if (!refreshed || response.status === 401) {
        const error = await this.errorOf(response);
        this.authLost();
        throw error;
      }
    }
    if (!response.ok) throw await this.errorOf(response);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) return (await response.json()) as T;
    return (await response.text()) as unknown as T;
  }

  private async errorOf(response: Response): Promise<ApiError> {
    let body: unknown = null;
    try {
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    } catch {
      body = null;
    }
    const header = response.headers.get('retry-after');
    const seconds = header === null ? NaN : Number.parseInt(header, 10);
    return new ApiError(
      response.status,
      detailText(body),
      Number.isFinite(seconds) ? seconds : null,
      fieldIssues(body),
    );
  }

  // --- auth --------------------------------------------------------------------------------------

  async login(username: string, password: string): Promise<void> {
    const body = await this.request<TokenPublic>('POST', '/auth/login', {
      json: { username, password },
      auth: false,
    });
    this.saveTokens(body);
  }

  /** End the session on the server (best effort) and forget the tokens. */
  async logout(): Promise<void> {
    const tokens = this.tokens();
    this.clearTokens();
    if (!tokens) return;
    try {
      await this.request<void>('POST', '/auth/logout', {
        json: { refresh_token: tokens.refresh_token },
        auth: false,
      });
    } catch {
      // the tokens are forgotten either way
    }
  }

  // --- operators ---------------------------------------------------------------------------------

  me(): Promise<OperatorPublic> {
    return this.request('GET', '/operators/me');
  }

  listOperators(): Promise<OperatorPublic[]> {
    return this.request('GET', '/operators');
  }

  createOperator(body: OperatorCreate): Promise<OperatorPublic> {
    return this.request('POST', '/operators', { json: body });
  }

  updateOperator(id: string, body: OperatorUpdate): Promise<OperatorPublic> {
    return this.request('PATCH', `/operators/${encodeURIComponent(id)}`, { json: body });
  }

  // --- tickets -----------------------------------------------------------------------------------

  listTickets(query: TicketQuery, signal?: AbortSignal): Promise<Page<TicketPublic>> {
    return this.request('GET', '/tickets', { query: { ...query }, signal });
  }

  /** How many tickets the queue and the operator's own list hold (and how many of them wait for an answer). */
  ticketCounts(): Promise<TicketCountsPublic> {
    return this.request('GET', '/tickets/counts');
  }

  /** The desk's SLA thresholds the queue is coloured by. */
  consoleSettings(): Promise<ConsoleSettingsPublic> {
    return this.request('GET', '/console/settings');
  }

  /** Full-text search of ticket history (titles, customers, messages, text on photos, tags), best first. */
  searchTickets(query: SearchQuery, signal?: AbortSignal): Promise<Page<SearchHitPublic>> {
    return this.request('GET', '/search', { query: { ...query }, signal });
  }

  getTicket(id: string): Promise<TicketPublic> {
    return this.request('GET', `/tickets/${encodeURIComponent(id)}`);
  }

  listMessages(id: string, cursor?: string | null, limit = 200): Promise<Page<MessagePublic>> {
    return this.request('GET', `/tickets/${encodeURIComponent(id)}/messages`, {
      query: { cursor, limit },
    });
  }

  /** The whole conversation (oldest first), following next_cursor up to `maxPages` pages. */
  async allMessages(id: string, maxPages = 50): Promise<MessagePublic[]> {
    const items: MessagePublic[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < maxPages; page += 1) {
      const result: Page<MessagePublic> = await this.listMessages(id, cursor, 500);
      items.push(...result.items);
      cursor = result.next_cursor;
      if (!cursor) break;
    }
    return items;
  }

  /** The same customer's other tickets (up to 20, latest activity first), with their ratings. */
  customerHistory(id: string, signal?: AbortSignal): Promise<CustomerHistoryPublic> {
    return this.request('GET', `/tickets/${encodeURIComponent(id)}/history`, { signal });
  }

  /** The messages of another ticket of the same customer, read through the open ticket (read-only). */
  earlierMessages(id: string, earlierId: string, signal?: AbortSignal): Promise<Page<MessagePublic>> {
    return this.request('GET', `/tickets/${encodeURIComponent(id)}/history/${encodeURIComponent(earlierId)}/messages`, {
      query: { limit: 500 },
      signal,
    });
  }

  /** Who did what and when (opened, taken, assigned, replied, closed, rated), oldest first. */
  ticketTimeline(id: string, signal?: AbortSignal): Promise<TimelinePublic> {
    return this.request('GET', `/tickets/${encodeURIComponent(id)}/timeline`, { signal });
  }

  /** The operator has read the ticket up to the customer's last message (their read marker, kept on the server). */
  markRead(id: string): Promise<void> {
    return this.request('POST', `/tickets/${encodeURIComponent(id)}/read`);
  }

  takeTicket(id: string): Promise<TicketPublic> {
    return this.request('POST', `/tickets/${encodeURIComponent(id)}/take`);
  }

  assignTicket(id: string, operatorId: string): Promise<TicketPublic> {
    return this.request('POST', `/tickets/${encodeURIComponent(id)}/assign`, {
      json: { operator_id: operatorId },
    });
  }

  sendMessage(id: string, input: SendMessageInput): Promise<MessagePublic> {
    const path = `/tickets/${encodeURIComponent(id)}/messages`;
    if (input.file) {
      const form = new FormData();
      form.append('file', input.file, input.file.name);
      if (input.text) form.append('text', input.text);
      form.append('client_message_id', input.clientMessageId);
      return this.request('POST', path, { form });
    }
    return this.request('POST', path, {
      json: { text: input.text, client_message_id: input.clientMessageId },
    });
  }

  /** Send again an operator's reply whose delivery failed; it comes back `sending`. */
  retryDelivery(ticketId: string, messageId: string): Promise<MessagePublic> {
    return this.request(
      'POST',
      `/tickets/${encodeURIComponent(ticketId)}/messages/${encodeURIComponent(messageId)}/retry`,
    );
  }

  closeTicket(id: string): Promise<TicketPublic> {
    return this.request('POST', `/tickets/${encodeURIComponent(id)}/close`);
  }

  addNote(id: string, text: string): Promise<MessagePublic> {
    return this.request('POST', `/tickets/${encodeURIComponent(id)}/notes`, { json: { text } });
  }

  updateTicket(id: string, body: TicketUpdate): Promise<TicketPublic> {
    return this.request('PATCH', `/tickets/${encodeURIComponent(id)}`, { json: body });
  }

  hints(id: string, signal?: AbortSignal): Promise<HintsPublic> {
    return this.request('GET', `/tickets/${encodeURIComponent(id)}/hints`, { signal });
  }

  /** A ready reply from the knowledge base (an LLM may take several seconds); never sent by itself. */
  replyDraft(id: string, body: ReplyDraftCreate = {}, signal?: AbortSignal): Promise<ReplyDraftPublic> {
    return this.request('POST', `/tickets/${encodeURIComponent(id)}/reply-draft`, { json: body, signal });
  }

  /**
   * The operator is typing a reply: the customer sees «печатает…» in Telegram for a few seconds (202).
   * Best effort; the console calls it at most every few seconds (typing.ts).
   */
  typing(id: string): Promise<void> {
    return this.request('POST', `/tickets/${encodeURIComponent(id)}/typing`);
  }

  // --- canned replies ----------------------------------------------------------------------------

  /** Every canned reply (at most 500), sorted by title; `q` and `category` narrow them. */
  listTemplates(query: TemplateQuery = {}, signal?: AbortSignal): Promise<TemplatePublic[]> {
    return this.request('GET', '/templates', { query: { ...query }, signal });
  }

  /** Admins only. */
  createTemplate(body: TemplateInput): Promise<TemplatePublic> {
    return this.request('POST', '/templates', { json: body });
  }

  /** Admins only: replaces the whole template. */
  updateTemplate(id: string, body: TemplateInput): Promise<TemplatePublic> {
    return this.request('PUT', `/templates/${encodeURIComponent(id)}`, { json: body });
  }

  /** Admins only. */
  deleteTemplate(id: string): Promise<void> {
    return this.request('DELETE', `/templates/${encodeURIComponent(id)}`);
  }

  // --- knowledge base ----------------------------------------------------------------------------

  /** Every knowledge-base category with its subcategories (any operator). */
  categories(signal?: AbortSignal): Promise<CategoryPublic[]> {
    return this.request('GET', '/kb/categories', { signal });
  }

  /** A page of the knowledge base; with `q`, of the entries matching it, most relevant first (searched by the server). */
  listKnowledge(query: KnowledgeEntryQuery = {}, signal?: AbortSignal): Promise<KnowledgeEntriesPage> {
    return this.request('GET', '/kb/entries', { query: { ...query }, signal });
  }

  /** The priorities and audiences in use, for the entry form's pickers (any operator). */
  knowledgeFacets(signal?: AbortSignal): Promise<KnowledgeFacetsPublic> {
    return this.request('GET', '/kb/facets', { signal });
  }

  /** Admins only. */
  createKnowledge(body: KnowledgeEntryInput): Promise<KnowledgeEntryPublic> {
    return this.request('POST', '/kb/entries', { json: body });
  }

  /** Admins only: replaces the whole entry. */
  updateKnowledge(id: string, body: KnowledgeEntryInput): Promise<KnowledgeEntryPublic> {
    return this.request('PUT', `/kb/entries/${encodeURIComponent(id)}`, { json: body });
  }

  /**
   * One entry by id. There is no GET-by-id endpoint: the list is read page by page (the largest pages the
   * gateway allows) until the entry turns up; null when it is not there.
   */
  async findKnowledge(id: string, signal?: AbortSignal, maxPages = 100): Promise<KnowledgeEntryPublic | null> {
    let cursor: string | null = null;
    for (let page = 0; page < maxPages; page += 1) {
      const result: Page<KnowledgeEntryPublic> = await this.listKnowledge({ cursor, limit: KB_PAGE_MAX }, signal);
      const found = (result.items ?? []).find((entry) => entry.id === id);
      if (found) return found;
      cursor = result.next_cursor;
      if (!cursor) return null;
    }
    return null;
  }

  /** Admins only. */
  deleteKnowledge(id: string): Promise<void> {
    return this.request('DELETE', `/kb/entries/${encodeURIComponent(id)}`);
  }

  // --- statistics --------------------------------------------------------------------------------
  // Operators read only their own figures (another operator_id: 403); admins read anyone's.

  /** The figures of the days `from`..`to` (an operator's own by default). */
  statsSummary(query: StatsQuery = {}, signal?: AbortSignal): Promise<StatsSummaryPublic> {
    return this.request('GET', '/stats/summary', { query: statsQuery(query), signal });
  }

  /** A row per operator (an operator gets only their own); `operator_id` "" is the tickets nobody took. */
  statsOperators(query: Omit<StatsQuery, 'operator_id'> = {}, signal?: AbortSignal): Promise<StatsPage<OperatorStatsPublic>> {
    return this.request('GET', '/stats/operators', { query: statsQuery({ ...query, operator_id: undefined }), signal });
  }

  /** A row per category; `category` "" is the tickets without one. */
  statsCategories(query: Omit<StatsQuery, 'category'> = {}, signal?: AbortSignal): Promise<StatsPage<CategoryStatsPublic>> {
    return this.request('GET', '/stats/categories', { query: statsQuery({ ...query, category: undefined }), signal });
  }

  /** Every figure for each day of the range, oldest first. */
  statsDaily(query: StatsQuery = {}, signal?: AbortSignal): Promise<StatsPage<DailyStatsPublic>> {
    return this.request('GET', '/stats/daily', { query: statsQuery(query), signal });
  }

  /** One figure for each day of the range, oldest first. */
  statsTimeseries(metric: StatsMetric, query: StatsQuery = {}, signal?: AbortSignal): Promise<TimeseriesPublic> {
    return this.request('GET', '/stats/timeseries', { query: { ...statsQuery(query), metric }, signal });
  }
}

/** The query string of a stats request, in a fixed order (empty values are left out by `send`). */
function statsQuery(query: StatsQuery): Record<string, string | undefined> {
  return { from: query.from, to: query.to, operator_id: query.operator_id, category: query.category };
}

/** A random id usable as client_message_id (crypto.randomUUID needs a secure context; this does not). */
export function newClientId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The app's client. */
export const api = new ApiClient();
