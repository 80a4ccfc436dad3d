import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { I18nProvider } from '../i18n';
import { message } from '../test/fixtures';
import { traceLink } from './Conversation';
import { MessageBubble } from './MessageBubble';

const photo = {
  id: 'a-1',
  kind: 'photo' as const,
  url: 'https://files.example/photo.jpg?X-Amz-Signature=abc',
  mime_type: 'image/jpeg',
  file_name: 'receipt.jpg',
  size: 48_213,
  ocr_text: 'ИТОГО: 1 250,00 ₽',
};

function renderRu(ui: React.ReactElement) {
  return render(<I18nProvider initialLocale="ru">{ui}</I18nProvider>);
}

describe('MessageBubble', () => {
  it('renders a photo inline with its OCR text and the edited marker', () => {
    const { container } = renderRu(
      <MessageBubble
        author="Иван Петров"
        message={message('m-1', 't-1', { text: 'Вот чек', attachments: [photo], edited: true, edited_at: '2025-03-01T10:05:00Z' })}
      />,
    );

    const image = screen.getByRole('img', { name: 'receipt.jpg' });
    expect(image.getAttribute('src')).toBe(photo.url);
    const figure = image.closest('figure')!;
    expect(within(figure).getByText('Распознанный текст')).toBeTruthy();
    expect(within(figure).getByText('ИТОГО: 1 250,00 ₽')).toBeTruthy();
    expect(screen.getByText('Вот чек')).toBeTruthy();
    expect(screen.getByText('изменено')).toBeTruthy();
    expect(screen.getByText('Иван Петров')).toBeTruthy();
    expect(container.querySelector('.bubble--customer')).not.toBeNull();
  });

  it('shows no OCR block when the text is empty, and no edited marker when unedited', () => {
    renderRu(<MessageBubble author={null} message={message('m-1', 't-1', { text: '', attachments: [{ ...photo, ocr_text: '  ' }] })} />);
    expect(screen.queryByText('Распознанный текст')).toBeNull();
    expect(screen.queryByText('изменено')).toBeNull();
  });

  it('renders a document as a download link with name and size', () => {
    renderRu(
      <MessageBubble
        author="Анна"
        message={message('m-2', 't-1', {
          direction: 'operator',
          text: '',
          attachments: [{ ...photo, id: 'a-2', kind: 'document', file_name: 'договор.pdf', size: 1_572_864, ocr_text: '', url: 'https://files.example/d.pdf' }],
        })}
      />,
    );
    const link = screen.getByRole('link', { name: /договор\.pdf/ });
    expect(link.getAttribute('href')).toBe('https://files.example/d.pdf');
    expect(link.getAttribute('download')).toBe('договор.pdf');
    expect(screen.getByText('1,5 МБ')).toBeTruthy();
  });

  it('styles an internal note apart from replies', () => {
    const { container } = renderRu(
      <MessageBubble author="Анна" message={message('m-3', 't-1', { direction: 'operator', internal: true, text: 'Клиент VIP' })} />,
    );
    const bubble = container.querySelector('article')!;
    expect(bubble.className).toContain('bubble--note');
    expect(bubble.getAttribute('aria-label')).toBe('Внутренняя заметка, клиент её не видит');
    expect(screen.getByText('Заметка · Анна')).toBeTruthy();
  });

  it('says when a photo has no URL but still shows its OCR text', () => {
    renderRu(<MessageBubble author={null} message={message('m-4', 't-1', { text: '', attachments: [{ ...photo, url: null }] })} />);
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText('receipt.jpg: файл недоступен')).toBeTruthy();
    expect(screen.getByText('ИТОГО: 1 250,00 ₽')).toBeTruthy();
  });

  describe('delivery of a reply', () => {
    const reply = message('m-5', 't-1', { direction: 'operator', operator_id: 'op-1', text: 'Ваш перевод зачислен' });

    it('says it is on its way, then delivered', () => {
      const { rerender } = renderRu(<MessageBubble author="Анна" message={{ ...reply, delivery_status: 'sending' }} />);
      expect(screen.getByRole('status').textContent).toBe('Отправляется…');
      rerender(
        <I18nProvider initialLocale="ru">
          <MessageBubble author="Анна" message={{ ...reply, delivery_status: 'sent' }} />
        </I18nProvider>,
      );
      expect(screen.getByText('Доставлено')).toBeTruthy();
      expect(screen.queryByRole('button', { name: 'Повторить' })).toBeNull();
    });

    it('says why it was not delivered and retries on request', async () => {
      const onRetry = vi.fn(() => Promise.resolve());
      const failed = { ...reply, delivery_status: 'failed' as const, delivery_error: 'Bad Request: message is too long' };
      renderRu(<MessageBubble author="Анна" message={failed} onRetryDelivery={onRetry} />);
      expect(screen.getByRole('alert').textContent).toContain('Не доставлено: Bad Request: message is too long');
      fireEvent.click(screen.getByRole('button', { name: 'Повторить' }));
      expect(onRetry).toHaveBeenCalledTimes(1);
      expect(screen.getByRole('status').textContent).toBe('Повторяем…');
      await waitFor(() => expect(screen.getByRole('button', { name: 'Повторить' })).toBeTruthy());
    });

    it('names a blocked bot in words, shows a failed retry, and offers no retry to who may not act', async () => {
      const blocked = { ...reply, delivery_status: 'failed' as const, delivery_error: 'Forbidden: bot was blocked by the user' };
      const onRetry = vi.fn(() => Promise.reject(new ApiError(409, 'повторить можно только недоставленное сообщение')));
      const { unmount } = renderRu(<MessageBubble author="Анна" message={blocked} onRetryDelivery={onRetry} />);
      expect(screen.getByRole('alert').textContent).toContain('Не доставлено: клиент заблокировал бота');
      fireEvent.click(screen.getByRole('button', { name: 'Повторить' }));
      await waitFor(() => expect(screen.getByText(/повторить можно только недоставленное/)).toBeTruthy());
      unmount();
      renderRu(<MessageBubble author="Анна" message={blocked} />);
      expect(screen.queryByRole('button', { name: 'Повторить' })).toBeNull();
    });

    it('shows nothing of delivery for customer messages and notes, and speaks English', () => {
      renderRu(<MessageBubble author="Иван" message={message('m-6', 't-1', { delivery_status: null })} />);
      expect(screen.queryByRole('status')).toBeNull();
      render(
        <I18nProvider initialLocale="en">
          <MessageBubble author="Anna" message={{ ...reply, id: 'm-7', delivery_status: 'failed', delivery_error: 'Forbidden: bot was blocked by the user' }} onRetryDelivery={() => Promise.resolve()} />
        </I18nProvider>,
      );
      expect(screen.getByText('Not delivered: the customer blocked the bot')).toBeTruthy();
      expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
    });
  });
});

describe('MessageBubble trace link', () => {
  it('links an admin to the message’s trace, and shows nothing without one', () => {
    const traced = message('m-7', 't-1', { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
    const { rerender } = renderRu(
      <MessageBubble message={traced} author="Иван" traceUrl={traceLink('http://127.0.0.1:16686/', traced.trace_id ?? '')} />,
    );
    const link = screen.getByRole('link', { name: 'трасса' });
    expect(link.getAttribute('href')).toBe('http://127.0.0.1:16686/trace/4bf92f3577b34da6a3ce929d0e0e4736');
    expect(link.getAttribute('rel')).toContain('noopener');
    rerender(
      <I18nProvider initialLocale="ru">
        <MessageBubble message={traced} author="Иван" />
      </I18nProvider>,
    );
    expect(screen.queryByRole('link', { name: 'трасса' })).toBeNull();
  });
});
