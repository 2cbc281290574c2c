/** Handles one `order_created` delivery inside the CONSUMER span: `create-shipment`, stored once per event. */
import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import { parseOrderCreated } from '@tracewire/service-common';
import { type Logger, withSpan } from '@tracewire/tracing';
import type { ShippingStore } from '../store.ts';

const CARRIERS = ['dhl', 'ups', 'postnl'] as const;

export class CarrierError extends Error {
  override readonly name = 'CarrierError';
}

/** `failFor`: a customer whose shipments always fail (CHAOS_FAIL_CUSTOMER), to exercise retries and the DLQ. */
export function orderCreatedHandler(store: ShippingStore, log: Logger, failFor?: string) {
  return async (content: Buffer, consumerSpan: Span): Promise<'shipped' | 'duplicate'> => {
    const event = parseOrderCreated(content);
    consumerSpan.setAttributes({ 'order.id': event.order_id });
    if (store.isProcessed(event.event_id)) {
      consumerSpan.setAttribute('tracewire.duplicate', true);
      log.info('duplicate event skipped', { event_id: event.event_id, order_id: event.order_id });
      return 'duplicate';
    }
    const carrier = CARRIERS[event.order_id.charCodeAt(0) % CARRIERS.length] ?? 'dhl';
    return withSpan(
      'create-shipment',
      { attributes: { 'order.id': event.order_id, 'product.id': event.product_id, 'shipment.carrier': carrier } },
      (span) => {
        if (failFor !== undefined && event.customer_id === failFor) throw new CarrierError(`simulated ${carrier} outage`);
        const shipmentId = randomUUID();
        span.setAttribute('shipment.id', shipmentId);
        const first = store.createShipment({
          shipment_id: shipmentId,
          order_id: event.order_id,
          event_id: event.event_id,
          product_id: event.product_id,
          quantity: event.quantity,
          carrier,
        });
        if (!first) span.setAttribute('tracewire.duplicate', true);
        log.info('shipment created', { order_id: event.order_id, shipment_id: shipmentId, carrier });
        return first ? ('shipped' as const) : ('duplicate' as const);
      },
    );
  };
}
