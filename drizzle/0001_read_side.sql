CREATE TABLE "order_items" (
	"order_id" text NOT NULL,
	"line_number" integer NOT NULL,
	"product_id" text NOT NULL,
	"product_name" text,
	"quantity" integer NOT NULL,
	"unit_price_cents" bigint NOT NULL,
	"line_total_cents" bigint NOT NULL,
	CONSTRAINT "order_items_order_id_line_number_pk" PRIMARY KEY("order_id","line_number")
);
--> statement-breakpoint
CREATE TABLE "order_status_history" (
	"transaction_id" "xid8" NOT NULL,
	"global_position" bigint NOT NULL,
	"order_id" text NOT NULL,
	"user_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_status_history_transaction_id_global_position_pk" PRIMARY KEY("transaction_id","global_position")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"total_cents" bigint NOT NULL,
	"payment_method" text,
	"tracking_number" text,
	"cancellation_reason" text,
	"refund_due_cents" bigint DEFAULT 0 NOT NULL,
	"version" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"shipped_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"last_transaction_id" "xid8" NOT NULL,
	"last_global_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projection_status" (
	"name" text PRIMARY KEY NOT NULL,
	"last_error" text,
	"error_position" text,
	"failed_at" timestamp with time zone,
	"rebuild_position" text,
	"rebuild_updated_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"email" text NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"version" integer NOT NULL,
	"last_transaction_id" "xid8" NOT NULL,
	"last_global_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "order_status_history_order_idx" ON "order_status_history" USING btree ("order_id","transaction_id","global_position");--> statement-breakpoint
CREATE INDEX "orders_user_created_idx" ON "orders" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at","id");