/**
 * The sample order stream: mostly good orders, some for a sold-out product,
 * some invalid, a few for a product that does not exist, at a fixed rate,
 * with one progress line.
 */
export interface SentOrder {
  index: number;
  status: number;
  orderId: string | undefined;
  traceId: string | undefined;
}

const PRODUCTS = ['sku-keyboard', 'sku-mouse', 'sku-monitor', 'sku-headset', 'sku-webcam'];

/** The i-th sample body: every 10th from 3 is sold out, from 7 invalid; every 20th from 9 an unknown product. */
export function sampleOrder(i: number): Record<string, unknown> {
  const base = { customer_id: `customer-${(i % 7) + 1}`, product_id: PRODUCTS[i % PRODUCTS.length], quantity: 1 + (i % 3), amount: 25 + i * 3.5 };
  if (i % 10 === 3) return { ...base, product_id: 'sku-sold-out' };
  if (i % 10 === 7) return { ...base, quantity: 0 };
  if (i % 20 === 9) return { ...base, product_id: 'sku-unknown' };
  return base;
}

function traceIdOf(res: Response): string | undefined {
  return /^00-([0-9a-f]{32})-/.exec(res.headers.get('traceresponse') ?? '')?.[1];
}

export async function sendOrders(
  gatewayUrl: string,
  count: number,
  rate: number,
  progress: (sent: SentOrder[]) => void,
  stopped: () => boolean,
): Promise<SentOrder[]> {
  const sent: SentOrder[] = [];
  const inFlight: Array<Promise<void>> = [];
  const interval = 1000 / rate;
  const start = Date.now();
  for (let i = 0; i < count && !stopped(); i++) {
    const wait = start + i * interval - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(
      fetch(`${gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sampleOrder(i)),
      })
        .then(async (res) => {
          const body = (await res.json().catch(() => ({}))) as { order_id?: string };
          sent.push({ index: i, status: res.status, orderId: body.order_id, traceId: traceIdOf(res) });
        })
        .catch(() => {
          sent.push({ index: i, status: 0, orderId: undefined, traceId: undefined });
        })
        .finally(() => progress(sent)),
    );
  }
  await Promise.all(inFlight);
  return sent.sort((a, b) => a.index - b.index);
}

export function progressLine(sent: SentOrder[], total: number): string {
  const byStatus = new Map<number, number>();
  for (const s of sent) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
  const parts = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status === 0 ? 'failed' : status}×${n}`);
  return `orders ${sent.length}/${total}  ${parts.join('  ')}`;
}
