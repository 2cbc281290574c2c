/**
 * The one-command demo (run through scripts/demo.sh): explorer (or a
 * private explorer inside the demo), the five services, a stream of sample
 * orders with a progress line, then one order's trace read from the explorer's
 * API and printed by the CLI's waterfall, and where to browse the rest.
 */
import path from 'node:path';
import { parseDemoArgs } from './args.ts';
import { ROOT, type Shop, launchShop } from './launch.ts';
import { type SentOrder, progressLine, sendOrders } from './load.ts';
import type { TraceView } from '../../packages/explorer/src/api-types.ts';
import { renderWaterfall } from '../../packages/explorer/src/cli/waterfall.ts';
import { formatDurationNs } from '../../packages/explorer/src/trace/index.ts';
import { type TraceSource, startExplorer, startPrivateExplorer } from './sources.ts';

const options = parseDemoArgs(process.argv.slice(2));
const tty = process.stdout.isTTY === true;
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const note = (line: string): void => say(`demo: ${line}`);

let source: TraceSource | undefined;
let shop: Shop | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    note('stopping the services (they flush their spans) …');
    await shop?.stop().catch(() => {});
    await source?.stop().catch(() => {});
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** Polls until the order's trace holds both consumers' work (or gives up and shows what there is). */
async function waitForTrace(traceId: string, timeoutMs = 30_000): Promise<TraceView | undefined> {
  const deadline = Date.now() + timeoutMs;
  let view: TraceView | undefined;
  while (Date.now() < deadline && !stopping) {
    view = (await source!.fetchTrace(traceId).catch(() => undefined)) ?? view;
    if (view?.spans.some((s) => s.name === 'send-sms') && view.spans.some((s) => s.name === 'create-shipment')) {
      await new Promise((r) => setTimeout(r, 1_000)); // stragglers
      return (await source!.fetchTrace(traceId).catch(() => undefined)) ?? view;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return view;
}

function summaryLine(view: TraceView | undefined): string {
  if (!view) return 'no spans arrived';
  const s = view.summary;
  const errors = s.errorCount > 0 ? `, ${s.errorCount} with errors` : '';
  return `${s.spanCount} spans, ${s.services.length} services, ${formatDurationNs(BigInt(s.durationNs))} end to end${errors}`;
}

try {
  const dataRoot = path.join(ROOT, '.tracewire');
  if (options.explorer) {
    note('starting the explorer …');
    source = await startExplorer(path.join(dataRoot, 'explorer'), note);
  }
  source ??= await startPrivateExplorer();
  note(`spans go to the ${source.kind} (${source.env.OTEL_EXPORTER_OTLP_ENDPOINT})`);

  note('starting inventory, orders, gateway, notifications, shipping …');
  shop = await launchShop({
    env: {
      DATA_DIR: process.env.DATA_DIR ?? path.join(dataRoot, 'shop'),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_BSP_SCHEDULE_DELAY: '500',
      LOG_LEVEL: 'warn',
      ...source.env,
    },
    inventoryAddr: process.env.INVENTORY_ADDR ?? '127.0.0.1:50052',
    ordersAddr: process.env.ORDERS_ADDR ?? '127.0.0.1:50051',
    gatewayPort: Number(process.env.GATEWAY_PORT ?? 8080),
    readyTimeoutMs: 120_000,
  });
  note(`all five services ready; gateway on ${shop.gatewayUrl}`);

  const show = (sent: SentOrder[]): void => {
    if (tty) process.stdout.write(`\r\u001b[2K${progressLine(sent, options.orders)}`);
  };
  const sent = await sendOrders(shop.gatewayUrl, options.orders, options.rate, show, () => stopping);
  if (tty) process.stdout.write('\n');
  else say(progressLine(sent, options.orders));

  const pick = sent.find((s) => s.status === 201 && s.traceId);
  if (!pick?.traceId) {
    note('no order was created, so there is no trace to show');
    await stopAll(1);
  } else {
    const view = await waitForTrace(pick.traceId);
    say('');
    say(`Trace ${pick.traceId} of order ${pick.orderId}: ${summaryLine(view)}`);
    say('');
    if (view) say(renderWaterfall(view, { width: 30, color: tty }));
    say('');
    say(`This trace: ${source.traceUrl(pick.traceId)}`);
    say(`Browse all traces: ${source.browseUrl}${source.kind === 'private explorer' ? ' (a private explorer: it stops with the demo)' : ''}`);
    if (options.exit) await stopAll(0);
    say('Services keep running; press Ctrl-C to stop everything.');
  }
} catch (error) {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll(1);
}
