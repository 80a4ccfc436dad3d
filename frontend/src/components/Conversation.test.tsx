import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n';
import { message, ticket } from '../test/fixtures';
import type { MessagePublic, OperatorPublic } from '../types';
import { Conversation } from './Conversation';

const ME: OperatorPublic = { id: 'op-1', username: 'anna', display_name: 'Анна', role: 'operator', active: true, created_at: '2025-03-01T10:00:00Z' };
const OPEN = ticket('t-1', { status: 'assigned', assignee: ME.id });

function Harness({ messages }: { messages: MessagePublic[] }) {
  const [draft, setDraft] = useState('');
  return (
    <I18nProvider initialLocale="ru">
      <Conversation
        ticket={OPEN}
        messages={messages}
        messagesStatus="ready"
        messagesError={null}
        me={ME}
        operators={[ME]}
        nameOf={() => 'Анна'}
        draft={draft}
        onDraftChange={setDraft}
        textareaRef={{ current: null }}
        onTicketChanged={() => undefined}
        onMessageAdded={() => undefined}
        onReload={() => undefined}
      />
    </I18nProvider>
  );
}

describe('Conversation', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('shows a reply once when the live stream brings it before the gateway answers', async () => {
    let clientId = '';
    vi.stubGlobal(
      'fetch',
      vi.fn((_url: string, init?: RequestInit) => {
        clientId = JSON.parse(String(init?.body)).client_message_id;
        return new Promise<Response>(() => undefined); // the POST is still on its way
      }),
    );
    const { rerender } = render(<Harness messages={[]} />);
    fireEvent.change(screen.getByLabelText('Ответ клиенту'), { target: { value: 'Карта готова' } });
    fireEvent.click(screen.getByRole('button', { name: 'Отправить' }));
    await waitFor(() => expect(clientId).not.toBe(''));
    expect(document.querySelectorAll('.bubble--pending')).toHaveLength(1);

    const storedReply = message('m-1', 't-1', { direction: 'operator', operator_id: ME.id, text: 'Карта готова', client_message_id: clientId });
    rerender(<Harness messages={[storedReply]} />);
    expect(document.querySelectorAll('.bubble--pending')).toHaveLength(0);
    expect(screen.getAllByText('Карта готова')).toHaveLength(1);
  });
});
