import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../../db/connect.js';
import { products, type ProductRecord } from './table.js';

/** A product as the API reads it: its row and the units free to reserve. */
export type ProductView = Omit<ProductRecord, 'version'> & { available: number };

function toProductView({ version: _, ...row }: ProductRecord): ProductView {
  return { ...row, available: row.onHand - row.reserved };
}

export async function getProduct(exec: Executor, id: string): Promise<ProductView | undefined> {
  const [row] = await exec.select().from(products).where(eq(products.id, id));
  return row && toProductView(row);
}

export async function listProducts(exec: Executor): Promise<ProductView[]> {
  const found = await exec.select().from(products).orderBy(asc(products.id)).limit(1000);
  return found.map(toProductView);
}
