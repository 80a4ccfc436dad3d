/**
 * The live event stream: WebSocket `/api/v1/ws` with reconnect and exponential backoff.
 *
 * The access token travels in the `Sec-WebSocket-Protocol` header (subprotocols `t1.v1` and
 * `bearer.<token>`; the server answers `t1.v1`), never in the URL, which servers and proxies log.
 *
 * Each (re)connection starts with a `hello`; after a reconnect the app reloads its state over REST,
 * since events sent while it was away are not replayed. Duplicate events are dropped by the reducer
 * (state.ts) by event_id.
 */
import type { LiveEvent } from './types';

export type LiveStatus = 'connecting' | 'online' | 'offline';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };

/** Close code the server uses for a bad or expired token. */
const POLICY_VIOLATION = 1008;

/** The subprotocol the server speaks; the token rides next to it as `bearer.<token>`. */
export const LIVE_PROTOCOL = 't1.v1';

type SocketFactory = (url: string, protocols: string[]) => WebSocket;

export interface LiveOptions {
  /**
   * An access token for the next connection; `suspect`: the last one may have been refused, so check it
   * (and refresh it) first. null: the session is over, stop. Throwing: try again later.
   */
  getToken: (suspect: boolean) => Promise<string | null>;
  onEvent: (event: LiveEvent) => void;
  onStatus?: (status: LiveStatus) => void;
  /** Every `hello`; `reconnected` is false for the first connection. */
  onHello?: (reconnected: boolean) => void;
  url?: () => string;
  createSocket?: SocketFactory;
  backoff?: Backoff;
  random?: () => number;
}

/** The WebSocket URL on this page's origin (no token in it). */
export function liveUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/v1/ws`;
}

/** The subprotocols that carry the access token. A JWT is made of characters a subprotocol may hold. */
export function liveProtocols(token: string): string[] {
  return [LIVE_PROTOCOL, `bearer.${token}`];
}

/** Delay before reconnect attempt `attempt` (0-based): doubling, capped, with jitter in [50%, 100%]. */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base * (0.5 + random() / 2));
}

function parseEvent(data: unknown): LiveEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
      return value as LiveEvent;
    }
  } catch {
    // not JSON: ignore
  }
  return null;
}

export class LiveConnection {
  private readonly options: LiveOptions;
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private stopped = true;
  private connected = false;
  private suspect = false;
  private status: LiveStatus = 'offline';
  private readonly onOnline = () => this.reconnectNow();

  constructor(options: LiveOptions) {
    this.options = options;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(1000, 'bye');
      } catch {
        // already closed
      }
    }
    this.setStatus('offline');
  }

  /** Skip the remaining backoff (the browser says it is online again). */
  reconnectNow(): void {
    if (this.stopped || this.socket || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    void this.connect();
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.options.onStatus?.(status);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const delay = backoffDelay(this.attempt, this.options.backoff, this.options.random);
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setStatus('connecting');
    let token: string | null;
    try {
      token = await this.options.getToken(this.suspect);
    } catch {
      if (!this.stopped) {
        this.setStatus('offline');
        this.scheduleReconnect();
      }
      return;
    }
    if (this.stopped) return;
    if (!token) {
      this.stop();
      return;
    }
    this.suspect = false;
    const url = this.options.url ? this.options.url() : liveUrl();
    const protocols = liveProtocols(token);
    let socket: WebSocket;
    try {
      socket = this.options.createSocket ? this.options.createSocket(url, protocols) : new WebSocket(url, protocols);
    } catch {
      this.setStatus('offline');
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (message: MessageEvent) => {
      if (this.socket !== socket) return;
      const event = parseEvent(message.data);
      if (!event) return;
      if (event.type === 'hello') {
        this.attempt = 0;
        this.setStatus('online');
        const reconnected = this.connected;
        this.connected = true;
        this.options.onHello?.(reconnected);
        return;
      }
      this.options.onEvent(event);
    };
    socket.onerror = () => {
      // a close event follows
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      // A refused token shows as 1008, or (when refused before the handshake) as a close before open.
      this.suspect = event.code === POLICY_VIOLATION || !opened;
      this.setStatus('offline');
      this.scheduleReconnect();
    };
  }
}
