/** The SQLSTATE of a failed statement, from either driver (Drizzle may wrap the driver's error as `cause`). */
export function sqlState(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  const found = code ?? cause?.code;
  return typeof found === 'string' ? found : undefined;
}
