CREATE TABLE "product_pairs" (
	"product_id" text NOT NULL,
	"other_product_id" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "product_pairs_product_id_other_product_id_pk" PRIMARY KEY("product_id","other_product_id")
);
--> statement-breakpoint
CREATE TABLE "recommendation_orders" (
	"order_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"product_ids" jsonb NOT NULL,
	"counted" boolean DEFAULT false NOT NULL,
	"unrefunded_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_products" (
	"user_id" text NOT NULL,
	"product_id" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "user_products_user_id_product_id_pk" PRIMARY KEY("user_id","product_id")
);
