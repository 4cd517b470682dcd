import { randomUUID } from 'node:crypto';
import type { InventoryContext, Product } from './ports.ts';

export interface CreateProductCommand {
  merchantId: string;
  /** Who asked (audit log). */
  actor: string;
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  stock: number;
  holdSeconds?: number | undefined;
}

/** A product the merchant sells; SKUs are unique per merchant. */
export async function createProduct(context: InventoryContext, command: CreateProductCommand): Promise<Product> {
  const product = await context.store.insertProduct({
    id: randomUUID(),
    merchantId: command.merchantId,
    sku: command.sku,
    name: command.name,
    priceMinor: BigInt(command.priceMinor),
    currency: command.currency,
    available: command.stock,
    holdSeconds: command.holdSeconds ?? null,
  });
  await context.audit?.({ actor: command.actor, action: 'product.created', target: `product:${product.id}`, outcome: 'success', details: { merchantId: command.merchantId, sku: command.sku } });
  return product;
}
