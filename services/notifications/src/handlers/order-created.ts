/**
 * Handles one `order_created` event inside the CONSUMER span: the guide's
 * `process-notification` → `send-email`, `send-sms`. Delivery is simulated
 * (a short wait, a log line); no external calls.
 */
import { type Span, trace } from '@opentelemetry/api';
import { type OrderCreatedEvent, parseOrderCreated } from '@tracewire/service-common';
import { type Logger, withSpan } from '@tracewire/tracing';
import type { NotificationsStore, SentNotification } from '../store.ts';

const simulatedLatency = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

function send(channel: SentNotification['channel'], event: OrderCreatedEvent, log: Logger, failFor: string | undefined): Promise<SentNotification> {
  return withSpan(
    `send-${channel}`,
    { attributes: { 'notification.channel': channel, 'customer.id': event.customer_id, 'order.id': event.order_id } },
    async () => {
      await simulatedLatency();
      if (failFor !== undefined && event.customer_id === failFor) throw new DeliveryError(`simulated ${channel} provider outage`);
      log.info(`sent ${channel}`, { order_id: event.order_id, customer_id: event.customer_id });
      return { channel, customer_id: event.customer_id };
    },
  );
}

/** `failFor`: a customer whose deliveries always fail (CHAOS_FAIL_CUSTOMER), to exercise retries and the DLQ. */
export function orderCreatedHandler(store: NotificationsStore, log: Logger, failFor?: string) {
  return async (value: Buffer | undefined, consumerSpan: Span): Promise<'sent' | 'duplicate'> => {
    const event = parseOrderCreated(value);
    consumerSpan.setAttributes({ 'order.id': event.order_id, 'messaging.message.id': event.event_id });
    if (store.isProcessed(event.event_id)) {
      // A redelivery (relay resend, rebalance): its effect already happened.
      consumerSpan.setAttribute('tracewire.duplicate', true);
      log.info('duplicate event skipped', { event_id: event.event_id, order_id: event.order_id });
      return 'duplicate';
    }
    return withSpan(
      'process-notification',
      {
        attributes: {
          'order.id': event.order_id,
          'customer.id': event.customer_id,
          'notification.type': 'order_confirmation',
        },
      },
      async () => {
        const sent = [await send('email', event, log, failFor), await send('sms', event, log, failFor)];
        const first = store.recordProcessed(event.event_id, event.order_id, sent);
        if (!first) trace.getActiveSpan()?.setAttribute('tracewire.duplicate', true);
        return 'sent' as const;
      },
    );
  };
}
