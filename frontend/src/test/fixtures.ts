import type { MessagePublic, TicketEvent, TicketPublic } from '../types';

export function ticket(id: string, changes: Partial<TicketPublic> = {}): TicketPublic {
  return {
    id,
    title: `Ticket ${id}`,
    status: 'open',
    customer: { telegram_id: 1001, chat_id: 1001, name: 'Иван Петров', username: 'ivan', language_code: 'ru' },
    assignee: null,
    created_at: '2025-03-01T10:00:00Z',
    updated_at: '2025-03-01T10:00:00Z',
    last_message_at: '2025-03-01T10:00:00Z',
    last_message_preview: 'Здравствуйте',
    tags: [],
    priority: 'normal',
    category: '',
    subcategory: '',
    closed_at: null,
    ...changes,
  };
}

export function message(id: string, ticketId: string, changes: Partial<MessagePublic> = {}): MessagePublic {
  return {
    id,
    ticket_id: ticketId,
    direction: 'customer',
    text: `message ${id}`,
    attachments: [],
    edited: false,
    internal: false,
    operator_id: null,
    created_at: '2025-03-01T10:00:00Z',
    edited_at: null,
    delivery_status: null,
    delivery_error: null,
    ...changes,
  };
}

export function event(
  type: TicketEvent['type'],
  eventId: string,
  subject: TicketPublic,
  msg: MessagePublic | null = null,
): TicketEvent {
  return { type, event_id: eventId, ticket_id: subject.id, occurred_at: '2025-03-01T10:00:00Z', ticket: subject, message: msg };
}
