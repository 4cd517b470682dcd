/**
 * The flash sale: one product with few units and a crowd of orders within seconds (every
 * reservation wants the same product row), while ordinary orders for another product go on.
 * Reports what was sold (exactly the units, never more), how fast the losers heard
 * `out_of_stock`, and whether the ordinary orders were slowed meanwhile.
 */
import type { GatewayClient } from '../../test/e2e/support/api.ts';
import { latencies, sendOpenLoop } from './open-loop.ts';
import type { OutcomeWatch } from './outcomes.ts';

export interface FlashSaleOptions {
  units: number;
  orders: number;
  seconds: number;
  /** Ordinary orders per second for another product, during the sale. */
  backgroundRate: number;
}

export async function flashSale(api: GatewayClient, watch: OutcomeWatch, options: FlashSaleOptions) {
  const hot = await api.createProduct({ stock: options.units });
  const ordinary = await api.createProduct({ stock: 1_000_000 });
  const started = performance.now();
  const [crowd, background] = await Promise.all([
    sendOpenLoop(api, hot, options.orders / options.seconds, options.orders, started),
    sendOpenLoop(api, ordinary, options.backgroundRate, Math.round(options.backgroundRate * options.seconds), started),
  ]);
  await watch.waitFor([...crowd.scheduled.keys(), ...background.scheduled.keys()], 300_000);
  const sold = latencies(crowd.scheduled, watch.finished, (final) => final.completed);
  const outOfStock = latencies(crowd.scheduled, watch.finished, (final) => final.reason === 'out_of_stock');
  const otherwise = latencies(crowd.scheduled, watch.finished, (final) => !final.completed && final.reason !== 'out_of_stock');
  const stock = await api.product(hot);
  return {
    ...options,
    accepted: crowd.scheduled.size,
    refused: crowd.failed,
    refusals: crowd.refusals,
    sold: sold.count,
    soldP99: sold.p99,
    outOfStock: outOfStock.count,
    outOfStockP50: outOfStock.p50,
    outOfStockP99: outOfStock.p99,
    cancelledOtherwise: otherwise.count,
    unfinished: sold.unfinished,
    lastFinalSeconds: (Math.max(sold.lastFinal, outOfStock.lastFinal, otherwise.lastFinal) - started) / 1000,
    stockAfter: { available: stock.available, reserved: stock.reserved, sold: stock.sold },
    ordinary: { ...latencies(background.scheduled, watch.finished, (final) => final.completed), refused: background.failed, refusals: background.refusals },
  };
}
