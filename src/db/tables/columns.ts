import { bigint, customType, timestamp } from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id; read and written as text so both drivers agree. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/** Money in integer cents. */
export const cents = (name: string) => bigint(name, { mode: 'number' });

export const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });
