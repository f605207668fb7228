import { sql } from 'drizzle-orm';
import { rows, type Executor } from '../../db/connect.js';

export interface Recommendation {
  productId: string;
  /** From the products read model; null for a product never defined there. */
  productName: string | null;
  score: number;
}

interface RecommendationRow {
  product_id: string;
  product_name: string | null;
  score: number | string;
}

// Ties break on product id compared bytewise (COLLATE "C"), so the order is the same on
// every server whatever its locale.

/** The products most often bought in the same paid order as `productId`. */
export async function recommendForProduct(
  exec: Executor,
  productId: string,
  first: number,
): Promise<Recommendation[]> {
  const found = await rows<RecommendationRow>(
    exec,
    sql`
    SELECT p.other_product_id AS product_id, named.name AS product_name, p.count AS score
    FROM product_pairs p
    LEFT JOIN products named ON named.id = p.other_product_id
    WHERE p.product_id = ${productId}
    ORDER BY p.count DESC, p.other_product_id COLLATE "C"
    LIMIT ${first}`,
  );
  return found.map(toRecommendation);
}

/**
 * Products bought together with what the user bought, the user's own left out. A
 * product's score is the sum of its pair counts with each product the user has.
 */
export async function recommendForUser(
  exec: Executor,
  userId: string,
  first: number,
): Promise<Recommendation[]> {
  const found = await rows<RecommendationRow>(
    exec,
    sql`
    SELECT scored.product_id, named.name AS product_name, scored.score
    FROM (
      SELECT p.other_product_id AS product_id, sum(p.count)::bigint AS score
      FROM user_products mine
      JOIN product_pairs p ON p.product_id = mine.product_id
      WHERE mine.user_id = ${userId}
        AND NOT EXISTS (SELECT 1 FROM user_products own WHERE own.user_id = ${userId} AND own.product_id = p.other_product_id)
      GROUP BY p.other_product_id
      ORDER BY score DESC, p.other_product_id COLLATE "C"
      LIMIT ${first}
    ) scored
    LEFT JOIN products named ON named.id = scored.product_id
    ORDER BY scored.score DESC, scored.product_id COLLATE "C"`,
  );
  return found.map(toRecommendation);
}

function toRecommendation(row: RecommendationRow): Recommendation {
  return { productId: row.product_id, productName: row.product_name, score: Number(row.score) };
}
