import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { ReplyBox, type ReplyInput } from './ReplyBox';

function Harness({ onSend }: { onSend: (input: ReplyInput) => void }) {
  const [draft, setDraft] = useState('');
  return (
    <I18nProvider initialLocale="ru">
      <ReplyBox draft={draft} onDraftChange={setDraft} onSend={onSend} disabledReason={null} />
    </I18nProvider>
  );
}

describe('ReplyBox', () => {
  it('sends on Enter, not on Shift+Enter', () => {
    const onSend = vi.fn();
    render(<Harness onSend={onSend} />);
    const box = screen.getByLabelText('Ответ клиенту');

    fireEvent.change(box, { target: { value: 'Добрый день' } });
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();

    fireEvent.keyDown(box, { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith({ text: 'Добрый день', file: null, note: false });
  });

  it('sends a note when the toggle is on', () => {
    const onSend = vi.fn();
    render(<Harness onSend={onSend} />);
    fireEvent.click(screen.getByLabelText('Заметка'));
    const box = screen.getByLabelText('Внутренняя заметка');
    fireEvent.change(box, { target: { value: 'проверить оплату' } });
    fireEvent.click(screen.getByRole('button', { name: 'Добавить заметку' }));
    expect(onSend).toHaveBeenCalledWith({ text: 'проверить оплату', file: null, note: true });
  });

  it('does not send an empty reply', () => {
    const onSend = vi.fn();
    render(<Harness onSend={onSend} />);
    fireEvent.keyDown(screen.getByLabelText('Ответ клиенту'), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Отправить' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
