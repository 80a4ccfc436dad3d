import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '../i18n';
import type { OperatorPublic } from '../types';
import { TopBar, type View } from './TopBar';

function operator(role: OperatorPublic['role']): OperatorPublic {
  return { id: `op-${role}`, username: role, display_name: '', role, active: true, created_at: '2025-01-01T00:00:00Z' };
}

function renderBar(me: OperatorPublic, view: View = 'tickets', openTicketId: string | null = null) {
  render(
    <MemoryRouter>
      <I18nProvider initialLocale="ru">
        <TopBar me={me} view={view} openTicketId={openTicketId} liveStatus="online" onLogout={() => undefined} />
      </I18nProvider>
    </MemoryRouter>,
  );
  return screen.getByRole('navigation', { name: 'Разделы' });
}

describe('TopBar sections', () => {
  it('links every page an operator may open, «Статистика» included', () => {
    const nav = renderBar(operator('operator'));
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['Обращения', 'База знаний', 'Статистика']);
    expect(links.map((link) => link.getAttribute('href'))).toEqual(['/', '/kb', '/stats']);
  });

  it('marks the current page, next to the admin pages; the tickets link goes back to the open ticket', () => {
    const nav = renderBar(operator('admin'), 'stats', 't-42');
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['Обращения', 'База знаний', 'Статистика', 'Шаблоны ответов', 'Операторы']);
    expect(within(nav).getByRole('link', { name: 'Статистика' }).getAttribute('aria-current')).toBe('page');
    expect(within(nav).getByRole('link', { name: 'Обращения' }).hasAttribute('aria-current')).toBe(false);
    expect(within(nav).getByRole('link', { name: 'Обращения' }).getAttribute('href')).toBe('/tickets/t-42');
  });
});
