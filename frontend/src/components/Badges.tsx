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

/** The ticket's knowledge-base category as a small chip (nothing when it has none). */
export function CategoryChip({ category, subcategory, small = false }: { category: string; subcategory?: string; small?: boolean }) {
  const { t } = useI18n();
  if (!category) return null;
  const full = subcategory ? `${category} › ${subcategory}` : category;
  return (
    <span className={`chip chip--category${small ? ' chip--small' : ''}`} title={t('ticket.categoryChip', { name: full })}>
      <span className="visually-hidden">{t('ticket.category')}: </span>
      {category}
    </span>
  );
}
