/** The console's addresses: every page and every ticket has one, so links can be shared and reloaded. */
export type View = 'tickets' | 'knowledge' | 'stats' | 'templates' | 'operators';

export interface Route {
  view: View;
  /** The open ticket (tickets page only). */
  ticketId: string | null;
}

const PAGE_PATHS: Record<Exclude<View, 'tickets'>, string> = {
  knowledge: '/kb',
  stats: '/stats',
  templates: '/templates',
  operators: '/operators',
};

/** What a path shows; anything unknown is the tickets page. */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const ticket = /^\/tickets\/([^/]+)$/.exec(path);
  const raw = ticket?.[1];
  if (raw) {
    let id = raw;
    try {
      id = decodeURIComponent(raw);
    } catch {
      // not valid percent-encoding: the id as written
    }
    return { view: 'tickets', ticketId: id };
  }
  for (const [view, pagePath] of Object.entries(PAGE_PATHS) as [Exclude<View, 'tickets'>, string][]) {
    if (path === pagePath) return { view, ticketId: null };
  }
  return { view: 'tickets', ticketId: null };
}

export function ticketPath(id: string | null): string {
  return id ? `/tickets/${encodeURIComponent(id)}` : '/';
}

export function viewPath(view: View, openTicketId: string | null = null): string {
  return view === 'tickets' ? ticketPath(openTicketId) : PAGE_PATHS[view];
}
