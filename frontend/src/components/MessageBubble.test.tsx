import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { I18nProvider } from '../i18n';
import { message } from '../test/fixtures';
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
});
