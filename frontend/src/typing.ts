/**
 * «Печатает…»: while the operator types a reply, the gateway is told (POST /tickets/{id}/typing) at most
 * once every TYPING_INTERVAL_MS per ticket; the bot shows the customer Telegram's typing status, which
 * lasts about 5 s. Best effort: a failed call is forgotten, never retried.
 */

export const TYPING_INTERVAL_MS = 4000;

export class TypingNotifier {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly send: (ticketId: string) => Promise<unknown>,
    private readonly now: () => number = Date.now,
    private readonly intervalMs: number = TYPING_INTERVAL_MS,
  ) {}

  /** The operator typed in this ticket's reply box; true when the gateway was told. */
  notify(ticketId: string): boolean {
    const now = this.now();
    const last = this.last.get(ticketId);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.last.set(ticketId, now);
    this.send(ticketId).catch(() => undefined);
    return true;
  }
}
