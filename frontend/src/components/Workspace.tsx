import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { LiveEvent, OperatorPublic } from '../types';
import { useCategories } from '../useCategories';
import { useAttention } from '../useAttention';
import { useConsole } from '../useConsole';
import { AttentionMenu } from './AttentionMenu';
import { ConsoleView } from './ConsoleView';
import { KnowledgePage } from './KnowledgePage';
import { OperatorsPage } from './OperatorsPage';
import { parseRoute, ticketPath } from '../routes';
import { TemplatesPage } from './TemplatesPage';
import { TopBar } from './TopBar';

// The statistics page brings the chart library: loaded when first opened, not with the console.
const StatsPage = lazy(() => import('./StatsPage').then((module) => ({ default: module.StatsPage })));

export interface WorkspaceProps {
  me: OperatorPublic;
  onLogout: () => void;
}

/**
 * The signed-in console: top bar, and the tickets, knowledge-base, statistics or (admins) operators page.
 * The address says which page and which ticket are open (routes.ts): links can be shared, reloaded, and
 * back/forward move between tickets.
 */
export function Workspace({ me, onLogout }: WorkspaceProps) {
  const { t } = useI18n();
  const location = useLocation();
  const navigate = useNavigate();
  const route = parseRoute(location.pathname);
  const adminPage = route.view === 'operators' || route.view === 'templates';
  const view = adminPage && me.role !== 'admin' ? 'tickets' : route.view;
  const liveListener = useRef<(event: LiveEvent) => void>(() => undefined);
  const desk = useConsole(me, t, (event) => liveListener.current(event));
  const { select } = desk;
  const selectedId = desk.state.selectedId;
  const openTicket = useCallback((id: string | null) => navigate(ticketPath(id)), [navigate]);
  const unreadCount = useMemo(() => Object.values(desk.state.marks).filter((mark) => mark.unread).length, [desk.state.marks]);
  const attention = useAttention({ meId: me.id, openTicketId: selectedId, unreadCount, t, onOpenTicket: openTicket });
  liveListener.current = attention.onLiveEvent;
  const { categories, reload: reloadCategories } = useCategories();
  const [operators, setOperators] = useState<OperatorPublic[]>([me]);
  const [operatorsLoading, setOperatorsLoading] = useState(false);
  const [operatorsError, setOperatorsError] = useState<string | null>(null);
  const isAdmin = me.role === 'admin';

  const loadOperators = useCallback(() => {
    if (!isAdmin) return;
    setOperatorsLoading(true);
    api
      .listOperators()
      .then((list) => {
        setOperators(list);
        setOperatorsError(null);
      })
      .catch((error: unknown) => setOperatorsError(errorText(error, t)))
      .finally(() => setOperatorsLoading(false));
  }, [isAdmin, t]);

  useEffect(() => {
    loadOperators();
  }, [isAdmin]);

  // The address opens a ticket (a link, a reload, back/forward); leaving the tickets page keeps it open.
  useEffect(() => {
    if (view === 'tickets') select(route.ticketId);
  }, [view, route.ticketId, select]);

  // A ticket that became hidden (reassigned away) is closed by the console: the address follows.
  useEffect(() => {
    if (view === 'tickets' && route.ticketId && selectedId === null && desk.state.hiddenNotice) {
      navigate('/', { replace: true });
    }
  }, [view, route.ticketId, selectedId, desk.state.hiddenNotice, navigate]);


  const names = useMemo(() => new Map(operators.map((operator) => [operator.id, operator.display_name || operator.username])), [operators]);
  const nameOf = useCallback(
    (id: string | null) => {
      if (!id) return '';
      if (id === me.id) return t('common.you');
      return names.get(id) ?? t('operators.other');
    },
    [me.id, names, t],
  );

  return (
    <div className={`app${view === 'stats' ? ' app--fluid' : ''}`}>
      <TopBar
        me={me}
        view={view}
        openTicketId={selectedId}
        liveStatus={desk.liveStatus}
        onLogout={onLogout}
        alerts={<AttentionMenu attention={attention} />}
      />
      {view === 'operators' ? (
        <OperatorsPage me={me} operators={operators} loading={operatorsLoading} error={operatorsError} onChanged={loadOperators} />
      ) : view === 'templates' ? (
        <TemplatesPage categories={categories} />
      ) : view === 'stats' ? (
        <Suspense
          fallback={
            <main className="splash" id="main">
              <p className="muted">{t('common.loading')}</p>
            </main>
          }
        >
          <StatsPage me={me} operators={operators} categories={categories} />
        </Suspense>
      ) : view === 'knowledge' ? (
        <KnowledgePage isAdmin={isAdmin} categories={categories} onChanged={reloadCategories} />
      ) : (
        <ConsoleView me={me} console={desk} operators={operators} categories={categories} nameOf={nameOf} onOpenTicket={openTicket} />
      )}
    </div>
  );
}
