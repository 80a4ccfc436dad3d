import { describe, expect, it, vi } from 'vitest';
import { TYPING_INTERVAL_MS, TypingNotifier } from './typing';

describe('TypingNotifier', () => {
  it('tells the gateway at most once per interval per ticket', () => {
    let now = 1_000_000;
    const send = vi.fn(async (_ticketId: string) => undefined);
    const typing = new TypingNotifier(send, () => now);

    expect(typing.notify('t-1')).toBe(true);
    for (let keystroke = 0; keystroke < 30; keystroke += 1) {
      now += 100;
      typing.notify('t-1');
    }
    expect(send).toHaveBeenCalledTimes(1); // 3 s of typing
    expect(typing.notify('t-2')).toBe(true); // another ticket has its own interval
    expect(send).toHaveBeenLastCalledWith('t-2');

    now += TYPING_INTERVAL_MS - 3000 - 1;
    expect(typing.notify('t-1')).toBe(false);
    now += 1; // 4 s after the first call
    expect(typing.notify('t-1')).toBe(true);
    expect(send.mock.calls.map(([ticket]) => ticket)).toEqual(['t-1', 't-2', 't-1']);
  });

  it('forgets a failed call: no retry, no unhandled rejection, the next interval tries again', async () => {
    let now = 0;
    const send = vi.fn(async (_ticketId: string) => {
      throw new Error('network down');
    });
    const typing = new TypingNotifier(send, () => now);
    expect(typing.notify('t-1')).toBe(true);
    await Promise.resolve();
    now += 1000;
    expect(typing.notify('t-1')).toBe(false);
    now += TYPING_INTERVAL_MS;
    expect(typing.notify('t-1')).toBe(true);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
