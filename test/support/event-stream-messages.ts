import type { JetStreamManager } from '@nats-io/jetstream';

/** One message of orders' event stream, as published: its subject, message id and envelope. */
export interface PublishedEvent {
  subject: string;
  msgId: string | undefined;
  event: { id: string; type: string; schemaVersion: number; order: { id: string; status: string } };
}

/** Every message of `stream`, in its order (read one by one by sequence: streams in tests and chaos runs are small). */
export async function streamMessages(manager: JetStreamManager, stream: string): Promise<PublishedEvent[]> {
  const { state } = await manager.streams.info(stream);
  const messages: PublishedEvent[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
    const message = await manager.streams.getMessage(stream, { seq });
    if (!message) continue;
    messages.push({ subject: message.subject, msgId: message.header.get('Nats-Msg-Id') || undefined, event: message.json() });
  }
  return messages;
}
