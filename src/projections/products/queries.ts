import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../../db/connect.js';

export interface ProductView {
  id: string;
  name: string;
  backorders: boolean;
  onHand: number;
  reserved: number;
  available: number;
}

const COLUMNS = sql.raw(
  'id, name, backorders, on_hand AS "onHand", reserved, on_hand - reserved AS available',
);

export async function getProduct(exec: Executor, id: string): Promise<ProductView | undefined> {
  const [row] = await rows<ProductView>(exec, sql`SELECT ${COLUMNS} FROM products WHERE id = ${id}`);
  return row;
}

export async function listProducts(exec: Executor): Promise<ProductView[]> {
  return rows<ProductView>(exec, sql`SELECT ${COLUMNS} FROM products ORDER BY id LIMIT 1000`);
}
