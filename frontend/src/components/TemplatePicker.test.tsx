import { fireEvent, render, screen, within } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider, type Locale } from '../i18n';
import type { TemplateValues } from '../templates';
import type { TemplatePublic } from '../types';
import type { TemplatesStatus } from '../useTemplates';
import { ReplyBox, type ReplyInput } from './ReplyBox';

function template(id: string, title: string, text: string, category = ''): TemplatePublic {
  return { id, title, text, category, created_at: '2025-03-01T10:00:00Z', updated_at: '2025-03-01T10:00:00Z', updated_by: 'admin' };
}

const TEMPLATES: TemplatePublic[] = [
  template('t-greet', 'Приветствие', 'Здравствуйте, {имя}! Меня зовут {оператор}.'),
  template('t-card', 'Карта заблокирована', 'Разблокировать карту можно в приложении.', 'Карты'),
  template('t-limit', 'Лимиты по карте', 'Лимиты меняются в настройках карты.', 'Карты'),
  template('t-bye', 'Прощание', 'Обращение {тикет} закрыто. Хорошего дня, {name}! {подпись}', 'Закрытие'),
];
const VALUES: TemplateValues = { name: 'Иван', operator: 'Анна', ticket: '#1a2b3c4d' };

interface HarnessProps {
  templates?: TemplatePublic[];
  status?: TemplatesStatus;
  category?: string;
  onSend?: (input: ReplyInput) => void;
  onTyping?: () => void;
  locale?: Locale;
}

function Harness({ templates = TEMPLATES, status = 'ready', category = '', onSend = () => undefined, onTyping, locale = 'ru' }: HarnessProps) {
  const [draft, setDraft] = useState('');
  return (
    <I18nProvider initialLocale={locale}>
      <ReplyBox
        draft={draft}
        onDraftChange={setDraft}
        onSend={onSend}
        disabledReason={null}
        templates={templates}
        templatesStatus={status}
        templateValues={VALUES}
        category={category}
        onTyping={onTyping}
      />
    </I18nProvider>
  );
}

function box(): HTMLTextAreaElement {
  return screen.getByRole('combobox', { name: 'Ответ клиенту' }) as HTMLTextAreaElement;
}

/** Type `value` as the whole text, with the caret at its end (as a person typing leaves it). */
function type(value: string) {
  fireEvent.change(box(), { target: { value } });
}

function options(): string[] {
  return within(screen.getByRole('listbox', { name: 'Шаблоны ответов' }))
    .getAllByRole('option')
    .map((option) => option.querySelector('.picker__title')?.textContent ?? '');
}

