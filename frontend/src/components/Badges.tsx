import { useI18n } from '../i18n';
import type { Priority, TicketStatus } from '../types';

export function StatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useI18n();
  return <span className={`badge badge--status-${status}`}>{t(`status.${status}`)}</span>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  const { t } = useI18n();
  if (priority === 'normal') return null;
  return <span className={`badge badge--priority-${priority}`}>{t(`priority.${priority}`)}</span>;
}
