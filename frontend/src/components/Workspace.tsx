import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorText } from '../api';
import { useI18n } from '../i18n';
import type { OperatorPublic } from '../types';
import { useCategories } from '../useCategories';
import { useConsole } from '../useConsole';
import { ConsoleView } from './ConsoleView';
import { KnowledgePage } from './KnowledgePage';
import { OperatorsPage } from './OperatorsPage';
import { TemplatesPage } from './TemplatesPage';
import { TopBar, type View } from './TopBar';

// The statistics page brings the chart library: loaded when first opened, not with the console.
const StatsPage = lazy(() => import('./StatsPage').then((module) => ({ default: module.StatsPage })));

export interface WorkspaceProps {
  me: OperatorPublic;
  onLogout: () => void;
}

/** The signed-in console: top bar, and the tickets, knowledge-base, statistics or (admins) operators page. */
export function Workspace({ me, onLogout }: WorkspaceProps) {
  const { t } = useI18n();
  const [view, setView] = useState<View>('tickets');
  const desk = useConsole(me, t);
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
      <TopBar me={me} view={view} onView={setView} liveStatus={desk.liveStatus} onLogout={onLogout} />
      {view === 'operators' && isAdmin ? (
        <OperatorsPage me={me} operators={operators} loading={operatorsLoading} error={operatorsError} onChanged={loadOperators} />
      ) : view === 'templates' && isAdmin ? (
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
        <ConsoleView me={me} console={desk} operators={operators} categories={categories} nameOf={nameOf} />
      )}
    </div>
  );
}
