import { describe, expect, it } from 'vitest';
import { parseRoute, ticketPath, viewPath } from './routes';

describe('routes', () => {
  it('reads pages and tickets from the path', () => {
    expect(parseRoute('/')).toEqual({ view: 'tickets', ticketId: null });
    expect(parseRoute('/kb')).toEqual({ view: 'knowledge', ticketId: null });
    expect(parseRoute('/stats/')).toEqual({ view: 'stats', ticketId: null });
    expect(parseRoute('/operators')).toEqual({ view: 'operators', ticketId: null });
    expect(parseRoute('/tickets/t-1')).toEqual({ view: 'tickets', ticketId: 't-1' });
    expect(parseRoute('/nowhere')).toEqual({ view: 'tickets', ticketId: null });
  });

  it('round-trips ids that need escaping', () => {
    const id = 'a b/ц%';
    expect(parseRoute(ticketPath(id))).toEqual({ view: 'tickets', ticketId: id });
    expect(parseRoute('/tickets/%E0%A4%A')).toEqual({ view: 'tickets', ticketId: '%E0%A4%A' });
  });

  it('links a page, the tickets page keeping the open ticket', () => {
    expect(viewPath('knowledge', 't-1')).toBe('/kb');
    expect(viewPath('tickets', 't-1')).toBe('/tickets/t-1');
    expect(viewPath('tickets')).toBe('/');
  });
});
