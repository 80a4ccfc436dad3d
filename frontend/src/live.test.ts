import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, LIVE_PROTOCOL, LiveConnection, liveProtocols, liveUrl, type LiveStatus } from './live';
import type { LiveEvent } from './types';

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;

  constructor(
    readonly url: string,
    readonly protocols: string[] = [],
  ) {
    FakeSocket.all.push(this);
  }

  open() {
    this.onopen?.();
  }

  send(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) } as MessageEvent);
  }

  serverClose(code: number) {
    this.onclose?.({ code } as CloseEvent);
  }

  close() {
    this.closed = true;
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('LiveConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function connect(getToken = vi.fn(async (_suspect: boolean): Promise<string | null> => 'tok')) {
    const events: LiveEvent[] = [];
    const hellos: boolean[] = [];
    const statuses: LiveStatus[] = [];
    const connection = new LiveConnection({
      getToken,
      onEvent: (event) => events.push(event),
      onHello: (reconnected) => hellos.push(reconnected),
      onStatus: (status) => statuses.push(status),
      url: () => 'ws://test/api/v1/ws',
      createSocket: (url, protocols) => new FakeSocket(url, protocols) as unknown as WebSocket,
      backoff: { initialMs: 1000, maxMs: 8000 },
      random: () => 1, // no jitter
    });
    connection.start();
    return { connection, events, hellos, statuses, getToken };
  }

  it('connects with the token in a subprotocol, reports hello and passes events on', async () => {
    const { events, hellos, statuses } = connect();
    await flush();
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('ws://test/api/v1/ws');
    expect(socket.protocols).toEqual(['t1.v1', 'bearer.tok']);
    socket.open();
    socket.send({ type: 'hello', operator_id: 'op-1' });
    socket.send({ type: 'ticket.hidden', event_id: 'e1', ticket_id: 't1' });
    expect(hellos).toEqual([false]);
    expect(events).toEqual([{ type: 'ticket.hidden', event_id: 'e1', ticket_id: 't1' }]);
    expect(statuses).toEqual(['connecting', 'online']);
  });

  it('offers the newest token on every reconnect, never in the URL', async () => {
    const tokens = ['first', 'second'];
    const getToken = vi.fn(async (_suspect: boolean): Promise<string | null> => tokens.shift() ?? null);
    connect(getToken);
    await flush();
    FakeSocket.all[0]!.serverClose(1008); // the first token was refused
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all.map((socket) => socket.protocols)).toEqual([
      ['t1.v1', 'bearer.first'],
      ['t1.v1', 'bearer.second'],
    ]);
    expect(FakeSocket.all.every((socket) => !socket.url.includes('first') && !socket.url.includes('second'))).toBe(true);
  });

  it('reconnects with growing delays, then reports the reconnect', async () => {
    const { hellos, getToken } = connect();
    await flush();
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.send({ type: 'hello' });

    FakeSocket.all[0]!.serverClose(1006);
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);

    FakeSocket.all[1]!.serverClose(1006); // refused before opening
    await vi.advanceTimersByTimeAsync(1999);
    expect(FakeSocket.all).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(3);
    // a close before open may be a refused token: the next attempt checks it
    expect(getToken.mock.calls.map((call) => call[0])).toEqual([false, false, true]);

    FakeSocket.all[2]!.open();
    FakeSocket.all[2]!.send({ type: 'hello' });
    expect(hellos).toEqual([false, true]);

    // a hello resets the backoff
    FakeSocket.all[2]!.serverClose(1008);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all).toHaveLength(4);
    expect(getToken.mock.calls.at(-1)?.[0]).toBe(true);
  });

  it('retries later when the token cannot be had, and stops when the session is over', async () => {
    let calls = 0;
    const getToken = vi.fn(async (_suspect: boolean): Promise<string | null> => {
      calls += 1;
      if (calls === 1) throw new Error('offline');
      return null;
    });
    const { statuses } = connect(getToken);
    await flush();
    expect(FakeSocket.all).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(statuses.at(-1)).toBe('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('stops for good', async () => {
    const { connection } = connect();
    await flush();
    const socket = FakeSocket.all[0]!;
    connection.stop();
    expect(socket.closed).toBe(true);
    socket.serverClose(1000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe('live helpers', () => {
  it('caps the backoff and adds jitter', () => {
    const backoff = { initialMs: 1000, maxMs: 30_000 };
    expect(backoffDelay(0, backoff, () => 1)).toBe(1000);
    expect(backoffDelay(3, backoff, () => 1)).toBe(8000);
    expect(backoffDelay(20, backoff, () => 1)).toBe(30_000);
    expect(backoffDelay(20, backoff, () => 0)).toBe(15_000);
  });

  it('builds the URL on the page origin, without the token', () => {
    expect(liveUrl({ protocol: 'https:', host: 'desk.example' })).toBe('wss://desk.example/api/v1/ws');
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:3001' })).toBe('ws://127.0.0.1:3001/api/v1/ws');
  });

  it('carries the token as a subprotocol next to the one the server speaks', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcC0xIn0.sig-_x';
    expect(liveProtocols(jwt)).toEqual([LIVE_PROTOCOL, `bearer.${jwt}`]);
    // every subprotocol must be an HTTP token, or the browser throws a SyntaxError
    for (const protocol of liveProtocols(jwt)) expect(protocol).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
  });
});
