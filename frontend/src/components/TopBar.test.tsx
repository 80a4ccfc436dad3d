import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import type { OperatorPublic } from '../types';
import { TopBar, type View } from './TopBar';

function operator(role: OperatorPublic['role']): OperatorPublic {
  return { id: `op-${role}`, username: role, display_name: '', role, active: true, created_at: '2025-01-01T00:00:00Z' };
}

function renderBar(me: OperatorPublic, view: View = 'tickets') {
  const onView = vi.fn();
  render(
    <I18nProvider initialLocale="ru">
      <TopBar me={me} view={view} onView={onView} liveStatus="online" onLogout={() => undefined} />
    </I18nProvider>,
  );
  return onView;
}

describe('TopBar sections', () => {
  it('offers «Статистика» to every operator', () => {
    const onView = renderBar(operator('operator'));
    const nav = screen.getByRole('navigation', { name: 'Разделы' });
    expect(within(nav).getAllByRole('button').map((button) => button.textContent)).toEqual(['Обращения', 'База знаний', 'Статистика']);
    fireEvent.click(within(nav).getByRole('button', { name: 'Статистика' }));
    expect(onView).toHaveBeenCalledWith('stats');
  });

  it('marks the statistics page as the current one, next to the admin pages', () => {
    const onView = renderBar(operator('admin'), 'stats');
    const nav = screen.getByRole('navigation', { name: 'Разделы' });
    expect(within(nav).getAllByRole('button').map((button) => button.textContent)).toEqual([
      'Обращения',
      'База знаний',
      'Статистика',
      'Шаблоны ответов',
      'Операторы',
    ]);
    fireEvent.click(within(nav).getByRole('button', { name: 'Шаблоны ответов' }));
    expect(onView).toHaveBeenCalledWith('templates');
    expect(within(nav).getByRole('button', { name: 'Статистика' }).getAttribute('aria-current')).toBe('page');
    expect(within(nav).getByRole('button', { name: 'Обращения' }).hasAttribute('aria-current')).toBe(false);
  });
});
