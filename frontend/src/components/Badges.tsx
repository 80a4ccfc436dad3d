import { useI18n } from '../i18n';
import type { Priority, RatingPublic, TicketStatus } from '../types';

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

/** A customer's rating as a compact badge («★ 4»), for the queue. */
export function RatingBadge({ rating }: { rating: RatingPublic }) {
  const { t } = useI18n();
  const label = t('rating.badge', { score: rating.score });
  return (
    <span className={`badge badge--rating badge--rating-${rating.score >= 4 ? 'good' : rating.score === 3 ? 'neutral' : 'bad'}`} title={label} data-testid="rating-badge">
      <span aria-hidden="true">★ {rating.score}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

/** A rating 1..5 as five stars, with its text for screen readers. */
export function RatingStars({ score }: { score: number }) {
  const { t } = useI18n();
  const whole = Math.max(0, Math.min(5, Math.round(score)));
  return (
    <span className="rating-stars" role="img" aria-label={t('rating.stars', { score: whole })}>
      <span className="rating-stars__on" aria-hidden="true">
        {'★'.repeat(whole)}
      </span>
      <span className="rating-stars__off" aria-hidden="true">
        {'★'.repeat(5 - whole)}
      </span>
    </span>
  );
}