describe('TemplatePicker in the reply box', () => {
  it('opens on / at the start and filters as the operator types', () => {
    render(<Harness />);
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(box().getAttribute('aria-expanded')).toBe('false');

    type('/');
    expect(options()).toEqual(['Карта заблокирована', 'Лимиты по карте', 'Приветствие', 'Прощание']);
    expect(box().getAttribute('aria-expanded')).toBe('true');
    expect(box().getAttribute('aria-controls')).toBe(screen.getByRole('listbox').id);

    type('/карт');
    expect(options()).toEqual(['Карта заблокирована', 'Лимиты по карте']);
    type('/лимит');
    expect(options()).toEqual(['Лимиты по карте']);
    type('/нет такого');
    expect(screen.queryByRole('listbox')).toBeNull();
    expect(screen.getByRole('status').textContent).toBe('Нет подходящих шаблонов — Enter отправит текст как есть');
  });

  it('opens on / at the start of a later line, not in the middle of one', () => {
    render(<Harness />);
    type('Добрый день, см. /карт');
    expect(screen.queryByRole('listbox')).toBeNull();
    type('Добрый день!\n/прощ');
    expect(options()).toEqual(['Прощание']);
  });

  it('puts the ticket category first', () => {
    render(<Harness category="Закрытие" />);
    type('/');
    expect(options()).toEqual(['Прощание', 'Карта заблокирована', 'Лимиты по карте', 'Приветствие']);
    type('/карт');
    expect(options()).toEqual(['Карта заблокирована', 'Лимиты по карте']);
  });

  it('moves with ↑/↓ and inserts with Enter, the variables filled in and the /query replaced', () => {
    const onSend = vi.fn();
    render(<Harness onSend={onSend} />);
    type('Добрый день!\n/пр');
    // Titles that start with the query first, then a match in the text («приложении»).
    expect(options()).toEqual(['Приветствие', 'Прощание', 'Карта заблокирована']);
    const [first, second, third] = screen.getAllByRole('option');
    expect(first?.getAttribute('aria-selected')).toBe('true');
    expect(box().getAttribute('aria-activedescendant')).toBe(first?.id);

    fireEvent.keyDown(box(), { key: 'ArrowDown' });
    expect(second?.getAttribute('aria-selected')).toBe('true');
    expect(first?.getAttribute('aria-selected')).toBe('false');
    expect(box().getAttribute('aria-activedescendant')).toBe(second?.id);
    fireEvent.keyDown(box(), { key: 'ArrowUp' });
    fireEvent.keyDown(box(), { key: 'ArrowUp' }); // wraps around to the last
    expect(third?.getAttribute('aria-selected')).toBe('true');
    fireEvent.keyDown(box(), { key: 'ArrowDown' }); // and back to the first
    fireEvent.keyDown(box(), { key: 'ArrowDown' });
    expect(second?.getAttribute('aria-selected')).toBe('true');

    fireEvent.keyDown(box(), { key: 'Enter' });
    // An unknown variable stays as written, so the operator sees it.
    expect(box().value).toBe('Добрый день!\nОбращение #1a2b3c4d закрыто. Хорошего дня, Иван! {подпись}');
    expect(box().selectionStart).toBe(box().value.length);
    expect(document.activeElement).toBe(box());
    expect(onSend).not.toHaveBeenCalled(); // Enter inserted; it did not send
    expect(screen.queryByRole('listbox')).toBeNull();

    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({
      text: 'Добрый день!\nОбращение #1a2b3c4d закрыто. Хорошего дня, Иван! {подпись}',
      file: null,
      note: false,
    });
  });

  it('inserts with Tab and with the mouse', () => {
    render(<Harness />);
    type('/прив');
    fireEvent.keyDown(box(), { key: 'Tab' });
    expect(box().value).toBe('Здравствуйте, Иван! Меня зовут Анна.');

    type('/лимит');
    const option = screen.getByRole('option', { name: /Лимиты по карте/ });
    fireEvent.mouseDown(option);
    fireEvent.click(option);
    expect(box().value).toBe('Лимиты меняются в настройках карты.');
  });

  it('closes on Esc for this /, and Enter then sends the text as it is', () => {
    const onSend = vi.fn();
    render(<Harness onSend={onSend} />);
    type('/карт');
    fireEvent.keyDown(box(), { key: 'Escape' });
    expect(screen.queryByRole('listbox')).toBeNull();
    type('/карта'); // still the same /: stays closed
    expect(screen.queryByRole('listbox')).toBeNull();
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ text: '/карта', file: null, note: false });
  });

  it('reopens for a new /', () => {
    render(<Harness />);
    type('/карт');
    fireEvent.keyDown(box(), { key: 'Escape' });
    type('');
    type('/карт');
    expect(options()).toEqual(['Карта заблокирована', 'Лимиты по карте']);
  });

  it('says why there is nothing to pick', () => {
    const { unmount } = render(<Harness templates={[]} />);
    type('/');
    expect(screen.getByRole('status').textContent).toBe('Шаблонов пока нет: их добавляет администратор');
    unmount();
    render(<Harness templates={[]} status="error" />);
    type('/');
    expect(screen.getByRole('status').textContent).toBe('Шаблоны недоступны');
  });

  it('is not offered in a note', () => {
    render(<Harness />);
    fireEvent.click(screen.getByLabelText('Заметка'));
    fireEvent.change(screen.getByLabelText('Внутренняя заметка'), { target: { value: '/карт' } });
    expect(screen.queryByRole('listbox')).toBeNull();
  });

  it('speaks English too', () => {
    render(<Harness locale="en" />);
    fireEvent.change(screen.getByRole('combobox', { name: 'Reply to the customer' }), { target: { value: '/' } });
    expect(screen.getByRole('listbox', { name: 'Reply templates' })).toBeTruthy();
    expect(screen.getByText('↑↓ to choose, Enter or Tab to insert, Esc to close')).toBeTruthy();
  });

  it('tells about typing for replies only, not for notes or an emptied box', () => {
    const onTyping = vi.fn();
    render(<Harness onTyping={onTyping} />);
    type('Добрый');
    type('Добрый день');
    expect(onTyping).toHaveBeenCalledTimes(2); // the throttle is typing.ts's
    type('');
    expect(onTyping).toHaveBeenCalledTimes(2);
    fireEvent.click(screen.getByLabelText('Заметка'));
    fireEvent.change(screen.getByLabelText('Внутренняя заметка'), { target: { value: 'для коллег' } });
    expect(onTyping).toHaveBeenCalledTimes(2);
  });
});
