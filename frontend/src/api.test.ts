import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, detailText, errorText, newClientId, type KeyValueStorage } from './api';
import { translate } from './i18n';
import { ticketQuery } from './state';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function tokens(n: number) {
  return { access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'bearer', expires_in: 900 };
}

function authOf(init: RequestInit): string | undefined {
  return (init.headers as Record<string, string>).Authorization;
}

/** A client logged in with tokens #1, talking to `handler`. */
async function loggedIn(handler: Handler) {
  const calls: { url: string; init: RequestInit }[] = [];
  const storage = memoryStorage();
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const request = init ?? {};
    calls.push({ url, init: request });
    if (url === '/api/v1/auth/login') return json(200, tokens(1));
    return handler(url, request);
  });
  const client = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch, storage });
  await client.login('anna', 'secret-password');
  calls.length = 0;
  return { client, calls, storage };
}

describe('ApiClient refresh on 401', () => {
  it('refreshes once and retries the call with the new access token', async () => {
    const { client, calls } = await loggedIn((url, init) => {
      if (url === '/api/v1/auth/refresh') {
        expect(JSON.parse(String(init.body))).toEqual({ refresh_token: 'refresh-1' });
        return json(200, tokens(2));
      }
      if (authOf(init) === 'Bearer access-2') return json(200, { id: 'op-1', username: 'anna' });
      return json(401, { detail: 'invalid or expired access token' });
    });

    const me = await client.me();

    expect(me).toEqual({ id: 'op-1', username: 'anna' });
    expect(calls.map((call) => call.url)).toEqual(['/api/v1/operators/me', '/api/v1/auth/refresh', '/api/v1/operators/me']);
    expect(authOf(calls[0]!.init)).toBe('Bearer access-1');
    expect(authOf(calls[1]!.init)).toBeUndefined();
    expect(authOf(calls[2]!.init)).toBe('Bearer access-2');
    expect(client.tokens()).toMatchObject({ access_token: 'access-2', refresh_token: 'refresh-2' });
  });

  it('shares one refresh between concurrent 401s (refresh tokens work once)', async () => {
    let refreshes = 0;
    const { client } = await loggedIn(async (url, init) => {
      if (url === '/api/v1/auth/refresh') {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return json(200, tokens(2));
      }
      return authOf(init) === 'Bearer access-2' ? json(200, { items: [], next_cursor: null }) : json(401, { detail: 'expired' });
    });

    const results = await Promise.all([client.listTickets({ status: 'open' }), client.listTickets({ status: 'closed' }), client.me()]);

    expect(refreshes).toBe(1);
    expect(results).toHaveLength(3);
  });

  it('goes to the login screen when the refresh is refused', async () => {
    const { client, calls, storage } = await loggedIn((url) =>
      url === '/api/v1/auth/refresh' ? json(401, { detail: 'refresh token is invalid, expired or already used' }) : json(401, { detail: 'expired' }),
    );
    const onAuthLost = vi.fn();
    client.onAuthLost = onAuthLost;

    const error = await client.getTicket('t-1').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(onAuthLost).toHaveBeenCalledTimes(1);
    expect(client.tokens()).toBeNull();
    expect(storage.data.size).toBe(0);
    expect(calls.map((call) => call.url)).toEqual(['/api/v1/tickets/t-1', '/api/v1/auth/refresh']);
  });

  it('gives up after one refresh when the retried call is still 401', async () => {
    const { client, calls } = await loggedIn((url) => (url === '/api/v1/auth/refresh' ? json(200, tokens(2)) : json(401, { detail: 'no' })));
    const onAuthLost = vi.fn();
    client.onAuthLost = onAuthLost;

    await expect(client.me()).rejects.toMatchObject({ status: 401 });
    expect(calls.filter((call) => call.url === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(onAuthLost).toHaveBeenCalledTimes(1);
  });

  it('keeps the session when the refresh fails for lack of network', async () => {
    const { client } = await loggedIn((url) => {
      if (url === '/api/v1/auth/refresh') throw new TypeError('Failed to fetch');
      return json(401, { detail: 'expired' });
    });
    const onAuthLost = vi.fn();
    client.onAuthLost = onAuthLost;

    await expect(client.me()).rejects.toMatchObject({ status: 0 });
    expect(onAuthLost).not.toHaveBeenCalled();
    expect(client.tokens()?.refresh_token).toBe('refresh-1');
  });

  it('does not refresh for login errors', async () => {
    const storage = memoryStorage();
    const fetch = vi.fn(async () => json(401, { detail: 'wrong username or password' }));
    const client = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch, storage });
    const onAuthLost = vi.fn();
    client.onAuthLost = onAuthLost;

    await expect(client.login('anna', 'nope')).rejects.toMatchObject({ status: 401, detail: 'wrong username or password' });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(onAuthLost).not.toHaveBeenCalled();
  });

  it('refreshes the WebSocket token shortly before it expires', async () => {
    let now = 1_000_000;
    const storage = memoryStorage();
    const fetch = vi.fn(async (input: RequestInfo | URL) =>
      json(200, String(input).endsWith('/login') ? tokens(1) : tokens(2)),
    );
    const client = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch, storage, now: () => now });
    await client.login('anna', 'secret-password');

    expect(await client.freshAccessToken()).toBe('access-1');
    now += 890_000; // 10 s before expiry
    expect(await client.freshAccessToken()).toBe('access-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describe('ApiClient requests', () => {
  it('reports 429 with Retry-After', async () => {
    const fetch = vi.fn(async () => json(429, { detail: 'too many failed logins; try again in 42 s' }, { 'Retry-After': '42' }));
    const client = new ApiClient({ fetch: fetch as unknown as typeof globalThis.fetch, storage: memoryStorage() });

    const error = (await client.login('anna', 'x').catch((caught: unknown) => caught)) as ApiError;

    expect(error.status).toBe(429);
    expect(error.retryAfter).toBe(42);
  });

  it('sends query parameters without empty values', async () => {
    const { client, calls } = await loggedIn(() => json(200, { items: [], next_cursor: null }));
    await client.listTickets({ status: 'assigned', assignee: 'me', q: '', cursor: 'abc', limit: 50 });
    expect(calls[0]!.url).toBe('/api/v1/tickets?status=assigned&assignee=me&cursor=abc&limit=50');
  });

  it('sends the queue category filter as category=, with the tab and search', async () => {
    const { client, calls } = await loggedIn(() => json(200, { items: [], next_cursor: null }));
    await client.listTickets({ ...ticketQuery({ tab: 'queue', q: '', category: 'Оплата и счета' }), limit: 50 });
    await client.listTickets({ ...ticketQuery({ tab: 'mine', q: 'счёт', category: 'Сеть' }), limit: 50 });
    await client.listTickets({ ...ticketQuery({ tab: 'all', q: '', category: '' }), limit: 50 });

    const params = calls.map(({ url }) => Object.fromEntries(new URL(url, 'http://x').searchParams));
    expect(calls[0]!.url).toBe(`/api/v1/tickets?status=open&order=waiting&category=${encodeURIComponent('Оплата и счета').replace(/%20/g, '+')}&limit=50`);
    expect(params[0]).toEqual({ status: 'open', order: 'waiting', category: 'Оплата и счета', limit: '50' });
    expect(params[1]).toEqual({ status: 'assigned', assignee: 'me', q: 'счёт', category: 'Сеть', limit: '50' });
    expect(params[2]).toEqual({ limit: '50' });
  });

  it('calls the knowledge-base routes', async () => {
    const entry = { category: 'Сеть', subcategory: '', question: 'Нет интернета', answer: 'Перезагрузите роутер.', priority: '', audience: '', variants: ['Пропал интернет', 'Не грузятся сайты'] };
    const { client, calls } = await loggedIn((url, init) => {
      if (init.method === 'DELETE') return new Response(null, { status: 204 });
      if (url.startsWith('/api/v1/kb/categories')) return json(200, [{ name: 'Сеть', subcategories: ['Wi-Fi'] }]);
      if (init.method === 'GET') return json(200, { items: [], next_cursor: null });
      return json(init.method === 'POST' ? 201 : 200, { id: 'kb/1', ...entry });
    });

    expect(await client.categories()).toEqual([{ name: 'Сеть', subcategories: ['Wi-Fi'] }]);
    await client.listKnowledge({ category: 'Сеть', cursor: null, limit: 20 });
    await client.createKnowledge(entry);
    await client.updateKnowledge('kb/1', entry);
    expect(await client.deleteKnowledge('kb/1')).toBeUndefined();

    expect(calls.map(({ url, init }) => `${init.method} ${url}`)).toEqual([
      'GET /api/v1/kb/categories',
      `GET /api/v1/kb/entries?category=${encodeURIComponent('Сеть')}&limit=20`,
      'POST /api/v1/kb/entries',
      'PUT /api/v1/kb/entries/kb%2F1',
      'DELETE /api/v1/kb/entries/kb%2F1',
    ]);
    expect(JSON.parse(String(calls[2]!.init.body))).toEqual(entry);
  });

  it('finds one knowledge-base entry by reading the list page by page', async () => {
    const entry = (id: string) => ({ id, category: 'Сеть', subcategory: '', question: `Вопрос ${id}`, answer: 'Ответ', priority: '', audience: '', variants: [] });
    const pages: Record<string, { items: unknown[]; next_cursor: string | null }> = {
      '': { items: [entry('a')], next_cursor: 'c2' },
      c2: { items: [entry('b'), entry('c')], next_cursor: null },
    };
    const { client, calls } = await loggedIn((url) => json(200, pages[new URL(url, 'http://x').searchParams.get('cursor') ?? '']));

    expect(await client.findKnowledge('b')).toEqual(entry('b'));
    expect(calls.map(({ url }) => url)).toEqual(['/api/v1/kb/entries?limit=500', '/api/v1/kb/entries?cursor=c2&limit=500']);
    calls.length = 0;
    expect(await client.findKnowledge('zzz')).toBeNull();
    expect(calls).toHaveLength(2);
  });

  it('asks for a ready reply with POST and a JSON body, and reports its errors', async () => {
    const draft = { text: 'Здравствуйте! Перезагрузите роутер.', source: 'llm', model: 'qwen2.5', fallback_reason: '', hints: [], query: 'нет интернета' };
    let status = 200;
    const { client, calls } = await loggedIn(() => (status === 200 ? json(200, draft) : json(status, { detail: 'ml service unavailable' })));

    expect(await client.replyDraft('t/1', { category: 'Сеть', language: null, hints: 3 })).toEqual(draft);
    expect(await client.replyDraft('t-2')).toEqual(draft);
    status = 503;
    const error = (await client.replyDraft('t-2').catch((caught: unknown) => caught)) as ApiError;

    expect(calls.map(({ url, init }) => `${init.method} ${url}`)).toEqual([
      'POST /api/v1/tickets/t%2F1/reply-draft',
      'POST /api/v1/tickets/t-2/reply-draft',
      'POST /api/v1/tickets/t-2/reply-draft',
    ]);
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ category: 'Сеть', language: null, hints: 3 });
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({});
    expect((calls[0]!.init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(503);
    expect(error.detail).toBe('ml service unavailable');
  });

  it('keeps the entries of a 422 validation list for the form fields', async () => {
    const { client } = await loggedIn(() =>
      json(422, {
        detail: [
          { type: 'string_too_short', loc: ['body', 'question'], msg: 'String should have at least 3 characters' },
          { type: 'missing', loc: ['body'], msg: 'Field required' },
        ],
      }),
    );
    const error = (await client.createKnowledge({ category: 'a', subcategory: '', question: 'ab', answer: 'x', priority: '', audience: '', variants: [] }).catch((caught: unknown) => caught)) as ApiError;
    expect(error.status).toBe(422);
    expect(error.issues).toEqual([
      { loc: ['question'], msg: 'String should have at least 3 characters' },
      { loc: [], msg: 'Field required' },
    ]);
    expect(error.detail).toBe('question: String should have at least 3 characters; Field required');
  });

  it('sends a file as multipart with the caption and client_message_id', async () => {
    const { client, calls } = await loggedIn(() => json(201, { id: 'm-1' }));
    const file = new File(['hello'], 'invoice.pdf', { type: 'application/pdf' });

    await client.sendMessage('t-1', { text: 'see attached', clientMessageId: 'c-1', file });

    const { init } = calls[0]!;
    expect(init.body).toBeInstanceOf(FormData);
    const form = init.body as FormData;
    expect((form.get('file') as File).name).toBe('invoice.pdf');
    expect(form.get('text')).toBe('see attached');
    expect(form.get('client_message_id')).toBe('c-1');
    expect((init.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });
});

describe('ApiClient statistics', () => {
  const summary = { time_zone: 'Europe/Minsk', tickets_created: 3, tickets_closed: 2, backlog: 1, ratings_count: 1, csat_average: 5, csat_distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 1 }, rating_response_rate: 0.5, first_response_p50_s: 60, first_response_p90_s: 90, resolution_p50_s: 600, resolution_p90_s: 900, messages_per_ticket: 4 };

  it('builds the stats query strings: from, to, operator_id and category, empty ones left out', async () => {
    const { client, calls } = await loggedIn((url) =>
      json(200, url.includes('/summary') ? summary : url.includes('/timeseries') ? { time_zone: 'Europe/Minsk', metric: 'backlog', points: [] } : { time_zone: 'Europe/Minsk', items: [] }),
    );

    expect(await client.statsSummary({ from: '2025-03-01', to: '2025-03-30', operator_id: 'op-2', category: 'Оплата' })).toEqual(summary);
    await client.statsSummary({ from: '2025-03-01', to: '2025-03-30', operator_id: '', category: '' });
    await client.statsSummary();
    await client.statsOperators({ from: '2025-03-01', to: '2025-03-30', category: 'Сеть и Wi-Fi' });
    // operator_id is not a filter of the per-operator table, category not one of the per-category table
    await client.statsOperators({ from: '2025-03-01', to: '2025-03-30', operator_id: 'op-2' } as never);
    await client.statsCategories({ from: '2025-03-01', to: '2025-03-07', operator_id: 'op/2', category: 'Сеть' } as never);
    await client.statsDaily({ from: '2025-03-01', to: '2025-03-07', category: 'Оплата' });
    await client.statsTimeseries('backlog', { from: '2025-03-01', to: '2025-03-07', operator_id: 'op-2' });

    expect(calls.map(({ url, init }) => `${init.method} ${url}`)).toEqual([
      `GET /api/v1/stats/summary?from=2025-03-01&to=2025-03-30&operator_id=op-2&category=${encodeURIComponent('Оплата')}`,
      'GET /api/v1/stats/summary?from=2025-03-01&to=2025-03-30',
      'GET /api/v1/stats/summary',
      'GET /api/v1/stats/operators?from=2025-03-01&to=2025-03-30&category=%D0%A1%D0%B5%D1%82%D1%8C+%D0%B8+Wi-Fi',
      'GET /api/v1/stats/operators?from=2025-03-01&to=2025-03-30',
      'GET /api/v1/stats/categories?from=2025-03-01&to=2025-03-07&operator_id=op%2F2',
      `GET /api/v1/stats/daily?from=2025-03-01&to=2025-03-07&category=${encodeURIComponent('Оплата')}`,
      'GET /api/v1/stats/timeseries?from=2025-03-01&to=2025-03-07&operator_id=op-2&metric=backlog',
    ]);
    expect(authOf(calls[0]!.init)).toBe('Bearer access-1');
  });

  it("reports a refused operator's figures (403) and a bad range (422) as ApiErrors with their detail", async () => {
    let answer = json(403, { detail: 'operators see only their own figures' });
    const { client } = await loggedIn(() => answer);

    const forbidden = (await client.statsSummary({ operator_id: 'op-2' }).catch((caught: unknown) => caught)) as ApiError;
    expect(forbidden).toBeInstanceOf(ApiError);
    expect(forbidden.status).toBe(403);
    expect(forbidden.detail).toBe('operators see only their own figures');

    answer = json(422, { detail: [{ loc: ['query', 'from'], msg: 'Input should be a valid date' }] });
    const invalid = (await client.statsDaily({ from: '2025-13-01' }).catch((caught: unknown) => caught)) as ApiError;
    expect(invalid.status).toBe(422);
    expect(invalid.detail).toBe('query.from: Input should be a valid date');
  });
});

describe('error text', () => {
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate('en', key, params);

  it('reads string and validation-list details', () => {
    expect(detailText({ detail: 'ticket is closed' })).toBe('ticket is closed');
    expect(
      detailText({ detail: [{ loc: ['body', 'username'], msg: 'String should have at least 2 characters' }, { loc: ['body'], msg: 'bad' }] }),
    ).toBe('username: String should have at least 2 characters; bad');
  });

  it('prefers a friendlier message for a named status', () => {
    expect(errorText(new ApiError(409, 'ticket already assigned'), t, { 409: 'error.alreadyTaken' })).toBe('Already taken by another operator');
    expect(errorText(new ApiError(409, 'ticket already assigned'), t)).toBe('ticket already assigned');
    expect(errorText(new ApiError(0, ''), t)).toBe(translate('en', 'error.network'));
  });

  it('makes UUID-shaped client ids', () => {
    expect(newClientId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newClientId()).not.toBe(newClientId());
  });
});

describe('errorText', () => {
  const t = (key: string, params?: Record<string, string | number>) => `${key}${params ? JSON.stringify(params) : ''}`;

  it('says a service is unavailable in words, not with its technical detail', () => {
    for (const status of [502, 503, 504]) {
      expect(errorText(new ApiError(status, 'upstream service error: unavailable'), t as never)).toBe('error.unavailable');
    }
    expect(errorText(new ApiError(500, 'boom'), t as never)).toBe('boom');
    expect(errorText(new ApiError(503, 'x'), t as never, { 503: 'hints.unavailable' as never })).toBe('hints.unavailable');
  });
});
