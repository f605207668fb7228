import { createHash } from 'node:crypto';
import type { FulfilmentLine } from './fulfilment-types.js';

/**
 * Books shipments. A booking is retried after a crash or a timeout, so an adapter must
 * answer the same order with the same booking (carriers take a client reference for that).
 */
export interface Carrier {
  book(orderId: string, lines: readonly FulfilmentLine[]): Promise<{ trackingNumber: string }>;
}

/** The built-in carrier: tracking numbers derived from the order id, so a retried booking gets the same one. */
export class LocalCarrier implements Carrier {
  async book(orderId: string): Promise<{ trackingNumber: string }> {
    const digest = createHash('sha256').update(`ledgerline:shipment:${orderId}`).digest('hex');
    return {
      trackingNumber: `LL${BigInt(`0x${digest.slice(0, 15)}`)
        .toString()
        .padStart(18, '0')
        .slice(0, 12)}`,
    };
  }
}
