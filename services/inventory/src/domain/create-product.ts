import { randomUUID } from 'node:crypto';
import type { InventoryContext, Product } from './ports.ts';

export interface CreateProductCommand {
  sku: string;
  name: string;
  priceMinor: number;
  currency: string;
  stock: number;
  holdSeconds?: number | undefined;
}

export function createProduct(context: InventoryContext, command: CreateProductCommand): Promise<Product> {
  return context.store.insertProduct({
    id: randomUUID(),
    sku: command.sku,
    name: command.name,
    priceMinor: BigInt(command.priceMinor),
    currency: command.currency,
    available: command.stock,
    holdSeconds: command.holdSeconds ?? null,
  });
}
